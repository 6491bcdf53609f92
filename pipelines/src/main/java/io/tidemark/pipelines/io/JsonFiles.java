package io.tidemark.pipelines.io;

import io.tidemark.schemas.WireFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Writes records as JSON lines to {@code <prefix>-*.jsonl}. Output is re-windowed into the global
 * window with a processing-time trigger, so no record can be late for the sink and files appear
 * every few seconds while a streaming job runs. Each line is {@link WireFormat#toJson}. A fixed
 * shard count, because a streaming write needs one; records are spread over the shards at random.
 */
public final class JsonFiles<T extends SpecificRecord> extends PTransform<PCollection<T>, PDone> {
  private final String prefix;
  private final int flushSeconds;
  private final int shards;

  private JsonFiles(String prefix, int flushSeconds, int shards) {
    this.prefix = prefix;
    this.flushSeconds = flushSeconds;
    this.shards = shards;
  }

  /** {@code shards} writers, each writing at most one file per flush. */
  public static <T extends SpecificRecord> JsonFiles<T> to(
      String prefix, int flushSeconds, int shards) {
    if (flushSeconds <= 0) {
      throw new IllegalArgumentException("--flushSeconds must be positive, was " + flushSeconds);
    }
    if (shards <= 0) {
      throw new IllegalArgumentException("--fileShards must be positive, was " + shards);
    }
    return new JsonFiles<>(prefix, flushSeconds, shards);
  }

  @Override
  public PDone expand(PCollection<T> records) {
    return records
        .apply(
            "ToJson",
            MapElements.into(TypeDescriptors.strings()).via((T r) -> WireFormat.toJson(r)))
        .apply(
            "Flush",
            Window.<String>into(new GlobalWindows())
                .triggering(
                    Repeatedly.forever(
                        AfterProcessingTime.pastFirstElementInPane()
                            .plusDelayOf(Duration.standardSeconds(flushSeconds))))
                .discardingFiredPanes())
        .apply(
            "Write",
            TextIO.write()
                .to(prefix)
                .withSuffix(".jsonl")
                .withWindowedWrites()
                .withNumShards(shards));
  }
}

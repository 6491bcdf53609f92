package io.tidemark.pipelines.io;

import io.tidemark.schemas.WireFormat;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.io.DefaultFilenamePolicy;
import org.apache.beam.sdk.io.FileBasedSink;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
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
 *
 * <p>The files are named as {@code TextIO.write().to(prefix)} names them, but the write states its
 * one destination's coder ({@link OneFolder}): without it the FlinkRunner's balanced sharding
 * ({@code --autoBalanceWriteFilesShardingEnabled}, which the CLI turns on) fails on the first
 * record, and without that sharding Flink hashes the shards to its parallel writers as it hashes
 * any key, so at parallelism 4 one writer took two of the four shards and another none.
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
                .to(new OneFolder(prefixResource()))
                .withTempDirectory(prefixResource())
                .withWindowedWrites()
                .withNumShards(shards));
  }

  private ResourceId prefixResource() {
    return FileBasedSink.convertToFileResourceIfPossible(prefix);
  }

  /**
   * The one destination of the files: {@code <prefix>-*.jsonl}, windowed names as TextIO's default
   * gives them, with its coder stated.
   */
  static final class OneFolder extends FileBasedSink.DynamicDestinations<String, Void, String> {
    private final DefaultFilenamePolicy policy;

    OneFolder(ResourceId prefix) {
      this.policy =
          DefaultFilenamePolicy.fromStandardParameters(
              StaticValueProvider.of(prefix), null, ".jsonl", true);
    }

    @Override
    public String formatRecord(String record) {
      return record;
    }

    @Override
    public Void getDestination(String element) {
      return null;
    }

    @Override
    public Void getDefaultDestination() {
      return null;
    }

    @Override
    public Coder<Void> getDestinationCoder() {
      return VoidCoder.of();
    }

    @Override
    public FileBasedSink.FilenamePolicy getFilenamePolicy(Void destination) {
      return policy;
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      policy.populateDisplayData(builder);
    }
  }
}

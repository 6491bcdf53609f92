package io.tidemark.pipelines.io;

import io.tidemark.pipelines.Output;
import io.tidemark.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.values.PCollection;

/**
 * JSON lines under a folder: {@code <dir>/<pipeline>/<output>/part-*.jsonl} and {@code
 * <dir>/dead-letters/part-*.jsonl}, flushed every {@code flushSeconds} by {@code shards} parallel
 * writers per output ({@link JsonFiles}).
 */
public final class FileSink implements Sink {
  private final String dir;
  private final int flushSeconds;
  private final int shards;

  public FileSink(String dir, int flushSeconds, int shards) {
    this.dir = dir;
    this.flushSeconds = flushSeconds;
    this.shards = shards;
  }

  @Override
  public void write(String pipeline, Output output) {
    output.all().forEach((name, records) -> write(records, pipeline + "/" + name, "Write " + name));
  }

  @Override
  public void writeDeadLetters(PCollection<DeadLetter> deadLetters) {
    write(deadLetters, "dead-letters", "WriteDeadLetters");
  }

  private <T extends SpecificRecord> void write(
      PCollection<T> records, String folder, String step) {
    records.apply(step, JsonFiles.<T>to(dir + "/" + folder + "/part", flushSeconds, shards));
  }
}

package io.tidemark.pipelines.io;

import io.tidemark.pipelines.Output;
import io.tidemark.schemas.DeadLetter;
import org.apache.beam.sdk.values.PCollection;

/**
 * JSON lines under a folder: {@code <dir>/<pipeline>/<output>/part-*.jsonl} and {@code
 * <dir>/dead-letters/part-*.jsonl}, flushed every {@code flushSeconds} ({@link JsonFiles}).
 */
public final class FileSink implements Sink {
  private final String dir;
  private final int flushSeconds;

  public FileSink(String dir, int flushSeconds) {
    this.dir = dir;
    this.flushSeconds = flushSeconds;
  }

  @Override
  public void write(String pipeline, Output output) {
    output.write(dir + "/" + pipeline, flushSeconds);
  }

  @Override
  public void writeDeadLetters(PCollection<DeadLetter> deadLetters) {
    deadLetters.apply("WriteDeadLetters", JsonFiles.to(dir + "/dead-letters/part", flushSeconds));
  }
}

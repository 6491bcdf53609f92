package io.tidemark.pipelines;

import io.tidemark.pipelines.options.FailureDrillOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * The failure drill of {@link FailureDrillOptions}: passes records through; the first task (DoFn
 * instance) to pass {@code --failOnceAfterRecords} of them creates {@code --failOnceMarker} and
 * throws. Creating the file is atomic, so across tasks, workers and restarts only one throws.
 */
final class FailOnce<T> extends DoFn<T, T> {
  private final long after;
  private final String marker;
  private transient long seen;

  private FailOnce(long after, String marker) {
    this.after = after;
    this.marker = marker;
  }

  /** The drill the options ask for, or null when it is off; fails fast on bad options. */
  static <T> FailOnce<T> of(FailureDrillOptions o) {
    long after = o.getFailOnceAfterRecords();
    Options.require(after >= 0, "--failOnceAfterRecords must not be negative, was %s", after);
    if (after == 0) {
      return null;
    }
    String marker = o.getFailOnceMarker();
    Options.require(
        marker != null && !marker.isBlank(),
        "--failOnceAfterRecords=%s needs --failOnceMarker, a file every worker can see",
        after);
    return new FailOnce<>(after, marker);
  }

  @ProcessElement
  public void process(@Element T record, OutputReceiver<T> out) throws IOException {
    if (++seen == after) {
      try {
        Files.createFile(Path.of(marker));
        throw new IllegalStateException(
            "failure drill: a task throws once after "
                + after
                + " records (--failOnceAfterRecords); it created "
                + marker);
      } catch (FileAlreadyExistsException e) {
        // the drill has run: pass on
      }
    }
    out.output(record);
  }
}

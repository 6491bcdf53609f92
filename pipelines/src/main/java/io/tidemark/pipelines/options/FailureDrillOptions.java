package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A failure drill: one task of the job throws once, so that recovery (restart, checkpoints,
 * exactly-once output) can be watched on a real cluster. Off by default; when off the job's graph
 * is the same as without these options.
 */
public interface FailureDrillOptions extends PipelineOptions {
  @Description(
      "Failure drill: the first task to read this many records throws, once per --failOnceMarker"
          + " (0, the default: off).")
  @Default.Long(0)
  long getFailOnceAfterRecords();

  void setFailOnceAfterRecords(long value);

  @Description(
      "Failure drill: a file on storage every worker shares. The task that throws creates it; while"
          + " it exists no task throws again, so the restarted job runs on.")
  String getFailOnceMarker();

  void setFailOnceMarker(String value);
}

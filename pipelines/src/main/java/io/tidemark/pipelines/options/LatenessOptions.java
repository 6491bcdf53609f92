package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The grace period for late data, shared by the windowed pipelines and the fraud join. */
public interface LatenessOptions extends PipelineOptions {
  @Description(
      "Allowed lateness (grace period) in minutes: data this late still updates its window in a"
          + " late pane (or still joins, in the fraud join); later data goes to the late-events"
          + " stream.")
  @Default.Integer(10)
  int getAllowedLatenessMinutes();

  void setAllowedLatenessMinutes(int value);
}

package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Lateness and triggers shared by the windowed pipelines. */
public interface WindowOptions extends LatenessOptions, LateRoutingOptions {
  @Description("Early (speculative) panes every this many processing-time seconds; 0 = none.")
  @Default.Integer(0)
  int getEarlyFiringSeconds();

  void setEarlyFiringSeconds(int value);

  @Description(
      "Accumulating panes restate the window; discarding panes (default) hold only new data.")
  @Default.Boolean(false)
  boolean getAccumulating();

  void setAccumulating(boolean value);
}

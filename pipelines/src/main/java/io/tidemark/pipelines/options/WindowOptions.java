package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Lateness and triggers shared by the windowed pipelines. */
public interface WindowOptions extends LatenessOptions {
  @Description("Early (speculative) panes every this many processing-time seconds; 0 = none.")
  @Default.Integer(0)
  int getEarlyFiringSeconds();

  void setEarlyFiringSeconds(int value);

  @Description(
      "Accumulating panes restate the window; discarding panes (default) hold only new data.")
  @Default.Boolean(false)
  boolean getAccumulating();

  void setAccumulating(boolean value);

  @Description("Event-time minutes per shard tick of the late-events router (its precision).")
  @Default.Integer(1)
  int getLateTickMinutes();

  void setLateTickMinutes(int value);

  @Description(
      "Ticks without data after which the late-events router's tick interval starts doubling, so"
          + " an idle or finished input stops ticking; the first panes after an idle period may"
          + " then wait up to about as long as it lasted.")
  @Default.Integer(5)
  int getLateMaxIdleTicks();

  void setLateMaxIdleTicks(int value);
}

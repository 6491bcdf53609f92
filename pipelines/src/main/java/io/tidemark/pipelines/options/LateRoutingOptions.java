package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The late-events router in front of every windowed step ({@code LateEvents}). */
public interface LateRoutingOptions extends PipelineOptions {
  @Description("Event-time minutes per shard tick of the late-events router (its precision).")
  @Default.Integer(1)
  int getLateTickMinutes();

  void setLateTickMinutes(int value);

  @Description(
      "On runners that do not tell timers the watermark (portable runners): ticks without data"
          + " after which the late-events router's tick interval starts doubling, so an idle or"
          + " finished input stops ticking; the first panes after an idle period may then wait up"
          + " to about as long as it lasted. Elsewhere ticks follow the watermark and never back"
          + " off.")
  @Default.Integer(60)
  int getLateMaxIdleTicks();

  void setLateMaxIdleTicks(int value);

  @Description(
      "Shards (keys) the late-events router's work is spread over, in [1, 65536]; 0, the default,"
          + " derives them from the runner's parallelism: four per parallel task.")
  @Default.Integer(0)
  int getLateShards();

  void setLateShards(int value);
}

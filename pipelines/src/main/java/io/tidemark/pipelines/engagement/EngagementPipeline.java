package io.tidemark.pipelines.engagement;

import io.tidemark.pipelines.Activity;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.Windowed;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.Engagement;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per-user engagement in fixed event-time windows (5 minutes by default): score = views x 1 +
 * clicks x 3 + purchases x 10, with total events, distinct items and the breakdown by type.
 *
 * <p>Windowing, trigger and lateness come from {@link WindowOptions}: the on-time pane fires when
 * the watermark passes the window end, optional early panes every {@code --earlyFiringSeconds}, a
 * late pane per late event within {@code --allowedLatenessMinutes}; later events go to {@code
 * late/}. Panes are discarding by default, so summing {@code totalEvents} over all panes counts
 * every event once. Output is at-least-once to files (exactly-once processing within the runner).
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar engagement --generatorEvents=20000
 * </pre>
 */
public final class EngagementPipeline {
  public static final String NAME = "engagement";

  /** Options of this pipeline. */
  public interface EngagementOptions extends WindowOptions {
    @Description("Engagement window size in minutes.")
    @Default.Integer(5)
    int getEngagementWindowMinutes();

    void setEngagementWindowMinutes(int value);
  }

  private EngagementPipeline() {}

  /** Builds the graph: engagement results and late events. */
  public static Output expand(Events events, EngagementOptions o) {
    Windowed<Activity> split =
        Windowed.split(
            NAME,
            Activity.byUser(events),
            Windowed.fixed(o, "engagementWindowMinutes", o.getEngagementWindowMinutes()),
            o,
            Activity::event);
    PCollection<Engagement> results =
        split
            .windowed
            .apply("Score", Combine.perKey(new EngagementFn()))
            .apply("ToEngagement", ParDo.of(new ToEngagementFn(split.results())))
            .setCoder(AvroCoder.of(Engagement.class));
    return new Output().with("results", results).with("late", split.late);
  }

  static final class ToEngagementFn extends DoFn<KV<String, EngagementFn.Acc>, Engagement> {
    private final Windowed.Results results;

    ToEngagementFn(Windowed.Results results) {
      this.results = results;
    }

    @ProcessElement
    public void process(
        @Element KV<String, EngagementFn.Acc> e,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<Engagement> out) {
      EngagementFn.Acc acc = e.getValue();
      results.record(pane);
      results.events(acc.total());
      out.output(
          Engagement.newBuilder()
              .setUserId(e.getKey())
              .setWindowStart(window.start().getMillis())
              .setWindowEnd(window.end().getMillis())
              .setScore(acc.score())
              .setTotalEvents(acc.total())
              .setViews(acc.views)
              .setClicks(acc.clicks)
              .setPurchases(acc.purchases)
              .setDistinctContent(acc.items.size())
              .setTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .build());
    }
  }
}

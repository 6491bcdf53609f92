package io.tidemark.pipelines.clicks;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Keys;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.Windowed;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.UserClicks;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunctions;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Clicks per user in fixed event-time windows ({@code --clicksWindowMinutes}, 5 by default), one
 * {@link UserClicks} per user, window and pane, with the pane's timing and index.
 *
 * <p>Windowing, trigger and lateness come from {@link WindowOptions}: the on-time pane fires when
 * the watermark passes the window end, optional early panes every {@code --earlyFiringSeconds}, a
 * late pane per late click within {@code --allowedLatenessMinutes}; later clicks go to {@code
 * late/} as {@code LateEvent}s. Panes are discarding by default, so summing {@code clicks} over all
 * panes of a window counts every click once ({@code --accumulating} restates the window in each
 * pane instead). Output is at-least-once to files (exactly-once processing within the runner).
 *
 * <p>Accounting: {@code in} = every click = {@code in-results} (clicks in window results) + {@code
 * late} (routed to {@code late/}).
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar clicks-per-user --clicksWindowMinutes=5
 * </pre>
 */
public final class ClicksPerUserPipeline {
  public static final String NAME = "clicks-per-user";

  /** Options of this pipeline. */
  public interface ClicksPerUserOptions extends WindowOptions {
    @Description("Clicks-per-user window size in minutes.")
    @Default.Integer(5)
    int getClicksWindowMinutes();

    void setClicksWindowMinutes(int value);
  }

  private ClicksPerUserPipeline() {}

  /** Builds the graph: clicks per user and window, and late clicks. */
  public static Output expand(Events events, ClicksPerUserOptions o) {
    PCollection<KV<String, Click>> keyed = Keys.by("KeyByUser", events.clicks, Click::getUserId);
    Windowed<Click> split =
        Windowed.split(
            NAME,
            keyed,
            Windowed.fixed(o, "clicksWindowMinutes", o.getClicksWindowMinutes()),
            o,
            SerializableFunctions.identity());
    PCollection<UserClicks> results =
        split
            .windowed
            .apply("Count", Count.perKey())
            .apply("ToUserClicks", ParDo.of(new ToUserClicksFn(split.results())))
            .setCoder(AvroCoder.of(UserClicks.class));
    return new Output().with("results", results).with("late", split.late);
  }

  static final class ToUserClicksFn extends DoFn<KV<String, Long>, UserClicks> {
    private final Windowed.Results results;

    ToUserClicksFn(Windowed.Results results) {
      this.results = results;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Long> count,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<UserClicks> out) {
      results.record(pane);
      results.events(count.getValue());
      out.output(
          UserClicks.newBuilder()
              .setUserId(count.getKey())
              .setWindowStart(window.start().getMillis())
              .setWindowEnd(window.end().getMillis())
              .setClicks(count.getValue())
              .setTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .build());
    }
  }
}

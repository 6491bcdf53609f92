package io.tidemark.pipelines.engagement;

import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.purchase;
import static io.tidemark.pipelines.Fixture.view;
import static io.tidemark.pipelines.Fixture.window;
import static io.tidemark.pipelines.Fixture.windowOptions;
import static io.tidemark.pipelines.engagement.EngagementPipeline.NAME;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.schemas.Engagement;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link EngagementPipeline} with accumulating panes: a late pane restates its window, and the
 * accounting still counts each event once.
 */
public class EngagementAccumulatingPanesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final int WINDOW_MINUTES = 5;
  static final int LATENESS_MINUTES = 10;
  static final IntervalWindow W1 = window("10:00", WINDOW_MINUTES);

  private static Engagement engagement(
      long views, long clicks, long purchases, long distinct, Timing timing, long paneIndex) {
    return Engagement.newBuilder()
        .setUserId("alice")
        .setWindowStart(W1.start().getMillis())
        .setWindowEnd(W1.end().getMillis())
        .setScore(views * 1 + clicks * 3 + purchases * 10)
        .setTotalEvents(views + clicks + purchases)
        .setViews(views)
        .setClicks(clicks)
        .setPurchases(purchases)
        .setDistinctContent(distinct)
        .setTiming(timing.name())
        .setPaneIndex(paneIndex)
        .build();
  }

  @Test
  public void accumulatingLatePaneRestatesTheWindowAndEachEventCountsOnce() {
    Scenario s =
        new Scenario()
            .add(view("alice", "c1", "10:01"), click("alice", "p1", "10:02"))
            .watermark("10:07") // W1's on-time pane
            .add(purchase("alice", "p1", "10:03")); // observably late: an accumulating late pane
    EngagementOptions o = windowOptions(EngagementOptions.class, LATENESS_MINUTES);
    o.setEngagementWindowMinutes(WINDOW_MINUTES);
    o.setAccumulating(true);
    Output out = EngagementPipeline.expand(s.in(p), o);
    PCollection<Engagement> results = out.get("results");

    PAssert.that(results)
        .inOnTimePane(W1)
        .containsInAnyOrder(engagement(1, 1, 0, 2, Timing.ON_TIME, 0));
    PAssert.that(results).inLatePane(W1).containsInAnyOrder(engagement(1, 1, 1, 2, Timing.LATE, 1));
    PAssert.that(out.get("late")).empty();

    PipelineResult result = p.run();
    assertEquals(s.events().size(), counter(result, NAME, "in"));
    assertEquals(s.events().size(), counter(result, NAME, "in-results"));
    assertEquals(0, counter(result, NAME, "late"));
  }
}

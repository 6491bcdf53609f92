package io.tidemark.pipelines.clicks;

import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.describe;
import static io.tidemark.pipelines.Fixture.late;
import static io.tidemark.pipelines.Fixture.window;
import static io.tidemark.pipelines.Fixture.windowOptions;
import static io.tidemark.pipelines.clicks.ClicksPerUserPipeline.NAME;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline.ClicksPerUserOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.UserClicks;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link ClicksPerUserPipeline} on the DirectRunner, by lateness category, with windows of {@link
 * #WINDOW_MINUTES} and {@link #LATENESS_MINUTES} of allowed lateness: {@link #W1} closes for late
 * data at 10:15, {@link #W2} at 10:20.
 */
public class ClicksPerUserPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final int WINDOW_MINUTES = 5;
  static final int LATENESS_MINUTES = 10;
  static final int EARLY_SECONDS = 30;
  static final IntervalWindow W1 = window("10:00", WINDOW_MINUTES);
  static final IntervalWindow W2 = window("10:05", WINDOW_MINUTES);

  private static ClicksPerUserOptions opts(int earlyFiringSeconds) {
    ClicksPerUserOptions o = windowOptions(ClicksPerUserOptions.class, LATENESS_MINUTES);
    o.setClicksWindowMinutes(WINDOW_MINUTES);
    o.setEarlyFiringSeconds(earlyFiringSeconds);
    return o;
  }

  private static UserClicks clicks(
      String user, IntervalWindow w, long clicks, Timing timing, long paneIndex) {
    return UserClicks.newBuilder()
        .setUserId(user)
        .setWindowStart(w.start().getMillis())
        .setWindowEnd(w.end().getMillis())
        .setClicks(clicks)
        .setTiming(timing.name())
        .setPaneIndex(paneIndex)
        .build();
  }

  @Test
  public void onTimeUnobservablyLateObservablyLateAndDroppablyLateClicks() {
    Click alice1 = click("alice", "p1", "10:01");
    Click alice2 = click("alice", "p2", "10:03");
    Click bob1 = click("bob", "p1", "10:04");
    Click alice3 = click("alice", "p3", "10:06");
    Click bobUnobservable = click("bob", "p2", "10:02");
    Click aliceLate = click("alice", "p4", "10:02");
    Click bobDropped = click("bob", "p5", "10:01");
    Click carolDropped = click("carol", "p1", "10:07");
    Scenario s =
        new Scenario()
            .add(alice1, alice2, bob1, alice3) // on time
            .watermark("10:03")
            .add(bobUnobservable) // behind the watermark, but W1 is still open: on-time pane
            .watermark("10:08") // W1's on-time pane fires
            .add(aliceLate) // W1 ended, within the lateness: a late pane
            .watermark("10:12") // W2's on-time pane fires
            .watermark("10:45") // W1 and W2 closed (10:15, 10:20)
            .add(bobDropped, carolDropped); // droppably late: the late output
    Output out = ClicksPerUserPipeline.expand(s.in(p), opts(0));
    PCollection<UserClicks> results = out.get("results");

    UserClicks w1Alice = clicks("alice", W1, List.of(alice1, alice2).size(), Timing.ON_TIME, 0);
    UserClicks w1Bob = clicks("bob", W1, List.of(bob1, bobUnobservable).size(), Timing.ON_TIME, 0);
    UserClicks w1AliceLate = clicks("alice", W1, List.of(aliceLate).size(), Timing.LATE, 1);
    UserClicks w2Alice = clicks("alice", W2, List.of(alice3).size(), Timing.ON_TIME, 0);
    PAssert.that(results).inOnTimePane(W1).containsInAnyOrder(w1Alice, w1Bob);
    PAssert.that(results).inLatePane(W1).containsInAnyOrder(w1AliceLate);
    PAssert.that(results).inOnTimePane(W2).containsInAnyOrder(w2Alice);
    PAssert.that(results).inLatePane(W2).empty();
    PAssert.that(describe(out.get("late")))
        .containsInAnyOrder(late(bobDropped, "bob", W1), late(carolDropped, "carol", W2));

    PipelineResult result = p.run();
    long inResults =
        List.of(w1Alice, w1Bob, w1AliceLate, w2Alice).stream()
            .mapToLong(UserClicks::getClicks)
            .sum();
    assertEquals(s.events().size(), counter(result, NAME, "in"));
    assertEquals(inResults, counter(result, NAME, "in-results"));
    assertEquals(2, counter(result, NAME, "late"));
    assertEquals(3, counter(result, NAME, "panes-on-time"));
    assertEquals(1, counter(result, NAME, "panes-late"));
  }

  @Test
  public void earlyPaneThenOnTimePane() {
    Click alice1 = click("alice", "p1", "10:01");
    Click alice2 = click("alice", "p2", "10:03");
    Click bob1 = click("bob", "p1", "10:04");
    Scenario s =
        new Scenario()
            .add(alice1)
            .watermark(
                "10:02") // the late-events router forwards alice1 once it knows the watermark
            .processingTime(Duration.standardSeconds(EARLY_SECONDS + 1)) // early pane of alice
            .add(alice2, bob1)
            .watermark("10:08"); // on-time panes
    Output out = ClicksPerUserPipeline.expand(s.in(p), opts(EARLY_SECONDS));
    PCollection<UserClicks> results = out.get("results");

    PAssert.that(results)
        .inEarlyPane(W1)
        .containsInAnyOrder(clicks("alice", W1, 1, Timing.EARLY, 0));
    PAssert.that(results)
        .inOnTimePane(W1)
        .containsInAnyOrder(
            clicks("alice", W1, 1, Timing.ON_TIME, 1), clicks("bob", W1, 1, Timing.ON_TIME, 0));
    PAssert.that(out.get("late")).empty();

    PipelineResult result = p.run();
    assertEquals(s.events().size(), counter(result, NAME, "in-results"));
    assertEquals(1, counter(result, NAME, "panes-early"));
  }
}

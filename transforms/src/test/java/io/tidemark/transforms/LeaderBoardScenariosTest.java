package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.KV_INT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The team-score scenarios of Beam's {@code LeaderBoardTest} (the game example: fixed 20-minute
 * windows, early panes 5 minutes of processing time after the first element, late panes batched for
 * 10 minutes, one hour of allowed lateness, accumulating panes) as TestStreams on the DirectRunner.
 * Each scenario is windowed twice, by {@link EventWindows} alone and with {@link LateEvents} in
 * front (default shards), and both must give Beam's expected panes: routing holds no pane back.
 * Events are keyed by user, so they spread over the routing shards; scores are summed per team.
 */
public class LeaderBoardScenariosTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final Duration TEAM_WINDOW = Duration.standardMinutes(20);
  private static final Duration ALLOWED_LATENESS = Duration.standardHours(1);
  private static final Instant BASE = new Instant(0);
  private static final IntervalWindow WINDOW = new IntervalWindow(BASE, TEAM_WINDOW);
  private static final String RED = "red";
  private static final String BLUE = "blue";
  private static final Map<String, String> TEAMS =
      Map.of("scarlet", RED, "burgundy", RED, "navy", BLUE, "sky", BLUE);

  private static EventWindows<KV<String, Integer>> teamWindows() {
    return EventWindows.<KV<String, Integer>>fixed(TEAM_WINDOW)
        .withEarlyFiringsEvery(Duration.standardMinutes(5))
        .withLateFiringsBatched(Duration.standardMinutes(10))
        .withAllowedLateness(ALLOWED_LATENESS)
        .accumulating();
  }

  private static TimestampedValue<KV<String, Integer>> event(
      String user, int score, Duration after) {
    return TimestampedValue.of(KV.of(user, score), BASE.plus(after));
  }

  private static Duration minutes(int m) {
    return Duration.standardMinutes(m);
  }

  private static Duration seconds(int s) {
    return Duration.standardSeconds(s);
  }

  /** Team scores by the policy alone and behind {@link LateEvents}, and the late stream. */
  private record Scores(
      List<PCollection<KV<String, Integer>>> both,
      PCollection<LateRecord<KV<String, Integer>>> late) {}

  private Scores teamScores(TestStream<KV<String, Integer>> stream) {
    PCollection<KV<String, Integer>> events = p.apply(stream);
    PCollection<KV<String, Integer>> alone =
        sumByTeam("Alone", events.apply("Windows", teamWindows()));
    LateEvents.Result<KV<String, Integer>> split =
        events.apply("LateEvents", LateEvents.of(teamWindows()));
    return new Scores(List.of(alone, sumByTeam("Routed", split.windowed())), split.late());
  }

  private static PCollection<KV<String, Integer>> sumByTeam(
      String name, PCollection<KV<String, Integer>> byUser) {
    return byUser
        .apply(
            name + "ByTeam",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers()))
                .via((KV<String, Integer> e) -> KV.of(TEAMS.get(e.getKey()), e.getValue())))
        .setCoder(KV_INT)
        .apply(name + "Sum", Sum.integersPerKey());
  }

  @Test
  public void onTime() {
    Scores scores =
        teamScores(
            TestStream.create(KV_INT)
                .advanceWatermarkTo(BASE)
                .addElements(
                    event("navy", 3, seconds(3)),
                    event("navy", 2, minutes(1)),
                    event("burgundy", 3, seconds(22)),
                    event("sky", 5, minutes(3)))
                .advanceWatermarkTo(BASE.plus(minutes(3)))
                .addElements(event("scarlet", 1, minutes(4)), event("navy", 2, seconds(270)))
                .advanceWatermarkToInfinity());
    for (PCollection<KV<String, Integer>> s : scores.both()) {
      PAssert.that(s).inOnTimePane(WINDOW).containsInAnyOrder(KV.of(BLUE, 12), KV.of(RED, 4));
    }
    PAssert.that(scores.late()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void speculativePanesFireWhileTheWatermarkStands() {
    Scores scores =
        teamScores(
            TestStream.create(KV_INT)
                .advanceWatermarkTo(BASE)
                .addElements(event("navy", 3, seconds(3)), event("navy", 2, minutes(1)))
                .advanceProcessingTime(minutes(10)) // early pane: blue 5
                .addElements(event("burgundy", 5, minutes(3)))
                .advanceProcessingTime(minutes(12)) // early pane: red 5
                .addElements(event("sky", 3, seconds(22)))
                .advanceProcessingTime(minutes(10)) // early pane: blue 8
                .addElements(event("scarlet", 4, minutes(4)), event("sky", 2, minutes(2)))
                .advanceWatermarkToInfinity());
    for (PCollection<KV<String, Integer>> s : scores.both()) {
      PAssert.that(s)
          .inEarlyPane(WINDOW)
          .containsInAnyOrder(KV.of(BLUE, 5), KV.of(BLUE, 8), KV.of(RED, 5));
      PAssert.that(s).inOnTimePane(WINDOW).containsInAnyOrder(KV.of(BLUE, 10), KV.of(RED, 9));
    }
    PAssert.that(scores.late()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void unobservablyLateEventsAreInTheOnTimePane() {
    Scores scores =
        teamScores(
            TestStream.create(KV_INT)
                .advanceWatermarkTo(BASE)
                .addElements(
                    event("navy", 3, seconds(3)),
                    event("sky", 5, minutes(8)),
                    event("scarlet", 4, minutes(2)),
                    event("navy", 3, minutes(5)))
                .advanceWatermarkTo(BASE.plus(TEAM_WINDOW).minus(minutes(1)))
                .addElements( // behind the watermark, before the end of the window
                    event("burgundy", 2, Duration.ZERO),
                    event("burgundy", 5, minutes(1)),
                    event("sky", 2, seconds(90)),
                    event("burgundy", 3, minutes(3)))
                .advanceWatermarkTo(BASE.plus(TEAM_WINDOW).plus(minutes(1)))
                .advanceWatermarkToInfinity());
    for (PCollection<KV<String, Integer>> s : scores.both()) {
      PAssert.that(s).inOnTimePane(WINDOW).containsInAnyOrder(KV.of(RED, 14), KV.of(BLUE, 13));
    }
    PAssert.that(scores.late()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void lateEventsWithinTheAllowedLatenessAreInLatePanes() {
    Instant firstWindowCloses = BASE.plus(ALLOWED_LATENESS).plus(TEAM_WINDOW);
    Scores scores =
        teamScores(
            TestStream.create(KV_INT)
                .advanceWatermarkTo(BASE)
                .addElements(event("navy", 3, seconds(3)), event("sky", 5, minutes(8)))
                .advanceProcessingTime(minutes(10))
                .advanceWatermarkTo(BASE.plus(minutes(3)))
                .addElements(
                    event("scarlet", 3, minutes(1)),
                    event("scarlet", 4, minutes(2)),
                    event("navy", 3, minutes(5)))
                .advanceWatermarkTo(firstWindowCloses.minus(minutes(1)))
                .addElements( // late, within the allowed lateness
                    event("burgundy", 2, Duration.ZERO),
                    event("burgundy", 5, minutes(1)),
                    event("burgundy", 3, minutes(3)))
                .advanceProcessingTime(minutes(12)) // a late pane; the window is still open
                .addElements(event("burgundy", 9, minutes(1)), event("burgundy", 1, minutes(3)))
                .advanceWatermarkToInfinity());
    for (PCollection<KV<String, Integer>> s : scores.both()) {
      PAssert.that(s)
          .inWindow(WINDOW)
          .satisfies(
              panes -> {
                assertThat(panes, hasItem(KV.of(BLUE, 11)));
                assertThat(panes, hasItem(KV.of(RED, 27)));
                return null;
              });
      PAssert.thatMap(s).inOnTimePane(WINDOW).isEqualTo(Map.of(RED, 7, BLUE, 11));
      PAssert.that(s).inLatePane(WINDOW).containsInAnyOrder(KV.of(RED, 17), KV.of(RED, 27));
      PAssert.that(s).inFinalPane(WINDOW).containsInAnyOrder(KV.of(RED, 27));
    }
    PAssert.that(scores.late()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  public void droppablyLateEventsGoToTheLateStream() {
    TimestampedValue<KV<String, Integer>> sky = event("sky", 3, TEAM_WINDOW.minus(seconds(5)));
    TimestampedValue<KV<String, Integer>> scarlet = event("scarlet", 7, minutes(4));
    Instant pastClosing = BASE.plus(ALLOWED_LATENESS).plus(TEAM_WINDOW).plus(minutes(1));
    Scores scores =
        teamScores(
            TestStream.create(KV_INT)
                .addElements(event("navy", 12, Duration.ZERO), event("scarlet", 3, Duration.ZERO))
                .advanceWatermarkTo(WINDOW.maxTimestamp())
                .addElements(
                    event("scarlet", 4, minutes(2)),
                    event("sky", 3, Duration.ZERO),
                    event("navy", 3, minutes(3)))
                .advanceWatermarkTo(BASE.plus(TEAM_WINDOW))
                .advanceWatermarkTo(pastClosing)
                .addElements(sky, scarlet) // beyond the allowed lateness
                .advanceWatermarkToInfinity());
    for (PCollection<KV<String, Integer>> s : scores.both()) {
      PAssert.that(s).inWindow(WINDOW).containsInAnyOrder(KV.of(RED, 7), KV.of(BLUE, 18));
      PAssert.that(s).inFinalPane(WINDOW).empty();
    }
    // Where EventWindows alone drops them silently, LateEvents routes them, naming the window
    // and the watermark it knew: one one-minute tick behind.
    Instant known = pastClosing.minus(minutes(1));
    PAssert.that(scores.late())
        .containsInAnyOrder(
            new LateRecord<>(sky.getValue(), sky.getTimestamp(), WINDOW, known, ALLOWED_LATENESS),
            new LateRecord<>(
                scarlet.getValue(), scarlet.getTimestamp(), WINDOW, known, ALLOWED_LATENESS));
    p.run().waitUntilFinish();
  }
}

package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.EARLY;
import static io.tidemark.transforms.Fixture.GAP;
import static io.tidemark.transforms.Fixture.KV_INT;
import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.PAST_EARLY;
import static io.tidemark.transforms.Fixture.PERIOD;
import static io.tidemark.transforms.Fixture.WINDOW;
import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.closing;
import static io.tidemark.transforms.Fixture.event;
import static io.tidemark.transforms.Fixture.stream;
import static io.tidemark.transforms.Fixture.sums;
import static io.tidemark.transforms.Fixture.window;

import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link EventWindows} on the DirectRunner, by lateness category: on time, speculative,
 * unobservably late, observably late and droppably late. Events are {@code KV<key, amount>}; the
 * assertions are on per-key sums per window and pane.
 */
public class EventWindowsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static EventWindows<KV<String, Integer>> fixed() {
    return EventWindows.<KV<String, Integer>>fixed(WINDOW).withAllowedLateness(LATENESS);
  }

  // ---- on time ----

  @Test
  public void onTimeFixedWindowsGiveOneOnTimePanePerWindowAndKey() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1), event("a", 2, 5), event("b", 4, 3), event("a", 8, 12))
            .advanceWatermarkTo(at(10))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums = sums(p.apply(events).apply(fixed()));

    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 1 + 2), KV.of("b", 4));
    PAssert.that(sums).inOnTimePane(window(10)).containsInAnyOrder(KV.of("a", 8));
    PAssert.that(sums).inWindow(window(0)).containsInAnyOrder(KV.of("a", 1 + 2), KV.of("b", 4));
    PAssert.that(sums).inWindow(window(10)).containsInAnyOrder(KV.of("a", 8));
    p.run();
  }

  @Test
  public void onTimeSlidingWindowsCountAnEventInEveryWindowItFallsIn() {
    // Without allowed lateness the on-time pane is also the final one.
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 7), event("a", 2, 12))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums =
        sums(p.apply(events).apply(EventWindows.sliding(WINDOW, PERIOD)));

    // 7 is in [0, 10) and [5, 15); 12 is in [5, 15) and [10, 20).
    PAssert.that(sums).inFinalPane(window(0)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(sums).inFinalPane(window(5)).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(sums).inFinalPane(window(10)).containsInAnyOrder(KV.of("a", 2));
    PAssert.that(sums).inOnTimePane(window(5)).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(sums).inWindow(window(-5)).empty();
    p.run();
  }

  // ---- speculative (early) ----

  @Test
  public void speculativePanesAccumulatingAndDiscardingGiveDifferentPanes() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1), event("a", 2, 2))
            .advanceProcessingTime(PAST_EARLY) // early pane: 1 + 2
            .addElements(event("a", 4, 3))
            .advanceWatermarkTo(at(10)) // on-time pane
            .addElements(event("a", 8, 4)) // observably late: a late pane
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> input = p.apply(events);
    EventWindows<KV<String, Integer>> early = fixed().withEarlyFiringsEvery(EARLY);
    PCollection<KV<String, Integer>> discarding =
        sums("SumDiscarding", input.apply("Discarding", early.discarding()));
    PCollection<KV<String, Integer>> accumulating =
        sums("SumAccumulating", input.apply("Accumulating", early.accumulating()));

    IntervalWindow w = window(0);
    PAssert.that(discarding).inEarlyPane(w).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(discarding).inOnTimePane(w).containsInAnyOrder(KV.of("a", 4));
    PAssert.that(discarding).inLatePane(w).containsInAnyOrder(KV.of("a", 8));
    PAssert.that(accumulating).inEarlyPane(w).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(accumulating).inOnTimePane(w).containsInAnyOrder(KV.of("a", 1 + 2 + 4));
    PAssert.that(accumulating).inLatePane(w).containsInAnyOrder(KV.of("a", 1 + 2 + 4 + 8));
    p.run();
  }

  @Test
  public void speculativePanesFireEveryCountElementsWithoutProcessingTime() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .addElements(event("a", 2, 2)) // second element of the pane: early pane
            .addElements(event("a", 4, 3)) // first element of the next pane: no pane
            .addElements(event("a", 8, 4)) // second: early pane
            .addElements(event("a", 16, 5))
            // Close the window by watermark first: when a TestStream ends, the DirectRunner also
            // fires pending processing-time triggers, which would make the last pane early.
            .advanceWatermarkTo(at(10))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums =
        sums(
            p.apply(events)
                .apply(
                    fixed()
                        .withEarlyFiringsEvery(Duration.standardHours(1))
                        .withEarlyFiringsAfterCount(2)));

    PAssert.that(sums)
        .inEarlyPane(window(0))
        .containsInAnyOrder(KV.of("a", 1 + 2), KV.of("a", 4 + 8));
    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 16));
    p.run();
  }

  // ---- unobservably late ----

  @Test
  public void unobservablyLateEventStaysInTheOnTimePane() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(6))
            .addElements(event("a", 2, 3)) // watermark past 3, not past the window end
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums = sums(p.apply(events).apply(fixed()));

    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(sums).inLatePane(window(0)).empty();
    p.run();
  }

  // ---- observably late ----

  @Test
  public void observablyLateEventsUpToTheLastMomentOfLatenessGetLatePanes() {
    IntervalWindow w = window(0);
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(12))
            .addElements(event("a", 2, 2)) // late pane
            .advanceWatermarkTo(closing(w)) // the last moment of allowed lateness
            .addElements(event("a", 4, 3)) // still a late pane
            .advanceWatermarkTo(closing(w).plus(Duration.millis(1)))
            .addElements(event("a", 8, 4)) // droppably late
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums = sums(p.apply(events).apply(fixed()));

    PAssert.that(sums).inOnTimePane(w).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(sums).inLatePane(w).containsInAnyOrder(KV.of("a", 2), KV.of("a", 4));
    p.run();
  }

  @Test
  public void observablyLateEventsBatchedIntoOneLatePane() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(12))
            .addElements(event("a", 2, 2), event("a", 4, 3))
            .advanceProcessingTime(PAST_EARLY)
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums =
        sums(p.apply(events).apply(fixed().withLateFiringsBatched(EARLY)));

    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(sums).inLatePane(window(0)).containsInAnyOrder(KV.of("a", 2 + 4));
    p.run();
  }

  // ---- droppably late ----

  @Test
  public void droppablyLateEventIsDroppedByTheWindow() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(25))
            .addElements(event("a", 2, 2), event("b", 4, 3))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums = sums(p.apply(events).apply(fixed()));

    PAssert.that(sums).inWindow(window(0)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(sums).inLatePane(window(0)).empty();
    p.run();
  }

  // ---- sessions, every category ----

  @Test
  public void sessionsByLatenessCategory() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1), event("a", 2, 3), event("b", 4, 2))
            .advanceWatermarkTo(at(6))
            .addElements(event("b", 8, 4)) // unobservably late: extends b's session to 9
            .advanceWatermarkTo(at(12))
            .addElements(event("a", 16, 4)) // observably late: extends a's session to 9
            .advanceWatermarkTo(at(25))
            .addElements(event("a", 32, 2)) // droppably late: [2, 7) closed at 16:59.999
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> sums =
        sums(
            p.apply(events)
                .apply(
                    EventWindows.<KV<String, Integer>>sessions(GAP).withAllowedLateness(LATENESS)));

    IntervalWindow aOnTime = new IntervalWindow(at(1), at(3).plus(GAP));
    IntervalWindow aExtended = new IntervalWindow(at(1), at(4).plus(GAP));
    IntervalWindow b = new IntervalWindow(at(2), at(4).plus(GAP));
    PAssert.that(sums).inOnTimePane(aOnTime).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(sums).inLatePane(aExtended).containsInAnyOrder(KV.of("a", 16));
    PAssert.that(sums).inOnTimePane(b).containsInAnyOrder(KV.of("b", 4 + 8));
    PAssert.that(sums).inLatePane(b).empty();
    p.run();
  }
}

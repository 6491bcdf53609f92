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
import static io.tidemark.transforms.Fixture.knownWatermark;
import static io.tidemark.transforms.Fixture.lateEvents;
import static io.tidemark.transforms.Fixture.stream;
import static io.tidemark.transforms.Fixture.sums;
import static io.tidemark.transforms.Fixture.window;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.collect.Iterables;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link LateEvents} on the DirectRunner, by lateness category. The routing step knows the
 * watermark one tick behind (see {@link Fixture#knownWatermark}), so the scenarios advance the
 * watermark to whole minutes and keep late events more than a tick away from their closing time.
 */
public class LateEventsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final TypeDescriptor<KV<String, Integer>> KV_TYPE =
      TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers());

  private static EventWindows<KV<String, Integer>> fixed() {
    return EventWindows.<KV<String, Integer>>fixed(WINDOW).withAllowedLateness(LATENESS);
  }

  private static LateRecord<KV<String, Integer>> late(
      TimestampedValue<KV<String, Integer>> event, IntervalWindow window, Instant watermark) {
    return new LateRecord<>(
        event.getValue(), event.getTimestamp(), window, knownWatermark(watermark), LATENESS);
  }

  // ---- every category at once: each input element is in exactly one output ----

  @Test
  public void everyEventIsWindowedOrLateExactlyOnce() {
    TimestampedValue<KV<String, Integer>> a1 = event("a", 1, 1);
    TimestampedValue<KV<String, Integer>> b2 = event("b", 2, 2);
    TimestampedValue<KV<String, Integer>> a4 = event("a", 4, 12);
    TimestampedValue<KV<String, Integer>> a8 = event("a", 8, 3);
    TimestampedValue<KV<String, Integer>> a16 = event("a", 16, 5);
    TimestampedValue<KV<String, Integer>> b32 = event("b", 32, 7);
    List<TimestampedValue<KV<String, Integer>>> all = List.of(a1, b2, a4, a8, a16, b32);
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(a1, b2, a4) // on time
            .advanceWatermarkTo(at(6))
            .addElements(a8) // unobservably late
            .advanceWatermarkTo(at(12))
            .addElements(a16) // observably late
            .advanceWatermarkTo(at(25))
            .addElements(b32) // droppably late: [0, 10) closed at 19:59.999
            .advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split = p.apply(events).apply(lateEvents(fixed()));
    PCollection<KV<String, Integer>> sums = sums(split.windowed());

    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 1 + 8), KV.of("b", 2));
    PAssert.that(sums).inLatePane(window(0)).containsInAnyOrder(KV.of("a", 16));
    PAssert.that(sums).inOnTimePane(window(10)).containsInAnyOrder(KV.of("a", 4));
    PAssert.that(split.windowed())
        .containsInAnyOrder(
            a1.getValue(), b2.getValue(), a4.getValue(), a8.getValue(), a16.getValue());
    PAssert.that(split.late()).containsInAnyOrder(late(b32, window(0), at(25)));

    // Accounting: windowed + late = input, as a multiset and as a count.
    PCollection<KV<String, Integer>> accounted =
        PCollectionList.of(split.windowed().apply("WindowedToGlobal", Fixture.global()))
            .and(
                split
                    .late()
                    .apply("LateEvent", MapElements.into(KV_TYPE).via(LateRecord::event))
                    .setCoder(KV_INT))
            .apply(Flatten.pCollections());
    PAssert.that(accounted)
        .containsInAnyOrder(all.stream().map(TimestampedValue::getValue).toList());
    int inputs = all.size();
    PAssert.that(accounted)
        .satisfies(
            union -> {
              assertEquals(inputs, Iterables.size(union));
              return null;
            });
    p.run();
  }

  // ---- speculative: early panes are not held back ----

  @Test
  public void speculativePanesFireThroughTheRoutingStep() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(3)) // the first tick runs, so later events are routed at once
            .addElements(event("a", 2, 4), event("a", 4, 5))
            .advanceProcessingTime(PAST_EARLY)
            .addElements(event("a", 8, 6))
            .advanceWatermarkTo(at(12))
            .advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split =
        p.apply(events).apply(lateEvents(fixed().withEarlyFiringsEvery(EARLY)));
    PCollection<KV<String, Integer>> sums = sums(split.windowed());

    PAssert.that(sums).inEarlyPane(window(0)).containsInAnyOrder(KV.of("a", 1 + 2 + 4));
    PAssert.that(sums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 8));
    PAssert.that(split.late()).empty();
    p.run();
  }

  // ---- unobservably and observably late: windowed, never in late() ----

  @Test
  public void observablyLateEventGoesToALatePaneAndNotToTheLateStream() {
    IntervalWindow w = window(0);
    TimestampedValue<KV<String, Integer>> a16 = event("a", 16, 5);
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(6))
            .addElements(event("a", 2, 2)) // unobservably late
            .advanceWatermarkTo(at(12))
            .addElements(event("a", 4, 3)) // observably late
            .advanceWatermarkTo(at(20))
            // [0, 10) closed at 19:59.999, less than a tick ago: the routing step knows 19:00 and
            // forwards it, and its hold keeps the window open downstream, so a late pane
            .addElements(event("a", 8, 4))
            .advanceWatermarkTo(at(21))
            .addElements(a16) // the routing step knows 20:00: droppably late
            .advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split = p.apply(events).apply(lateEvents(fixed()));
    PCollection<KV<String, Integer>> sums = sums(split.windowed());

    PAssert.that(sums).inOnTimePane(w).containsInAnyOrder(KV.of("a", 1 + 2));
    PAssert.that(sums).inLatePane(w).containsInAnyOrder(KV.of("a", 4), KV.of("a", 8));
    PAssert.that(split.late()).containsInAnyOrder(late(a16, w, at(21)));
    p.run();
  }

  // ---- droppably late: routed with its window and lateness ----

  @Test
  public void droppablyLateEventGoesToTheLateStreamWithItsWindowAndLateBy() {
    TimestampedValue<KV<String, Integer>> a2 = event("a", 2, 2);
    TimestampedValue<KV<String, Integer>> b4 = event("b", 4, 9);
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(25))
            .addElements(a2, b4)
            .advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split = p.apply(events).apply(lateEvents(fixed()));

    PAssert.that(sums(split.windowed())).inWindow(window(0)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(split.late())
        .containsInAnyOrder(late(a2, window(0), at(25)), late(b4, window(0), at(25)));
    // lateBy: how far the known watermark was past the closing time of [0, 10)
    PAssert.that(
            split
                .late()
                .apply(MapElements.into(TypeDescriptors.longs()).via(r -> r.lateBy().getMillis())))
        .containsInAnyOrder(
            List.of(
                knownWatermark(at(25)).getMillis() - closing(window(0)).getMillis(),
                knownWatermark(at(25)).getMillis() - closing(window(0)).getMillis()));
    p.run();
  }

  // ---- start of the stream: every shard routes exactly from its first event ----

  @Test
  public void firstEventsOfEveryShardBehindTheWatermarkAreRoutedNotDropped() {
    int shards = 4;
    List<TimestampedValue<KV<String, Integer>>> tooLate = new ArrayList<>();
    Set<Integer> shardsHit = new HashSet<>();
    for (int k = 0; k < 12; k++) {
      String key = "k" + k;
      tooLate.add(event(key, 1, 2));
      shardsHit.add(LateEvents.shardOf(KV.of(key, 1), shards));
    }
    assertEquals("the keys reach every shard", shards, shardsHit.size());
    TimestampedValue<KV<String, Integer>> onTime = event("a", 2, 26);
    // The watermark passes minute 25 before any data: [0, 10) closed at 19:59.999.
    TestStream.Builder<KV<String, Integer>> builder = stream(KV_INT).advanceWatermarkTo(at(25));
    for (TimestampedValue<KV<String, Integer>> e : tooLate) {
      builder = builder.addElements(e);
    }
    TestStream<KV<String, Integer>> events =
        builder.addElements(onTime).advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split =
        p.apply(events).apply(lateEvents(fixed()).withShards(shards));

    PAssert.that(split.windowed()).containsInAnyOrder(onTime.getValue());
    PAssert.that(split.late())
        .containsInAnyOrder(tooLate.stream().map(e -> late(e, window(0), at(25))).toList());
    p.run();
  }

  @Test
  public void lateRecordsOfSlidingWindowsAndSessionsNameTheLastWindow() {
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(event("a", 1, 1))
            .advanceWatermarkTo(at(22))
            // sliding: [0, 10) closed at 19:59.999, [5, 15) open until 24:59.999, so forwarded;
            // sessions: [7, 12) open until 21:59.999, so forwarded
            .addElements(event("a", 2, 7))
            .advanceWatermarkTo(at(30))
            // sliding: [5, 15) closed too; sessions: [8, 13) closed at 22:59.999
            .addElements(event("a", 4, 8))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> input = p.apply(events);
    LateEvents.Result<KV<String, Integer>> sliding =
        input.apply(
            "Sliding",
            lateEvents(
                EventWindows.<KV<String, Integer>>sliding(WINDOW, PERIOD)
                    .withAllowedLateness(LATENESS)));
    LateEvents.Result<KV<String, Integer>> sessions =
        input.apply(
            "Sessions",
            lateEvents(
                EventWindows.<KV<String, Integer>>sessions(GAP).withAllowedLateness(LATENESS)));
    PCollection<KV<String, Integer>> slidingSums = sums("SumSliding", sliding.windowed());
    PCollection<KV<String, Integer>> sessionSums = sums("SumSessions", sessions.windowed());

    PAssert.that(slidingSums).inOnTimePane(window(-5)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(slidingSums).inOnTimePane(window(0)).containsInAnyOrder(KV.of("a", 1));
    PAssert.that(slidingSums).inLatePane(window(0)).empty(); // that copy was dropped by the runner
    PAssert.that(slidingSums).inLatePane(window(5)).containsInAnyOrder(KV.of("a", 2));
    PAssert.that(sliding.late()).containsInAnyOrder(late(event("a", 4, 8), window(5), at(30)));

    IntervalWindow session7 = new IntervalWindow(at(7), GAP);
    PAssert.that(sessionSums).inLatePane(session7).containsInAnyOrder(KV.of("a", 2));
    PAssert.that(sessions.late())
        .containsInAnyOrder(late(event("a", 4, 8), new IntervalWindow(at(8), GAP), at(30)));
    p.run();
  }
}

package io.tidemark.system;

import static io.tidemark.system.EmbeddedFlink.assertAllPAssertsRan;
import static io.tidemark.system.EmbeddedFlink.counter;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.LateRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@link LateEvents} on the embedded FlinkRunner at parallelism 1 and 2, with a source whose late
 * events are hours late, so that the split cannot depend on when Flink moves the watermark (a
 * TestStream cannot show this on Flink: see {@link FlinkTransformsConformanceTest}).
 *
 * <p>The {@link GatedSource} emits on-time events for six 5-minute windows (the stream starts with
 * on-time data: before its first tick the routing step holds nothing, see the limits in {@link
 * LateEvents}), then moves its watermark a day ahead and waits at a gate. A probe on {@code
 * windowed()} opens the gate when that output's watermark passes {@link #GATE_AT}, three hours. As
 * {@code LateEvents} holds its output watermark at the routing step's last tick, that proves the
 * routing step has ticked past three hours, whenever Flink delivered the watermark. Only then does
 * the source emit events for windows that closed at 0:15 and 0:30 (end plus 10 minutes of allowed
 * lateness), so they are at least 2 h 30 min late to the routing step, followed by on-time events
 * after the jump.
 *
 * <p>The gate is what makes this deterministic: with the source emitting the late events right
 * after its watermark jump (the gate always open), {@code late()} came out empty here at both
 * parallelisms, because the events reached the routing step before Flink had delivered the jumped
 * watermark to it, so they were not late yet.
 *
 * <p>Asserted: every input element is in exactly one of {@code windowed()} and {@code late()};
 * {@code late()} holds exactly the hours-late events, each with its event time, its window, the
 * allowed lateness, and a watermark past {@link #GATE_AT}; the windowed counts are exact, one
 * on-time pane per window and no late pane; the {@code late-events-routed} counter.
 */
@RunWith(Parameterized.class)
public class FlinkLateEventsTest {
  static final Instant START = new Instant(0);
  static final Duration WINDOW = Duration.standardMinutes(5);
  static final Duration LATENESS = Duration.standardMinutes(10);
  static final int ON_TIME_WINDOWS = 6;

  /** Where the source's watermark jumps before the late events. */
  static final Instant AHEAD = START.plus(Duration.standardDays(1));

  /** The watermark of {@code windowed()} that opens the gate to the late events. */
  static final Instant GATE_AT = START.plus(Duration.standardHours(3));

  @Parameters(name = "parallelism {0}")
  public static List<Integer> parallelisms() {
    return List.of(1, 2);
  }

  @Rule public final transient TestPipeline p;

  public FlinkLateEventsTest(int parallelism) {
    p = TestPipeline.fromOptions(EmbeddedFlink.options(parallelism));
  }

  static TimestampedValue<String> event(String value, Instant timestamp) {
    return TimestampedValue.of(value, timestamp);
  }

  static IntervalWindow windowOf(Instant timestamp) {
    long start = timestamp.getMillis() - Math.floorMod(timestamp.getMillis(), WINDOW.getMillis());
    return new IntervalWindow(new Instant(start), WINDOW);
  }

  /** Window {@code k} holds {@code k + 2} events, 30 s apart. */
  static List<TimestampedValue<String>> onTimeEvents() {
    List<TimestampedValue<String>> events = new ArrayList<>();
    for (int k = 0; k < ON_TIME_WINDOWS; k++) {
      for (int j = 0; j < k + 2; j++) {
        Instant t = START.plus(WINDOW.multipliedBy(k)).plus(Duration.standardSeconds(15 + 30 * j));
        events.add(event("w" + k + "-" + j, t));
      }
    }
    return events;
  }

  /** Events of windows [0:00, 0:05) and [0:15, 0:20), which closed at 0:15 and 0:30. */
  static final List<TimestampedValue<String>> LATE =
      List.of(
          event("late-w0-a", START.plus(Duration.standardMinutes(1))),
          event("late-w0-b", START.plus(Duration.standardSeconds(150))),
          event("late-w0-c", START.plus(WINDOW).minus(Duration.millis(1))),
          event("late-w3-a", START.plus(Duration.standardMinutes(17))));

  /** On-time events after the jump: two in [24:00, 24:05), one in [24:05, 24:10). */
  static final List<TimestampedValue<String>> AFTER =
      List.of(
          event("next-a", AHEAD.plus(Duration.standardMinutes(1))),
          event("next-b", AHEAD.plus(Duration.standardMinutes(2))),
          event("next-c", AHEAD.plus(Duration.standardMinutes(7))));

  @Test
  public void hoursLateEventsGoToTheLateStreamAndEveryEventIsCountedOnce() {
    List<TimestampedValue<String>> onTime = onTimeEvents();
    String gate = UUID.randomUUID().toString();
    PCollection<String> events =
        p.apply(Read.from(GatedSource.of(gate, onTime, AHEAD, LATE, AFTER)));
    LateEvents.Result<String> split =
        events.apply(
            LateEvents.of(EventWindows.<String>fixed(WINDOW).withAllowedLateness(LATENESS)));
    split.windowed().apply("OpenGate", GatedSource.openGate(gate, GATE_AT));

    // Windowed: exact counts, one on-time pane per window, no other pane.
    List<String> panes = new ArrayList<>();
    for (int k = 0; k < ON_TIME_WINDOWS; k++) {
      panes.add(pane(new IntervalWindow(START.plus(WINDOW.multipliedBy(k)), WINDOW), k + 2));
    }
    panes.add(pane(windowOf(AHEAD), 2));
    panes.add(pane(windowOf(AHEAD.plus(WINDOW)), 1));
    PAssert.that(
            split
                .windowed()
                .apply(
                    "CountPerWindow", Combine.globally(Count.<String>combineFn()).withoutDefaults())
                .apply("DescribePanes", ParDo.of(new DescribePaneFn())))
        .containsInAnyOrder(panes);

    // Late: exactly the hours-late events, with their event time and window.
    List<String> late = new ArrayList<>();
    for (TimestampedValue<String> e : LATE) {
      late.add(e.getValue() + " at " + e.getTimestamp() + " in " + windowOf(e.getTimestamp()));
    }
    PAssert.that(
            split
                .late()
                .apply(
                    "DescribeLate",
                    MapElements.into(TypeDescriptors.strings())
                        .via(r -> r.event() + " at " + r.eventTime() + " in " + r.window())))
        .containsInAnyOrder(late);
    PAssert.that(split.late()).satisfies(FlinkLateEventsTest::checkLateness);

    // Accounting: windowed + late = input, as a multiset; the values are distinct.
    List<String> all = new ArrayList<>();
    for (List<TimestampedValue<String>> phase : List.of(onTime, LATE, AFTER)) {
      phase.forEach(e -> all.add(e.getValue()));
    }
    PCollection<String> accounted =
        PCollectionList.of(
                split
                    .windowed()
                    .apply(
                        "WindowedToGlobal",
                        Window.<String>into(new GlobalWindows())
                            .triggering(DefaultTrigger.of())
                            .withAllowedLateness(Duration.ZERO)
                            .discardingFiredPanes()))
            .and(
                split
                    .late()
                    .apply(
                        "LateEvent",
                        MapElements.into(TypeDescriptors.strings()).via(LateRecord::event)))
            .apply(Flatten.pCollections());
    PAssert.that(accounted).containsInAnyOrder(all);

    PipelineResult result = p.run();
    assertAllPAssertsRan(p, result);
    assertTrue("the probe opened the gate", GatedSource.isOpen(gate));
    assertEquals(LATE.size(), counter(result, LateEvents.class, "late-events-routed", null));
  }

  static String pane(IntervalWindow window, long count) {
    return window + " " + PaneInfo.Timing.ON_TIME + " " + count;
  }

  /** Each record: the allowed lateness, and a watermark past the gate, hours after the closing. */
  static Void checkLateness(Iterable<LateRecord<String>> records) {
    for (LateRecord<String> r : records) {
      assertEquals(r.toString(), LATENESS, r.allowedLateness());
      assertFalse(r + " has a watermark before " + GATE_AT, r.watermark().isBefore(GATE_AT));
      assertFalse(
          r + " is late by less than 2 h", r.lateBy().isShorterThan(Duration.standardHours(2)));
    }
    return null;
  }

  static final class DescribePaneFn extends DoFn<Long, String> {
    @ProcessElement
    public void process(
        @Element Long count, BoundedWindow window, PaneInfo pane, OutputReceiver<String> out) {
      out.output(window + " " + pane.getTiming() + " " + count);
    }
  }
}

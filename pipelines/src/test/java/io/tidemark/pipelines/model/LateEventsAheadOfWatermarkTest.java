package io.tidemark.pipelines.model;

import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.LateRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
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
 * A regression found by the differential tests: when data runs more than two ticks ahead of the
 * watermark, {@link LateEvents} must not move its tick past the watermark ("catch up" to the data),
 * or the watermark it knows falls many ticks behind and an event whose window closed long ago is
 * forwarded into the window's on-time pane instead of the late stream.
 */
public class LateEventsAheadOfWatermarkTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Instant at(int minutes, int seconds) {
    return new Instant(0)
        .plus(Duration.standardMinutes(minutes).plus(Duration.standardSeconds(seconds)));
  }

  private static TimestampedValue<KV<String, Integer>> event(int value, int minutes, int seconds) {
    return TimestampedValue.of(KV.of("k", value), at(minutes, seconds));
  }

  @Test
  public void dataFarAheadOfTheWatermarkDoesNotFreezeTheRoutersWatermark() {
    TestStream<KV<String, Integer>> events =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()))
            .advanceWatermarkTo(at(0, 0))
            .addElements(event(1, 0, 10)) // the first element: the first tick fires at 0:10
            .advanceWatermarkTo(at(1, 0))
            .addElements(event(2, 9, 0)) // eight minutes ahead of the watermark
            .advanceWatermarkTo(at(2, 0))
            .addElements(event(4, 9, 30))
            .advanceWatermarkTo(at(5, 0))
            // [0:00, 2:00) closed at 1:59.999, three minutes before the watermark: late stream
            .addElements(event(8, 1, 0))
            .advanceWatermarkToInfinity();
    LateEvents.Result<KV<String, Integer>> split =
        p.apply(events)
            .apply(
                LateEvents.of(
                    EventWindows.<KV<String, Integer>>fixed(Duration.standardMinutes(2))));
    PCollection<KV<String, Integer>> sums = split.windowed().apply(Sum.integersPerKey());
    IntervalWindow first = new IntervalWindow(at(0, 0), at(2, 0));
    PAssert.that(sums).inOnTimePane(first).containsInAnyOrder(KV.of("k", 1));
    PAssert.that(sums).inLatePane(first).empty();
    PAssert.that(
            split
                .late()
                .apply(
                    MapElements.into(TypeDescriptors.integers())
                        .via((LateRecord<KV<String, Integer>> r) -> r.event().getValue())))
        .containsInAnyOrder(8);
    p.run();
  }
}

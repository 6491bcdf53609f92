package io.tidemark.transforms;

import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class LateEventsSmokeTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static Instant at(int minutes) {
    return new Instant(0).plus(Duration.standardMinutes(minutes));
  }

  @Test
  public void routes() {
    TestStream<String> s =
        TestStream.create(StringUtf8Coder.of())
            .addElements(TimestampedValue.of("a", at(1)), TimestampedValue.of("b", at(2)))
            .advanceWatermarkTo(at(7))
            .addElements(TimestampedValue.of("c", at(3)))
            .advanceWatermarkTo(at(30))
            .addElements(TimestampedValue.of("d", at(4)))
            .advanceWatermarkToInfinity();
    LateEvents.Result<String> r =
        p.apply(s)
            .apply(
                LateEvents.of(
                    EventWindows.<String>fixed(Duration.standardMinutes(5))
                        .withAllowedLateness(Duration.standardMinutes(10))));
    PCollection<Long> counts =
        r.windowed().apply(Combine.globally(Count.<String>combineFn()).withoutDefaults());
    IntervalWindow w = new IntervalWindow(at(0), at(5));
    PAssert.that(counts).inOnTimePane(w).containsInAnyOrder(2L);
    PAssert.that(counts).inLatePane(w).containsInAnyOrder(1L);
    PAssert.that(
            r.late()
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(l -> l.event() + "@" + l.window())))
        .containsInAnyOrder("d@" + w);
    p.run();
  }
}

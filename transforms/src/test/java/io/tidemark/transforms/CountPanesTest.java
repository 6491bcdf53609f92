package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.EARLY;
import static io.tidemark.transforms.Fixture.KV_INT;
import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.PAST_EARLY;
import static io.tidemark.transforms.Fixture.WINDOW;
import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.counter;
import static io.tidemark.transforms.Fixture.event;
import static io.tidemark.transforms.Fixture.stream;
import static io.tidemark.transforms.Fixture.sums;
import static io.tidemark.transforms.Fixture.window;
import static org.junit.Assert.assertEquals;

import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.Rule;
import org.junit.Test;

/** {@link CountPanes}: counts records by pane timing and passes them through with their panes. */
public class CountPanesTest {
  private static final String NAMESPACE = "count-panes-test";
  private static final String RAW_NAMESPACE = "count-panes-test-raw";

  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void countsRecordsByPaneTimingAndKeepsThePanes() {
    List<TimestampedValue<KV<String, Integer>>> all =
        List.of(
            event("a", 1, 1),
            event("b", 2, 2),
            event("a", 4, 3),
            event("c", 8, 4),
            event("a", 16, 5));
    TestStream<KV<String, Integer>> events =
        stream(KV_INT)
            .addElements(all.get(0), all.get(1))
            .advanceProcessingTime(PAST_EARLY) // early panes for a and b
            .addElements(all.get(2))
            .advanceWatermarkTo(at(10)) // on-time pane for a only: b had no data since
            .advanceWatermarkTo(at(12))
            .addElements(all.get(3), all.get(4)) // observably late: one late pane each
            .advanceWatermarkToInfinity();
    PCollection<KV<String, Integer>> input = p.apply(events);
    PCollection<KV<String, Integer>> sums =
        sums(
            input.apply(
                EventWindows.<KV<String, Integer>>fixed(WINDOW)
                    .withEarlyFiringsEvery(EARLY)
                    .withAllowedLateness(LATENESS)));
    PCollection<KV<String, Integer>> counted = sums.apply("CountPanes", CountPanes.of(NAMESPACE));
    input.apply("CountRawPanes", CountPanes.of(RAW_NAMESPACE));

    List<KV<String, Integer>> early = List.of(KV.of("a", 1), KV.of("b", 2));
    List<KV<String, Integer>> onTime = List.of(KV.of("a", 4));
    List<KV<String, Integer>> late = List.of(KV.of("c", 8), KV.of("a", 16));
    PAssert.that(counted).inEarlyPane(window(0)).containsInAnyOrder(early);
    PAssert.that(counted).inOnTimePane(window(0)).containsInAnyOrder(onTime);
    PAssert.that(counted).inLatePane(window(0)).containsInAnyOrder(late);

    PipelineResult result = p.run();
    assertEquals(early.size(), counter(result, NAMESPACE, CountPanes.EARLY));
    assertEquals(onTime.size(), counter(result, NAMESPACE, CountPanes.ON_TIME));
    assertEquals(late.size(), counter(result, NAMESPACE, CountPanes.LATE));
    assertEquals(0, counter(result, NAMESPACE, CountPanes.UNKNOWN));
    // Elements that no trigger produced have no pane timing.
    assertEquals(all.size(), counter(result, RAW_NAMESPACE, CountPanes.UNKNOWN));
    assertEquals(0, counter(result, RAW_NAMESPACE, CountPanes.ON_TIME));
  }
}

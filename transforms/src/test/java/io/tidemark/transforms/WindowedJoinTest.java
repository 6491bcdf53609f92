package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.KV_STRING;
import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.WINDOW;
import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.counter;
import static io.tidemark.transforms.Fixture.event;
import static io.tidemark.transforms.Fixture.lefts;
import static io.tidemark.transforms.Fixture.rights;
import static io.tidemark.transforms.Fixture.stream;
import static io.tidemark.transforms.Fixture.window;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * {@link WindowedJoin} on the DirectRunner. Both sides come from one stream of {@code KV<key,
 * value>}: values starting with {@code L} are left rows, with {@code R} right rows.
 */
public class WindowedJoinTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static TimestampedValue<KV<String, String>> row(String key, String value, int minute) {
    return event(KV.of(key, value), minute);
  }

  private static Joined<String, String, String> joined(String key, String left, String right) {
    return Joined.of(key, left, right);
  }

  private static EventWindows<KV<String, String>> fixed() {
    return EventWindows.<KV<String, String>>fixed(WINDOW).withAllowedLateness(LATENESS);
  }

  // ---- on time: no match, one match, many matches, a missing side ----

  @Test
  public void onTimeRowsByJoinKind() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("one", "L1", 1), row("one", "R1", 2))
            .addElements(row("many", "L2", 1), row("many", "L3", 3))
            .addElements(row("many", "R2", 2), row("many", "R3", 4), row("many", "R4", 5))
            .addElements(row("left-only", "L4", 2), row("right-only", "R5", 3))
            .addElements(row("apart", "L5", 2), row("apart", "R6", 12)) // different windows
            .advanceWatermarkToInfinity();
    PCollection<KV<String, String>> both = p.apply(rows);
    PCollection<KV<String, String>> left = lefts(both).apply("WindowLeft", fixed());
    PCollection<KV<String, String>> right = rights(both).apply("WindowRight", fixed());

    PCollection<Joined<String, String, String>> inner =
        left.apply("Inner", WindowedJoin.<String, String, String>inner(right));
    PCollection<Joined<String, String, String>> leftOuter =
        left.apply("LeftOuter", WindowedJoin.<String, String, String>leftOuter(right));
    PCollection<Joined<String, String, String>> fullOuter =
        left.apply("FullOuter", WindowedJoin.<String, String, String>fullOuter(right));

    List<Joined<String, String, String>> pairs =
        List.of(
            joined("one", "L1", "R1"),
            joined("many", "L2", "R2"),
            joined("many", "L2", "R3"),
            joined("many", "L2", "R4"),
            joined("many", "L3", "R2"),
            joined("many", "L3", "R3"),
            joined("many", "L3", "R4"));
    PAssert.that(inner).inOnTimePane(window(0)).containsInAnyOrder(pairs);
    PAssert.that(inner).inWindow(window(10)).empty();
    PAssert.that(leftOuter)
        .inOnTimePane(window(0))
        .containsInAnyOrder(
            plus(pairs, joined("left-only", "L4", null), joined("apart", "L5", null)));
    PAssert.that(leftOuter).inWindow(window(10)).empty();
    PAssert.that(fullOuter)
        .inOnTimePane(window(0))
        .containsInAnyOrder(
            plus(
                pairs,
                joined("left-only", "L4", null),
                joined("apart", "L5", null),
                joined("right-only", null, "R5")));
    PAssert.that(fullOuter)
        .inOnTimePane(window(10))
        .containsInAnyOrder(joined("apart", null, "R6"));

    PipelineResult result = p.run();
    assertEquals(
        pairs.size(), counter(result, WindowedJoin.class.getName(), "join-matches", "Inner"));
  }

  // ---- observably late rows on either side, and a droppably late row ----

  @Test
  public void lateRowsJoinInLatePanesAccumulatingOrDiscarding() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("x", "Lx", 1), row("x", "Rx", 2))
            .addElements(row("y", "Ly", 1), row("y", "Ry", 2))
            .addElements(row("z", "Lz", 1), row("z", "Rz", 2))
            .advanceWatermarkTo(at(12))
            .addElements(row("x", "Rx2", 3)) // observably late right row
            .addElements(row("y", "Ly2", 4)) // observably late left row
            .advanceWatermarkTo(at(25))
            .addElements(row("z", "Rz2", 5)) // droppably late: dropped by the runner
            .advanceWatermarkToInfinity();
    PCollection<KV<String, String>> both = p.apply(rows);
    PCollection<KV<String, String>> left = lefts(both);
    PCollection<KV<String, String>> right = rights(both);

    PCollection<Joined<String, String, String>> accumulating =
        left.apply("AccumulateLeft", fixed().accumulating())
            .apply(
                "InnerAccumulating",
                WindowedJoin.<String, String, String>inner(
                    right.apply("AccumulateRight", fixed().accumulating())));
    PCollection<Joined<String, String, String>> discarding =
        left.apply("DiscardLeft", fixed())
            .apply(
                "FullOuterDiscarding",
                WindowedJoin.<String, String, String>fullOuter(
                    right.apply("DiscardRight", fixed())));

    List<Joined<String, String, String>> onTime =
        List.of(joined("x", "Lx", "Rx"), joined("y", "Ly", "Ry"), joined("z", "Lz", "Rz"));
    PAssert.that(accumulating).inOnTimePane(window(0)).containsInAnyOrder(onTime);
    PAssert.that(discarding).inOnTimePane(window(0)).containsInAnyOrder(onTime);
    // Accumulating: each late pane restates its key's whole join.
    PAssert.that(accumulating)
        .inLatePane(window(0))
        .containsInAnyOrder(
            joined("x", "Lx", "Rx"),
            joined("x", "Lx", "Rx2"),
            joined("y", "Ly", "Ry"),
            joined("y", "Ly2", "Ry"));
    // Discarding: a late row meets only its own pane, so the outer join has no partner for it.
    PAssert.that(discarding)
        .inLatePane(window(0))
        .containsInAnyOrder(joined("x", null, "Rx2"), joined("y", "Ly2", null));
    p.run();
  }

  @SafeVarargs
  private static <T> List<T> plus(List<T> first, T... more) {
    List<T> all = new ArrayList<>(first);
    all.addAll(Arrays.asList(more));
    return all;
  }
}

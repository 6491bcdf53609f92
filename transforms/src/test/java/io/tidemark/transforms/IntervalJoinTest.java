package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.JOIN_LOWER;
import static io.tidemark.transforms.Fixture.JOIN_UPPER;
import static io.tidemark.transforms.Fixture.KV_STRING;
import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.WINDOW;
import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.counter;
import static io.tidemark.transforms.Fixture.event;
import static io.tidemark.transforms.Fixture.leftBound;
import static io.tidemark.transforms.Fixture.lefts;
import static io.tidemark.transforms.Fixture.rightBound;
import static io.tidemark.transforms.Fixture.rights;
import static io.tidemark.transforms.Fixture.stream;
import static org.junit.Assert.assertEquals;

import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link IntervalJoin} on the DirectRunner, with the interval {@code [JOIN_LOWER, JOIN_UPPER]} =
 * {@code [-2, +5]} minutes and {@code LATENESS} of allowed lateness: a left event at minute {@code
 * t} is emitted once the watermark passes {@code t + 15} ({@link Fixture#leftBound}), a right event
 * is freed once it passes {@code t + 17} ({@link Fixture#rightBound}). Both sides come from one
 * stream: values starting with {@code L} are left events, with {@code R} right events. Outputs are
 * asserted with their timestamps, which are the bounds at which they were emitted.
 */
public class IntervalJoinTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static TimestampedValue<KV<String, String>> row(String key, String value, int minute) {
    return event(KV.of(key, value), minute);
  }

  private static TimestampedValue<IntervalMatch<String, String, String>> match(
      String key, String left, int minute, String... rights) {
    return TimestampedValue.of(
        IntervalMatch.of(key, left, at(minute), List.of(rights)), leftBound(minute));
  }

  private static TimestampedValue<KV<String, String>> unmatched(
      String key, String right, int minute) {
    return TimestampedValue.of(KV.of(key, right), rightBound(minute));
  }

  private IntervalJoin.Result<String, String, String> join(TestStream<KV<String, String>> rows) {
    PCollection<KV<String, String>> both = p.apply(rows);
    return lefts(both)
        .apply(
            "IntervalJoin",
            IntervalJoin.<String, String, String>with(rights(both))
                .within(JOIN_LOWER, JOIN_UPPER)
                .withAllowedLateness(LATENESS));
  }

  private static <T> PCollection<TimestampedValue<T>> stamped(String name, PCollection<T> values) {
    return values.apply(name, Reify.timestamps());
  }

  // ---- on time: no match, one match, many matches ----

  @Test
  public void onTimeLeftsGetNoneOneOrManyRightsAndUnmatchedRightsAreFreed() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            // none: the interval of Ln is [8, 15]
            .addElements(row("none", "Ln", 10), row("none", "Rn1", 4), row("none", "Rn2", 16))
            .addElements(row("one", "Lo", 10), row("one", "Ro", 12))
            // many: Lm1 takes [8, 15], Lm2 takes [11, 18]; bounds are inclusive
            .addElements(row("many", "Lm1", 10), row("many", "Lm2", 13))
            .addElements(row("many", "Rm1", 8), row("many", "Rm2", 12), row("many", "Rm3", 15))
            .addElements(row("many", "Rm4", 18), row("many", "Rm5", 19))
            .addElements(row("other", "Rx", 12)) // same time as Ro, other key
            .advanceWatermarkToInfinity();
    IntervalJoin.Result<String, String, String> r = join(rows);

    List<TimestampedValue<IntervalMatch<String, String, String>>> matches =
        List.of(
            match("none", "Ln", 10),
            match("one", "Lo", 10, "Ro"),
            match("many", "Lm1", 10, "Rm1", "Rm2", "Rm3"),
            match("many", "Lm2", 13, "Rm2", "Rm3", "Rm4"));
    PAssert.that(stamped("StampMatches", r.matches())).containsInAnyOrder(matches);
    PAssert.that(stamped("StampUnmatched", r.unmatchedRight()))
        .containsInAnyOrder(
            unmatched("none", "Rn1", 4),
            unmatched("none", "Rn2", 16),
            unmatched("many", "Rm5", 19),
            unmatched("other", "Rx", 12));

    PipelineResult result = p.run();
    long pairs = matches.stream().mapToLong(m -> m.getValue().rights().size()).sum();
    assertEquals(pairs, counter(result, IntervalJoin.class.getName(), "join-matches"));
  }

  // ---- across a window boundary ----

  @Test
  public void pairAcrossAWindowBoundaryIsMissedByTheWindowedJoinAndFoundByTheIntervalJoin() {
    // A click at 9 and a purchase at 11: windows [0, 10) and [10, 20), interval [7, 14].
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("k", "Lclick", 9), row("k", "Rbuy", 11))
            .advanceWatermarkToInfinity();
    PCollection<KV<String, String>> both = p.apply(rows);
    PCollection<KV<String, String>> left = lefts(both);
    PCollection<KV<String, String>> right = rights(both);

    PCollection<Joined<String, String, String>> windowed =
        left.apply("WindowLeft", EventWindows.fixed(WINDOW))
            .apply(
                "WindowedJoin",
                WindowedJoin.<String, String, String>inner(
                    right.apply("WindowRight", EventWindows.fixed(WINDOW))));
    IntervalJoin.Result<String, String, String> interval =
        left.apply(
            "IntervalJoin",
            IntervalJoin.<String, String, String>with(right).within(JOIN_LOWER, JOIN_UPPER));

    PAssert.that(windowed).empty();
    PAssert.that(interval.matches())
        .containsInAnyOrder(IntervalMatch.of("k", "Lclick", at(9), List.of("Rbuy")));
    PAssert.that(interval.unmatchedRight()).empty();
    p.run();
  }

  // ---- late rows on either side, within and beyond the allowed lateness ----

  @Test
  public void lateRightJoinsWithinLatenessAndIsUnmatchedBeyondIt() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("in", "Lin", 10), row("out", "Lout", 10))
            .advanceWatermarkTo(at(20)) // past 12, before Lin's bound 25
            .addElements(row("in", "Rin", 12))
            .advanceWatermarkTo(at(26)) // Lout went out at 25 without a match
            .addElements(row("out", "Rout", 12)) // held until its own bound 29, then unmatched
            .advanceWatermarkToInfinity();
    IntervalJoin.Result<String, String, String> r = join(rows);

    PAssert.that(stamped("StampMatches", r.matches()))
        .containsInAnyOrder(match("in", "Lin", 10, "Rin"), match("out", "Lout", 10));
    PAssert.that(stamped("StampUnmatched", r.unmatchedRight()))
        .containsInAnyOrder(unmatched("out", "Rout", 12));
    p.run();
  }

  @Test
  public void lateLeftFindsHeldRightsWithinLatenessAndOnlyStillHeldOnesBeyondIt() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("in", "Rin", 12), row("out", "Rout", 12), row("held", "Rheld", 16))
            .advanceWatermarkTo(at(20))
            .addElements(row("in", "Lin", 10)) // late, before its bound 25
            .advanceWatermarkTo(at(30)) // Rout freed at 29, Rheld held until 33
            // beyond their bounds (25 and 27): emitted at once, with the rights still held
            .addElements(row("out", "Lout", 10), row("held", "Lheld", 12))
            .advanceWatermarkToInfinity();
    IntervalJoin.Result<String, String, String> r = join(rows);

    PAssert.that(stamped("StampMatches", r.matches()))
        .containsInAnyOrder(
            match("in", "Lin", 10, "Rin"),
            match("out", "Lout", 10),
            match("held", "Lheld", 12, "Rheld"));
    PAssert.that(stamped("StampUnmatched", r.unmatchedRight()))
        .containsInAnyOrder(unmatched("out", "Rout", 12));
    p.run();
  }

  // ---- state is freed exactly when the watermark passes the bound ----

  @Test
  public void rightIsHeldUntilTheWatermarkPassesItsBoundThenFreed() {
    TestStream<KV<String, String>> rows =
        stream(KV_STRING)
            .addElements(row("edge", "Redge", 5), row("gone", "Rgone", 5))
            .advanceWatermarkTo(rightBound(5)) // at the bound, not past it: still held
            .addElements(row("edge", "Ledge", 7))
            .advanceWatermarkTo(rightBound(5).plus(Duration.millis(1))) // past it: freed
            .addElements(row("gone", "Lgone", 7))
            .advanceWatermarkToInfinity();
    IntervalJoin.Result<String, String, String> r = join(rows);

    PAssert.that(stamped("StampMatches", r.matches()))
        .containsInAnyOrder(match("edge", "Ledge", 7, "Redge"), match("gone", "Lgone", 7));
    PAssert.that(stamped("StampUnmatched", r.unmatchedRight()))
        .containsInAnyOrder(unmatched("gone", "Rgone", 5));
    p.run();
  }
}

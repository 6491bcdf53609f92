package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.EARLY;
import static io.tidemark.transforms.Fixture.JOIN_LOWER;
import static io.tidemark.transforms.Fixture.JOIN_UPPER;
import static io.tidemark.transforms.Fixture.LATENESS;
import static io.tidemark.transforms.Fixture.PERIOD;
import static io.tidemark.transforms.Fixture.WINDOW;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.tidemark.schemas.Click;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/**
 * Every invalid configuration of every transform is rejected with a message that names the bad
 * value, when it is set or, for combinations, when the transform is applied; and display data.
 */
public class ConfigurationTest {
  private static final Duration NEGATIVE = Duration.millis(-1);
  private final Pipeline pipeline = Pipeline.create();

  private static void rejects(String message, ThrowingRunnable configuration) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, configuration);
    assertThat(e.getMessage(), containsString(message));
  }

  private PCollection<KV<String, String>> strings(String name) {
    return pipeline.apply(
        name,
        Create.of(KV.of("k", "v"))
            .withCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())));
  }

  private PCollection<KV<String, Integer>> ints(String name) {
    return pipeline.apply(
        name,
        Create.of(KV.of("k", 1)).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())));
  }

  private static Object item(DisplayData data, String key) {
    return data.items().stream()
        .filter(i -> i.getKey().equals(key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no display item " + key + " in " + data))
        .getValue();
  }

  // ---- EventWindows ----

  @Test
  public void eventWindowsRejectsNonPositiveSizesAndGaps() {
    rejects("window size must be positive, was PT0S", () -> EventWindows.fixed(Duration.ZERO));
    rejects("window size must be positive, was null", () -> EventWindows.fixed(null));
    rejects(
        "window size must be positive, was PT-0.001S",
        () -> EventWindows.sliding(NEGATIVE, PERIOD));
    rejects(
        "window period must be positive, was PT0S",
        () -> EventWindows.sliding(WINDOW, Duration.ZERO));
    rejects(
        "window period PT1200S must not be longer than the window size PT600S",
        () -> EventWindows.sliding(WINDOW, WINDOW.multipliedBy(2)));
    rejects("session gap must be positive, was PT0S", () -> EventWindows.sessions(Duration.ZERO));
    rejects("session gap must be positive, was PT-0.001S", () -> EventWindows.sessions(NEGATIVE));
  }

  @Test
  public void eventWindowsRejectsInvalidTriggersAndLateness() {
    EventWindows<String> w = EventWindows.fixed(WINDOW);
    rejects(
        "allowed lateness must not be negative, was PT-0.001S",
        () -> w.withAllowedLateness(NEGATIVE));
    rejects("allowed lateness must not be negative, was null", () -> w.withAllowedLateness(null));
    rejects(
        "early firing interval must be positive, was PT0S",
        () -> w.withEarlyFiringsEvery(Duration.ZERO));
    rejects("early firing count must be positive, was 0", () -> w.withEarlyFiringsAfterCount(0));
    rejects(
        "late firing delay must be positive, was PT-0.001S",
        () -> w.withLateFiringsBatched(NEGATIVE));
    rejects("timestamp combiner must not be null", () -> w.withTimestampCombiner(null));
  }

  @Test
  public void eventWindowsRejectsACountOnlyEarlyTriggerWhenApplied() {
    EventWindows<KV<String, String>> countOnly =
        EventWindows.<KV<String, String>>fixed(WINDOW).withEarlyFiringsAfterCount(3);
    rejects(
        "early firings after 3 elements need a time bound too (withEarlyFiringsEvery)",
        () -> strings("In").apply(countOnly));
  }

  // ---- LateEvents ----

  @Test
  public void lateEventsRejectsInvalidSettings() {
    LateEvents<String> late = LateEvents.of(EventWindows.fixed(WINDOW));
    rejects("windows must not be null", () -> LateEvents.of(null));
    rejects("tick must be positive, was PT0S", () -> late.withTick(Duration.ZERO));
    rejects("shards must be in [1, 65536], was 0", () -> late.withShards(0));
    rejects("shards must be in [1, 65536], was 65537", () -> late.withShards(65537));
    rejects("max idle ticks must not be negative, was -1", () -> late.withMaxIdleTicks(-1));
  }

  // ---- ParseWithDeadLetters ----

  @Test
  public void parseWithDeadLettersRejectsInvalidSettings() {
    AvroCoder<Click> coder = AvroCoder.of(Click.class);
    ParseWithDeadLetters.Parser<Click> parser = bytes -> null;
    rejects(
        "step name must not be blank, was ' '", () -> ParseWithDeadLetters.of(" ", parser, coder));
    rejects(
        "step name must not be blank, was 'null'",
        () -> ParseWithDeadLetters.of(null, parser, coder));
    rejects("parser must not be null", () -> ParseWithDeadLetters.of("s", null, coder));
    rejects("coder must not be null", () -> ParseWithDeadLetters.of("s", parser, null));
    rejects(
        "max payload bytes must be positive, was 0",
        () -> ParseWithDeadLetters.of("s", parser, coder).withMaxPayloadBytes(0));
  }

  // ---- Joined ----

  @Test
  public void joinedRowNeedsASide() {
    rejects("a joined row needs a left or a right value, key k", () -> Joined.of("k", null, null));
  }

  // ---- WindowedJoin ----

  @Test
  public void windowedJoinRejectsAMissingRightSide() {
    rejects("the right input of a INNER join must not be null", () -> WindowedJoin.inner(null));
    rejects(
        "the right input of a FULL_OUTER join must not be null",
        () -> WindowedJoin.fullOuter(null));
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void windowedJoinRejectsDifferentWindowsTriggersOrKeys() {
    PCollection<KV<String, String>> fixed =
        strings("Left").apply("Fixed", EventWindows.fixed(WINDOW));
    PCollection<KV<String, String>> sliding =
        strings("Sliding").apply("SlidingWindows", EventWindows.sliding(WINDOW, PERIOD));
    PCollection<KV<String, String>> early =
        strings("Early")
            .apply(
                "EarlyWindows",
                EventWindows.<KV<String, String>>fixed(WINDOW).withEarlyFiringsEvery(EARLY));
    PCollection<KV<String, String>> shorter =
        strings("Shorter").apply("ShorterWindows", EventWindows.fixed(PERIOD));
    rejects(
        "both inputs must be windowed the same way, left has FixedWindows(PT600S) and right has"
            + " SlidingWindows(PT600S every PT300S)",
        () -> fixed.apply("J1", WindowedJoin.<String, String, String>inner(sliding)));
    rejects(
        "left has FixedWindows(PT600S) and right has FixedWindows(PT300S)",
        () -> fixed.apply("J0", WindowedJoin.<String, String, String>inner(shorter)));
    rejects(
        "both inputs must have the same trigger",
        () -> fixed.apply("J2", WindowedJoin.<String, String, String>inner(early)));
    PCollection<KV<Integer, String>> intKeys =
        pipeline
            .apply(
                "IntKeys",
                Create.of(KV.of(1, "v"))
                    .withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
            .apply("IntKeysWindows", EventWindows.fixed(WINDOW));
    rejects(
        "left and right inputs must have the same key coder, have StringUtf8Coder and VarIntCoder",
        () -> fixed.apply("J3", WindowedJoin.inner((PCollection) intKeys)));
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void joinsRejectInputsWithoutAKvCoder() {
    Coder<KV<String, String>> javaSerialization = (Coder) SerializableCoder.of(KV.class);
    PCollection<KV<String, String>> serialized =
        pipeline.apply("Serialized", Create.of(KV.of("k", "v")).withCoder(javaSerialization));
    rejects(
        "the right input Serialized",
        () -> strings("Left").apply("J", WindowedJoin.<String, String, String>inner(serialized)));
    rejects(
        "must have a KvCoder, has SerializableCoder",
        () ->
            serialized.apply(
                "I",
                IntervalJoin.<String, String, String>with(strings("Right"))
                    .within(JOIN_LOWER, JOIN_UPPER)));
  }

  // ---- IntervalJoin ----

  @Test
  public void intervalJoinRejectsInvalidIntervalsAndLateness() {
    IntervalJoin<String, String, String> join = IntervalJoin.with(strings("Right"));
    Duration one = Duration.standardMinutes(1);
    Duration five = Duration.standardMinutes(5);
    rejects("the right input of an interval join must not be null", () -> IntervalJoin.with(null));
    rejects("interval bounds must not be null, were [null, PT300S]", () -> join.within(null, five));
    rejects(
        "interval lower bound PT300S must not be after its upper bound PT60S",
        () -> join.within(five, one));
    rejects(
        "interval [PT60S, PT300S] must contain 0 (lower <= 0 <= upper)",
        () -> join.within(one, five));
    rejects(
        "interval [PT-300S, PT-60S] must contain 0 (lower <= 0 <= upper): then every event's expiry"
            + " is at or after its own timestamp",
        () -> join.within(five.negated(), one.negated()));
    rejects(
        "allowed lateness must not be negative, was PT-0.001S",
        () -> join.withAllowedLateness(NEGATIVE));
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void intervalJoinRejectsMissingIntervalAndBadKeysWhenApplied() {
    rejects(
        "an interval join needs its interval: call within(lower, upper)",
        () ->
            strings("Left")
                .apply("J1", IntervalJoin.<String, String, String>with(strings("Right"))));
    rejects(
        "left and right inputs must have the same key coder",
        () ->
            strings("Left2")
                .apply(
                    "J2",
                    IntervalJoin.<String, String, Integer>with(
                            (PCollection) pipeline.apply("IntKeys", Create.of(KV.of(1, 1))))
                        .within(JOIN_LOWER, JOIN_UPPER)));
    PCollection<KV<Double, String>> doubleKeys =
        pipeline.apply(
            "DoubleKeys",
            Create.of(KV.of(1.0, "v"))
                .withCoder(KvCoder.of(DoubleCoder.of(), StringUtf8Coder.of())));
    rejects(
        "the key coder DoubleCoder must be deterministic: the join keeps state per key",
        () ->
            doubleKeys.apply(
                "J3",
                IntervalJoin.<Double, String, String>with(doubleKeys)
                    .within(JOIN_LOWER, JOIN_UPPER)));
  }

  // ---- display data ----

  @Test
  public void transformsDescribeTheirConfiguration() {
    PCollection<KV<String, String>> right = strings("Right");
    DisplayData interval =
        DisplayData.from(
            IntervalJoin.<String, String, String>with(right)
                .within(JOIN_LOWER, JOIN_UPPER)
                .withAllowedLateness(LATENESS));
    // durations are displayed in milliseconds
    assertEquals(JOIN_LOWER.getMillis(), item(interval, "lower"));
    assertEquals(JOIN_UPPER.getMillis(), item(interval, "upper"));
    assertEquals(LATENESS.getMillis(), item(interval, "allowedLateness"));
    assertEquals(right.getName(), item(interval, "right"));

    DisplayData windowed = DisplayData.from(WindowedJoin.<String, String, String>leftOuter(right));
    assertEquals("LEFT_OUTER", item(windowed, "join"));

    DisplayData windows =
        DisplayData.from(EventWindows.fixed(WINDOW).withAllowedLateness(LATENESS));
    assertEquals(WINDOW.getMillis(), item(windows, "size"));
    assertEquals(LATENESS.getMillis(), item(windows, "allowedLateness"));
  }
}

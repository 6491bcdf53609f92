package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;

import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * A time-bounded stream-stream join on state and timers: a right event of the same key matches a
 * left event when {@code right.ts} is in {@code [left.ts + lower, left.ts + upper]} (both bounds
 * inclusive), whatever the windows. The input this transform is applied to is the left side.
 *
 * <p><b>Outputs.</b> {@link Result#matches()} holds exactly one {@link IntervalMatch} per left
 * event, with every matching right value (none for a left without a match, as in a left outer
 * join); a right value that matches several left events appears in each of their matches. It is
 * emitted when the watermark passes {@code left.ts + upper + allowedLateness}. {@link
 * Result#unmatchedRight()} holds each right event that matched no left event, emitted when the
 * watermark passes {@code right.ts - lower + upper + allowedLateness}, the last moment a left event
 * it could match may still be emitted. Both outputs are in the global window and carry the time at
 * which they were emitted (that bound) as their timestamp, not the events' own timestamps; the
 * output watermark is held at the earliest pending bound, so they are on time downstream. Window
 * them downstream as needed.
 *
 * <p><b>Lateness.</b> An event that arrives behind the watermark still joins as long as the
 * watermark has not passed the bound of the left event ({@code left.ts + upper} plus {@link
 * #withAllowedLateness}): a late right event joins every left still pending, and a late left event
 * finds all its right events, which are held until every left they could match has expired. An
 * event that arrives after that is not dropped: a right event goes to {@code unmatchedRight()}, and
 * a left event is emitted at once, with only the right events still held (those already emitted as
 * unmatched are not repeated); these outputs are behind the watermark, so they are late downstream.
 *
 * <p><b>State</b> is kept per key and freed as soon as the watermark passes each event's bound plus
 * the allowed lateness. Each expiry reads the key's held events, so a hot key with many events in
 * one interval costs time linear in them per expiry. State, timers and outputs commit together, so
 * each event affects the results exactly once on runners with exactly-once state (Direct, Dataflow,
 * Flink with checkpointing on); what a sink then sees is the sink's guarantee.
 *
 * <p>The interval must contain 0 ({@code lower <= 0 <= upper}): then every event's bound is at or
 * after its own timestamp, which Beam requires of the output timestamp of a timer set while that
 * event is processed.
 *
 * <pre>{@code
 * IntervalJoin.Result<String, Click, Purchase> r = clicks.apply(
 *     IntervalJoin.<String, Click, Purchase>with(purchases)
 *         .within(Duration.ZERO, Duration.standardHours(1))      // purchase within 1 h after
 *         .withAllowedLateness(Duration.standardMinutes(10)));
 * r.matches();         // one IntervalMatch per click
 * r.unmatchedRight();  // purchases without a click
 * }</pre>
 *
 * <p>Metrics: counters {@code join-matches}, the number of (left, right) pairs emitted, {@code
 * join-left-misses}, left events emitted without a right, and {@code join-right-misses}, right
 * events that expired unmatched.
 */
public final class IntervalJoin<K, L, R>
    extends PTransform<PCollection<KV<K, L>>, IntervalJoin.Result<K, L, R>> {

  private final transient PCollection<KV<K, R>> right;
  @Nullable private final Duration lower;
  @Nullable private final Duration upper;
  private final Duration allowedLateness;

  private IntervalJoin(
      PCollection<KV<K, R>> right,
      @Nullable Duration lower,
      @Nullable Duration upper,
      Duration allowedLateness) {
    this.right = right;
    this.lower = lower;
    this.upper = upper;
    this.allowedLateness = allowedLateness;
  }

  /** Joins with {@code right}; set the interval with {@link #within}. No allowed lateness. */
  public static <K, L, R> IntervalJoin<K, L, R> with(PCollection<KV<K, R>> right) {
    checkArgument(right != null, "the right input of an interval join must not be null");
    return new IntervalJoin<>(right, null, null, Duration.ZERO);
  }

  /**
   * A right event matches when {@code left.ts + lower <= right.ts <= left.ts + upper}. The interval
   * must contain 0 (see the class documentation).
   */
  public IntervalJoin<K, L, R> within(Duration lower, Duration upper) {
    checkArgument(
        lower != null && upper != null,
        "interval bounds must not be null, were [%s, %s]",
        lower,
        upper);
    checkArgument(
        !lower.isLongerThan(upper),
        "interval lower bound %s must not be after its upper bound %s",
        lower,
        upper);
    checkArgument(
        !lower.isLongerThan(Duration.ZERO) && !upper.isShorterThan(Duration.ZERO),
        "interval [%s, %s] must contain 0 (lower <= 0 <= upper): then every event's expiry is at or"
            + " after its own timestamp, as Beam requires of the output timestamp of a timer set"
            + " while processing the event",
        lower,
        upper);
    return new IntervalJoin<>(right, lower, upper, allowedLateness);
  }

  /** How long after its bound a left event still waits for late right events. */
  public IntervalJoin<K, L, R> withAllowedLateness(Duration lateness) {
    checkArgument(
        lateness != null && !lateness.isShorterThan(Duration.ZERO),
        "allowed lateness must not be negative, was %s",
        lateness);
    return new IntervalJoin<>(right, lower, upper, lateness);
  }

  @Override
  public Map<TupleTag<?>, PValue> getAdditionalInputs() {
    return Map.of(new TupleTag<KV<K, R>>("right"), right);
  }

  @Override
  public Result<K, L, R> expand(PCollection<KV<K, L>> left) {
    checkArgument(lower != null, "an interval join needs its interval: call within(lower, upper)");
    KvCoder<K, L> leftCoder = KvInputs.kvCoder("left", left);
    KvCoder<K, R> rightCoder = KvInputs.kvCoder("right", right);
    Coder<K> keyCoder = KvInputs.sameKeyCoder(leftCoder, rightCoder);
    try {
      keyCoder.verifyDeterministic();
    } catch (Coder.NonDeterministicException e) {
      throw new IllegalArgumentException(
          "the key coder " + keyCoder + " must be deterministic: the join keeps state per key", e);
    }
    KvCoder<K, LeftOrRight<L, R>> eventCoder =
        KvCoder.of(
            keyCoder, LeftOrRight.coder(leftCoder.getValueCoder(), rightCoder.getValueCoder()));

    PCollection<KV<K, LeftOrRight<L, R>>> lefts =
        left.apply("GlobalWindowLeft", IntervalJoin.<KV<K, L>>globalWindow())
            .apply("TagLeft", ParDo.of(new TagLeftFn<K, L, R>()))
            .setCoder(eventCoder);
    PCollection<KV<K, LeftOrRight<L, R>>> rights =
        right
            .apply("GlobalWindowRight", IntervalJoin.<KV<K, R>>globalWindow())
            .apply("TagRight", ParDo.of(new TagRightFn<K, L, R>()))
            .setCoder(eventCoder);

    TupleTag<IntervalMatch<K, L, R>> matches = new TupleTag<>("matches");
    TupleTag<KV<K, R>> unmatched = new TupleTag<>("unmatchedRight");
    PCollectionTuple out =
        PCollectionList.of(lefts)
            .and(rights)
            .apply("Flatten", Flatten.pCollections())
            .setCoder(eventCoder)
            .apply(
                "Join",
                ParDo.of(
                        new IntervalJoinFn<>(
                            lower,
                            upper,
                            allowedLateness,
                            leftCoder.getValueCoder(),
                            rightCoder.getValueCoder(),
                            matches,
                            unmatched))
                    .withOutputTags(matches, TupleTagList.of(unmatched)));
    return new Result<>(
        out.get(matches)
            .setCoder(
                IntervalMatch.coder(
                    keyCoder, leftCoder.getValueCoder(), rightCoder.getValueCoder())),
        out.get(unmatched).setCoder(rightCoder));
  }

  /**
   * How long after a left event's timestamp its match is emitted: the interval's upper bound plus
   * the allowed lateness. The match is stamped with that time.
   */
  public Duration leftReach() {
    checkArgument(upper != null, "an interval join needs its interval: call within(lower, upper)");
    return upper.plus(allowedLateness);
  }

  /**
   * The windowing of the join's inputs and outputs: the global window with the default trigger,
   * whatever the input's windowing was. Streams that meet the join's outputs downstream use it too.
   */
  public static <T> Window<T> globalWindow() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("right", right.getName()))
        .addIfNotNull(DisplayData.item("lower", lower))
        .addIfNotNull(DisplayData.item("upper", upper))
        .add(DisplayData.item("allowedLateness", allowedLateness));
  }

  /** The matches, one per left event, and the right events that matched nothing. */
  public static final class Result<K, L, R> extends Outputs {
    private final PCollection<IntervalMatch<K, L, R>> matches;
    private final PCollection<KV<K, R>> unmatchedRight;

    Result(PCollection<IntervalMatch<K, L, R>> matches, PCollection<KV<K, R>> unmatchedRight) {
      super(matches, unmatchedRight);
      this.matches = matches;
      this.unmatchedRight = unmatchedRight;
    }

    /** Exactly one element per left event, in the global window. */
    public PCollection<IntervalMatch<K, L, R>> matches() {
      return matches;
    }

    /** The right events that matched no left event, in the global window. */
    public PCollection<KV<K, R>> unmatchedRight() {
      return unmatchedRight;
    }
  }

  static final class TagLeftFn<K, L, R> extends DoFn<KV<K, L>, KV<K, LeftOrRight<L, R>>> {
    @ProcessElement
    public void process(@Element KV<K, L> e, OutputReceiver<KV<K, LeftOrRight<L, R>>> out) {
      out.output(KV.of(e.getKey(), LeftOrRight.left(e.getValue())));
    }
  }

  static final class TagRightFn<K, L, R> extends DoFn<KV<K, R>, KV<K, LeftOrRight<L, R>>> {
    @ProcessElement
    public void process(@Element KV<K, R> e, OutputReceiver<KV<K, LeftOrRight<L, R>>> out) {
      out.output(KV.of(e.getKey(), LeftOrRight.right(e.getValue())));
    }
  }
}

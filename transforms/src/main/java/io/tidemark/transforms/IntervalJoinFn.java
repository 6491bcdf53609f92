package io.tidemark.transforms;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The state machine of {@link IntervalJoin}, per key in the global window: bags of held left and
 * right events and one event-time timer at the earliest expiry among them.
 *
 * <p>A left event at {@code t} expires at {@code t + upper + lateness}, after which no right event
 * may still join it. A right event at {@code t} expires at {@code t - lower + upper + lateness},
 * the expiry of the latest left event it could match, so it is held as long as any such left may
 * arrive. Since {@code lower <= 0 <= upper}, both are at or after the event's own timestamp, which
 * Beam requires of the output timestamp of a timer set while processing the event. The timer's
 * output timestamp holds the output watermark at the earliest expiry, so every output, which
 * carries the firing timestamp, is on time downstream.
 */
final class IntervalJoinFn<K, L, R> extends DoFn<KV<K, LeftOrRight<L, R>>, IntervalMatch<K, L, R>> {
  private static final Instant END_OF_TIME = GlobalWindow.INSTANCE.maxTimestamp();

  private final Counter joinMatches = Metrics.counter(IntervalJoin.class, "join-matches");
  private final Counter leftMisses = Metrics.counter(IntervalJoin.class, "join-left-misses");
  private final Counter rightMisses = Metrics.counter(IntervalJoin.class, "join-right-misses");
  private final Duration lower;
  private final Duration upper;
  private final Duration leftHold;
  private final Duration rightHold;
  private final TupleTag<IntervalMatch<K, L, R>> matches;
  private final TupleTag<KV<K, R>> unmatchedRight;

  @StateId("lefts")
  private final StateSpec<BagState<TimestampedValue<L>>> leftsSpec;

  @StateId("rights")
  private final StateSpec<BagState<HeldRight<R>>> rightsSpec;

  @StateId("nextExpiry")
  private final StateSpec<ValueState<Instant>> nextExpirySpec = StateSpecs.value(InstantCoder.of());

  @TimerId("expire")
  private final TimerSpec expireSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  IntervalJoinFn(
      Duration lower,
      Duration upper,
      Duration allowedLateness,
      Coder<L> leftCoder,
      Coder<R> rightCoder,
      TupleTag<IntervalMatch<K, L, R>> matches,
      TupleTag<KV<K, R>> unmatchedRight) {
    this.lower = lower;
    this.upper = upper;
    this.leftHold = upper.plus(allowedLateness);
    this.rightHold = upper.minus(lower).plus(allowedLateness);
    this.matches = matches;
    this.unmatchedRight = unmatchedRight;
    this.leftsSpec = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(leftCoder));
    this.rightsSpec = StateSpecs.bag(HeldRight.coder(rightCoder));
  }

  @ProcessElement
  public void process(
      @Element KV<K, LeftOrRight<L, R>> element,
      @Timestamp Instant timestamp,
      @StateId("lefts") BagState<TimestampedValue<L>> lefts,
      @StateId("rights") BagState<HeldRight<R>> rights,
      @StateId("nextExpiry") ValueState<Instant> nextExpiry,
      @TimerId("expire") Timer expire) {
    LeftOrRight<L, R> event = element.getValue();
    Instant expiry;
    if (event.isLeft()) {
      lefts.add(TimestampedValue.of(event.left(), timestamp));
      expiry = expiry(timestamp, leftHold);
    } else {
      rights.add(new HeldRight<>(event.right(), timestamp, false));
      expiry = expiry(timestamp, rightHold);
    }
    Instant next = nextExpiry.read();
    if (next == null || expiry.isBefore(next)) {
      nextExpiry.write(expiry);
      expire.withOutputTimestamp(expiry).set(expiry);
    }
  }

  @OnTimer("expire")
  public void onExpire(
      OnTimerContext context,
      @Key K key,
      @StateId("lefts") BagState<TimestampedValue<L>> lefts,
      @StateId("rights") BagState<HeldRight<R>> rights,
      @StateId("nextExpiry") ValueState<Instant> nextExpiry,
      @TimerId("expire") Timer expire,
      MultiOutputReceiver out) {
    Instant now = context.fireTimestamp();
    List<HeldRight<R>> held = new ArrayList<>();
    rights.read().forEach(held::add);
    held.sort(Comparator.comparing(HeldRight::timestamp));
    boolean leftsChanged = false;
    boolean rightsChanged = false;
    Instant next = null;

    List<TimestampedValue<L>> keptLefts = new ArrayList<>();
    for (TimestampedValue<L> left : lefts.read()) {
      Instant expiry = expiry(left.getTimestamp(), leftHold);
      if (expiry.isAfter(now)) {
        keptLefts.add(left);
        next = earliest(next, expiry);
        continue;
      }
      leftsChanged = true;
      Instant from = left.getTimestamp().plus(lower);
      Instant to = left.getTimestamp().plus(upper);
      List<R> values = new ArrayList<>();
      for (int i = 0; i < held.size(); i++) {
        HeldRight<R> right = held.get(i);
        if (!right.timestamp().isBefore(from) && !right.timestamp().isAfter(to)) {
          values.add(right.value());
          if (!right.matched()) {
            held.set(i, right.markMatched());
            rightsChanged = true;
          }
        }
      }
      joinMatches.inc(values.size());
      if (values.isEmpty()) {
        leftMisses.inc();
      }
      out.get(matches)
          .outputWithTimestamp(
              IntervalMatch.of(key, left.getValue(), left.getTimestamp(), values), now);
    }

    List<HeldRight<R>> keptRights = new ArrayList<>();
    for (HeldRight<R> right : held) {
      Instant expiry = expiry(right.timestamp(), rightHold);
      if (expiry.isAfter(now)) {
        keptRights.add(right);
        next = earliest(next, expiry);
      } else {
        rightsChanged = true;
        if (!right.matched()) {
          rightMisses.inc();
          out.get(unmatchedRight).outputWithTimestamp(KV.of(key, right.value()), now);
        }
      }
    }

    if (leftsChanged) {
      lefts.clear();
      keptLefts.forEach(lefts::add);
    }
    if (rightsChanged) {
      rights.clear();
      keptRights.forEach(rights::add);
    }
    if (next == null) {
      nextExpiry.clear();
    } else {
      nextExpiry.write(next);
      expire.withOutputTimestamp(next).set(next);
    }
  }

  private static Instant expiry(Instant timestamp, Duration hold) {
    Instant expiry = timestamp.plus(hold);
    return expiry.isAfter(END_OF_TIME) ? END_OF_TIME : expiry;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}

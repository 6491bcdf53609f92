package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A time-bounded join of two keyed streams: a right event of the same key matches a left event when
 * {@code left.ts + lower <= right.ts <= left.ts + upper}, both bounds inclusive.
 *
 * <ul>
 *   <li>A left event at {@code t} waits for right events until the watermark passes its bound
 *       {@code t + upper + lateness}; then it is emitted once, with every right event of its
 *       interval that has arrived and is still held (none: a left outer row).
 *   <li>A right event at {@code t} is held until the watermark passes {@code t - lower + upper +
 *       lateness}, the bound of the last left event it could match; then, if it matched no left
 *       event, it is emitted as unmatched.
 *   <li>An event that arrives after its own bound is handled at once: a left event with the right
 *       events still held, a right event as unmatched (every left it could match is gone).
 * </ul>
 *
 * Outputs carry the bound at which they were emitted. At equal bounds left events go first, so a
 * right event is still held for every left event whose bound is not after its own.
 */
public final class IntervalJoinModel<L, R> {
  /** A value with its event timestamp. */
  public record Timestamped<T>(T value, long timestamp) {}

  /** One left event and the right events it matched, in timestamp (then arrival) order. */
  public record Match<L, R>(
      String key, L left, long leftTimestamp, List<Timestamped<R>> rights, long emittedAt) {}

  /** A right event that matched no left event. */
  public record Unmatched<R>(String key, R right, long timestamp, long emittedAt) {}

  private static final Comparator<Held> ORDER =
      Comparator.comparingLong((Held h) -> h.expiry)
          .thenComparing(h -> !h.left)
          .thenComparingLong(h -> h.seq);

  private static final Comparator<Held> BY_TIMESTAMP =
      Comparator.comparingLong((Held r) -> r.timestamp).thenComparingLong(r -> r.seq);

  private static final class Held {
    final String key;
    final boolean left;
    final Object value;
    final long timestamp;
    final long expiry;
    final long seq;
    boolean matched;

    Held(String key, boolean left, Object value, long timestamp, long expiry, long seq) {
      this.key = key;
      this.left = left;
      this.value = value;
      this.timestamp = timestamp;
      this.expiry = expiry;
      this.seq = seq;
    }
  }

  private final long lower;
  private final long upper;
  private final long lateness;
  private final PriorityQueue<Held> pending = new PriorityQueue<>(ORDER);
  private final Map<String, List<Held>> heldRights = new HashMap<>();
  private final List<Match<L, R>> matches = new ArrayList<>();
  private final List<Unmatched<R>> unmatched = new ArrayList<>();
  private long watermark = Arrivals.MIN;
  private long seq;
  private Consumer<Match<L, R>> onMatch = m -> {};
  private Consumer<Unmatched<R>> onUnmatched = u -> {};

  /** The interval {@code [lower, upper]} in millis must contain 0. */
  public IntervalJoinModel(long lowerMillis, long upperMillis, long latenessMillis) {
    if (lowerMillis > 0 || upperMillis < 0 || latenessMillis < 0) {
      throw new IllegalArgumentException(
          "need lower <= 0 <= upper and lateness >= 0, were ["
              + lowerMillis
              + ", "
              + upperMillis
              + "] and "
              + latenessMillis);
    }
    this.lower = lowerMillis;
    this.upper = upperMillis;
    this.lateness = latenessMillis;
  }

  /**
   * Calls {@code onMatch} and {@code onUnmatched} as each output is emitted, so a caller can
   * combine it with state as of that moment.
   */
  public IntervalJoinModel<L, R> listen(
      Consumer<Match<L, R>> onMatch, Consumer<Unmatched<R>> onUnmatched) {
    this.onMatch = onMatch;
    this.onUnmatched = onUnmatched;
    return this;
  }

  /** A left event arrives (at the current watermark). */
  public void left(String key, long timestamp, L value) {
    pending.add(new Held(key, true, value, timestamp, bound(timestamp, upper), seq++));
    expire();
  }

  /** A right event arrives (at the current watermark). */
  public void right(String key, long timestamp, R value) {
    Held h = new Held(key, false, value, timestamp, bound(timestamp, upper - lower), seq++);
    heldRights.computeIfAbsent(key, k -> new ArrayList<>()).add(h);
    pending.add(h);
    expire();
  }

  /** The watermark advances; every event whose bound it passes is emitted. */
  public void advanceTo(long to) {
    if (to < watermark) {
      throw new IllegalArgumentException("watermark went back from " + watermark + " to " + to);
    }
    watermark = to;
    expire();
  }

  public long watermark() {
    return watermark;
  }

  /** One match per left event emitted so far, in emission order. */
  public List<Match<L, R>> matches() {
    return Collections.unmodifiableList(matches);
  }

  /** The right events emitted as unmatched so far, in emission order. */
  public List<Unmatched<R>> unmatchedRight() {
    return Collections.unmodifiableList(unmatched);
  }

  private long bound(long timestamp, long hold) {
    long b = timestamp + hold + lateness;
    return b < timestamp ? Long.MAX_VALUE - 1 : b;
  }

  @SuppressWarnings("unchecked")
  private void expire() {
    while (!pending.isEmpty() && pending.peek().expiry < watermark) {
      Held h = pending.poll();
      List<Held> rights = heldRights.get(h.key);
      if (h.left) {
        List<Held> in = new ArrayList<>();
        if (rights != null) {
          long from = h.timestamp + lower;
          long to = h.timestamp + upper;
          for (Held r : rights) {
            if (r.timestamp >= from && r.timestamp <= to) {
              r.matched = true;
              in.add(r);
            }
          }
        }
        in.sort(BY_TIMESTAMP);
        List<Timestamped<R>> values = new ArrayList<>(in.size());
        for (Held r : in) {
          values.add(new Timestamped<>((R) r.value, r.timestamp));
        }
        Match<L, R> m = new Match<>(h.key, (L) h.value, h.timestamp, values, h.expiry);
        matches.add(m);
        onMatch.accept(m);
      } else {
        rights.remove(h);
        if (rights.isEmpty()) {
          heldRights.remove(h.key);
        }
        if (!h.matched) {
          Unmatched<R> u = new Unmatched<>(h.key, (R) h.value, h.timestamp, h.expiry);
          unmatched.add(u);
          onUnmatched.accept(u);
        }
      }
    }
  }
}

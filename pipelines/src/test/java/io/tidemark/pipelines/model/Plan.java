package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The timeline of one randomized stream: when elements arrive, with which timestamps, and how the
 * watermark advances. Content (keys, values, event types) is chosen by the caller.
 *
 * <ul>
 *   <li>The watermark starts at {@link #start} and advances only to whole minutes, 1 to 3 minutes
 *       at a time, so a router that learns the watermark from one-minute ticks knows it exactly one
 *       tick behind.
 *   <li>Before each advance a batch of elements arrives at or ahead of the watermark (out of order
 *       by up to {@link #outOfOrderMillis}); every batch has at least one element, so no router
 *       goes idle.
 *   <li>Elements behind the watermark (unobservably, observably or droppably late) arrive alone,
 *       one per TestStream event, so each late element gets a pane of its own. Their timestamps
 *       respect {@link Margins}: a decision that depends on the watermark is at least {@link
 *       #MARGIN_MILLIS} away from its boundary, so it cannot depend on tick granularity.
 *   <li>Some batches are pairs: two elements of one key straddling a window boundary.
 * </ul>
 */
final class Plan {
  /** How far beyond a decision boundary late elements are: more than two one-minute ticks. */
  static final long MARGIN_MILLIS = 2 * 60_000L + 1;

  static final long MINUTE = 60_000L;

  /**
   * Decides whether an element at {@code timestamp} may arrive when the watermark is {@code wm}.
   */
  interface Margins {
    boolean allows(long timestamp, long wm);

    /** No constraint: the transform's decisions are exact (event-time timers, no tick). */
    static Margins none() {
      return (t, wm) -> true;
    }

    /**
     * For fixed windows routed by a ticking late-events router: an element behind the watermark
     * must be clearly in its window's late pane or on-time pane, and clearly in its window or in
     * the late stream, for every windowing given.
     */
    static Margins windowed(Windowing... windowings) {
      return (t, wm) -> {
        for (Windowing w : windowings) {
          long end = w.end(t);
          if (end > wm) {
            continue; // on-time pane: the router holds the downstream watermark at or before wm
          }
          if (end > wm - MARGIN_MILLIS) {
            return false;
          }
          long closing = w.closing(t);
          if (closing >= wm - MARGIN_MILLIS && closing < wm + MARGIN_MILLIS) {
            return false;
          }
        }
        return true;
      };
    }
  }

  /** A step of the timeline. */
  sealed interface Step permits Advance, Batch {}

  /** The watermark advances to {@code watermark}. */
  record Advance(long watermark) implements Step {}

  /**
   * Elements that arrive together while the watermark is {@code watermark}; {@code pair}: two
   * elements of one key across a window boundary, earlier first.
   */
  record Batch(long watermark, long[] timestamps, boolean pair) implements Step {}

  final long seed;
  final long start;
  final long outOfOrderMillis;
  final long lateMaxMillis;
  final List<Step> steps;

  private Plan(long seed, long start, long outOfOrder, long lateMax, List<Step> steps) {
    this.seed = seed;
    this.start = start;
    this.outOfOrderMillis = outOfOrder;
    this.lateMaxMillis = lateMax;
    this.steps = Collections.unmodifiableList(steps);
  }

  /** Tunables of a random plan. */
  record Shape(int minSteps, int maxSteps, int maxBatch, long boundaryMillis) {
    /** Typical streams: 15 to 40 advances, up to 5 elements per batch. */
    static Shape typical(long boundaryMillis) {
      return new Shape(15, 40, 5, boundaryMillis);
    }
  }

  /**
   * A random plan for {@code seed}: the start hour, out-of-orderness, how often and how late late
   * elements are, all vary with the seed. Pairs straddle multiples of {@code shape.boundaryMillis}.
   */
  static Plan random(long seed, Margins margins, Shape shape, SplittableRandom rnd) {
    // 2026-01-05T00:00:00Z plus a random hour, so hours of day (and midnight) vary.
    long start = 1_767_571_200_000L + rnd.nextInt(24) * 60 * MINUTE;
    long[] outOfOrders = {0, 20_000, 90_000, 4 * MINUTE, 8 * MINUTE};
    long outOfOrder = outOfOrders[rnd.nextInt(outOfOrders.length)];
    long[] lateMaxes = {5 * MINUTE, 20 * MINUTE, 45 * MINUTE};
    long lateMax = lateMaxes[rnd.nextInt(lateMaxes.length)];
    double lateRate = 0.2 + rnd.nextDouble() * 0.6;
    double pairRate = 0.1 + rnd.nextDouble() * 0.3;
    int steps = shape.minSteps() + rnd.nextInt(shape.maxSteps() - shape.minSteps() + 1);

    List<Step> out = new ArrayList<>();
    long wm = start;
    out.add(new Advance(wm));
    long first = Long.MAX_VALUE;
    for (int s = 0; s < steps; s++) {
      int n = 1 + rnd.nextInt(shape.maxBatch());
      long[] ts = new long[n];
      for (int i = 0; i < n; i++) {
        ts[i] = wm + timeAhead(rnd, outOfOrder);
        first = Math.min(first, ts[i]);
      }
      out.add(new Batch(wm, ts, false));
      if (s > 0 && rnd.nextDouble() < pairRate) {
        long b = shape.boundaryMillis();
        long boundary = (Math.floorDiv(wm, b) + 1) * b;
        long before = boundary - 1 - rnd.nextLong(Math.min(boundary - wm, 2 * MINUTE));
        long after = boundary + rnd.nextLong(2 * MINUTE);
        out.add(new Batch(wm, new long[] {before, after}, true));
      }
      // Late elements only once the router has seen the first elements and ticked.
      if (wm > first + 2 * MINUTE) {
        int late = rnd.nextDouble() < lateRate ? 1 + rnd.nextInt(2) : 0;
        for (int i = 0; i < late; i++) {
          for (int attempt = 0; attempt < 20; attempt++) {
            long t = wm - 1 - rnd.nextLong(lateMax);
            if (t >= start && margins.allows(t, wm)) {
              out.add(new Batch(wm, new long[] {t}, false));
              break;
            }
          }
        }
      }
      wm += (1 + rnd.nextInt(3)) * MINUTE;
      out.add(new Advance(wm));
    }
    return new Plan(seed, start, outOfOrder, lateMax, out);
  }

  /** Mostly whole seconds, sometimes odd milliseconds, sometimes exactly on the watermark. */
  private static long timeAhead(SplittableRandom rnd, long outOfOrder) {
    if (outOfOrder == 0 || rnd.nextInt(10) == 0) {
      return 0;
    }
    long t = rnd.nextLong(outOfOrder + 1);
    return rnd.nextInt(4) == 0 ? t : t - t % 1000;
  }

  /** The number of elements in the plan. */
  int elements() {
    int n = 0;
    for (Step s : steps) {
      if (s instanceof Batch b) {
        n += b.timestamps().length;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "Plan{seed="
        + seed
        + ", start="
        + java.time.Instant.ofEpochMilli(start)
        + ", outOfOrder="
        + outOfOrderMillis
        + "ms, lateMax="
        + lateMaxMillis
        + "ms, elements="
        + elements()
        + "}";
  }
}

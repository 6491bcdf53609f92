package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * One randomized stream of keyed string values for the transform-level tests: {@code L<n>} and
 * {@code R<n>} values (left and right sides of a join) or {@code v<n>} values, where {@code n} is
 * the source position, so every value is unique.
 */
final class KvScenario {
  /** One element. */
  record Item(long position, String key, String value, long timestamp) {
    boolean left() {
      return value.startsWith("L");
    }
  }

  /** Elements arriving together, or a watermark advance (items == null). */
  record Step(long watermark, List<Item> items) {}

  /** Receives the stream, element by element, with the watermark at each arrival. */
  interface Listener {
    void element(Item item, long watermark);

    void watermark(long watermark);
  }

  final long seed;
  final Plan plan;
  final List<Step> steps = new ArrayList<>();
  final Map<String, Item> byValue = new HashMap<>();

  private KvScenario(long seed, Plan plan) {
    this.seed = seed;
    this.plan = plan;
  }

  /**
   * A stream over {@code plan}; with {@code twoSided} values are left or right at random, pairs are
   * a left and a right, and with {@code edges} (an interval {@code [lower, upper]}) some pairs sit
   * exactly on an edge of the interval.
   */
  static KvScenario of(Plan plan, SplittableRandom rnd, boolean twoSided, long[] edges) {
    KvScenario s = new KvScenario(plan.seed, plan);
    int keys = 1 + rnd.nextInt(5);
    long position = 0;
    for (Plan.Step step : plan.steps) {
      if (step instanceof Plan.Advance a) {
        s.steps.add(new Step(a.watermark(), null));
        continue;
      }
      Plan.Batch b = (Plan.Batch) step;
      List<Item> items = new ArrayList<>();
      long[] ts = b.timestamps().clone();
      if (b.pair()) {
        String key = "k" + rnd.nextInt(keys);
        if (edges != null && rnd.nextBoolean()) {
          long edge = edges[rnd.nextInt(edges.length)];
          ts[1] = ts[0] + edge;
          if (ts[1] < b.watermark()) {
            ts[1] = ts[0];
          }
        }
        for (int i = 0; i < 2; i++) {
          long p = position++;
          String side = !twoSided ? "v" : i == 0 ? "L" : "R";
          items.add(new Item(p, key, side + p, ts[i]));
        }
      } else {
        for (long t : ts) {
          long p = position++;
          String side = !twoSided ? "v" : rnd.nextBoolean() ? "L" : "R";
          items.add(new Item(p, "k" + rnd.nextInt(keys), side + p, t));
        }
      }
      for (Item i : items) {
        s.byValue.put(i.value(), i);
      }
      s.steps.add(new Step(b.watermark(), items));
    }
    return s;
  }

  TestStream<KV<String, String>> testStream() {
    TestStream.Builder<KV<String, String>> b =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    for (Step s : steps) {
      if (s.items() == null) {
        b = b.advanceWatermarkTo(new Instant(s.watermark()));
      } else {
        List<TimestampedValue<KV<String, String>>> values = new ArrayList<>();
        for (Item i : s.items()) {
          values.add(TimestampedValue.of(KV.of(i.key(), i.value()), new Instant(i.timestamp())));
        }
        b =
            b.addElements(
                values.get(0), values.subList(1, values.size()).toArray(TimestampedValue[]::new));
      }
    }
    return b.advanceWatermarkToInfinity();
  }

  void replay(Listener listener) {
    long wm = Arrivals.MIN;
    for (Step s : steps) {
      if (s.items() == null) {
        wm = s.watermark();
        listener.watermark(wm);
      } else {
        for (Item i : s.items()) {
          listener.element(i, wm);
        }
      }
    }
    listener.watermark(Arrivals.MAX);
  }

  List<Long> positions() {
    List<Long> out = new ArrayList<>();
    for (Item i : byValue.values()) {
      out.add(i.position());
    }
    return out;
  }

  long position(String value) {
    Item i = byValue.get(value);
    return i == null ? -1 : i.position();
  }

  @Override
  public String toString() {
    return plan.toString();
  }
}

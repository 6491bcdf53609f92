package io.tidemark.transforms;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The one fixture of the TestStream suites: event times in whole minutes after {@link #START}, one
 * window size, one allowed lateness, and the helpers that build streams and read results.
 *
 * <p>Lateness categories (ARCHITECTURE.md, "Lateness") against these constants, for the fixed
 * window {@code [0, 10)}: on time while the watermark is before the event; unobservably late while
 * it is past the event but before minute 10; observably late from minute 10 until {@code 19:59.999}
 * (window end minus 1 ms plus {@link #LATENESS}); droppably late after that.
 */
final class Fixture {
  private Fixture() {}

  static final Instant START = new Instant(0);

  /** Size of fixed and sliding windows. */
  static final Duration WINDOW = Duration.standardMinutes(10);

  /** Period of sliding windows. */
  static final Duration PERIOD = Duration.standardMinutes(5);

  /** Gap of session windows. */
  static final Duration GAP = Duration.standardMinutes(5);

  /** Allowed lateness of every policy and join in the suites. */
  static final Duration LATENESS = Duration.standardMinutes(10);

  /** Processing-time delay of early and batched late panes. */
  static final Duration EARLY = Duration.standardMinutes(1);

  /** Processing time advanced to fire an {@link #EARLY} pane. */
  static final Duration PAST_EARLY = EARLY.plus(Duration.standardSeconds(1));

  /** {@link LateEvents}' default tick. */
  static final Duration TICK = Duration.standardMinutes(1);

  /**
   * {@link LateEvents#withMaxIdleTicks} in the suites: longer than any idle stretch of a scenario,
   * so the tick never backs off and the routing step knows the watermark exactly one tick behind.
   */
  static final int IDLE_TICKS = 60;

  /** Interval of the interval joins: a right event from 2 minutes before to 5 after the left. */
  static final Duration JOIN_LOWER = Duration.standardMinutes(-2);

  static final Duration JOIN_UPPER = Duration.standardMinutes(5);

  static final Coder<KV<String, Integer>> KV_INT =
      KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of());
  static final Coder<KV<String, String>> KV_STRING =
      KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());

  static Instant at(int minutes) {
    return START.plus(Duration.standardMinutes(minutes));
  }

  /** The window of size {@link #WINDOW} that starts at minute {@code start}. */
  static IntervalWindow window(int start) {
    return new IntervalWindow(at(start), WINDOW);
  }

  /** The last moment at which data of {@code w} is still observably late, not droppable. */
  static Instant closing(IntervalWindow w) {
    return w.maxTimestamp().plus(LATENESS);
  }

  static <T> TimestampedValue<T> event(T value, int minute) {
    return TimestampedValue.of(value, at(minute));
  }

  static TimestampedValue<KV<String, Integer>> event(String key, int value, int minute) {
    return event(KV.of(key, value), minute);
  }

  /** A stream of {@code coder} whose watermark starts at {@link #START}. */
  static <T> TestStream.Builder<T> stream(Coder<T> coder) {
    return TestStream.create(coder).advanceWatermarkTo(START);
  }

  /** {@link LateEvents} as configured in the suites (see {@link #IDLE_TICKS}). */
  static <T> LateEvents<T> lateEvents(EventWindows<T> windows) {
    return LateEvents.of(windows).withMaxIdleTicks(IDLE_TICKS);
  }

  /**
   * The watermark {@link LateEvents} knows when the input watermark is {@code watermark}: its last
   * tick, which fired when the watermark passed it, so one tick behind a whole-minute watermark.
   */
  static Instant knownWatermark(Instant watermark) {
    return watermark.minus(TICK);
  }

  /** Per-key sums per window and pane. */
  static PCollection<KV<String, Integer>> sums(PCollection<KV<String, Integer>> events) {
    return sums("Sum", events);
  }

  /** Per-key sums per window and pane, in a step named {@code name}. */
  static PCollection<KV<String, Integer>> sums(
      String name, PCollection<KV<String, Integer>> events) {
    return events.apply(name, Sum.integersPerKey());
  }

  /** The left side of a two-sided stream: values starting with {@code L}. */
  static PCollection<KV<String, String>> lefts(PCollection<KV<String, String>> both) {
    return both.apply("Lefts", Filter.by(kv -> kv.getValue().startsWith("L")));
  }

  /** The right side of a two-sided stream: values starting with {@code R}. */
  static PCollection<KV<String, String>> rights(PCollection<KV<String, String>> both) {
    return both.apply("Rights", Filter.by(kv -> kv.getValue().startsWith("R")));
  }

  /** The bound after which an interval join emits a left event at {@code minute}. */
  static Instant leftBound(int minute) {
    return at(minute).plus(JOIN_UPPER).plus(LATENESS);
  }

  /** The bound after which an interval join frees a right event at {@code minute}. */
  static Instant rightBound(int minute) {
    return at(minute).minus(JOIN_LOWER).plus(JOIN_UPPER).plus(LATENESS);
  }

  /** The global window with the default trigger, to merge outputs across windows and panes. */
  static <T> Window<T> global() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(Duration.ZERO)
        .discardingFiredPanes();
  }

  /** The committed value of counter {@code name} in {@code namespace}, summed over steps. */
  static long counter(PipelineResult result, String namespace, String name) {
    return counter(result, namespace, name, null);
  }

  /** The committed value of a counter in the steps under {@code step} (all steps if null). */
  static long counter(PipelineResult result, String namespace, String name, String step) {
    MetricsFilter.Builder filter =
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name));
    if (step != null) {
      filter.addStep(step);
    }
    long sum = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(filter.build()).getCounters()) {
      sum += c.getCommitted();
    }
    return sum;
  }
}

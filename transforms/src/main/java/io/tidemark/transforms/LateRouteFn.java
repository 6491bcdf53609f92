package io.tidemark.transforms;

import java.util.Collection;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The routing step of {@link LateEvents}, per shard: learns the watermark from ticks, holds its
 * output watermark at the last tick, and forwards each element at once or routes it to the late
 * stream (the class doc of {@link LateEvents} states how and what it guarantees).
 */
final class LateRouteFn<T> extends DoFn<KV<Integer, T>, T> {
  private static final Instant END_OF_TIME = GlobalWindow.INSTANCE.maxTimestamp();
  private final Counter routed = Metrics.counter(LateEvents.class, "late-events-routed");
  private final Distribution lateBy = Metrics.distribution(LateEvents.class, "late-by-ms");
  private final Distribution watermarkAge =
      Metrics.distribution(LateEvents.class, "watermark-age-ms");
  private final Gauge inputWatermark = Metrics.gauge(LateEvents.class, "input-watermark-ms");
  // The latest age as a number: Flink's metric reporters cannot export a distribution.
  private final Gauge watermarkAgeLatest =
      Metrics.gauge(LateEvents.class, "watermark-age-ms-latest");

  private final WindowFn<Object, ? extends BoundedWindow> windowFn;
  private final Duration lateness;
  private final long tickMillis;
  private final int maxIdleTicks;
  private final TupleTag<T> onTime;
  private final TupleTag<LateRecord<T>> late;

  /** The last tick: the watermark this shard knows; null until its first tick. */
  @StateId("known")
  private final StateSpec<ValueState<Instant>> known = StateSpecs.value(InstantCoder.of());

  @StateId("idle")
  private final StateSpec<ValueState<Integer>> idle = StateSpecs.value(VarIntCoder.of());

  /** Before the first tick: the earliest element (or seed), where the shard holds and ticks. */
  @StateId("startMin")
  private final StateSpec<ValueState<Instant>> startMin = StateSpecs.value(InstantCoder.of());

  /** The earliest timestamp seen since the last tick: where the next tick may jump to. */
  @StateId("seenMin")
  private final StateSpec<ValueState<Instant>> seenMin = StateSpecs.value(InstantCoder.of());

  @TimerId("tick")
  private final TimerSpec tick = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /**
   * Pending until the end of time; its output timestamp is the hold at the last tick. A tick
   * timer's own hold vanishes the moment it fires, before the next one is set, so the hold must
   * live in a timer that does not fire.
   */
  @TimerId("hold")
  private final TimerSpec hold = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  LateRouteFn(
      WindowFn<Object, ? extends BoundedWindow> windowFn,
      Duration lateness,
      Duration tick,
      int maxIdleTicks,
      TupleTag<T> onTime,
      TupleTag<LateRecord<T>> late) {
    this.windowFn = windowFn;
    this.lateness = lateness;
    this.tickMillis = tick.getMillis();
    this.maxIdleTicks = maxIdleTicks;
    this.onTime = onTime;
    this.late = late;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, T> element,
      @Timestamp Instant timestamp,
      @StateId("known") ValueState<Instant> knownState,
      @StateId("idle") ValueState<Integer> idleState,
      @StateId("startMin") ValueState<Instant> startMinState,
      @StateId("seenMin") ValueState<Instant> seenMinState,
      @TimerId("tick") Timer timer,
      @TimerId("hold") Timer holdTimer,
      MultiOutputReceiver out) {
    T value = element.getValue();
    Instant watermark = knownState.read();
    if (value == null) { // a seed
      if (watermark == null) {
        start(timestamp, startMinState, timer, holdTimer);
      }
      return;
    }
    Instant seen = seenMinState.read();
    if (seen == null || timestamp.isBefore(seen)) {
      seenMinState.write(timestamp);
    }
    if (watermark == null) {
      // No tick yet: hold here until the first tick, and forward (see the class doc).
      start(timestamp, startMinState, timer, holdTimer);
      out.get(onTime).outputWithTimestamp(value, timestamp);
      return;
    }
    idleState.write(0);
    route(value, timestamp, watermark, out);
  }

  private static void start(
      Instant timestamp, ValueState<Instant> startMinState, Timer timer, Timer holdTimer) {
    Instant min = startMinState.read();
    if (min == null || timestamp.isBefore(min)) {
      startMinState.write(timestamp);
      holdTimer.withOutputTimestamp(timestamp).set(END_OF_TIME);
      timer.set(timestamp);
    }
  }

  @OnTimer("tick")
  public void onTick(
      OnTimerContext context,
      @StateId("known") ValueState<Instant> knownState,
      @StateId("idle") ValueState<Integer> idleState,
      @StateId("startMin") ValueState<Instant> startMinState,
      @StateId("seenMin") ValueState<Instant> seenMinState,
      @TimerId("tick") Timer timer,
      @TimerId("hold") Timer holdTimer) {
    Instant watermark = context.fireTimestamp();
    Instant seen = seenMinState.read();
    seenMinState.clear();
    // The input watermark where the runner reports it to timers; else the firing time.
    long passed = timer.getCurrentRelativeTime().getMillis() - 1;
    boolean reported = passed >= watermark.getMillis();
    if (reported && passed < END_OF_TIME.getMillis()) {
      long age = System.currentTimeMillis() - passed;
      watermarkAge.update(age);
      watermarkAgeLatest.set(age);
      inputWatermark.set(passed);
    }
    boolean starting = startMinState.read() != null;
    startMinState.clear();
    if (starting && !reported && seen == null) {
      // A seed's tick with nothing to learn from: start again with the first element.
      holdTimer.clear();
      return;
    }
    holdTimer.withOutputTimestamp(watermark).set(END_OF_TIME);
    int idleTicks;
    if (starting || seen != null) {
      idleTicks = 0;
    } else {
      Integer previous = idleState.read();
      idleTicks = (previous == null ? 0 : previous) + 1;
    }
    long next;
    if (reported) {
      // Jump to the latest tick the input watermark has passed (it fires at once), never past
      // the watermark: a tick set past it would freeze the watermark this step knows until the
      // input watermark reached it.
      next = Math.max(floor(watermark.getMillis()) + tickMillis, floor(passed));
    } else if (starting && seen.isAfter(watermark)) {
      next = seen.getMillis(); // a seed's tick: the first tick is at the first element
    } else {
      int doublings = Math.max(0, idleTicks - maxIdleTicks);
      long step =
          doublings >= Long.numberOfLeadingZeros(tickMillis) - 2
              ? END_OF_TIME.getMillis()
              : tickMillis << doublings;
      next = floor(watermark.getMillis()) + step;
    }
    if (next > END_OF_TIME.getMillis()) {
      return; // The input is finished.
    }
    knownState.write(watermark);
    idleState.write(idleTicks);
    timer.set(new Instant(next));
  }

  private long floor(long millis) {
    return millis - Math.floorMod(millis, tickMillis);
  }

  @OnTimer("hold")
  public void onEndOfTime() {}

  private void route(T value, Instant timestamp, Instant watermark, MultiOutputReceiver out) {
    IntervalWindow last = lastWindow(value, timestamp);
    Instant closing = last.maxTimestamp().plus(lateness);
    if (closing.isBefore(watermark)) {
      LateRecord<T> record = new LateRecord<>(value, timestamp, last, watermark, lateness);
      routed.inc();
      lateBy.update(record.lateBy().getMillis());
      out.get(late).outputWithTimestamp(record, timestamp);
    } else {
      out.get(onTime).outputWithTimestamp(value, timestamp);
    }
  }

  private IntervalWindow lastWindow(T value, Instant timestamp) {
    IntervalWindow last = null;
    for (BoundedWindow w : assign(windowFn, value, timestamp)) {
      IntervalWindow iw = (IntervalWindow) w;
      if (last == null || iw.maxTimestamp().isAfter(last.maxTimestamp())) {
        last = iw;
      }
    }
    return last;
  }

  private static <W extends BoundedWindow> Collection<W> assign(
      WindowFn<Object, W> windowFn, Object value, Instant timestamp) {
    try {
      return windowFn.assignWindows(
          windowFn.new AssignContext() {
            @Override
            public Object element() {
              return value;
            }

            @Override
            public Instant timestamp() {
              return timestamp;
            }

            @Override
            public BoundedWindow window() {
              return GlobalWindow.INSTANCE;
            }
          });
    } catch (Exception e) {
      throw new IllegalStateException("cannot assign windows to " + value, e);
    }
  }
}

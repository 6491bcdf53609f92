package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;
import static io.tidemark.transforms.Checks.checkPositive;

import com.google.auto.value.AutoValue;
import java.util.Collection;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
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
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Windows a stream by an {@link EventWindows} policy and routes the events that arrive after their
 * window closed to a late-events stream instead of letting the runner drop them.
 *
 * <p><b>Guarantee.</b> Every input element appears exactly once: either in {@link
 * Result#windowed()} (windowed by the policy, where the runner keeps it: on time, or in a late
 * pane) or in {@link Result#late()} (in the global window). Nothing is dropped for lateness.
 *
 * <p><b>How.</b> Beam has no API for the data a runner drops. A stateful step in the global window
 * learns the watermark from an event-time timer that ticks every {@link #withTick} of event time,
 * and holds its output watermark at the last tick. An event whose window closed before the last
 * tick is provably droppable, so it goes to the late stream. Any other event is forwarded; the hold
 * keeps the downstream watermark at or before the last tick, so the runner's own lateness check
 * cannot drop it. The split is therefore exact to the tick: an event whose window closed less than
 * one tick ago is forwarded into a late pane. The hold lives in a second timer that never fires
 * before the end of time, so it does not lapse while a tick is being delivered. When the data seen
 * since the last tick is well ahead of it, the next tick jumps there instead of crawling one tick
 * at a time; until it fires the hold stays at the last tick, which delays downstream panes but
 * never makes the split wrong.
 *
 * <p><b>Limits.</b> Before its first element the step holds nothing, so a runner may already have
 * advanced the downstream watermark past the first elements when they arrive (the DirectRunner does
 * when a source's first bundle spans a long stretch of event time). Those first elements are held
 * until the watermark reaches them and then forwarded; if their windows had already closed
 * downstream, the runner drops them and counts them in {@code droppedDueToLateness}. Once the first
 * tick has fired the hold is always in place and the split is exact to the tick. With the default
 * of one shard this concerns only the start of the stream; more {@link #withShards} spread the
 * routing state, each shard with its own start. After {@link #withMaxIdleTicks} ticks without data
 * the tick interval doubles (so a finished input ends quickly); the first panes after a long idle
 * period may then wait up to about as long as the idle period lasted.
 *
 * <p>For sliding windows an event goes to the late stream only when all of its windows have closed;
 * copies in windows that closed earlier are dropped by the runner and counted in its {@code
 * droppedDueToLateness} metric. For sessions each event's own proto-window {@code [t, t + gap)}
 * decides, as in Beam.
 *
 * <pre>{@code
 * LateEvents.Result<KV<String, Click>> split = clicks.apply(
 *     LateEvents.of(EventWindows.<KV<String, Click>>fixed(Duration.standardMinutes(5))
 *         .withAllowedLateness(Duration.standardMinutes(10))));
 * split.windowed().apply(Count.perKey());
 * split.late().apply(...);
 * }</pre>
 *
 * <p>Metrics: counter {@code late-events-routed}, distribution {@code late-by-ms}.
 */
@AutoValue
public abstract class LateEvents<T> extends PTransform<PCollection<T>, LateEvents.Result<T>> {

  abstract EventWindows<T> windows();

  abstract Duration tick();

  abstract int shards();

  abstract int maxIdleTicks();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setWindows(EventWindows<T> windows);

    abstract Builder<T> setTick(Duration tick);

    abstract Builder<T> setShards(int shards);

    abstract Builder<T> setMaxIdleTicks(int ticks);

    abstract LateEvents<T> build();
  }

  /** Splits by {@code windows}: one-minute ticks, one shard, 60 idle ticks before backing off. */
  public static <T> LateEvents<T> of(EventWindows<T> windows) {
    checkArgument(windows != null, "windows must not be null");
    return new AutoValue_LateEvents.Builder<T>()
        .setWindows(windows)
        .setTick(Duration.standardMinutes(1))
        .setShards(1)
        .setMaxIdleTicks(60)
        .build();
  }

  /** How often, in event time, each shard learns the watermark. */
  public LateEvents<T> withTick(Duration tick) {
    checkPositive("tick", tick);
    return toBuilder().setTick(tick).build();
  }

  /** How many keys the routing state is spread over. */
  public LateEvents<T> withShards(int shards) {
    checkArgument(shards > 0 && shards <= 1 << 16, "shards must be in [1, 65536], was %s", shards);
    return toBuilder().setShards(shards).build();
  }

  /** After how many ticks without data the tick interval starts doubling. */
  public LateEvents<T> withMaxIdleTicks(int ticks) {
    checkArgument(ticks >= 0, "max idle ticks must not be negative, was %s", ticks);
    return toBuilder().setMaxIdleTicks(ticks).build();
  }

  @Override
  public Result<T> expand(PCollection<T> input) {
    Coder<T> coder = input.getCoder();
    TupleTag<T> onTime = new TupleTag<>("windowed");
    TupleTag<LateRecord<T>> late = new TupleTag<>("late");
    PCollectionTuple split =
        input
            .apply("Shard", ParDo.of(new ShardFn<T>(shards())))
            .setCoder(KvCoder.of(VarIntCoder.of(), coder))
            .apply("GlobalWindow", Window.into(new GlobalWindows()))
            .apply(
                "Route",
                ParDo.of(
                        new RouteFn<>(
                            windows().windowFn(),
                            windows().getAllowedLateness(),
                            tick(),
                            maxIdleTicks(),
                            coder,
                            onTime,
                            late))
                    .withOutputTags(onTime, TupleTagList.of(late)));
    PCollection<T> windowed = split.get(onTime).setCoder(coder).apply("Window", windows());
    PCollection<LateRecord<T>> lateEvents = split.get(late).setCoder(LateRecord.coder(coder));
    return new Result<>(windowed, lateEvents);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .include("windows", windows())
        .add(DisplayData.item("tick", tick()))
        .add(DisplayData.item("shards", shards()))
        .add(DisplayData.item("maxIdleTicks", maxIdleTicks()));
  }

  /** The two outputs: the windowed stream and the late-events stream. */
  public static final class Result<T> extends Outputs {
    private final PCollection<T> windowed;
    private final PCollection<LateRecord<T>> late;

    Result(PCollection<T> windowed, PCollection<LateRecord<T>> late) {
      super(windowed, late);
      this.windowed = windowed;
      this.late = late;
    }

    /** The events the runner keeps, windowed and triggered by the policy. */
    public PCollection<T> windowed() {
      return windowed;
    }

    /** The events that arrived after their window closed, in the global window. */
    public PCollection<LateRecord<T>> late() {
      return late;
    }
  }

  static final class ShardFn<T> extends DoFn<T, KV<Integer, T>> {
    private final int shards;

    ShardFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(Math.floorMod(element.hashCode(), shards), element));
    }
  }

  static final class RouteFn<T> extends DoFn<KV<Integer, T>, T> {
    private static final Instant END_OF_TIME = GlobalWindow.INSTANCE.maxTimestamp();
    private final Counter routed = Metrics.counter(LateEvents.class, "late-events-routed");
    private final Distribution lateBy = Metrics.distribution(LateEvents.class, "late-by-ms");

    private final WindowFn<Object, ? extends BoundedWindow> windowFn;
    private final Duration lateness;
    private final long tickMillis;
    private final int maxIdleTicks;
    private final TupleTag<T> onTime;
    private final TupleTag<LateRecord<T>> late;

    @StateId("known")
    private final StateSpec<ValueState<Instant>> known = StateSpecs.value(InstantCoder.of());

    @StateId("idle")
    private final StateSpec<ValueState<Integer>> idle = StateSpecs.value(VarIntCoder.of());

    @StateId("pendingMin")
    private final StateSpec<ValueState<Instant>> pendingMin = StateSpecs.value(InstantCoder.of());

    /** The earliest timestamp seen since the last tick: where the next tick may jump to. */
    @StateId("seenMin")
    private final StateSpec<ValueState<Instant>> seenMin = StateSpecs.value(InstantCoder.of());

    @StateId("pending")
    private final StateSpec<BagState<TimestampedValue<T>>> pending;

    @TimerId("tick")
    private final TimerSpec tick = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    /**
     * Pending until the end of time; its output timestamp is the hold at the last tick. A tick
     * timer's own hold vanishes the moment it fires, before the next one is set, so the hold must
     * live in a timer that does not fire.
     */
    @TimerId("hold")
    private final TimerSpec hold = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    RouteFn(
        WindowFn<Object, ? extends BoundedWindow> windowFn,
        Duration lateness,
        Duration tick,
        int maxIdleTicks,
        Coder<T> coder,
        TupleTag<T> onTime,
        TupleTag<LateRecord<T>> late) {
      this.windowFn = windowFn;
      this.lateness = lateness;
      this.tickMillis = tick.getMillis();
      this.maxIdleTicks = maxIdleTicks;
      this.onTime = onTime;
      this.late = late;
      this.pending = StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(coder));
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, T> element,
        @Timestamp Instant timestamp,
        @StateId("known") ValueState<Instant> knownState,
        @StateId("idle") ValueState<Integer> idleState,
        @StateId("pendingMin") ValueState<Instant> pendingMinState,
        @StateId("pending") BagState<TimestampedValue<T>> pendingState,
        @StateId("seenMin") ValueState<Instant> seenMinState,
        @TimerId("tick") Timer timer,
        @TimerId("hold") Timer holdTimer,
        MultiOutputReceiver out) {
      Instant seen = seenMinState.read();
      if (seen == null || timestamp.isBefore(seen)) {
        seenMinState.write(timestamp);
      }
      Instant watermark = knownState.read();
      if (watermark == null) {
        // No tick yet: hold here and wait until the watermark reaches this element.
        pendingState.add(TimestampedValue.of(element.getValue(), timestamp));
        Instant min = pendingMinState.read();
        if (min == null || timestamp.isBefore(min)) {
          pendingMinState.write(timestamp);
          holdTimer.withOutputTimestamp(timestamp).set(END_OF_TIME);
          timer.set(timestamp);
        }
        return;
      }
      idleState.write(0);
      route(element.getValue(), timestamp, watermark, out);
    }

    @OnTimer("tick")
    public void onTick(
        OnTimerContext context,
        @StateId("known") ValueState<Instant> knownState,
        @StateId("idle") ValueState<Integer> idleState,
        @StateId("pendingMin") ValueState<Instant> pendingMinState,
        @StateId("pending") BagState<TimestampedValue<T>> pendingState,
        @StateId("seenMin") ValueState<Instant> seenMinState,
        @TimerId("tick") Timer timer,
        @TimerId("hold") Timer holdTimer,
        MultiOutputReceiver out) {
      Instant watermark = context.fireTimestamp();
      Instant seen = seenMinState.read();
      seenMinState.clear();
      holdTimer.withOutputTimestamp(watermark).set(END_OF_TIME);
      int idleTicks;
      if (pendingMinState.read() != null) {
        for (TimestampedValue<T> value : pendingState.read()) {
          route(value.getValue(), value.getTimestamp(), watermark, out);
        }
        pendingState.clear();
        pendingMinState.clear();
        idleTicks = 0;
      } else {
        Integer previous = idleState.read();
        idleTicks = (previous == null ? 0 : previous) + 1;
      }
      int doublings = Math.max(0, idleTicks - maxIdleTicks);
      long step =
          doublings >= Long.numberOfLeadingZeros(tickMillis) - 2
              ? END_OF_TIME.getMillis()
              : tickMillis << doublings;
      long next = watermark.getMillis() - Math.floorMod(watermark.getMillis(), tickMillis) + step;
      if (seen != null && seen.getMillis() - tickMillis > next) {
        // Catch up towards recent data, but only over ticks the input watermark has already
        // passed (they would all fire at once). A tick set past the watermark would freeze the
        // watermark this step knows until the input watermark reached it: many ticks when data
        // runs ahead of the watermark, and the split would no longer be exact to the tick. Where
        // a runner does not report the input watermark here, this only disables the catch-up.
        long passed = timer.getCurrentRelativeTime().getMillis() - 1;
        long target = seen.getMillis() - Math.floorMod(seen.getMillis(), tickMillis) - tickMillis;
        next = Math.max(next, Math.min(target, passed - Math.floorMod(passed, tickMillis)));
      }
      if (next > END_OF_TIME.getMillis()) {
        return; // The input is finished.
      }
      knownState.write(watermark);
      idleState.write(idleTicks);
      timer.set(new Instant(next));
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
}

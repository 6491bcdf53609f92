package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;
import static io.tidemark.transforms.Checks.checkPositive;

import com.google.auto.value.AutoValue;
import java.util.Collection;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Impulse;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
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
 * pane) or in {@link Result#late()} (in the global window). Nothing is dropped for lateness. The
 * routing step forwards every element at once, in the bundle it arrives in: it never buffers an
 * element, so early (speculative) panes fire downstream as they would without it.
 *
 * <p><b>How.</b> Beam has no API for the data a runner drops. A stateful step in the global window
 * learns the watermark from an event-time timer that ticks every {@link #withTick} of event time,
 * and holds its output watermark at the last tick. An event whose window closed before the last
 * tick is provably droppable, so it goes to the late stream. Any other event is forwarded; the hold
 * keeps the downstream watermark at or before the last tick, so the runner's own lateness check
 * cannot drop it. The split is therefore exact to the tick: an event whose window closed less than
 * one tick ago is forwarded into a late pane. The hold lives in a second timer that never fires
 * before the end of time, so it does not lapse while a tick is being delivered. Where the runner
 * tells a timer the input watermark (the DirectRunner, the Flink runner and Dataflow's legacy
 * worker do), each tick jumps to the latest tick the watermark has passed, so the step knows the
 * watermark one tick behind however far it moves at once, and never crawls.
 *
 * <p><b>Parallelism.</b> The routing state is spread over {@link #withShards} keys by a hash of
 * each element's key ({@link KV#getKey()}, or the element itself if it is no {@code KV}), so the
 * work spreads over as many workers as there are shards, and the events of a key keep their order.
 * Each shard ticks and holds on its own; the downstream watermark is the earliest of their holds.
 * By default the shard count is four per parallel task of the runner ({@link #defaultShards}): a
 * hash spreads more shards than tasks evenly over the tasks. Keys per shard rather than one routing
 * state per key: a per-key state would tick one timer per key, and each key would start on its own,
 * behind a watermark that may already have passed its first events.
 *
 * <p><b>Start of the stream.</b> One seed per shard, an element in the global window at the
 * beginning of time, starts every shard before any data: while a seed waits, it holds the step's
 * input watermark at the beginning of time, so no element can be behind the watermark before its
 * shard has its hold. An element that reaches a shard before its seed is forwarded (the watermark
 * cannot have passed it yet), and the seed's tick then jumps to the watermark. This needs a runner
 * whose pending elements hold the watermark, as the Beam model requires. On a runner that does not
 * tell a timer the watermark (portable runners report the firing time instead), a seed whose tick
 * finds no data releases its hold, and the shard starts with its first element: it holds at that
 * element and forwards it and the shard's elements until its first tick fires there; if the runner
 * had already moved the downstream watermark past those elements' windows when they arrive, it
 * drops them and counts them in {@code droppedDueToLateness}. On such runners, after {@link
 * #withMaxIdleTicks} ticks without data the tick interval doubles (so a finished input ends
 * quickly); the first panes after a long idle period may then wait up to about as long as the idle
 * period lasted.
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

  /** The most shards {@link #withShards} accepts. */
  public static final int MAX_SHARDS = 1 << 16;

  /** Shards per parallel task in {@link #defaultShards}. */
  public static final int SHARDS_PER_TASK = 4;

  abstract EventWindows<T> windows();

  abstract Duration tick();

  /** The shard count, or 0 for {@link #defaultShards} of the pipeline's options. */
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

  /**
   * Splits by {@code windows}: one-minute ticks, {@link #defaultShards} shards, 60 idle ticks
   * before backing off.
   */
  public static <T> LateEvents<T> of(EventWindows<T> windows) {
    checkArgument(windows != null, "windows must not be null");
    return new AutoValue_LateEvents.Builder<T>()
        .setWindows(windows)
        .setTick(Duration.standardMinutes(1))
        .setShards(0)
        .setMaxIdleTicks(60)
        .build();
  }

  /** How often, in event time, each shard learns the watermark. */
  public LateEvents<T> withTick(Duration tick) {
    checkPositive("tick", tick);
    return toBuilder().setTick(tick).build();
  }

  /** How many keys the routing state is spread over, instead of {@link #defaultShards}. */
  public LateEvents<T> withShards(int shards) {
    checkArgument(
        shards > 0 && shards <= MAX_SHARDS, "shards must be in [1, 65536], was %s", shards);
    return toBuilder().setShards(shards).build();
  }

  /**
   * The default shard count: {@link #SHARDS_PER_TASK} per parallel task of the runner that {@code
   * options} name, at most 65536. The parallelism is the Flink runner's {@code --parallelism}, the
   * DirectRunner's {@code --targetParallelism}, Dataflow's {@code --maxNumWorkers} (else {@code
   * --numWorkers}), read from those options when the runner's classes are on the class path;
   * otherwise, or when not positive, the number of processors here.
   */
  public static int defaultShards(PipelineOptions options) {
    return (int) Math.min(MAX_SHARDS, (long) SHARDS_PER_TASK * Parallelism.of(options));
  }

  /**
   * After how many ticks without data the tick interval starts doubling, on runners that do not
   * tell timers the watermark (elsewhere ticks follow the watermark and never back off).
   */
  public LateEvents<T> withMaxIdleTicks(int ticks) {
    checkArgument(ticks >= 0, "max idle ticks must not be negative, was %s", ticks);
    return toBuilder().setMaxIdleTicks(ticks).build();
  }

  @Override
  public Result<T> expand(PCollection<T> input) {
    Coder<T> coder = input.getCoder();
    int shards = shards() > 0 ? shards() : defaultShards(input.getPipeline().getOptions());
    KvCoder<Integer, T> shardedCoder = KvCoder.of(VarIntCoder.of(), NullableCoder.of(coder));
    TupleTag<T> onTime = new TupleTag<>("windowed");
    TupleTag<LateRecord<T>> late = new TupleTag<>("late");
    PCollection<KV<Integer, T>> sharded =
        input
            .apply("Shard", ParDo.of(new ShardFn<T>(shards)))
            .setCoder(shardedCoder)
            .apply(
                "GlobalWindow",
                Window.<KV<Integer, T>>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    PCollection<KV<Integer, T>> seeds =
        input
            .getPipeline()
            .apply("Impulse", Impulse.create())
            .apply("Seeds", ParDo.of(new SeedFn<T>(shards)))
            .setCoder(shardedCoder);
    PCollectionTuple split =
        PCollectionList.of(sharded)
            .and(seeds)
            .apply("WithSeeds", Flatten.pCollections())
            .apply(
                "Route",
                ParDo.of(
                        new RouteFn<>(
                            windows().windowFn(),
                            windows().getAllowedLateness(),
                            tick(),
                            maxIdleTicks(),
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
        .add(DisplayData.item("shards", shards() > 0 ? String.valueOf(shards()) : "default"))
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

  /** The shard of {@code element} among {@code shards}: a mixed hash of its key. */
  static int shardOf(Object element, int shards) {
    Object key = element instanceof KV<?, ?> kv ? kv.getKey() : element;
    // MurmurHash3's finalizer: spreads keys whose hash codes differ in few bits, as ids do.
    int h = key == null ? 0 : key.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, shards);
  }

  static final class ShardFn<T> extends DoFn<T, KV<Integer, T>> {
    private final int shards;

    ShardFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(shardOf(element, shards), element));
    }
  }

  /** One seed (a null value) per shard, at the beginning of time: starts every shard. */
  static final class SeedFn<T> extends DoFn<byte[], KV<Integer, T>> {
    private final int shards;

    SeedFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(OutputReceiver<KV<Integer, T>> out) {
      for (int shard = 0; shard < shards; shard++) {
        out.output(KV.of(shard, null));
      }
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

    RouteFn(
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
}

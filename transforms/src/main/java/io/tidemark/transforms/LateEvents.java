package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;
import static io.tidemark.transforms.Checks.checkPositive;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Impulse;
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
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

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
 * <p>Metrics: counter {@code late-events-routed}; distributions {@code late-by-ms} (how far behind
 * the watermark each routed event was) and {@code watermark-age-ms} (wall-clock time minus the
 * input watermark at each tick, where the runner reports the watermark to timers); gauge {@code
 * input-watermark-ms} (the input watermark at the latest tick, where the runner reports it).
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
                        new LateRouteFn<>(
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
}

package io.tidemark.bench;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.streaming.api.functions.source.SourceFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.time.Time;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The jobs as native Flink DataStream jobs on a local mini cluster. Engagement: keyed by user,
 * tumbling 5-minute event-time windows, allowed lateness, late data to a side output. Conversion:
 * clicks and purchases keyed by user and product into a {@link KeyedProcessFunction} that holds
 * them in state and decides each purchase on an event-time timer ({@link AttributeFunction}).
 *
 * <p>The watermark is bounded out-of-orderness as {@code BoundedOutOfOrdernessWatermarks} computes
 * it (largest timestamp so far, minus the bound, minus 1 ms), emitted by the source after every
 * event instead of every 200 ms of processing time, so that it does not depend on how fast the
 * source runs. Flink drops an element when {@code window end - 1 + lateness <= watermark}; with the
 * 1 ms offset that is exactly the reference model's rule.
 */
public final class FlinkNativeEngine implements Engine {
  private final int parallelism;

  public FlinkNativeEngine(int parallelism) {
    this.parallelism = parallelism;
  }

  @Override
  public String name() {
    return "native Flink DataStream p" + parallelism;
  }

  @Override
  public Outcome run(Job job, Workload w) throws Exception {
    String run = Outcomes.open(name());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    DataStream<Activity> events = env.addSource(new ActivitySource(w.id));
    if (job == Job.ENGAGEMENT) {
      OutputTag<Activity> late = new OutputTag<>("late") {};
      SingleOutputStreamOperator<WindowScore> scores =
          events
              .keyBy(a -> a.user)
              .window(TumblingEventTimeWindows.of(Time.milliseconds(Job.WINDOW_MILLIS)))
              .allowedLateness(Time.milliseconds(w.latenessMillis))
              .sideOutputLateData(late)
              .aggregate(new ScoreAggregate(), new WithWindow());
      scores.addSink(new ResultSink(run));
      scores.getSideOutput(late).addSink(new LateSink(run));
    } else {
      // The filter runs at the source's parallelism, chained to it: a rebalance between them would
      // let an event overtake a watermark sent before it through the other subtask.
      events
          .filter(a -> a.kind != Activity.VIEW)
          .setParallelism(events.getParallelism())
          .keyBy(a -> a.user + "|" + a.item)
          .process(new AttributeFunction(w.latenessMillis))
          .addSink(new ConversionSink(run));
    }
    env.execute(job.label());
    return Outcomes.close(run);
  }

  /** A purchase and the click it is attributed to. */
  public static class ConversionRow {
    public String purchase;
    public String click;
    public long clickTime;
    public long purchaseTime;

    public ConversionRow() {}
  }

  /**
   * The conversion join of one user and product. A purchase at {@code t} waits until the watermark
   * passes {@code t + lateness}, then takes the latest click held in {@code [t - 1 h, t]}; one that
   * arrives after that is decided at once. A click at {@code c} is held until the watermark passes
   * {@code c + 1 h + lateness}, the bound of the last purchase it can convert; one that arrives
   * after that is dropped. At equal bounds purchases go first. With the source's watermark (1 ms
   * behind the model's), a timer at a bound fires exactly when the model's watermark passes it.
   */
  static final class AttributeFunction
      extends KeyedProcessFunction<String, Activity, ConversionRow> {
    private final long lateness;
    private transient ListState<Activity> clicks;
    private transient ListState<Activity> purchases;

    AttributeFunction(long lateness) {
      this.lateness = lateness;
    }

    @Override
    public void open(Configuration parameters) {
      clicks =
          getRuntimeContext().getListState(new ListStateDescriptor<>("clicks", Activity.class));
      purchases =
          getRuntimeContext().getListState(new ListStateDescriptor<>("purchases", Activity.class));
    }

    @Override
    public void processElement(Activity a, Context ctx, Collector<ConversionRow> out)
        throws Exception {
      long watermark = ctx.timerService().currentWatermark();
      long bound = a.timestamp + lateness;
      if (a.kind == Activity.CLICK) {
        bound += Job.ATTRIBUTION_MILLIS;
      }
      if (bound <= watermark) {
        if (a.kind == Activity.PURCHASE) {
          decide(a, out);
        }
        return;
      }
      (a.kind == Activity.PURCHASE ? purchases : clicks).add(a);
      ctx.timerService().registerEventTimeTimer(bound);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ConversionRow> out)
        throws Exception {
      List<Activity> waiting = new ArrayList<>();
      for (Activity p : purchases.get()) {
        if (p.timestamp + lateness <= time) {
          decide(p, out);
        } else {
          waiting.add(p);
        }
      }
      purchases.update(waiting);
      List<Activity> held = new ArrayList<>();
      for (Activity c : clicks.get()) {
        if (c.timestamp + Job.ATTRIBUTION_MILLIS + lateness > time) {
          held.add(c);
        }
      }
      clicks.update(held);
    }

    private void decide(Activity p, Collector<ConversionRow> out) throws Exception {
      Activity latest = null;
      for (Activity c : clicks.get()) {
        if (c.timestamp <= p.timestamp
            && c.timestamp >= p.timestamp - Job.ATTRIBUTION_MILLIS
            && (latest == null
                || c.timestamp > latest.timestamp
                || (c.timestamp == latest.timestamp && c.eventId.compareTo(latest.eventId) > 0))) {
          latest = c;
        }
      }
      if (latest != null) {
        ConversionRow r = new ConversionRow();
        r.purchase = p.eventId;
        r.click = latest.eventId;
        r.clickTime = latest.timestamp;
        r.purchaseTime = p.timestamp;
        out.collect(r);
      }
    }
  }

  static final class ConversionSink implements SinkFunction<ConversionRow> {
    private final String run;

    ConversionSink(String run) {
      this.run = run;
    }

    @Override
    public void invoke(ConversionRow r, Context ctx) {
      Outcomes.get(run)
          .convert(r.purchase, new Outcome.Converted(r.click, r.clickTime, r.purchaseTime));
    }
  }

  /** A window's engagement: each firing restates the whole window. */
  public static class WindowScore {
    public String user;
    public long start;
    public long views;
    public long clicks;
    public long purchases;
    public int distinct;

    public WindowScore() {}
  }

  /** The workload's events with timestamps and the bounded out-of-orderness watermark. */
  static final class ActivitySource implements SourceFunction<Activity> {
    private final String workload;
    private volatile boolean running = true;

    ActivitySource(String workload) {
      this.workload = workload;
    }

    @Override
    public void run(SourceContext<Activity> ctx) {
      Workload w = Workload.get(workload);
      Engine.Timing.begin();
      long max = Long.MIN_VALUE;
      long emitted = Long.MIN_VALUE;
      for (Workload.Event e : w.events) {
        if (!running) {
          return;
        }
        Activity a = Activity.of(e.event(), e.timestamp());
        if (a != null) {
          ctx.collectWithTimestamp(a, e.timestamp());
        }
        max = Math.max(max, e.timestamp());
        long wm = max - w.outOfOrderMillis() - 1;
        if (wm > emitted) {
          ctx.emitWatermark(new Watermark(wm));
          emitted = wm;
        }
      }
    }

    @Override
    public void cancel() {
      running = false;
    }
  }

  static final class ScoreAggregate implements AggregateFunction<Activity, Counts, Counts> {
    @Override
    public Counts createAccumulator() {
      return new Counts();
    }

    @Override
    public Counts add(Activity a, Counts c) {
      return c.add(a);
    }

    @Override
    public Counts getResult(Counts c) {
      return c;
    }

    @Override
    public Counts merge(Counts a, Counts b) {
      return a.merge(b);
    }
  }

  static final class WithWindow
      extends ProcessWindowFunction<Counts, WindowScore, String, TimeWindow> {
    @Override
    public void process(
        String user, Context ctx, Iterable<Counts> counts, Collector<WindowScore> out) {
      Counts c = counts.iterator().next();
      WindowScore s = new WindowScore();
      s.user = user;
      s.start = ctx.window().getStart();
      s.views = c.views;
      s.clicks = c.clicks;
      s.purchases = c.purchases;
      s.distinct = c.items.size();
      out.collect(s);
    }
  }

  static final class ResultSink implements SinkFunction<WindowScore> {
    private final String run;

    ResultSink(String run) {
      this.run = run;
    }

    @Override
    public void invoke(WindowScore s, Context ctx) {
      long v = s.views;
      long c = s.clicks;
      long p = s.purchases;
      Outcomes.get(run)
          .put(s.user, s.start, new Outcome.Score(v + c * 3 + p * 10, v + c + p, v, c, p));
    }
  }

  static final class LateSink implements SinkFunction<Activity> {
    private final String run;

    LateSink(String run) {
      this.run = run;
    }

    @Override
    public void invoke(Activity a, Context ctx) {
      Outcomes.get(run).late(a.eventId);
    }
  }
}

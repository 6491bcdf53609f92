package io.tidemark.bench;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * The engagement job as a native Flink DataStream job on a local mini cluster: keyed by user,
 * tumbling 5-minute event-time windows, allowed lateness, late data to a side output.
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
  public Outcome run(Workload w) throws Exception {
    String run = Outcomes.open(name());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    OutputTag<Activity> late = new OutputTag<>("late") {};
    SingleOutputStreamOperator<WindowScore> scores =
        env.addSource(new ActivitySource(w.id))
            .keyBy(a -> a.user)
            .window(TumblingEventTimeWindows.of(Time.minutes(5)))
            .allowedLateness(Time.milliseconds(w.latenessMillis))
            .sideOutputLateData(late)
            .aggregate(new ScoreAggregate(), new WithWindow());
    scores.addSink(new ResultSink(run));
    DataStream<Activity> lateEvents = scores.getSideOutput(late);
    lateEvents.addSink(new LateSink(run));
    env.execute("engagement");
    return Outcomes.close(run);
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

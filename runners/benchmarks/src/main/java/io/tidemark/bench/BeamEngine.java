package io.tidemark.bench;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.conversion.ConversionPipeline;
import io.tidemark.pipelines.conversion.ConversionPipeline.ConversionOptions;
import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.schemas.Conversion;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.EventCoder;
import io.tidemark.schemas.LateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;

/**
 * Tidemark's own pipeline code on a Beam runner, fed from the in-memory workload: the engagement
 * pipeline ({@link EngagementPipeline#expand}), or the conversion pipeline's join ({@link
 * ConversionPipeline#conversions}). Results and late events are collected in this JVM.
 */
public final class BeamEngine implements Engine {
  private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]*)\"");

  private final String name;
  private final List<String> args;

  /** An engine named {@code name} running with pipeline options {@code args}. */
  public BeamEngine(String name, String... args) {
    this.name = name;
    this.args = List.of(args);
  }

  /** Beam on the embedded Flink cluster, streaming, at {@code parallelism}, plus {@code tuning}. */
  public static BeamEngine flink(int parallelism, String... tuning) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--streaming=true",
                "--parallelism=" + parallelism,
                "--autoWatermarkInterval=100"));
    a.addAll(List.of(tuning));
    String suffix = tuning.length == 0 ? "defaults" : String.join(" ", tuning);
    return new BeamEngine("Beam on Flink p" + parallelism + " " + suffix, a.toArray(new String[0]));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Outcome run(Job job, Workload w) {
    List<String> a = new ArrayList<>(args);
    long lateness = w.latenessMillis / 60_000;
    String run = Outcomes.open(name);
    Pipeline p;
    if (job == Job.ENGAGEMENT) {
      a.add("--allowedLatenessMinutes=" + lateness);
      EngagementOptions o =
          PipelineOptionsFactory.fromArgs(a.toArray(new String[0])).as(EngagementOptions.class);
      p = Pipeline.create(o);
      Output out = EngagementPipeline.expand(read(p, w), o);
      out.<Engagement>get("results").apply("CollectResults", ParDo.of(new CollectResultsFn(run)));
      out.<LateEvent>get("late").apply("CollectLate", ParDo.of(new CollectLateFn(run)));
    } else {
      a.add("--conversionLatenessMinutes=" + lateness);
      ConversionOptions o =
          PipelineOptionsFactory.fromArgs(a.toArray(new String[0])).as(ConversionOptions.class);
      p = Pipeline.create(o);
      ConversionPipeline.conversions(
              read(p, w), Duration.standardMinutes(o.getConversionLatenessMinutes()))
          .apply("CollectConversions", ParDo.of(new CollectConversionsFn(run)));
    }
    p.run().waitUntilFinish();
    return Outcomes.close(run);
  }

  private static Events read(Pipeline p, Workload w) {
    return Events.of(
        p.apply("Read", Read.from(new MemorySource(w.id, 500, 0, 1)))
            .apply("Unbatch", ParDo.of(new UnbatchFn()))
            .setCoder(EventCoder.of()));
  }

  static final class UnbatchFn
      extends DoFn<List<TimestampedValue<SpecificRecord>>, SpecificRecord> {
    @ProcessElement
    public void process(
        @Element List<TimestampedValue<SpecificRecord>> batch, OutputReceiver<SpecificRecord> out) {
      for (TimestampedValue<SpecificRecord> e : batch) {
        out.outputWithTimestamp(e.getValue(), e.getTimestamp());
      }
    }
  }

  static final class CollectResultsFn extends DoFn<Engagement, Void> {
    private final String run;

    CollectResultsFn(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element Engagement e) {
      Outcomes.get(run)
          .add(
              e.getUserId(),
              e.getWindowStart(),
              new Outcome.Score(
                  e.getScore(), e.getTotalEvents(), e.getViews(), e.getClicks(), e.getPurchases()));
    }
  }

  static final class CollectConversionsFn extends DoFn<Conversion, Void> {
    private final String run;

    CollectConversionsFn(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element Conversion c) {
      Outcomes.get(run)
          .convert(
              c.getPurchaseEventId(),
              new Outcome.Converted(c.getClickEventId(), c.getClickTime(), c.getPurchaseTime()));
    }
  }

  static final class CollectLateFn extends DoFn<LateEvent, Void> {
    private final String run;

    CollectLateFn(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(@Element LateEvent e) {
      Matcher m = EVENT_ID.matcher(e.getEvent());
      if (!m.find()) {
        throw new IllegalStateException("a late event without an eventId: " + e.getEvent());
      }
      Outcomes.get(run).late(m.group(1));
    }
  }
}

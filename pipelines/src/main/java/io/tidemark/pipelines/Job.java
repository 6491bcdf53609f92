package io.tidemark.pipelines;

import io.tidemark.pipelines.io.Sink;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.transforms.Parsed;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Runs one or more pipelines over one source: reads records, which the source decodes once and
 * stamps with their event time, builds each pipeline's graph under its own name and writes its
 * outputs to the {@link Sink} {@code --sink} names (files under {@code <outputDir>/<pipeline>/}, or
 * Kafka topics). The records no decoder could read and the events any pipeline rejected go to the
 * sink's one dead-letter output.
 */
public final class Job {
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(3);

  private final Pipeline pipeline;
  private final Map<String, Output> outputs = new LinkedHashMap<>();

  private Job(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** Builds the graph of {@code defs} over the source and sinks of {@code options}. */
  public static Job build(List<PipelineDef> defs, JobOptions options) {
    Sink sink = Sink.of(options);
    Pipeline p = Pipeline.create(options);
    PCollection<Parsed<SpecificRecord>> decoded = Sources.read(p, options);
    FailOnce<Parsed<SpecificRecord>> drill = FailOnce.of(options);
    if (drill != null) {
      decoded = decoded.apply("FailOnce", ParDo.of(drill)).setCoder(Events.decodedCoder());
    }
    Events events = Events.from(decoded);
    PCollectionList<DeadLetter> deadLetters =
        PCollectionList.of(
            events.deadLetters.apply(
                "CountDeadLetters",
                ParDo.of(new Windowed.CountFn<DeadLetter>("source", "dead-letters"))));
    Job job = new Job(p);
    for (PipelineDef def : defs) {
      Output out =
          p.begin()
              .apply(
                  def.name(),
                  new PTransform<PBegin, Output>() {
                    @Override
                    public Output expand(PBegin begin) {
                      Output o = def.graph().expand(events, options);
                      sink.write(def.name(), o);
                      return o;
                    }
                  });
      job.outputs.put(def.name(), out);
      if (out.deadLetters() != null) {
        deadLetters = deadLetters.and(out.deadLetters());
      }
    }
    // One dead-letter output: the records no decoder could read and the events a pipeline rejected.
    sink.writeDeadLetters(
        deadLetters.size() == 1
            ? deadLetters.get(0)
            : deadLetters
                .apply("DeadLetters", Flatten.pCollections())
                .setCoder(AvroCoder.of(DeadLetter.class)));
    return job;
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  public Map<String, Output> outputs() {
    return outputs;
  }

  /**
   * Runs to completion, printing progress every few seconds to {@code log}: on Flink, embedded or
   * remote, from the cluster's REST API, as the FlinkRunner returns no result until the job ends;
   * elsewhere from the {@link PipelineResult} (the DirectRunner's at once, as the CLI runs it with
   * {@code --blockOnRun=false}). The last line holds the finished job's metrics.
   */
  public PipelineResult run(PrintStream log) {
    List<String> names = List.copyOf(outputs.keySet());
    try (Progress progress = Progress.start(log, PROGRESS_EVERY)) {
      String rest;
      try {
        rest = FlinkRestSource.address(pipeline.getOptions());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write embedded Flink's configuration", e);
      }
      if (rest != null) {
        progress.use(new FlinkRestSource(rest, pipeline.getOptions().getJobName(), names));
      }
      PipelineResult result = pipeline.run();
      Progress.ResultSource metrics = new Progress.ResultSource(result, names);
      if (rest == null) {
        progress.use(metrics);
      }
      result.waitUntilFinish();
      progress.finish(metrics.read());
      return result;
    }
  }
}

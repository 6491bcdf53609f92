package io.tidemark.pipelines;

import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.Windowing;
import io.tidemark.pipelines.options.LatenessOptions;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * A pipeline the CLI can run: its name, its options interface, what it does (built from its option
 * values), its graph, its reference model, and the extra lines it adds to the run's summary.
 *
 * @param options the interface of this pipeline's own options, composed from the shared ones in
 *     {@code options/}; a run takes these, the job's ({@code JobOptions}) and no others ({@link
 *     Tidemark#options})
 * @param describe what the pipeline does with these options, in one line
 * @param graph builds the pipeline's outputs from the decoded events
 * @param model runs the pipeline's reference model ({@code io.tidemark.pipelines.model}) over the
 *     same input
 * @param figures counters of this pipeline the summary prints after the accounting table
 */
public record PipelineDef(
    String name,
    Class<? extends PipelineOptions> options,
    Describe describe,
    Graph graph,
    Model model,
    List<Figure> figures) {

  public PipelineDef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, name + ": options");
    Objects.requireNonNull(describe, name + ": describe");
    Objects.requireNonNull(graph, name + ": graph");
    Objects.requireNonNull(model, name + ": model");
    Objects.requireNonNull(figures, name + ": figures");
  }

  /** Builds a pipeline's outputs from the decoded event streams. */
  @FunctionalInterface
  public interface Graph {
    Output expand(Events events, PipelineOptions options);
  }

  /** What a pipeline does with the given options. */
  @FunctionalInterface
  public interface Describe {
    String of(PipelineOptions options);
  }

  /**
   * A pipeline's reference model over the model's input, with the pipeline's options: how many
   * inputs of the pipeline's accounting scope the model placed in a result, the number compared
   * with the pipeline's {@code in-results} counter over the same events.
   */
  @FunctionalInterface
  public interface Model {
    long inResults(Arrivals arrivals, PipelineOptions options);

    /** The allowed lateness of {@code options} ({@link LatenessOptions}) in milliseconds. */
    static long latenessMillis(PipelineOptions options) {
      return minutes(options.as(LatenessOptions.class).getAllowedLatenessMinutes());
    }

    /** Fixed windows of {@code minutes} with the allowed lateness of {@code options}. */
    static Windowing windows(int minutes, PipelineOptions options) {
      return new Windowing(minutes(minutes), latenessMillis(options));
    }

    /** {@code minutes} in milliseconds, as the models take durations. */
    static long minutes(long minutes) {
      return minutes * 60_000L;
    }
  }

  /** A summary line: the pipeline's counter {@code counter}, printed as {@code label}. */
  public record Figure(String counter, String label) {}

  /** What the pipeline does with its default options. */
  public String description() {
    return describe.of(PipelineOptionsFactory.as(options));
  }
}

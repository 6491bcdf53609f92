package io.tidemark.pipelines;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * A pipeline the CLI can run: its name, its options interface, what it does (built from its option
 * values), its graph, and the extra lines it adds to the run's summary.
 *
 * @param options the interface whose {@code --help} lists this pipeline's options
 * @param describe what the pipeline does with these options, in one line
 * @param graph builds the pipeline's outputs from the decoded events
 * @param figures counters of this pipeline the summary prints after the accounting table
 */
public record PipelineDef(
    String name,
    Class<? extends PipelineOptions> options,
    Describe describe,
    Graph graph,
    List<Figure> figures) {

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

  /** A summary line: the pipeline's counter {@code counter}, printed as {@code label}. */
  public record Figure(String counter, String label) {}

  /** What the pipeline does with its default options. */
  public String description() {
    return describe.of(PipelineOptionsFactory.as(options));
  }
}

package io.tidemark.pipelines;

import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A pipeline the CLI can run: its name, what it does, its options interface and its graph.
 *
 * @param options the interface whose {@code --help} lists this pipeline's options
 * @param graph builds the pipeline's outputs from the decoded events
 */
public record PipelineDef(
    String name, String description, Class<? extends PipelineOptions> options, Graph graph) {

  /** Builds a pipeline's outputs from the decoded event streams. */
  @FunctionalInterface
  public interface Graph {
    Output expand(Events events, PipelineOptions options);
  }
}

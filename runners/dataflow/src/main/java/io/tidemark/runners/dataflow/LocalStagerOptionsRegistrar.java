package io.tidemark.runners.dataflow;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/** Registers {@link LocalStagerOptions} so that {@code --localStagingDir} parses on the CLI. */
public final class LocalStagerOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return List.of(LocalStagerOptions.class);
  }
}

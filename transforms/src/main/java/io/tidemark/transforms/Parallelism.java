package io.tidemark.transforms;

import java.lang.reflect.Method;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The parallelism a pipeline's runner is configured for, read from the runner's own options by
 * name, so this module depends on no runner.
 */
public final class Parallelism {
  private Parallelism() {}

  /** A runner (by the start of its class name), its options interface and parallelism getters. */
  private record Source(String runnerPrefix, String optionsClass, List<String> getters) {}

  private static final List<Source> SOURCES =
      List.of(
          new Source(
              "Flink",
              "org.apache.beam.runners.flink.FlinkPipelineOptions",
              List.of("getParallelism")),
          new Source(
              "Direct",
              "org.apache.beam.runners.direct.DirectOptions",
              List.of("getTargetParallelism")),
          new Source(
              "Dataflow",
              "org.apache.beam.runners.dataflow.options.DataflowPipelineWorkerPoolOptions",
              List.of("getMaxNumWorkers", "getNumWorkers")));

  /** The first positive parallelism {@code options} set for their runner, else the processors. */
  public static int of(PipelineOptions options) {
    String runner = options.getRunner() == null ? "" : options.getRunner().getSimpleName();
    for (Source source : SOURCES) {
      if (runner.startsWith(source.runnerPrefix())
          || runner.startsWith("Test" + source.runnerPrefix())) {
        int value = read(options, source);
        if (value > 0) {
          return value;
        }
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }

  private static int read(PipelineOptions options, Source source) {
    try {
      Class<? extends PipelineOptions> type =
          Class.forName(source.optionsClass()).asSubclass(PipelineOptions.class);
      PipelineOptions view = options.as(type);
      for (String getter : source.getters()) {
        Method method = type.getMethod(getter);
        if (method.invoke(view) instanceof Number n && n.intValue() > 0) {
          return n.intValue();
        }
      }
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // The runner's classes are not on the class path: no parallelism to read.
    }
    return 0;
  }
}

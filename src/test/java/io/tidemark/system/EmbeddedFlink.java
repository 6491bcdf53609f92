package io.tidemark.system;

import static org.junit.Assert.assertEquals;

import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;

/**
 * The embedded FlinkRunner as the system tests use it: a Flink mini cluster in this JVM ({@code
 * --flinkMaster=[local]}), streaming, checkpointing off.
 */
public final class EmbeddedFlink {
  private EmbeddedFlink() {}

  /** Options for a streaming job on the embedded Flink cluster at {@code parallelism}. */
  public static FlinkPipelineOptions options(int parallelism) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster("[local]");
    options.setParallelism(parallelism);
    options.setStreaming(true);
    // How often sources of unbounded reads emit their readers' watermarks (the default, a fifth
    // of maxBundleTimeMills, is logged as a warning when unset).
    options.setAutoWatermarkInterval(100L);
    return options;
  }

  /**
   * Fails unless every {@link PAssert} of {@code pipeline} ran and none failed. A failing PAssert
   * fails the Flink job, but an assertion whose check never ran would pass silently; the runner's
   * metrics count both.
   */
  static void assertAllPAssertsRan(Pipeline pipeline, PipelineResult result) {
    assertEquals(
        "failed PAssert checks", 0, counter(result, PAssert.class, PAssert.FAILURE_COUNTER, null));
    assertEquals(
        "successful PAssert checks",
        PAssert.countAsserts(pipeline),
        counter(result, PAssert.class, PAssert.SUCCESS_COUNTER, null));
  }

  /**
   * The value of counter {@code name} in {@code namespace}, summed over the steps under {@code
   * step} (all steps if null). The FlinkRunner reports attempted values only.
   */
  static long counter(PipelineResult result, Class<?> namespace, String name, String step) {
    MetricsFilter.Builder filter =
        MetricsFilter.builder().addNameFilter(MetricNameFilter.named(namespace, name));
    if (step != null) {
      filter.addStep(step);
    }
    long sum = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(filter.build()).getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}

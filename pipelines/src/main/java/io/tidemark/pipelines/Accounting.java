package io.tidemark.pipelines;

import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * The counters every pipeline keeps so that each run can check that every input event is accounted
 * for: {@code in = in-results + late + dead-letters} per pipeline (only click-enrichment has dead
 * letters of its own), and {@code records = parsed + dead letters} overall. Counters live in the
 * namespace {@code tidemark} and are named {@code <pipeline>/<what>}.
 */
public final class Accounting {
  public static final String NAMESPACE = "tidemark";

  private Accounting() {}

  public static Counter counter(String pipeline, String what) {
    return Metrics.counter(NAMESPACE, pipeline + "/" + what);
  }

  /** The counter of output panes of {@code pipeline} with this pane's timing. */
  public static Counter paneCounter(String pipeline, PaneInfo pane) {
    return counter(pipeline, "panes-" + pane.getTiming().name().toLowerCase().replace('_', '-'));
  }

  /** Elements the runner itself dropped for lateness (its droppedDueToLateness counters). */
  public static long droppedByRunner(PipelineResult result) {
    long total = 0;
    for (MetricResult<Long> c :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (c.getName().getName().toLowerCase().startsWith("droppeddue")) {
        total += value(c);
      }
    }
    return total;
  }

  private static long value(MetricResult<Long> c) {
    Long v;
    try {
      v = c.getCommitted();
    } catch (UnsupportedOperationException e) {
      v = c.getAttempted();
    }
    return v == null ? 0 : v;
  }

  /** The committed (or, where the runner has none, attempted) value of a counter. */
  public static long read(PipelineResult result, String pipeline, String what) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(NAMESPACE, pipeline + "/" + what))
                    .build())
            .getCounters()) {
      total += value(c);
    }
    return total;
  }
}

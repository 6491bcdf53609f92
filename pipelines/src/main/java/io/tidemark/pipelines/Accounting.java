package io.tidemark.pipelines;

import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;

/**
 * The counters every pipeline keeps so that each run can check that every input event is accounted
 * for: {@code in = in-results + late + dead-letters} per pipeline (only click-enrichment rejects
 * events; their dead letters go to the job's one dead-letter output with the undecodable records),
 * and {@code records = parsed + dead letters} overall, counting the undecodable records ({@code
 * source/dead-letters}). Counters live in the namespace {@code tidemark} and are named {@code
 * <pipeline>/<what>}.
 */
public final class Accounting {
  public static final String NAMESPACE = "tidemark";

  private Accounting() {}

  public static Counter counter(String pipeline, String what) {
    return Metrics.counter(NAMESPACE, pipeline + "/" + what);
  }

  public static Distribution distribution(String pipeline, String what) {
    return Metrics.distribution(NAMESPACE, pipeline + "/" + what);
  }

  public static Gauge gauge(String pipeline, String what) {
    return Metrics.gauge(NAMESPACE, pipeline + "/" + what);
  }

  /** The counter of output panes of {@code pipeline} with this pane's timing. */
  public static Counter paneCounter(String pipeline, PaneInfo pane) {
    return counter(pipeline, "panes-" + pane.getTiming().name().toLowerCase().replace('_', '-'));
  }

  /** Elements the runner itself dropped for lateness (its droppedDueToLateness counters). */
  public static long droppedByRunner(PipelineResult result) {
    long total = 0;
    for (MetricResult<Long> c : all(result).getCounters()) {
      if (c.getName().getName().toLowerCase().startsWith("droppeddue")) {
        total += value(c);
      }
    }
    return total;
  }

  private static long value(MetricResult<Long> c) {
    Long v = committedOrAttempted(c);
    return v == null ? 0 : v;
  }

  /** The committed value of a metric, or the attempted one where the runner has no committed. */
  private static <T> T committedOrAttempted(MetricResult<T> m) {
    try {
      return m.getCommitted();
    } catch (UnsupportedOperationException e) {
      return m.getAttempted();
    }
  }

  /**
   * The sum of every counter named {@code name}, in any namespace (the transforms count under their
   * class names, for example {@code join-matches} or {@code dead-letters/<reason>}).
   */
  public static long counterNamed(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c : all(result).getCounters()) {
      if (c.getName().getName().equals(name)) {
        total += value(c);
      }
    }
    return total;
  }

  /** Every counter whose name starts with {@code prefix}, any namespace, summed by name. */
  public static SortedMap<String, Long> countersStartingWith(PipelineResult result, String prefix) {
    SortedMap<String, Long> byName = new TreeMap<>();
    for (MetricResult<Long> c : all(result).getCounters()) {
      if (c.getName().getName().startsWith(prefix)) {
        byName.merge(c.getName().getName(), value(c), Long::sum);
      }
    }
    return byName;
  }

  /** Every distribution named {@code name}, any namespace, merged; null if none was updated. */
  public static DistributionResult distributionNamed(PipelineResult result, String name) {
    DistributionResult merged = null;
    for (MetricResult<DistributionResult> d : all(result).getDistributions()) {
      if (d.getName().getName().equals(name)) {
        DistributionResult v = committedOrAttempted(d);
        if (v != null && v.getCount() > 0) {
          merged =
              merged == null
                  ? v
                  : DistributionResult.create(
                      merged.getSum() + v.getSum(),
                      merged.getCount() + v.getCount(),
                      Math.min(merged.getMin(), v.getMin()),
                      Math.max(merged.getMax(), v.getMax()));
        }
      }
    }
    return merged;
  }

  /** The gauge the late-events router sets to its input watermark at each tick. */
  public static final String INPUT_WATERMARK = "input-watermark-ms";

  /** The latest value of the gauges named {@code name}, any namespace; null if none was set. */
  public static Long gaugeNamed(PipelineResult result, String name) {
    GaugeResult latest = null;
    for (MetricResult<GaugeResult> g : all(result).getGauges()) {
      GaugeResult v = g.getName().getName().equals(name) ? committedOrAttempted(g) : null;
      if (v != null
          && !v.equals(GaugeResult.empty())
          && (latest == null || v.getTimestamp().isAfter(latest.getTimestamp()))) {
        latest = v;
      }
    }
    return latest == null ? null : latest.getValue();
  }

  private static MetricQueryResults all(PipelineResult result) {
    return result.metrics().queryMetrics(MetricsFilter.builder().build());
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

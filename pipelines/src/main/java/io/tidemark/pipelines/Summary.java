package io.tidemark.pipelines;

import java.io.PrintStream;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;

/** The readable end-of-run summary, with the accounting check of every pipeline. */
public final class Summary {
  private final PipelineResult result;
  private final List<String> pipelines;

  public Summary(PipelineResult result, List<String> pipelines) {
    this.result = result;
    this.pipelines = pipelines;
  }

  public long get(String pipeline, String what) {
    return Accounting.read(result, pipeline, what);
  }

  /** The sum of the counters named {@code name} in any namespace, e.g. {@code join-matches}. */
  public long metric(String name) {
    return Accounting.counterNamed(result, name);
  }

  /** The source's dead letters by reason ({@code not-json}, {@code truncated}, ...). */
  public SortedMap<String, Long> deadLettersByReason() {
    SortedMap<String, Long> byReason = new TreeMap<>();
    Accounting.countersStartingWith(result, "dead-letters/")
        .forEach((name, n) -> byReason.put(name.substring("dead-letters/".length()), n));
    return byReason;
  }

  /**
   * True when records = parsed + dead letters and each pipeline's in = results + late + its own
   * dead letters.
   */
  public boolean balanced() {
    if (get("source", "records") != get("source", "parsed") + get("source", "dead-letters")) {
      return false;
    }
    return pipelines.stream().allMatch(p -> difference(p) == 0);
  }

  /**
   * in - (in-results + late + dead-letters) of one pipeline; 0 when every event is accounted for.
   * Only pipelines that reject events (click-enrichment) count dead letters; for others it is 0.
   */
  public long difference(String pipeline) {
    return get(pipeline, "in")
        - get(pipeline, "in-results")
        - get(pipeline, "late")
        - get(pipeline, "dead-letters");
  }

  public void print(PrintStream out, double seconds) {
    long records = get("source", "records");
    long dead = get("source", "dead-letters");
    out.printf(
        "%nTidemark: %,d records in %.1f s (%,.0f records/s)%n%n",
        records, seconds, records / Math.max(seconds, 1e-9));
    out.printf(
        "%-18s %9s %7s %8s %6s %8s %10s  %s%n",
        "pipeline", "events in", "early", "on-time", "late", "routed", "in results", "accounting");
    for (String p : pipelines) {
      long diff = difference(p);
      out.printf(
          "%-18s %,9d %,7d %,8d %,6d %,8d %,10d  %s%n",
          p,
          get(p, "in"),
          get(p, "panes-early"),
          get(p, "panes-on-time"),
          get(p, "panes-late"),
          get(p, "late"),
          get(p, "in-results"),
          diff == 0 ? "OK" : "MISSING " + diff);
    }
    out.println();
    out.printf(
        "late events routed  %,d%n", pipelines.stream().mapToLong(p -> get(p, "late")).sum());
    long rejected = pipelines.stream().mapToLong(p -> get(p, "dead-letters")).sum();
    out.printf(
        "dead letters        %,d%s%n",
        dead + rejected,
        rejected == 0
            ? ""
            : String.format(" (%,d undecodable, %,d rejected by a pipeline)", dead, rejected));
    out.printf("dropped by runner   %,d%n", Accounting.droppedByRunner(result));
    metrics(out);
    for (PipelineDef def : Tidemark.PIPELINES) {
      if (pipelines.contains(def.name())) {
        for (PipelineDef.Figure f : def.figures()) {
          out.printf("%-19s %,d%n", f.label(), get(def.name(), f.counter()));
        }
      }
    }
    long parsed = get("source", "parsed");
    out.printf(
        "accounting          records in %,d = parsed %,d + undecodable %,d: %s%n",
        records,
        parsed,
        dead,
        records == parsed + dead ? "OK" : "DIFFERENCE " + (records - parsed - dead));
    out.printf(
        "                    every pipeline: events in = in results + routed late + rejected: %s%n",
        pipelines.stream().allMatch(p -> difference(p) == 0) ? "OK" : "DIFFERENCE (see above)");
  }

  /** Dead letters by reason, join matches and misses, event-time lag and watermark age. */
  private void metrics(PrintStream out) {
    StringBuilder reasons = new StringBuilder();
    Accounting.countersStartingWith(result, "dead-letters/")
        .forEach(
            (name, n) ->
                reasons
                    .append(reasons.length() == 0 ? "" : ", ")
                    .append(name.substring("dead-letters/".length()))
                    .append(' ')
                    .append(String.format("%,d", n)));
    if (reasons.length() > 0) {
      out.printf("  by reason         %s%n", reasons);
    }
    long matches = Accounting.counterNamed(result, "join-matches");
    long leftMisses = Accounting.counterNamed(result, "join-left-misses");
    long rightMisses = Accounting.counterNamed(result, "join-right-misses");
    if (matches + leftMisses + rightMisses > 0) {
      out.printf(
          "join pairs          %,d matched; misses: %,d left, %,d right%n",
          matches, leftMisses, rightMisses);
    }
    duration(out, "event-time lag", "source/event-time-lag-ms", "wall clock minus event time");
    duration(out, "watermark age", "watermark-age-ms", "wall clock minus watermark");
  }

  private void duration(PrintStream out, String label, String metric, String what) {
    DistributionResult d = Accounting.distributionNamed(result, metric);
    if (d != null) {
      out.printf(
          "%-19s mean %s, max %s (%s)%n", label, readable(d.getMean()), readable(d.getMax()), what);
    }
  }

  /** Milliseconds as a short readable duration: 850 ms, 12.3 s, 4.5 min, 7.2 h, 3.1 d. */
  static String readable(double millis) {
    double abs = Math.abs(millis);
    if (abs < 1_000) {
      return String.format("%.0f ms", millis);
    } else if (abs < 60_000) {
      return String.format("%.1f s", millis / 1_000);
    } else if (abs < 3_600_000) {
      return String.format("%.1f min", millis / 60_000);
    } else if (abs < 86_400_000) {
      return String.format("%.1f h", millis / 3_600_000);
    }
    return String.format("%.1f d", millis / 86_400_000);
  }
}

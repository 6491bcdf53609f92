package io.tidemark.pipelines;

import java.io.PrintStream;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;

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
    out.printf("dead letters        %,d%n", dead);
    out.printf("dropped by runner   %,d%n", Accounting.droppedByRunner(result));
    extra(out, "fraud", "alerts", "fraud alerts");
    extra(out, "fraud", "suspicious", "  suspicious");
    extra(out, "conversion", "conversions", "conversions");
    long parsed = get("source", "parsed");
    out.printf(
        "accounting          records in %,d = parsed %,d + dead letters %,d: %s%n",
        records,
        parsed,
        dead,
        records == parsed + dead ? "OK" : "DIFFERENCE " + (records - parsed - dead));
    out.printf(
        "                    every pipeline: events in = in results + routed late: %s%n",
        pipelines.stream().allMatch(p -> difference(p) == 0) ? "OK" : "DIFFERENCE (see above)");
  }

  private void extra(PrintStream out, String pipeline, String counter, String label) {
    if (pipelines.contains(pipeline)) {
      out.printf("%-19s %,d%n", label, get(pipeline, counter));
    }
  }
}

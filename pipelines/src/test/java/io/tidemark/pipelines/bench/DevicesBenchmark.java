package io.tidemark.pipelines.bench;

import io.tidemark.pipelines.enrichment.Devices;
import io.tidemark.pipelines.model.UserAgents;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of device detection per click: the analyzer's one-time build, then the median of five
 * rounds over agents it has seen (its cache answers, as for a site's few common agents) and over
 * agents it has not (every one parsed, as for a long tail). Run with
 *
 * <pre>
 * mvn -B -q -pl pipelines -am -Pbenchmark -DskipTests test -Dbenchmark.main=io.tidemark.pipelines.bench.DevicesBenchmark
 * </pre>
 */
public final class DevicesBenchmark {
  private static final int ROUNDS = 5;
  private static final int CACHED_CLICKS = 500_000;
  private static final int DISTINCT_CLICKS = 5_000;

  private DevicesBenchmark() {}

  public static void main(String[] args) {
    long start = System.nanoTime();
    Devices.detect(UserAgents.all().get(0));
    System.out.printf("analyzer build: %.1f s%n", (System.nanoTime() - start) / 1e9);

    List<String> known = UserAgents.all();
    double[] cached = new double[ROUNDS];
    double[] distinct = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      cached[r] = nanosPerClick(known, CACHED_CLICKS);
      List<String> fresh = new ArrayList<>(DISTINCT_CLICKS);
      for (int i = 0; i < DISTINCT_CLICKS; i++) {
        fresh.add(known.get(i % known.size()) + " r" + r + "/" + i);
      }
      distinct[r] = nanosPerClick(fresh, DISTINCT_CLICKS);
    }
    System.out.printf(
        "per click, median of %d rounds: cached agent %.2f us, new agent %.1f us (%d cores)%n",
        ROUNDS,
        median(cached) / 1e3,
        median(distinct) / 1e3,
        Runtime.getRuntime().availableProcessors());
  }

  private static double nanosPerClick(List<String> agents, int clicks) {
    long start = System.nanoTime();
    int bots = 0;
    for (int i = 0; i < clicks; i++) {
      if (Devices.detect(agents.get(i % agents.size())).deviceClass().equals(Devices.BOT)) {
        bots++;
      }
    }
    long elapsed = System.nanoTime() - start;
    if (bots < 0) {
      throw new AssertionError();
    }
    return (double) elapsed / clicks;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}

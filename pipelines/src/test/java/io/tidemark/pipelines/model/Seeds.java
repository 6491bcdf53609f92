package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Which seeds a differential test runs, from system properties.
 *
 * <ul>
 *   <li>{@code tidemark.seed}: run only this seed (to reproduce a failure);
 *   <li>{@code tidemark.seeds}: how many seeds, {@code 1 .. n} (default: the test's own, a few);
 *   <li>{@code tidemark.seedBase}: the first seed (default 1);
 *   <li>{@code tidemark.batch}: seeds run side by side in one pipeline (default 8).
 * </ul>
 */
final class Seeds {
  private Seeds() {}

  static List<Long> get(int defaultCount) {
    String one = System.getProperty("tidemark.seed");
    if (one != null && !one.isBlank()) {
      return List.of(Long.parseLong(one.trim()));
    }
    int n = Integer.getInteger("tidemark.seeds", defaultCount);
    long base = Long.getLong("tidemark.seedBase", 1L);
    List<Long> seeds = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      seeds.add(base + i);
    }
    return seeds;
  }

  static int batch() {
    return Math.max(1, Integer.getInteger("tidemark.batch", 8));
  }

  /** The one-line command that reruns {@code test} with only {@code seed}. */
  static String reproduce(Class<?> test, long seed) {
    return "mvn -o -B test -Dspotless.check.skip -pl pipelines -am -Dtest="
        + test.getSimpleName()
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dtidemark.seed="
        + seed;
  }
}

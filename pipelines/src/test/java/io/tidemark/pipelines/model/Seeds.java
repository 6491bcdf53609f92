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

  /**
   * The random source of {@code seed} for the purpose {@code salt}: the seed is mixed first, so
   * consecutive seeds give unrelated streams (a SplittableRandom seeded with multiples of its own
   * increment would give shifted copies of one stream).
   */
  static java.util.SplittableRandom random(long seed, long salt) {
    long z = seed * 0xBF58476D1CE4E5B9L + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new java.util.SplittableRandom(z ^ (z >>> 31));
  }

  static int batch() {
    return Math.max(1, Integer.getInteger("tidemark.batch", 8));
  }

  /**
   * The one-line command that reruns {@code test} of Maven {@code module} with only {@code seed}.
   */
  static String reproduce(String module, Class<?> test, long seed) {
    return "mvn -B test -Dspotless.check.skip -pl "
        + module
        + " -am -Dtest="
        + test.getSimpleName()
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dtidemark.seed="
        + seed;
  }
}

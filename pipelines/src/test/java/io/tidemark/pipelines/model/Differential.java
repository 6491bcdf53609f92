package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PDone;

/**
 * Runs a differential test over many seeds: each seed's stream is one branch of a DirectRunner
 * pipeline (several seeds side by side per pipeline, {@link Seeds#batch}), and after the run each
 * seed's Beam outputs are compared with the model. A failure names every failing seed with the
 * command that reruns it alone.
 */
final class Differential {
  private static final AtomicLong RUNS = new AtomicLong();

  private Differential() {}

  /** One seed of a test. */
  interface Case {
    /**
     * Builds the seed's branch from {@code begin}; collect outputs under keys starting {@code id}.
     */
    void build(PBegin begin, long seed, String id);

    /**
     * Compares the seed's collected outputs with the model; returns the problems found. When {@code
     * exact} is false the runner's watermark may lag the model's, so only what cannot depend on
     * when the watermark moves is compared (see {@link Checks}).
     */
    List<String> check(long seed, String id, PipelineResult result, boolean exact);
  }

  /** A case per seed, built fresh for each seed. */
  interface CaseFactory {
    Case create(long seed);
  }

  /**
   * Where the seeds run: the Maven module of the test (for the rerun command), the runner's options
   * and whether its watermark moves exactly as the model's (the DirectRunner with a TestStream).
   */
  record Runner(String module, Supplier<PipelineOptions> options, boolean exact) {
    static final Runner DIRECT = new Runner("pipelines", PipelineOptionsFactory::create, true);
  }

  /**
   * Runs {@code factory}'s cases on the DirectRunner; see {@link #run(Class, int, CaseFactory,
   * Runner)}.
   */
  static void run(Class<?> test, int defaultSeeds, CaseFactory factory) {
    run(test, defaultSeeds, factory, Runner.DIRECT);
  }

  /** Runs {@code factory}'s cases for the seeds of {@code test}; fails naming each bad seed. */
  static void run(Class<?> test, int defaultSeeds, CaseFactory factory, Runner runner) {
    List<Long> seeds = Seeds.get(defaultSeeds);
    int batch = Seeds.batch();
    System.out.println(
        test.getSimpleName()
            + ": "
            + seeds.size()
            + " seed(s) from "
            + seeds.get(0)
            + ", "
            + batch
            + " per pipeline");
    Checks.TIMING_FREE_COMPARED.set(0);
    Checks.TIMING_FREE_SKIPPED.set(0);
    List<String> failures = new ArrayList<>();
    long start = System.nanoTime();
    for (int from = 0; from < seeds.size(); from += batch) {
      List<Long> some = seeds.subList(from, Math.min(seeds.size(), from + batch));
      failures.addAll(runBatch(test, some, factory, runner));
      if (seeds.size() > batch) {
        System.out.printf(
            "%s: %d of %d seeds in %.0f s, %d failed%n",
            test.getSimpleName(),
            from + some.size(),
            seeds.size(),
            (System.nanoTime() - start) / 1e9,
            failures.size());
      }
      if (failures.size() > 20) {
        break;
      }
    }
    if (!runner.exact()) {
      long compared = Checks.TIMING_FREE_COMPARED.get();
      System.out.println(
          test.getSimpleName()
              + ": "
              + compared
              + " model lines compared timing-free, "
              + Checks.TIMING_FREE_SKIPPED.get()
              + " left out");
      if (compared == 0) {
        failures.add("no window or key of these seeds could be compared timing-free");
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size() + " seed(s) differ from the model:\n\n" + String.join("\n\n", failures));
    }
  }

  private static List<String> runBatch(
      Class<?> test, List<Long> seeds, CaseFactory factory, Runner runner) {
    Pipeline p = Pipeline.create(runner.options().get());
    long run = RUNS.incrementAndGet();
    List<Case> cases = new ArrayList<>();
    for (long seed : seeds) {
      Case c = factory.create(seed);
      cases.add(c);
      String id = test.getSimpleName() + "/" + run + "/" + seed;
      p.begin().apply("Seed" + seed, new Branch(c, seed, id));
    }
    List<String> failures = new ArrayList<>();
    PipelineResult result;
    try {
      result = p.run();
      result.waitUntilFinish();
    } catch (RuntimeException | AssertionError e) {
      for (long seed : seeds) {
        failures.add(
            "seed "
                + seed
                + ": the pipeline failed: "
                + e
                + "\n  reproduce: "
                + Seeds.reproduce(runner.module(), test, seed));
      }
      return failures;
    }
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      String id = test.getSimpleName() + "/" + run + "/" + seed;
      List<String> problems;
      try {
        problems = cases.get(i).check(seed, id, result, runner.exact());
      } catch (RuntimeException | AssertionError e) {
        problems = List.of("the check failed: " + e);
      }
      if (!problems.isEmpty()) {
        failures.add(
            "seed "
                + seed
                + ": "
                + String.join("\n", problems)
                + "\n  reproduce: "
                + Seeds.reproduce(runner.module(), test, seed));
      }
    }
    return failures;
  }

  /** One seed's part of the pipeline, named after the seed so step names stay unique. */
  static final class Branch extends PTransform<PBegin, PDone> {
    private final transient Case c;
    private final long seed;
    private final String id;

    Branch(Case c, long seed, String id) {
      this.c = c;
      this.seed = seed;
      this.id = id;
    }

    @Override
    public PDone expand(PBegin begin) {
      c.build(begin, seed, id);
      return PDone.in(begin.getPipeline());
    }
  }
}

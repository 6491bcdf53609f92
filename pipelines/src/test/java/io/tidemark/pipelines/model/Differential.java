package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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

    /** Compares the seed's collected outputs with the model; returns the problems found. */
    List<String> check(long seed, String id, PipelineResult result);
  }

  /** A case per seed, built fresh for each seed. */
  interface CaseFactory {
    Case create(long seed);
  }

  /** Runs {@code factory}'s cases for the seeds of {@code test}; fails naming each bad seed. */
  static void run(Class<?> test, int defaultSeeds, CaseFactory factory) {
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
    List<String> failures = new ArrayList<>();
    for (int from = 0; from < seeds.size(); from += batch) {
      List<Long> some = seeds.subList(from, Math.min(seeds.size(), from + batch));
      failures.addAll(runBatch(test, some, factory));
      if (failures.size() > 20) {
        break;
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size() + " seed(s) differ from the model:\n\n" + String.join("\n\n", failures));
    }
  }

  private static List<String> runBatch(Class<?> test, List<Long> seeds, CaseFactory factory) {
    PipelineOptions options = PipelineOptionsFactory.create();
    Pipeline p = Pipeline.create(options);
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
                + Seeds.reproduce(test, seed));
      }
      return failures;
    }
    for (int i = 0; i < seeds.size(); i++) {
      long seed = seeds.get(i);
      String id = test.getSimpleName() + "/" + run + "/" + seed;
      List<String> problems;
      try {
        problems = cases.get(i).check(seed, id, result);
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
                + Seeds.reproduce(test, seed));
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

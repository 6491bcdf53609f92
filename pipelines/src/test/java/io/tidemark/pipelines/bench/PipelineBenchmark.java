package io.tidemark.pipelines.bench;

import io.tidemark.pipelines.Accounting;
import io.tidemark.pipelines.Job;
import io.tidemark.pipelines.PipelineDef;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.GeneratorArrivals;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;

/**
 * Each pipeline on the DirectRunner against its plain-Java reference model (the baseline), over the
 * same generator events, side by side in one JVM. Not a test: run it by hand (README, Benchmarks):
 *
 * <pre>
 * mvn -B -q -pl pipelines -am -Pbenchmark -DskipTests test -Dbenchmark.args="ROUNDS [demo options]"
 * </pre>
 *
 * <p>A round runs every pipeline of the registry ({@link Tidemark#PIPELINES}) once on Beam and once
 * on the model its entry names ({@link PipelineDef#model}). Beam's time covers the whole job:
 * generating, encoding and decoding the records, the pipeline and its file output. The model's
 * covers the model alone (single-threaded) over the same events, generated beforehand, repeated for
 * at least half a second and divided by the repetitions; its allocation is measured in bytes per
 * input event. One warm-up round, then the median of the measured rounds. The results column is the
 * number of inputs of the pipeline's accounting scope placed in a result by Beam (its {@code
 * in-results} counter) and by the model: they differ only where an event's lateness is decided by
 * Beam's tick.
 */
public final class PipelineBenchmark {
  /** One measured pipeline: its median times and its results. */
  public record Row(
      String pipeline,
      double beamMillis,
      double modelMillis,
      double modelBytesPerEvent,
      long beamResults,
      long modelResults) {
    double ratio() {
      return beamMillis / modelMillis;
    }
  }

  /** The watermark step of the model's input: Beam's late routing decides on whole minutes. */
  static final long TICK_MILLIS = 60_000L;

  /** How long the model runs are repeated in a round, at least. */
  static final long MODEL_NANOS = 500_000_000L;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private PipelineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String[] options = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];
    print(run(1, rounds, options), options, rounds, System.out);
  }

  /** {@code warmups} rounds, then {@code rounds} measured ones; {@code options} are the demo's. */
  public static List<Row> run(int warmups, int rounds, String... options) throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be at least 1, was " + rounds);
    }
    Map<String, double[]> beam = new LinkedHashMap<>();
    Map<String, double[]> model = new LinkedHashMap<>();
    Map<String, double[]> bytes = new LinkedHashMap<>();
    Map<String, long[]> results = new LinkedHashMap<>();
    for (int round = -warmups; round < rounds; round++) {
      for (PipelineDef def : Tidemark.PIPELINES) {
        String name = def.name();
        Path out = Files.createTempDirectory("tidemark-bench");
        JobOptions o = options(options, out);
        System.gc();
        long start = System.nanoTime();
        Job job = Job.build(List.of(def), o);
        PipelineResult result = job.pipeline().run();
        result.waitUntilFinish();
        double beamMillis = (System.nanoTime() - start) / 1e6;

        GeneratorConfig config = Sources.generatorConfig(o);
        Arrivals arrivals =
            GeneratorArrivals.of(new EventGenerator(config), config.maxEvents(), TICK_MILLIS);
        PipelineDef.Model run = def.model();
        System.gc();
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        start = System.nanoTime();
        long modelResults = 0;
        int runs = 0;
        do { // the model is fast: repeat it for a measurable time
          modelResults = run.inResults(arrivals, o);
          runs++;
        } while (System.nanoTime() - start < MODEL_NANOS);
        double modelMillis = (System.nanoTime() - start) / 1e6 / runs;
        allocated = (THREADS.getCurrentThreadAllocatedBytes() - allocated) / runs;
        if (round >= 0) {
          beam.computeIfAbsent(name, k -> new double[rounds])[round] = beamMillis;
          model.computeIfAbsent(name, k -> new double[rounds])[round] = modelMillis;
          bytes.computeIfAbsent(name, k -> new double[rounds])[round] =
              (double) allocated / config.maxEvents();
          results.put(name, new long[] {Accounting.read(result, name, "in-results"), modelResults});
        }
        deleteRecursively(out);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (String name : beam.keySet()) {
      rows.add(
          new Row(
              name,
              median(beam.get(name)),
              median(model.get(name)),
              median(bytes.get(name)),
              results.get(name)[0],
              results.get(name)[1]));
    }
    return rows;
  }

  private static JobOptions options(String[] args, Path out) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--outputDir=" + out);
    all.add("--enforceEncodability=false");
    all.add("--enforceImmutability=false");
    return Tidemark.options(Tidemark.PIPELINES, all.toArray(new String[0]));
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static void print(List<Row> rows, String[] options, int rounds, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "Beam DirectRunner vs reference model, options %s, 1 warm-up + %d measured rounds,"
            + " Java %s, %d cores, load average %.1f at the end%n",
        Arrays.toString(options),
        rounds,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.println(
        "| pipeline         | Beam median ms | model median ms | Beam / model | model B/event |"
            + " results Beam / model |");
    out.println(
        "|------------------|----------------|-----------------|--------------|---------------|"
            + "----------------------|");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "| %-16s | %14.0f | %15.1f | %12.0f | %13.0f | %9d / %-9d |%n",
          r.pipeline(),
          r.beamMillis(),
          r.modelMillis(),
          r.ratio(),
          r.modelBytesPerEvent(),
          r.beamResults(),
          r.modelResults());
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

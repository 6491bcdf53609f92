package io.tidemark.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The engagement and conversion jobs ({@link Job}) on Beam (embedded Flink, DirectRunner), native
 * Flink, native Kafka Streams and the plain-Java reference model, side by side in one JVM over the
 * same pre-generated events. Not a test: run it with the {@code bench} profile (README,
 * Benchmarks):
 *
 * <pre>
 * mvn -B -q -pl runners/benchmarks -am -Pbench -DskipTests verify -Dbench.events=100000
 * </pre>
 *
 * <p>Per engine: one warm-up run, then {@code --runs} measured runs. Throughput is events over the
 * time from the engine's first read to the end of the job (start-up excluded, shut-down included);
 * CPU is the whole process's CPU time over the same span; peak heap is the sum of the heap pools'
 * peaks above the heap in use after a GC before the run, garbage included; heap after GC is the
 * largest heap in use right after any collection during the run, above the same baseline, so closer
 * to the state the engine holds ("-" if no collection ran). Each run's output is compared with the
 * reference model's ({@link Job#compare}).
 *
 * <p>Options: {@code --events=N} (several comma-separated sizes run one after another), {@code
 * --runs=5}, {@code --seed=42}, {@code --users=100}, {@code --eventsPerSecond=2}, {@code
 * --latenessMinutes=10}, {@code --engines=a,b} (substrings of engine names), {@code
 * --jobs=engagement,conversion}, {@code --out=DIR}, {@code --cpus=0,1}: run the benchmark in a
 * child JVM pinned to those CPUs with {@code taskset -c} (Linux), for scaling measurements.
 */
public final class EngineBenchmark {
  /** The medians of one engine's measured runs and its worst comparison with the model. */
  record Row(
      String engine,
      double eventsPerSecond,
      double minRate,
      double maxRate,
      double cpuSecondsPerMillion,
      double peakHeapMb,
      double liveHeapMb,
      String verdict) {}

  /** The largest heap in use right after a collection since the last reset, in bytes. */
  private static final AtomicLong LIVE_PEAK = new AtomicLong();

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private EngineBenchmark() {}

  /** Every engine of the comparison, in table order. */
  public static List<Engine> engines() {
    return List.of(
        new ModelEngine(),
        new FlinkNativeEngine(1),
        new FlinkNativeEngine(2),
        new KafkaStreamsEngine(),
        new BeamEngine("Beam on DirectRunner", "--runner=DirectRunner"),
        BeamEngine.flink(1),
        BeamEngine.flink(2),
        BeamEngine.flink(1, tuning()),
        BeamEngine.flink(2, tuning()),
        BeamEngine.flink(2, bundlesOfOne()));
  }

  static String[] tuning() {
    return new String[] {"--objectReuse=true", "--fasterCopy=true", "--maxBundleSize=10000"};
  }

  /**
   * The tuning with one-element bundles, so that the watermark keeps up with the input. Beam's
   * Flink DoFnOperator (2.70) does not pass on a watermark that arrives while a bundle is open, and
   * does not pass it on when that bundle ends either; under a steady stream of input each step
   * nearly always has a bundle open, so the watermark reaches the windows and joins only when the
   * input stops, and they hold all their state until then. With bundles of one element a watermark
   * finds no bundle open between two elements.
   */
  static String[] bundlesOfOne() {
    return new String[] {"--maxBundleSize=1", "--objectReuse=true", "--fasterCopy=true"};
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Map<String, String> o = parse(args);
    String cpus = o.getOrDefault("cpus", "");
    if (!cpus.isEmpty() && System.getProperty("bench.pinned") == null) {
      System.exit(pinned(cpus, args));
    }
    watchCollections();
    int runs = positive(o, "runs", "5");
    List<String> filter =
        o.containsKey("engines") ? Arrays.asList(o.get("engines").split(",")) : List.of();
    List<Job> jobs =
        Arrays.stream(o.getOrDefault("jobs", "engagement,conversion").split(","))
            .map(Job::of)
            .toList();
    List<Engine> engines = new ArrayList<>();
    for (Engine e : engines()) {
      if (filter.isEmpty() || filter.stream().anyMatch(f -> e.name().contains(f))) {
        engines.add(e);
      }
    }
    StringBuilder raw = new StringBuilder();
    PrintStream out = tee(System.out, raw);
    out.printf(
        "# Beam against native engines (%s)%n%s, %d cores%s, load average %.2f, %s %s, max heap"
            + " %d MB%n",
        LocalDate.now(),
        System.getProperty("os.name"),
        Runtime.getRuntime().availableProcessors(),
        cpus.isEmpty() ? "" : " (pinned to CPUs " + cpus + " with taskset)",
        OS.getSystemLoadAverage(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    for (String size : o.getOrDefault("events", "100000").split(",")) {
      Workload w =
          Workload.generate(
              Long.parseLong(o.getOrDefault("seed", "42")),
              Long.parseLong(size.trim()),
              positive(o, "users", "100"),
              positive(o, "eventsPerSecond", "2"),
              Integer.parseInt(o.getOrDefault("latenessMinutes", "10")));
      for (Job job : jobs) {
        Outcome reference = new ModelEngine().run(job, w);
        out.printf(
            Locale.ROOT,
            "%n## %s job, %s generator records (%d decoded events; the model: %s), %d runs + 1"
                + " warm-up, load average %.2f%n",
            job.label(),
            size,
            w.events.size(),
            job == Job.ENGAGEMENT
                ? reference.late().size() + " late events"
                : reference.conversions().size() + " conversions",
            runs,
            OS.getSystemLoadAverage());
        List<Row> rows = new ArrayList<>();
        for (Engine e : engines) {
          rows.add(measure(e, job, w, reference, runs, out));
        }
        out.printf(Locale.ROOT, "%nload average %.2f%n", OS.getSystemLoadAverage());
        table(rows, out);
      }
    }
    out.printf("%nload average at the end: %.2f%n", OS.getSystemLoadAverage());
    Path dir = Path.of(o.getOrDefault("out", "results"));
    Files.createDirectories(dir);
    Path file = dir.resolve(LocalDate.now() + ".txt");
    Files.writeString(
        file,
        raw.toString(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    System.out.println("raw output appended to " + file);
    System.exit(0); // embedded clusters leave non-daemon threads behind
  }

  /**
   * Runs this benchmark with {@code args} in a child JVM (same JVM options and class path) pinned
   * to {@code cpus} by {@code taskset -c}; returns its exit code.
   */
  private static int pinned(String cpus, String[] args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "taskset",
                "-c",
                cpus,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbench.pinned=" + cpus));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), EngineBenchmark.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  static Row measure(Engine e, Job job, Workload w, Outcome reference, int runs, PrintStream out)
      throws Exception {
    double[] rates = new double[runs];
    double[] cpu = new double[runs];
    double[] heap = new double[runs];
    double[] live = new double[runs];
    String verdict = null;
    for (int r = -1; r < runs; r++) {
      System.gc();
      long baseline = heapUsed();
      resetPeaks();
      LIVE_PEAK.set(0);
      Engine.Timing.reset();
      long cpu0 = OS.getProcessCpuTime();
      long t0 = System.nanoTime();
      Outcome outcome = e.run(job, w);
      long t1 = System.nanoTime();
      long cpu1 = OS.getProcessCpuTime();
      cpu0 = Engine.Timing.startedCpu(cpu0);
      double peak = (peakHeap() - baseline) / 1048576.0;
      long livePeak = LIVE_PEAK.get();
      double liveMb = livePeak == 0 ? Double.NaN : (livePeak - baseline) / 1048576.0;
      double seconds = (t1 - Engine.Timing.started(t0)) / 1e9;
      Outcome.Verdict v = job.compare(outcome, reference, w);
      if (verdict == null || !v.exact()) {
        verdict = v.toString();
      }
      out.printf(
          Locale.ROOT,
          "%s run %s: %.3f s from first read (%.3f s in all), %.0f events/s, cpu %.2f s, peak heap"
              + " +%.0f MB, after GC %s, %s%n",
          e.name(),
          r < 0 ? "warm-up" : String.valueOf(r + 1),
          seconds,
          (t1 - t0) / 1e9,
          w.events.size() / seconds,
          (cpu1 - cpu0) / 1e9,
          peak,
          Double.isNaN(liveMb) ? "none ran" : "+" + mb(liveMb) + " MB",
          v);
      if (r >= 0) {
        rates[r] = w.events.size() / seconds;
        cpu[r] = (cpu1 - cpu0) / 1e9 / (w.events.size() / 1e6);
        heap[r] = peak;
        live[r] = liveMb;
      }
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    return new Row(
        e.name(),
        median(rates),
        sorted[0],
        sorted[runs - 1],
        median(cpu),
        median(heap),
        median(Arrays.stream(live).filter(x -> !Double.isNaN(x)).toArray()),
        verdict);
  }

  static void table(List<Row> rows, PrintStream out) {
    out.println(
        "| engine | events/s (median) | min..max | CPU s per M events | peak heap MB | heap after"
            + " GC MB | output vs reference model |");
    out.println("|---|---:|---:|---:|---:|---:|---|");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "| %s | %,.0f | %,.0f..%,.0f | %.1f | %.0f | %s | %s |%n",
          r.engine(),
          r.eventsPerSecond(),
          r.minRate(),
          r.maxRate(),
          r.cpuSecondsPerMillion(),
          r.peakHeapMb(),
          mb(r.liveHeapMb()),
          r.verdict());
    }
  }

  /** Megabytes, or "-" where no collection ran. */
  private static String mb(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  /** The median, NaN of none. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static long heapUsed() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getUsage().getUsed();
      }
    }
    return sum;
  }

  /** Keeps {@link #LIVE_PEAK} up to date from every collection's heap in use after it. */
  private static void watchCollections() {
    Set<String> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (n, handback) -> {
                if (!n.getType()
                    .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                long used = 0;
                for (Map.Entry<String, java.lang.management.MemoryUsage> u :
                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
                        .getGcInfo()
                        .getMemoryUsageAfterGc()
                        .entrySet()) {
                  if (heapPools.contains(u.getKey())) {
                    used += u.getValue().getUsed();
                  }
                }
                LIVE_PEAK.accumulateAndGet(used, Math::max);
              },
              null,
              null);
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("arguments are --name=value, was " + a);
      }
      String name = a.substring(2, eq);
      if (!List.of(
              "events",
              "runs",
              "seed",
              "users",
              "eventsPerSecond",
              "latenessMinutes",
              "engines",
              "jobs",
              "cpus",
              "out")
          .contains(name)) {
        throw new IllegalArgumentException(
            "unknown option --" + name + " (value " + a.substring(eq + 1) + ")");
      }
      o.put(name, a.substring(eq + 1));
    }
    return o;
  }

  private static int positive(Map<String, String> o, String name, String otherwise) {
    String v = o.getOrDefault(name, otherwise);
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n <= 0) {
      throw new IllegalArgumentException("--" + name + " must be a positive integer, was " + v);
    }
    return n;
  }

  private static PrintStream tee(PrintStream console, StringBuilder copy) {
    return new PrintStream(
        new java.io.OutputStream() {
          @Override
          public void write(int b) {
            console.write(b);
            copy.append((char) b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            console.write(b, off, len);
            copy.append(new String(b, off, len, StandardCharsets.UTF_8));
          }
        },
        true,
        StandardCharsets.UTF_8);
  }
}

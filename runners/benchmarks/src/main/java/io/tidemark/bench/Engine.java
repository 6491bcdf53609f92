package io.tidemark.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One engine, running each {@link Job} over a {@link Workload}. */
public interface Engine {
  /** The name in the results table. */
  String name();

  /** Runs {@code job} over every event of {@code w} to completion; returns what it computed. */
  Outcome run(Job job, Workload w) throws Exception;

  /**
   * When an engine started reading its input, so that start-up (building a job graph, starting a
   * mini cluster) is not timed. Sources call {@link #begin} as they read their first event.
   */
  final class Timing {
    private static final AtomicLong STARTED = new AtomicLong();
    private static final AtomicLong STARTED_CPU = new AtomicLong(-1);
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private Timing() {}

    /** Forgets the last start. */
    public static void reset() {
      STARTED.set(0);
      STARTED_CPU.set(-1);
    }

    /** Marks the start of processing, once per run. */
    public static void begin() {
      if (STARTED.compareAndSet(0, System.nanoTime())) {
        STARTED_CPU.set(OS.getProcessCpuTime());
      }
    }

    /** The process CPU time at the marked start, or {@code otherwise} if none was marked. */
    public static long startedCpu(long otherwise) {
      long s = STARTED_CPU.get();
      return s < 0 ? otherwise : s;
    }

    /** The marked start, or {@code otherwise} if none was marked. */
    public static long started(long otherwise) {
      long s = STARTED.get();
      return s == 0 ? otherwise : s;
    }
  }

  /**
   * The outcomes of running jobs, by run id: sinks running inside an embedded cluster in this JVM
   * write to them.
   */
  final class Outcomes {
    private static final Map<String, Outcome> RUNS = new ConcurrentHashMap<>();

    private Outcomes() {}

    /** A new run id with an empty outcome. */
    public static String open(String engine) {
      String id = engine + "-" + System.nanoTime();
      RUNS.put(id, new Outcome());
      return id;
    }

    public static Outcome get(String id) {
      return RUNS.get(id);
    }

    /** The outcome of run {@code id}, forgotten here. */
    public static Outcome close(String id) {
      return RUNS.remove(id);
    }
  }
}

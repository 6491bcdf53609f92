package io.tidemark.pipelines;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.PipelineResult;

/**
 * Progress while a job runs: events processed, events per second, the current watermark and the
 * late events routed so far, every few seconds. On a terminal one line is updated in place; in a
 * log (stdout not a terminal) each update is a line of its own. The figures come from a {@link
 * Source}: the job's own metrics, read where the job runs ({@link ResultSource} from the {@link
 * PipelineResult}, {@link FlinkRestSource} from a Flink cluster's REST API).
 */
final class Progress implements AutoCloseable {

  /** What a source knows at one moment; {@code late} or {@code watermarkMillis} null if unknown. */
  record Snapshot(long events, Long late, Long watermarkMillis) {}

  /** Where the figures come from. */
  interface Source {
    /** The figures now, or null when the job is not there yet. */
    Snapshot read() throws Exception;
  }

  /**
   * The rate is averaged over this much time at least: a Flink JobManager refreshes the metrics it
   * serves every 10 s by default, so a shorter window would swing between 0 and bursts.
   */
  static final Duration RATE_WINDOW = Duration.ofSeconds(15);

  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final AtomicReference<Source> source = new AtomicReference<>();
  private final Thread thread;

  /** Recent (nanoTime, events) samples: the rate is taken over at least {@link #RATE_WINDOW}. */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();

  private int width;

  private Progress(PrintStream out, boolean terminal, Duration every) {
    this.out = out;
    this.terminal = terminal;
    this.thread = new Thread(() -> loop(every), "tidemark-progress");
    thread.setDaemon(true);
  }

  /** Starts reporting to {@code out} every {@code every}; in place when stdout is a terminal. */
  static Progress start(PrintStream out, Duration every) {
    Progress p = new Progress(out, out == System.out && System.console() != null, every);
    p.thread.start();
    return p;
  }

  /** From now on, reads the figures from {@code s}. */
  void use(Source s) {
    source.set(s);
  }

  private void loop(Duration every) {
    try {
      while (true) {
        Thread.sleep(every.toMillis());
        Source s = source.get();
        Snapshot snap = null;
        try {
          snap = s == null ? null : s.read();
        } catch (InterruptedException e) {
          throw e;
        } catch (Exception e) {
          // a poll that fails (the job not there yet, a busy REST API) skips one update
        }
        if (snap != null) {
          print("progress", snap, false);
        }
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  /** Stops polling and prints the final figures (the finished job's metrics). */
  void finish(Snapshot last) {
    close();
    print("done", last, true);
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void print(String what, Snapshot s, boolean last) {
    long now = System.nanoTime();
    samples.addLast(new long[] {now, s.events()});
    while (samples.size() > 2
        && now - samples.stream().skip(1).findFirst().orElseThrow()[0] >= RATE_WINDOW.toNanos()) {
      samples.removeFirst();
    }
    long[] from = last || samples.size() < 2 ? new long[] {started, 0} : samples.getFirst();
    double rate = (s.events() - from[1]) / Math.max((now - from[0]) / 1e9, 1e-9);
    String line = line(what, s, rate);
    if (terminal) {
      out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
      if (last) {
        out.println();
      }
      out.flush();
    } else {
      out.println(line);
    }
  }

  /**
   * One progress line, e.g. {@code progress 12,000 events, 3,100 events/s, watermark ..., 7 late}.
   */
  static String line(String what, Snapshot s, double eventsPerSecond) {
    return String.format(
        "  %-8s %,d events, %,.0f events/s, watermark %s, %s late",
        what,
        s.events(),
        eventsPerSecond,
        watermark(s.watermarkMillis()),
        s.late() == null ? "-" : String.format("%,d", s.late()));
  }

  /** The last instant an event may have; a watermark past it has reached the end of time. */
  private static final long LAST_EVENT_TIME =
      Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

  static String watermark(Long millis) {
    if (millis == null) {
      return "-";
    } else if (millis > LAST_EVENT_TIME) {
      return "end";
    } else if (millis < 0) {
      return "start"; // before 1970: the beginning of time, as no event is earlier
    }
    return Instant.ofEpochMilli(millis).toString();
  }

  /**
   * The job's metrics from its {@link PipelineResult}: any runner whose result answers while
   * running.
   */
  static final class ResultSource implements Source {
    private final PipelineResult result;
    private final List<String> pipelines;

    ResultSource(PipelineResult result, List<String> pipelines) {
      this.result = result;
      this.pipelines = pipelines;
    }

    @Override
    public Snapshot read() {
      long late = 0;
      for (String p : pipelines) {
        late += Accounting.read(result, p, "late");
      }
      return new Snapshot(
          Accounting.read(result, "source", "records"),
          late,
          Accounting.gaugeNamed(result, Accounting.INPUT_WATERMARK));
    }
  }
}

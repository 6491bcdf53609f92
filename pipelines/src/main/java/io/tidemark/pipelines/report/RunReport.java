package io.tidemark.pipelines.report;

import io.tidemark.pipelines.Summary;
import io.tidemark.pipelines.report.Scatter.Kind;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the run report shows: the run's accounting, each pipeline's result records per window of
 * event time, and the scatter of event time against arrival. {@link #collect} gathers it after a
 * run from the run's counters, its output folder and, for the generator, a replay of the generated
 * records (the generator is a pure function of its seed, so the replay is the input the run read).
 */
public final class RunReport {
  /** One pipeline's accounting terms and its panes by timing, as the summary prints them. */
  public record PipelineAccount(
      String name,
      long in,
      long inResults,
      long late,
      long deadLetters,
      long panesEarly,
      long panesOnTime,
      long panesLate) {
    /** in - (in results + late + dead letters): 0 when every event is accounted for. */
    public long difference() {
      return in - inResults - late - deadLetters;
    }
  }

  /** The run's accounting: records = parsed + dead letters, and each pipeline's terms. */
  public record Accounts(
      long records, long parsed, long deadLetters, List<PipelineAccount> pipelines) {
    /** The accounting of a finished run, read from its counters. */
    public static Accounts of(Summary s, List<String> pipelines) {
      List<PipelineAccount> lines = new ArrayList<>();
      for (String p : pipelines) {
        lines.add(
            new PipelineAccount(
                p,
                s.get(p, "in"),
                s.get(p, "in-results"),
                s.get(p, "late"),
                s.get(p, "dead-letters"),
                s.get(p, "panes-early"),
                s.get(p, "panes-on-time"),
                s.get(p, "panes-late")));
      }
      return new Accounts(
          s.get("source", "records"),
          s.get("source", "parsed"),
          s.get("source", "dead-letters"),
          List.copyOf(lines));
    }

    public boolean balanced() {
      return records == parsed + deadLetters
          && pipelines.stream().allMatch(p -> p.difference() == 0);
    }
  }

  /** Timings of result panes, in the order the charts stack them. */
  public static final List<String> TIMINGS = List.of("EARLY", "ON_TIME", "LATE", "NONE");

  /** A pipeline's result records counted per window start (or per bin of their event time). */
  public static final class Windows {
    /** Bin of results that name no window: 5 minutes of their event time. */
    static final long BIN_MILLIS = 5 * 60_000L;

    public final String pipeline;
    private final SortedMap<Long, long[]> counts = new TreeMap<>();
    private boolean windowed;

    public Windows(String pipeline) {
      this.pipeline = pipeline;
    }

    /** Counts one result record of the window (or bin) starting at {@code start}. */
    public void add(long start, String timing) {
      int t = TIMINGS.indexOf(timing);
      counts
          .computeIfAbsent(start, k -> new long[TIMINGS.size()])[t < 0 ? TIMINGS.size() - 1 : t]++;
    }

    /** Result records by window start, each an array of counts by {@link #TIMINGS}. */
    public SortedMap<Long, long[]> counts() {
      return counts;
    }

    /** True when the results name their windows; else they are binned by their event time. */
    public boolean windowed() {
      return windowed;
    }

    public long total() {
      return counts.values().stream().mapToLong(c -> Arrays.stream(c).sum()).sum();
    }
  }

  public final String title;
  public final Accounts accounts;
  public final List<Windows> windows;

  /** Null when the source is not the generator: the report cannot replay the input. */
  public final Scatter scatter;

  public final List<String> notes;

  public RunReport(
      String title, Accounts accounts, List<Windows> windows, Scatter scatter, List<String> notes) {
    this.title = title;
    this.accounts = accounts;
    this.windows = List.copyOf(windows);
    this.scatter = scatter;
    this.notes = List.copyOf(notes);
  }

  private static final Pattern WINDOW_START = Pattern.compile("\"windowStart\":(-?\\d+)");
  private static final Pattern TIMING = Pattern.compile("\"timing\":\"([A-Z_]+)\"");
  private static final Pattern EVENT_TIME =
      Pattern.compile("\"(?:eventTime|transactionTime|purchaseTime)\":(-?\\d+)");
  private static final Pattern GENERATOR_POSITION =
      Pattern.compile("\"source\":\"generator\",\"position\":(\\d+)");
  // The generator's event ids are "e" + the record's index; in late events the event is a string
  // of JSON, so its quotes are escaped.
  private static final Pattern EVENT_ID = Pattern.compile("eventId\\\\?\":\\\\?\"e(\\d+)\\\\?\"");

  /**
   * Gathers the report of a finished run.
   *
   * @param outputDir the run's local output folder, or null when its output is not local
   * @param generator the generator the run read, or null for another source
   * @param perStep records per step of the generator's watermark ({@code GenerateEvents})
   */
  public static RunReport collect(
      String title,
      Accounts accounts,
      Path outputDir,
      GeneratorConfig generator,
      long perStep,
      Scatter scatter) {
    List<String> notes = new ArrayList<>();
    List<Windows> windows = new ArrayList<>();
    BitSet tooLate = new BitSet();
    BitSet dead = new BitSet();
    if (outputDir != null) {
      for (PipelineAccount p : accounts.pipelines()) {
        windows.add(windows(p.name(), outputDir.resolve(p.name()).resolve("results")));
        lines(outputDir.resolve(p.name()).resolve("late"), l -> mark(EVENT_ID, l, tooLate));
      }
      lines(outputDir.resolve("dead-letters"), l -> mark(GENERATOR_POSITION, l, dead));
    } else {
      notes.add(
          "The output is not on this machine's file system: no results per window, and routed"
              + " late events are not told apart in the scatter.");
    }
    if (generator != null) {
      replay(generator, perStep, tooLate, dead, scatter);
    } else {
      notes.add(
          "The scatter needs the input in the order it was read: it is drawn for the built-in"
              + " generator only.");
    }
    return new RunReport(title, accounts, windows, generator != null ? scatter : null, notes);
  }

  /**
   * Replays the generator: each record's arrival (its place on the generator's clock), event time,
   * the source watermark when it was read (that of the previous step), and what became of it.
   */
  static void replay(
      GeneratorConfig config, long perStep, BitSet tooLate, BitSet dead, Scatter scatter) {
    EventGenerator generator = new EventGenerator(config);
    long step = Math.max(1, perStep);
    for (long i = 0; i < config.maxEvents(); i++) {
      EventGenerator.Stamp g = generator.stamp(i);
      long arrival = config.arrival(i).getMillis();
      long eventTime = g.timestamp().getMillis();
      long first = i - i % step;
      Long watermark = first == 0 ? null : config.watermarkAfter(first - 1).getMillis();
      Kind kind;
      if (g.corrupt() || dead.get((int) i)) {
        kind = Kind.DEAD_LETTER;
      } else if (tooLate.get((int) i)) {
        kind = Kind.TOO_LATE;
      } else if (watermark != null && eventTime < watermark) {
        kind = Kind.LATE_KEPT;
      } else {
        kind = Kind.ON_TIME;
      }
      scatter.add(arrival, eventTime, kind);
      if (watermark != null) {
        scatter.watermark(arrival, watermark);
      }
    }
  }

  static Windows windows(String pipeline, Path results) {
    Windows w = new Windows(pipeline);
    lines(
        results,
        line -> {
          Matcher start = WINDOW_START.matcher(line);
          Matcher timing = TIMING.matcher(line);
          String t = timing.find() ? timing.group(1) : "NONE";
          if (start.find()) {
            w.windowed = true;
            w.add(Long.parseLong(start.group(1)), t);
          } else {
            Matcher time = EVENT_TIME.matcher(line);
            if (time.find()) {
              long ms = Long.parseLong(time.group(1));
              w.add(ms - Math.floorMod(ms, Windows.BIN_MILLIS), t);
            }
          }
        });
    return w;
  }

  private static void mark(Pattern p, String line, BitSet into) {
    Matcher m = p.matcher(line);
    if (m.find()) {
      long index = Long.parseLong(m.group(1));
      if (index <= Integer.MAX_VALUE) {
        into.set((int) index);
      }
    }
  }

  /** Every line of the {@code part*.jsonl} files of {@code folder}, if it exists. */
  static void lines(Path folder, Consumer<String> each) {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.startsWith("part") || !name.endsWith(".jsonl")) {
          continue;
        }
        try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            each.accept(line);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

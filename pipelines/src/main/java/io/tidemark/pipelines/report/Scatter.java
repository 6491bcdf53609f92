package io.tidemark.pipelines.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The points of the report's scatter, event time against arrival, sampled so that the report stays
 * small however many events a run reads: each kind keeps a uniform sample (a reservoir) of at most
 * its cap, and counts every event. The watermark line keeps every k-th point, k doubling whenever
 * it holds more than its cap, so it stays evenly spread over the whole run.
 */
public final class Scatter {
  /** What became of an event, for the colour of its point. */
  public enum Kind {
    ON_TIME("on time", "#2b7bba"),
    LATE_KEPT("behind the watermark, kept in a window", "#e69f00"),
    TOO_LATE("too late: routed to the late stream", "#d62728"),
    DEAD_LETTER("dead letter", "#6a3d9a");

    public final String label;
    public final String colour;

    Kind(String label, String colour) {
      this.label = label;
      this.colour = colour;
    }
  }

  /** One event: when it arrived, its event time (both epoch millis) and what became of it. */
  public record Point(long arrival, long eventTime, Kind kind) {}

  /**
   * A point of the watermark line: the watermark when the event arriving at {@code arrival} was
   * read.
   */
  public record Mark(long arrival, long watermark) {}

  /** The default cap of sampled points per kind. */
  public static final int DEFAULT_CAP = 2500;

  /** The default cap of watermark points. */
  public static final int DEFAULT_LINE_CAP = 1000;

  private final int cap;
  private final int lineCap;
  private final SplittableRandom random;
  private final Map<Kind, List<Point>> samples = new EnumMap<>(Kind.class);
  private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final List<Mark> line = new ArrayList<>();
  private long lineStride = 1;
  private long lineSeen;

  public Scatter(int cap, int lineCap, long seed) {
    if (cap < 1 || lineCap < 2) {
      throw new IllegalArgumentException(
          "caps must be at least 1 point and 2 marks, were " + cap + " and " + lineCap);
    }
    this.cap = cap;
    this.lineCap = lineCap;
    this.random = new SplittableRandom(seed);
    for (Kind k : Kind.values()) {
      samples.put(k, new ArrayList<>());
      counts.put(k, 0L);
    }
  }

  public Scatter() {
    this(DEFAULT_CAP, DEFAULT_LINE_CAP, 1);
  }

  /** Adds one event; it is kept with probability cap / events of its kind so far. */
  public void add(long arrival, long eventTime, Kind kind) {
    long n = counts.merge(kind, 1L, Long::sum);
    List<Point> sample = samples.get(kind);
    Point p = new Point(arrival, eventTime, kind);
    if (sample.size() < cap) {
      sample.add(p);
    } else {
      long slot = random.nextLong(n);
      if (slot < cap) {
        sample.set((int) slot, p);
      }
    }
  }

  /** Adds the watermark in force when the event arriving at {@code arrival} was read. */
  public void watermark(long arrival, long watermark) {
    if (lineSeen++ % lineStride != 0) {
      return;
    }
    line.add(new Mark(arrival, watermark));
    if (line.size() > lineCap) {
      List<Mark> half = new ArrayList<>();
      for (int i = 0; i < line.size(); i += 2) {
        half.add(line.get(i));
      }
      line.clear();
      line.addAll(half);
      lineStride *= 2;
    }
  }

  /** Every event of this kind added, sampled or not. */
  public long count(Kind kind) {
    return counts.get(kind);
  }

  /** The sampled points of this kind. */
  public List<Point> sample(Kind kind) {
    return List.copyOf(samples.get(kind));
  }

  /** The sampled watermark line, in arrival order. */
  public List<Mark> line() {
    return List.copyOf(line);
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public int cap() {
    return cap;
  }
}

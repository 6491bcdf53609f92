package io.tidemark.pipelines.model;

/**
 * Fixed event-time windows of {@code sizeMillis} aligned to the epoch, with {@code latenessMillis}
 * of allowed lateness.
 */
public record Windowing(long sizeMillis, long latenessMillis) {
  public Windowing {
    if (sizeMillis <= 0) {
      throw new IllegalArgumentException("window size must be positive, was " + sizeMillis);
    }
    if (latenessMillis < 0) {
      throw new IllegalArgumentException("lateness must not be negative, was " + latenessMillis);
    }
  }

  /** Windows of {@code minutes} with {@code latenessMinutes} of allowed lateness. */
  public static Windowing minutes(long minutes, long latenessMinutes) {
    return new Windowing(minutes * 60_000L, latenessMinutes * 60_000L);
  }

  /** The start of the window of {@code timestamp}. */
  public long start(long timestamp) {
    return timestamp - Math.floorMod(timestamp, sizeMillis);
  }

  /** The (exclusive) end of the window of {@code timestamp}. */
  public long end(long timestamp) {
    return start(timestamp) + sizeMillis;
  }

  /**
   * The last watermark at which data of the window of {@code timestamp} is still accepted: its last
   * moment ({@code end - 1}) plus the allowed lateness.
   */
  public long closing(long timestamp) {
    return end(timestamp) - 1 + latenessMillis;
  }

  /** The category of an event at {@code timestamp} arriving when the watermark is {@code wm}. */
  public Lateness classify(long timestamp, long wm) {
    if (wm <= timestamp) {
      return Lateness.ON_TIME;
    }
    long last = end(timestamp) - 1;
    if (wm <= last) {
      return Lateness.UNOBSERVABLY_LATE;
    }
    return wm <= last + latenessMillis ? Lateness.OBSERVABLY_LATE : Lateness.DROPPABLY_LATE;
  }
}

package io.tidemark.pipelines.io;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * The watermark of one partition of an event-time stream, driven by the data only: the greatest
 * event time seen minus the out-of-orderness bound, and never going back. Wall-clock time never
 * moves it. The Kafka source ({@code io/kafka/EventTimePolicyFactory}) and the streaming file
 * replay ({@link FileReplay}) both keep one per partition, so the same records in the same order
 * give the same watermark from either. Not thread-safe.
 */
public final class OutOfOrdernessWatermark implements Serializable {
  private static final long MIN = BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis();
  private static final long MAX = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();

  private final long boundMillis;
  private long maxEventTime = Long.MIN_VALUE;
  private long watermark = MIN;

  /**
   * @param boundMillis how far behind the greatest event time a record may be without being late
   */
  public OutOfOrdernessWatermark(long boundMillis) {
    if (boundMillis < 0) {
      throw new IllegalArgumentException(
          "the out-of-orderness bound must not be negative, was " + boundMillis + " ms");
    }
    this.boundMillis = boundMillis;
  }

  /** Records an event time seen in this partition. */
  public void observe(long eventTimeMillis) {
    maxEventTime = Math.max(maxEventTime, eventTimeMillis);
  }

  /** The greatest event time seen, or {@link Long#MIN_VALUE} before the first. */
  public long maxEventTime() {
    return maxEventTime;
  }

  /** The watermark now: the greatest event time minus the bound, never less than before. */
  public long current() {
    if (maxEventTime != Long.MIN_VALUE) {
      watermark = Math.max(watermark, Math.min(MAX, maxEventTime - boundMillis));
    }
    return watermark;
  }

  /** Raises the watermark to at least {@code millis} (a restored or idle partition's). */
  public void raiseTo(long millis) {
    watermark = Math.max(watermark, Math.min(MAX, millis));
  }
}

package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An event that arrived after its window closed, that is after the watermark passed the end of the
 * window plus the allowed lateness. For sliding windows the window is the last one the event
 * belongs to.
 */
public final class LateRecord<T> {
  private final T event;
  private final Instant eventTime;
  private final IntervalWindow window;
  private final Instant watermark;
  private final Duration allowedLateness;

  public LateRecord(
      T event,
      Instant eventTime,
      IntervalWindow window,
      Instant watermark,
      Duration allowedLateness) {
    this.event = event;
    this.eventTime = eventTime;
    this.window = window;
    this.watermark = watermark;
    this.allowedLateness = allowedLateness;
  }

  public T event() {
    return event;
  }

  public Instant eventTime() {
    return eventTime;
  }

  public IntervalWindow window() {
    return window;
  }

  /** A lower bound of the input watermark when the event arrived. */
  public Instant watermark() {
    return watermark;
  }

  public Duration allowedLateness() {
    return allowedLateness;
  }

  /** How far the watermark was past the window's closing time (end plus allowed lateness). */
  public Duration lateBy() {
    return new Duration(window.maxTimestamp().plus(allowedLateness), watermark);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LateRecord)) {
      return false;
    }
    LateRecord<?> that = (LateRecord<?>) o;
    return Objects.equals(event, that.event)
        && eventTime.equals(that.eventTime)
        && window.equals(that.window)
        && watermark.equals(that.watermark)
        && allowedLateness.equals(that.allowedLateness);
  }

  @Override
  public int hashCode() {
    return Objects.hash(event, eventTime, window, watermark, allowedLateness);
  }

  @Override
  public String toString() {
    return "LateRecord{"
        + event
        + " at "
        + eventTime
        + " in "
        + window
        + ", late by "
        + lateBy()
        + "}";
  }

  /** A coder for late records of events encoded with {@code eventCoder}. */
  public static <T> Coder<LateRecord<T>> coder(Coder<T> eventCoder) {
    return new LateRecordCoder<>(eventCoder);
  }

  static final class LateRecordCoder<T> extends StructuredCoder<LateRecord<T>> {
    private static final Coder<Instant> INSTANT = InstantCoder.of();
    private static final Coder<IntervalWindow> WINDOW = IntervalWindow.getCoder();
    private final Coder<T> eventCoder;

    LateRecordCoder(Coder<T> eventCoder) {
      this.eventCoder = eventCoder;
    }

    @Override
    public void encode(LateRecord<T> value, OutputStream out) throws IOException {
      eventCoder.encode(value.event, out);
      INSTANT.encode(value.eventTime, out);
      WINDOW.encode(value.window, out);
      INSTANT.encode(value.watermark, out);
      INSTANT.encode(new Instant(value.allowedLateness.getMillis()), out);
    }

    @Override
    public LateRecord<T> decode(InputStream in) throws IOException {
      return new LateRecord<>(
          eventCoder.decode(in),
          INSTANT.decode(in),
          WINDOW.decode(in),
          INSTANT.decode(in),
          Duration.millis(INSTANT.decode(in).getMillis()));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(eventCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "event coder must be deterministic", eventCoder);
    }
  }
}

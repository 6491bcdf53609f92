package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The input of a model: events in the order they arrive, each with its event timestamp, interleaved
 * with advances of the event-time watermark. The watermark starts at {@link #MIN} and ends at
 * {@link #MAX} (the input is finished) after the last step.
 */
public final class Arrivals {
  /** The watermark before the first advance. */
  public static final long MIN = Long.MIN_VALUE;

  /** The watermark once the input is finished. */
  public static final long MAX = Long.MAX_VALUE;

  /** One step of the input. */
  public sealed interface Step permits Arrival, Advance {}

  /**
   * An input record at source {@code position}, stamped {@code timestamp}; {@code event} is null
   * for a record that cannot be decoded.
   */
  public record Arrival(long position, long timestamp, SpecificRecord event) implements Step {}

  /** The watermark moves to {@code watermark}. */
  public record Advance(long watermark) implements Step {}

  /** What a model does with each step; the watermark is the one in force at the arrival. */
  public interface Listener {
    void event(long position, long timestamp, SpecificRecord event, long watermark);

    void corrupt(long position, long timestamp, long watermark);

    void watermark(long watermark);
  }

  private final List<Step> steps = new ArrayList<>();
  private long watermark = MIN;

  /** An event arrives. */
  public Arrivals arrive(long position, long timestamp, SpecificRecord event) {
    if (event == null) {
      throw new IllegalArgumentException("event at position " + position + " is null; corrupt()");
    }
    steps.add(new Arrival(position, timestamp, event));
    return this;
  }

  /** A record that cannot be decoded arrives. */
  public Arrivals corrupt(long position, long timestamp) {
    steps.add(new Arrival(position, timestamp, null));
    return this;
  }

  /** The watermark advances to {@code to}; an advance to where it already is is ignored. */
  public Arrivals advanceTo(long to) {
    if (to < watermark) {
      throw new IllegalArgumentException(
          "the watermark cannot go back from " + watermark + " to " + to);
    }
    if (to > watermark) {
      watermark = to;
      steps.add(new Advance(to));
    }
    return this;
  }

  public List<Step> steps() {
    return Collections.unmodifiableList(steps);
  }

  /** Replays the steps to {@code listener}, then advances the watermark to {@link #MAX}. */
  public void replay(Listener listener) {
    long wm = MIN;
    for (int i = 0, n = steps.size(); i < n; i++) {
      Step s = steps.get(i);
      if (s instanceof Arrival a) {
        if (a.event() == null) {
          listener.corrupt(a.position(), a.timestamp(), wm);
        } else {
          listener.event(a.position(), a.timestamp(), a.event(), wm);
        }
      } else {
        wm = ((Advance) s).watermark();
        listener.watermark(wm);
      }
    }
    listener.watermark(MAX);
  }
}

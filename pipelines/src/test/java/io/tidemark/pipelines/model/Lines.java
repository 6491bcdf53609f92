package io.tidemark.pipelines.model;

import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.WireFormat;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Canonical one-line forms of results, shared by the model side and the Beam side of a test. */
final class Lines {
  private Lines() {}

  static String time(long millis) {
    return java.time.Instant.ofEpochMilli(millis).toString();
  }

  static String window(long start, long end) {
    return "[" + time(start) + ", " + time(end) + ")";
  }

  static String window(WindowKey w) {
    return w.key() + " " + window(w.start(), w.end());
  }

  /** A late event: key, type, event time, window and source position. */
  static String late(String key, String type, long eventTime, long start, long end, long position) {
    return key
        + " "
        + type
        + " at "
        + time(eventTime)
        + " in "
        + window(start, end)
        + " #"
        + position;
  }

  /** Maps events (by their JSON form, as late-event records carry them) back to positions. */
  static final class Positions {
    private final Map<String, Deque<Long>> byJson = new HashMap<>();

    Positions(Iterable<EventScenario.Item> items) {
      for (EventScenario.Item i : items) {
        if (i.event() != null) {
          byJson
              .computeIfAbsent(WireFormat.toJson(i.event()), k -> new ArrayDeque<>())
              .add(i.position());
        }
      }
    }

    /** The position of the event whose JSON is {@code json} (each position handed out once). */
    long take(String json) {
      Deque<Long> q = byJson.get(json);
      if (q == null || q.isEmpty()) {
        return -1;
      }
      return q.poll();
    }

    long take(SpecificRecord event) {
      return take(WireFormat.toJson(event));
    }
  }

  /** A record from its JSON line. */
  static SpecificRecord decodeJson(String json) {
    try {
      return WireFormat.shipped().decodeJson(json);
    } catch (DecodeException e) {
      throw new IllegalStateException("cannot decode " + json, e);
    }
  }

  /** Records as JSON lines. */
  static List<String> ofRecords(List<? extends SpecificRecord> records) {
    List<String> out = new ArrayList<>();
    for (SpecificRecord r : records) {
      out.add(WireFormat.toJson(r));
    }
    return out;
  }

  /** The event inside a late-event record. */
  static SpecificRecord event(LateEvent late) {
    try {
      return WireFormat.shipped().decodeJson(late.getEvent());
    } catch (DecodeException e) {
      throw new IllegalStateException("late event with an undecodable event: " + late, e);
    }
  }
}

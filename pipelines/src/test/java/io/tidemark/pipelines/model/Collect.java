package io.tidemark.pipelines.model;

import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.WireFormat;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * A test sink for the in-process DirectRunner: formats each element of a collection, with its
 * window, pane and timestamp, as one line, kept under a key until the test takes it.
 */
final class Collect {
  private static final Map<String, Queue<String>> SINK = new ConcurrentHashMap<>();

  private Collect() {}

  /** Formats one element as a line. */
  @FunctionalInterface
  interface Format<T> extends Serializable {
    String format(T element, BoundedWindow window, PaneInfo pane, Instant timestamp);
  }

  /** Collects the elements of {@code values} as lines under {@code key}. */
  static <T> void to(String key, PCollection<T> values, Format<T> format) {
    SINK.put(key, new ConcurrentLinkedQueue<>());
    values.apply("Collect " + key, ParDo.of(new CollectFn<>(key, format)));
  }

  /** Collects Avro records (results, late events, dead letters) as JSON lines under {@code key}. */
  static <T extends SpecificRecord> void records(String key, PCollection<T> values) {
    to(key, values, (e, w, pane, ts) -> WireFormat.toJson(e));
  }

  /** The records collected under {@code key} with {@link #records}, removed from the sink. */
  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> List<T> takeRecords(String key) {
    List<T> out = new ArrayList<>();
    for (String line : take(key)) {
      try {
        out.add((T) WireFormat.shipped().decodeJson(line));
      } catch (DecodeException e) {
        throw new IllegalStateException("cannot read back " + line, e);
      }
    }
    return out;
  }

  /** The lines collected under {@code key}, removed from the sink. */
  static List<String> take(String key) {
    Queue<String> q = SINK.remove(key);
    if (q == null) {
      throw new IllegalStateException("nothing collected under " + key);
    }
    return new ArrayList<>(q);
  }

  static final class CollectFn<T> extends DoFn<T, Void> {
    private final String key;
    private final Format<T> format;

    CollectFn(String key, Format<T> format) {
      this.key = key;
      this.format = format;
    }

    @ProcessElement
    public void process(
        @Element T element, BoundedWindow window, PaneInfo pane, @Timestamp Instant timestamp) {
      SINK.get(key).add(format.format(element, window, pane, timestamp));
    }
  }
}

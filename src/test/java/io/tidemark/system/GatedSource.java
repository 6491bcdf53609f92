package io.tidemark.system;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An unbounded source of strings in three phases, for tests whose result must not depend on when a
 * runner moves the watermark:
 *
 * <ol>
 *   <li><b>on time</b>: events in timestamp order; after each one the watermark is its timestamp;
 *   <li><b>late</b>: the watermark jumps to {@code ahead}, the source pauses at a <i>gate</i> until
 *       the gate is opened, then emits events far behind that watermark;
 *   <li><b>after</b>: on-time events at or after {@code ahead}, each moving the watermark to its
 *       timestamp; then the watermark goes to the end of time and the source is done.
 * </ol>
 *
 * <p>The watermark is a pure function of the reader's position, so it is the same whenever the
 * runner polls it. While the gate is closed the reader has no data ({@code advance()} returns
 * false) and the runner keeps polling it; nothing sleeps. The gate is opened by {@link #openGate},
 * a probe that opens it once the watermark of the collection it is applied to passes an instant:
 * applied to a stage's output, it proves that the stage has seen that watermark before any late
 * event reaches it. The gate lives in a static set, so source and probe must run in the same JVM
 * (the embedded Flink cluster). A gate that stays closed for {@link #GATE_TIMEOUT} fails the job
 * instead of hanging it.
 *
 * <p>{@link #split} deals the events of each phase round robin to the splits; each split has its
 * own watermark and waits at the same gate.
 */
final class GatedSource extends UnboundedSource<String, GatedSource.Position> {
  static final Duration GATE_TIMEOUT = Duration.standardSeconds(60);

  private static final Set<String> OPEN_GATES = ConcurrentHashMap.newKeySet();

  private final String gate;
  private final List<Event> onTime;
  private final Instant ahead;
  private final List<Event> late;
  private final List<Event> after;

  private GatedSource(
      String gate, List<Event> onTime, Instant ahead, List<Event> late, List<Event> after) {
    this.gate = gate;
    this.onTime = onTime;
    this.ahead = ahead;
    this.late = late;
    this.after = after;
  }

  /** An event; a source must be serializable, and TimestampedValue is not. */
  private record Event(String value, Instant timestamp) implements Serializable {
    static List<Event> of(List<TimestampedValue<String>> events) {
      return events.stream().map(e -> new Event(e.getValue(), e.getTimestamp())).toList();
    }
  }

  /**
   * A source that emits {@code onTime} (in timestamp order), moves its watermark to {@code ahead},
   * waits for {@code gate}, emits {@code late}, then {@code after} (in timestamp order, from {@code
   * ahead} on).
   */
  static GatedSource of(
      String gate,
      List<TimestampedValue<String>> onTime,
      Instant ahead,
      List<TimestampedValue<String>> late,
      List<TimestampedValue<String>> after) {
    checkOrdered("on-time", onTime, BoundedWindow.TIMESTAMP_MIN_VALUE);
    checkOrdered("after", after, ahead);
    for (TimestampedValue<String> e : late) {
      if (!e.getTimestamp().isBefore(ahead)) {
        throw new IllegalArgumentException("late event " + e + " is not behind " + ahead);
      }
    }
    return new GatedSource(gate, Event.of(onTime), ahead, Event.of(late), Event.of(after));
  }

  private static void checkOrdered(
      String phase, List<TimestampedValue<String>> events, Instant from) {
    Instant previous = from;
    for (TimestampedValue<String> e : events) {
      if (e.getTimestamp().isBefore(previous)) {
        throw new IllegalArgumentException(phase + " event " + e + " is before " + previous);
      }
      previous = e.getTimestamp();
    }
  }

  /** Opens {@code gate} once the watermark of the collection it is applied to passes {@code at}. */
  static <T> PTransform<PCollection<T>, PCollection<Void>> openGate(String gate, Instant at) {
    return new OpenGate<>(gate, at);
  }

  static boolean isOpen(String gate) {
    return OPEN_GATES.contains(gate);
  }

  @Override
  public List<GatedSource> split(int desiredNumSplits, PipelineOptions options) {
    int n = Math.max(1, desiredNumSplits);
    List<GatedSource> splits = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      splits.add(
          new GatedSource(gate, deal(onTime, k, n), ahead, deal(late, k, n), deal(after, k, n)));
    }
    return splits;
  }

  private static <T> List<T> deal(List<T> all, int k, int n) {
    List<T> mine = new ArrayList<>();
    for (int i = k; i < all.size(); i += n) {
      mine.add(all.get(i));
    }
    return mine;
  }

  @Override
  public UnboundedReader<String> createReader(PipelineOptions options, Position restored) {
    return new Reader(this, restored == null ? 0 : restored.consumed);
  }

  @Override
  public Coder<Position> getCheckpointMarkCoder() {
    return SerializableCoder.of(Position.class);
  }

  @Override
  public Coder<String> getOutputCoder() {
    return StringUtf8Coder.of();
  }

  /** How many entries of its script a reader has consumed. */
  static final class Position implements UnboundedSource.CheckpointMark, Serializable {
    final int consumed;

    Position(int consumed) {
      this.consumed = consumed;
    }

    @Override
    public void finalizeCheckpoint() {}
  }

  private enum Kind {
    ON_TIME,
    AHEAD,
    GATE,
    LATE,
    AFTER,
    END
  }

  private record Entry(Kind kind, Event event) {}

  private static final class Reader extends UnboundedReader<String> {
    private final GatedSource source;
    private final List<Entry> script = new ArrayList<>();
    private int consumed;
    private Event current;
    private long gateReachedNanos = -1;

    Reader(GatedSource source, int consumed) {
      this.source = source;
      this.consumed = consumed;
      source.onTime.forEach(e -> script.add(new Entry(Kind.ON_TIME, e)));
      script.add(new Entry(Kind.AHEAD, null));
      script.add(new Entry(Kind.GATE, null));
      source.late.forEach(e -> script.add(new Entry(Kind.LATE, e)));
      source.after.forEach(e -> script.add(new Entry(Kind.AFTER, e)));
      script.add(new Entry(Kind.END, null));
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      current = null;
      while (consumed < script.size()) {
        Entry entry = script.get(consumed);
        if (entry.kind() == Kind.GATE && !isOpen(source.gate)) {
          checkGateTimeout();
          return false;
        }
        consumed++;
        if (entry.event() != null) {
          current = entry.event();
          return true;
        }
      }
      return false;
    }

    private void checkGateTimeout() throws IOException {
      if (gateReachedNanos < 0) {
        gateReachedNanos = System.nanoTime();
      } else if (System.nanoTime() - gateReachedNanos
          > TimeUnit.MILLISECONDS.toNanos(GATE_TIMEOUT.getMillis())) {
        throw new IOException(
            "gate "
                + source.gate
                + " stayed closed for "
                + GATE_TIMEOUT
                + ": the probe never saw the watermark it waits for");
      }
    }

    /** A pure function of the position: the entries consumed so far. */
    @Override
    public Instant getWatermark() {
      Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
      for (int i = 0; i < consumed; i++) {
        Entry entry = script.get(i);
        switch (entry.kind()) {
          case ON_TIME, AFTER -> watermark = entry.event().timestamp();
          case AHEAD -> watermark = source.ahead;
          case END -> watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
          default -> {} // a late event leaves the watermark where it is
        }
      }
      return watermark;
    }

    @Override
    public Position getCheckpointMark() {
      return new Position(consumed);
    }

    @Override
    public GatedSource getCurrentSource() {
      return source;
    }

    @Override
    public String getCurrent() {
      return currentEvent().value();
    }

    @Override
    public Instant getCurrentTimestamp() {
      return currentEvent().timestamp();
    }

    private Event currentEvent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public void close() {}
  }

  private static final class OpenGate<T> extends PTransform<PCollection<T>, PCollection<Void>> {
    private final String gate;
    private final Instant at;

    OpenGate(String gate, Instant at) {
      this.gate = gate;
      this.at = at;
    }

    @Override
    public PCollection<Void> expand(PCollection<T> input) {
      return input
          .apply(
              "GlobalWindow",
              Window.<T>into(new GlobalWindows())
                  .triggering(DefaultTrigger.of())
                  .withAllowedLateness(Duration.ZERO)
                  .discardingFiredPanes())
          .apply(
              "OneKey",
              MapElements.into(
                      TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers()))
                  .via(e -> KV.of("", 0)))
          .apply("OpenWhenWatermarkPasses", ParDo.of(new OpenGateFn(gate, at)));
    }
  }

  /** Sets an event-time timer at {@code at}; when it fires, the input watermark has passed it. */
  private static final class OpenGateFn extends DoFn<KV<String, Integer>, Void> {
    private final String gate;
    private final Instant at;

    @TimerId("open")
    private final TimerSpec open = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    OpenGateFn(String gate, Instant at) {
      this.gate = gate;
      this.at = at;
    }

    @ProcessElement
    public void process(@Timestamp Instant timestamp, @TimerId("open") Timer timer) {
      if (timestamp.isBefore(at)) {
        timer.set(at);
      }
    }

    @OnTimer("open")
    public void onOpen() {
      OPEN_GATES.add(gate);
    }
  }
}

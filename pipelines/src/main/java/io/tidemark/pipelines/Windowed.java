package io.tidemark.pipelines;

import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.LateRecord;
import java.io.Serializable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Windowing as the pipelines use it: values of type {@code V} keyed by a string, windowed by the
 * options' policy, with the values that arrive after their window closed routed to {@link
 * LateEvent} records of the event each value came from.
 */
public final class Windowed<V> {
  public final PCollection<KV<String, V>> windowed;
  public final PCollection<LateEvent> late;
  private final Results results;

  private Windowed(
      PCollection<KV<String, V>> windowed, PCollection<LateEvent> late, Results results) {
    this.windowed = windowed;
    this.late = late;
    this.results = results;
  }

  /** How the result step of the pipeline counts its panes and the events in them. */
  public Results results() {
    return results;
  }

  /**
   * Fixed windows of {@code minutes} (the value of the option named {@code option}), with the
   * lateness and triggers of {@code o}.
   */
  public static <V> EventWindows<KV<String, V>> fixed(WindowOptions o, String option, int minutes) {
    Options.checkWindow(o, option, minutes);
    EventWindows<KV<String, V>> w =
        EventWindows.<KV<String, V>>fixed(Duration.standardMinutes(minutes))
            .withAllowedLateness(Duration.standardMinutes(o.getAllowedLatenessMinutes()));
    if (o.getEarlyFiringSeconds() > 0) {
      w = w.withEarlyFiringsEvery(Duration.standardSeconds(o.getEarlyFiringSeconds()));
    }
    return o.getAccumulating() ? w.accumulating() : w;
  }

  /**
   * Splits {@code keyed}, which must have its coder set, into windowed values and late events,
   * counting both; a late value is recorded as the event {@code event} gives for it.
   */
  public static <V> Windowed<V> split(
      String pipeline,
      PCollection<KV<String, V>> keyed,
      EventWindows<KV<String, V>> policy,
      WindowOptions o,
      SerializableFunction<V, ? extends SpecificRecord> event) {
    Coder<KV<String, V>> coder = keyed.getCoder();
    LateEvents.Result<KV<String, V>> split =
        keyed
            .apply("CountIn", ParDo.of(new CountFn<>(pipeline, "in")))
            .setCoder(coder)
            .apply("LateEvents", Options.lateEvents(policy, o));
    PCollection<KV<String, V>> windowed = split.windowed();
    if (o.getAccumulating()) {
      // Accumulating panes restate their window, so summing the events of every pane would count
      // an event once per pane it appears in. Count each event once, as it enters its window:
      // after the split the runner keeps every one of them in a pane.
      windowed =
          windowed
              .apply("CountInResults", ParDo.of(new CountFn<>(pipeline, "in-results")))
              .setCoder(coder);
    }
    return new Windowed<>(
        windowed,
        split.late().apply("ToLateEvents", toLateEvents(pipeline, "late", event)),
        new Results(pipeline, !o.getAccumulating()));
  }

  /**
   * Late records as {@link LateEvent}s of {@code pipeline}, counted in counter {@code counter}:
   * each records the event {@code event} gives for its value.
   */
  public static <V>
      PTransform<PCollection<LateRecord<KV<String, V>>>, PCollection<LateEvent>> toLateEvents(
          String pipeline,
          String counter,
          SerializableFunction<V, ? extends SpecificRecord> event) {
    return new PTransform<>() {
      @Override
      public PCollection<LateEvent> expand(PCollection<LateRecord<KV<String, V>>> late) {
        return late.apply("ToLateEvent", ParDo.of(new ToLateEventFn<>(pipeline, counter, event)))
            .setCoder(AvroCoder.of(LateEvent.class));
      }
    };
  }

  /**
   * Counts the output of a windowed pipeline: each result record by the timing of its pane ({@code
   * panes-early}, {@code panes-on-time}, {@code panes-late}), and the events in the pane ({@code
   * in-results}) when panes are discarding. With accumulating panes {@link #split} counts the
   * events instead, once each.
   */
  public static final class Results implements Serializable {
    private final String pipeline;
    private final boolean countEvents;

    Results(String pipeline, boolean countEvents) {
      this.pipeline = pipeline;
      this.countEvents = countEvents;
    }

    /** Counts one result record of {@code pane}. */
    public void record(PaneInfo pane) {
      Accounting.paneCounter(pipeline, pane).inc();
    }

    /** Counts {@code n} events that went into a pane (for the first time, if discarding). */
    public void events(long n) {
      if (countEvents) {
        Accounting.counter(pipeline, "in-results").inc(n);
      }
    }
  }

  /** Counts elements passing through. */
  static final class CountFn<T> extends DoFn<T, T> {
    private final String pipeline;
    private final String what;

    CountFn(String pipeline, String what) {
      this.pipeline = pipeline;
      this.what = what;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      Accounting.counter(pipeline, what).inc();
      out.output(element);
    }
  }

  static final class ToLateEventFn<V> extends DoFn<LateRecord<KV<String, V>>, LateEvent> {
    private final String pipeline;
    private final String counter;
    private final SerializableFunction<V, ? extends SpecificRecord> eventOf;

    ToLateEventFn(
        String pipeline,
        String counter,
        SerializableFunction<V, ? extends SpecificRecord> eventOf) {
      this.pipeline = pipeline;
      this.counter = counter;
      this.eventOf = eventOf;
    }

    @ProcessElement
    public void process(@Element LateRecord<KV<String, V>> r, OutputReceiver<LateEvent> out) {
      Accounting.counter(pipeline, counter).inc();
      SpecificRecord event = eventOf.apply(r.event().getValue());
      out.output(
          LateEvent.newBuilder()
              .setPipeline(pipeline)
              .setEventType(event.getSchema().getName())
              .setKey(r.event().getKey())
              .setEventTime(r.eventTime().getMillis())
              .setWindowStart(r.window().start().getMillis())
              .setWindowEnd(r.window().end().getMillis())
              .setWatermark(r.watermark().getMillis())
              .setLateByMs(r.lateBy().getMillis())
              .setEvent(WireFormat.toJson(event))
              .build());
    }
  }
}

package io.tidemark.pipelines;

import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.EventCoder;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.LateRecord;
import java.io.Serializable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Windowing as the pipelines use it: events keyed by a string, windowed by the options' policy,
 * with the events that arrive after their window closed routed to {@link LateEvent} records.
 */
public final class Windowed {
  /** The coder of keyed events. */
  public static final KvCoder<String, SpecificRecord> KEYED_CODER =
      KvCoder.of(StringUtf8Coder.of(), EventCoder.of());

  public final PCollection<KV<String, SpecificRecord>> windowed;
  public final PCollection<LateEvent> late;
  private final Results results;

  private Windowed(
      PCollection<KV<String, SpecificRecord>> windowed,
      PCollection<LateEvent> late,
      Results results) {
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
  public static EventWindows<KV<String, SpecificRecord>> fixed(
      WindowOptions o, String option, int minutes) {
    Options.checkWindow(o, option, minutes);
    EventWindows<KV<String, SpecificRecord>> w =
        EventWindows.<KV<String, SpecificRecord>>fixed(Duration.standardMinutes(minutes))
            .withAllowedLateness(Duration.standardMinutes(o.getAllowedLatenessMinutes()));
    if (o.getEarlyFiringSeconds() > 0) {
      w = w.withEarlyFiringsEvery(Duration.standardSeconds(o.getEarlyFiringSeconds()));
    }
    return o.getAccumulating() ? w.accumulating() : w;
  }

  /** Splits {@code keyed} into windowed events and late events, counting both. */
  public static Windowed split(
      String pipeline,
      PCollection<KV<String, SpecificRecord>> keyed,
      EventWindows<KV<String, SpecificRecord>> policy,
      WindowOptions o) {
    LateEvents.Result<KV<String, SpecificRecord>> split =
        keyed
            .setCoder(KEYED_CODER)
            .apply("CountIn", ParDo.of(new CountFn<>(pipeline, "in")))
            .apply("LateEvents", Options.lateEvents(policy, o));
    PCollection<KV<String, SpecificRecord>> windowed = split.windowed();
    if (o.getAccumulating()) {
      // Accumulating panes restate their window, so summing the events of every pane would count
      // an event once per pane it appears in. Count each event once, as it enters its window:
      // after the split the runner keeps every one of them in a pane.
      windowed =
          windowed
              .apply("CountInResults", ParDo.of(new CountFn<>(pipeline, "in-results")))
              .setCoder(KEYED_CODER);
    }
    return new Windowed(
        windowed,
        split.late().apply("ToLateEvents", toLateEvents(pipeline, "late")),
        new Results(pipeline, !o.getAccumulating()));
  }

  /** Late records as {@link LateEvent}s of {@code pipeline}, counted in counter {@code counter}. */
  public static PTransform<
          PCollection<LateRecord<KV<String, SpecificRecord>>>, PCollection<LateEvent>>
      toLateEvents(String pipeline, String counter) {
    return new PTransform<>() {
      @Override
      public PCollection<LateEvent> expand(
          PCollection<LateRecord<KV<String, SpecificRecord>>> late) {
        return late.apply("ToLateEvent", ParDo.of(new ToLateEventFn(pipeline, counter)))
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

  static final class ToLateEventFn extends DoFn<LateRecord<KV<String, SpecificRecord>>, LateEvent> {
    private final String pipeline;
    private final String counter;

    ToLateEventFn(String pipeline, String counter) {
      this.pipeline = pipeline;
      this.counter = counter;
    }

    @ProcessElement
    public void process(
        @Element LateRecord<KV<String, SpecificRecord>> r, OutputReceiver<LateEvent> out) {
      Accounting.counter(pipeline, counter).inc();
      SpecificRecord event = r.event().getValue();
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

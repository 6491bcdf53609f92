package io.tidemark.pipelines.enrichment;

import io.tidemark.pipelines.Accounting;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.options.TimeZoneOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.EnrichedClick;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Enriches each click with the kind of device it came from (bot, tablet, mobile or desktop), the
 * agent's operating system and browser names, all from the Yauaa user-agent analyzer ({@link
 * Devices}), and the hour of day of its event time in {@code --timeZone} (UTC by default).
 *
 * <p>Stateless and element-wise: no windows, triggers or lateness, so no click is ever late and
 * {@code late/} stays empty; each enriched click keeps its click's event time as its timestamp. A
 * click with an empty (or blank) {@code userId} or {@code userAgent} is invalid: it goes to the
 * extra output {@code dead-letters} as a {@link DeadLetter} with the click as JSON, reason {@value
 * #INVALID}, step {@value #STEP}, source {@value #NAME} and position -1. Output is at-least-once to
 * files (exactly-once processing within the runner).
 *
 * <p>Accounting: {@code in} = every click = {@code in-results} (enriched) + {@code dead-letters}
 * (invalid).
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar click-enrichment --timeZone=Europe/Paris
 * </pre>
 */
public final class ClickEnrichmentPipeline {
  public static final String NAME = "click-enrichment";

  /** Dead-letter reason of an invalid click. */
  public static final String INVALID = "invalid-click";

  /** Dead-letter step of an invalid click. */
  public static final String STEP = "enrich-clicks";

  /** Options of this pipeline. */
  public interface ClickEnrichmentOptions extends TimeZoneOptions {}

  private ClickEnrichmentPipeline() {}

  /** Builds the graph: enriched clicks, (no) late events and the invalid clicks. */
  public static Output expand(Events events, ClickEnrichmentOptions o) {
    ZoneId zone = Options.zone("timeZone", o.getTimeZone());
    TupleTag<EnrichedClick> enriched = new TupleTag<>("enriched");
    TupleTag<DeadLetter> invalid = new TupleTag<>("invalid");
    PCollectionTuple out =
        events.clicks.apply(
            "EnrichClicks",
            ParDo.of(new EnrichFn(zone, enriched, invalid))
                .withOutputTags(enriched, TupleTagList.of(invalid)));
    PCollection<LateEvent> late =
        events
            .clicks
            .getPipeline()
            .apply("NoLateEvents", Create.empty(AvroCoder.of(LateEvent.class)));
    return new Output()
        .with("results", out.get(enriched).setCoder(AvroCoder.of(EnrichedClick.class)))
        .with("late", late)
        .with("dead-letters", out.get(invalid).setCoder(AvroCoder.of(DeadLetter.class)));
  }

  /** Why {@code click} is invalid, or null when it is valid. */
  static String invalidBecause(Click click) {
    if (click.getUserId().isBlank()) {
      return "empty userId";
    }
    if (click.getUserAgent().isBlank()) {
      return "empty userAgent";
    }
    return null;
  }

  static final class EnrichFn extends DoFn<Click, EnrichedClick> {
    private final ZoneId zone;
    private final TupleTag<EnrichedClick> enriched;
    private final TupleTag<DeadLetter> invalid;

    EnrichFn(ZoneId zone, TupleTag<EnrichedClick> enriched, TupleTag<DeadLetter> invalid) {
      this.zone = zone;
      this.enriched = enriched;
      this.invalid = invalid;
    }

    /** Builds the analyzer of this worker before the first click, not while one waits. */
    @Setup
    public void setup() {
      Devices.analyzer();
    }

    @ProcessElement
    public void process(@Element Click click, MultiOutputReceiver out) {
      Accounting.counter(NAME, "in").inc();
      String error = invalidBecause(click);
      if (error != null) {
        Accounting.counter(NAME, "dead-letters").inc();
        out.get(invalid)
            .output(
                DeadLetter.newBuilder()
                    .setPayload(
                        ByteBuffer.wrap(WireFormat.toJson(click).getBytes(StandardCharsets.UTF_8)))
                    .setReason(INVALID)
                    .setError(error)
                    .setStep(STEP)
                    .setSource(NAME)
                    .setPosition(-1)
                    .build());
        return;
      }
      Accounting.counter(NAME, "in-results").inc();
      Devices.Device device = Devices.detect(click.getUserAgent());
      out.get(enriched)
          .output(
              EnrichedClick.newBuilder()
                  .setClick(click)
                  .setDevice(device.deviceClass())
                  .setOperatingSystem(device.operatingSystem())
                  .setBrowser(device.browser())
                  .setHourOfDay(hourOfDay(click.getEventTime(), zone))
                  .build());
    }
  }

  /** The hour of day of {@code epochMillis} in {@code zone}. */
  public static int hourOfDay(long epochMillis, ZoneId zone) {
    return ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(epochMillis), zone).getHour();
  }
}

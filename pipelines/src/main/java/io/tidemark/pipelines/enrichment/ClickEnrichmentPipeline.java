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
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Enriches each click with the kind of device it came from (bot, tablet, mobile or desktop), the
 * agent's operating system and browser names, all from the Yauaa user-agent analyzer ({@link
 * Devices}), and the hour of day of its event time in {@code --timeZone} (UTC by default).
 *
 * <p>Stateless and element-wise: no windows, triggers or lateness, so no click is ever late and
 * {@code late/} stays empty; each enriched click keeps its click's event time as its timestamp. A
 * click with an empty (or blank) {@code userId} or {@code userAgent} is invalid ({@link
 * #invalidBecause}): it is not enriched, and its dead letter, reason {@value #INVALID}, step
 * {@value #STEP}, goes to the job's one dead-letter output with the record's original bytes, source
 * and position, as a record that cannot be decoded does. That dead letter is made where the click
 * is decoded, the one place that has the record ({@link Events#invalidClicks}). Output is
 * at-least-once to files (exactly-once processing within the runner).
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

  /** Builds the graph: enriched clicks, (no) late events and the invalid clicks' dead letters. */
  public static Output expand(Events events, ClickEnrichmentOptions o) {
    ZoneId zone = Options.zone("timeZone", o.getTimeZone());
    PCollection<EnrichedClick> enriched =
        events
            .clicks
            .apply("EnrichClicks", ParDo.of(new EnrichFn(zone)))
            .setCoder(AvroCoder.of(EnrichedClick.class));
    PCollection<DeadLetter> invalid =
        events
            .invalidClicks
            .apply("CountInvalidClicks", ParDo.of(new CountInvalidFn()))
            .setCoder(AvroCoder.of(DeadLetter.class));
    PCollection<LateEvent> late =
        events
            .clicks
            .getPipeline()
            .apply("NoLateEvents", Create.empty(AvroCoder.of(LateEvent.class)));
    return new Output().with("results", enriched).with("late", late).withDeadLetters(invalid);
  }

  /**
   * Why {@code click} is invalid, or null when it is valid: the one rule, which both this pipeline
   * (to leave the click out) and decoding (to make its dead letter) apply.
   */
  public static String invalidBecause(Click click) {
    if (click.getUserId().isBlank()) {
      return "empty userId";
    }
    if (click.getUserAgent().isBlank()) {
      return "empty userAgent";
    }
    return null;
  }

  /** Enriches the valid clicks; counts every click in {@code in}. */
  static final class EnrichFn extends DoFn<Click, EnrichedClick> {
    private final ZoneId zone;

    EnrichFn(ZoneId zone) {
      this.zone = zone;
    }

    /** Builds the analyzer of this worker before the first click, not while one waits. */
    @Setup
    public void setup() {
      Devices.analyzer();
    }

    @ProcessElement
    public void process(@Element Click click, OutputReceiver<EnrichedClick> out) {
      Accounting.counter(NAME, "in").inc();
      if (invalidBecause(click) != null) {
        return; // its dead letter comes from the decoded records, counted by CountInvalidFn
      }
      Accounting.counter(NAME, "in-results").inc();
      Devices.Device device = Devices.detect(click.getUserAgent());
      out.output(
          EnrichedClick.newBuilder()
              .setClick(click)
              .setDevice(device.deviceClass())
              .setOperatingSystem(device.operatingSystem())
              .setBrowser(device.browser())
              .setHourOfDay(hourOfDay(click.getEventTime(), zone))
              .build());
    }
  }

  /** Counts the invalid clicks' dead letters in {@code dead-letters}. */
  static final class CountInvalidFn extends DoFn<DeadLetter, DeadLetter> {
    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<DeadLetter> out) {
      Accounting.counter(NAME, "dead-letters").inc();
      out.output(d);
    }
  }

  /** The hour of day of {@code epochMillis} in {@code zone}. */
  public static int hourOfDay(long epochMillis, ZoneId zone) {
    return ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(epochMillis), zone).getHour();
  }
}

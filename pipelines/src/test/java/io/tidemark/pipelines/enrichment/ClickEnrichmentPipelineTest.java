package io.tidemark.pipelines.enrichment;

import static io.tidemark.pipelines.Fixture.at;
import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.options;
import static io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline.NAME;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline.ClickEnrichmentOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.EnrichedClick;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link ClickEnrichmentPipeline}: devices, hours of day in {@link #ZONE} (UTC+2 in May), the
 * invalid clicks as dead letters and, being stateless, no late events even for a click far behind
 * the watermark.
 */
public class ClickEnrichmentPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final String ZONE = "Europe/Paris";
  static final String IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)";
  static final String BOT = "Googlebot/2.1";
  static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";

  private static EnrichedClick enriched(
      Click c, String device, String os, String browser, int hourOfDay) {
    return EnrichedClick.newBuilder()
        .setClick(c)
        .setDevice(device)
        .setOperatingSystem(os)
        .setBrowser(browser)
        .setHourOfDay(hourOfDay)
        .build();
  }

  /** The dead letter of an invalid click read from {@code record}. */
  private static DeadLetter invalid(RawRecord record, String error) {
    return DeadLetter.newBuilder()
        .setPayload(ByteBuffer.wrap(record.payload()))
        .setReason(ClickEnrichmentPipeline.INVALID)
        .setError(error)
        .setStep(ClickEnrichmentPipeline.STEP)
        .setSource(record.source())
        .setPosition(record.position())
        .build();
  }

  /**
   * The dead letter of an invalid click given as an event, without a record ({@code Events.of}).
   */
  private static DeadLetter invalid(Click c, String error) {
    return invalid(
        new RawRecord(
            WireFormat.toJson(c).getBytes(StandardCharsets.UTF_8), Events.TEST_SOURCE, -1),
        error);
  }

  @Test
  public void enrichesValidClicksAndSendsInvalidOnesToDeadLetters() {
    Click morning = click("alice", "p1", IPHONE, "10:04"); // 12:04 in Paris
    Click lateEvening = click("bob", "p2", BOT, "22:30"); // 00:30 the next day in Paris
    Click farBehind = click("carol", "p3", DESKTOP, "03:15"); // behind the watermark: 05:15
    Click noUser = click("", "p4", DESKTOP, "10:05");
    Click noAgent = click("dave", "p5", "", "10:06");
    Scenario s =
        new Scenario().add(morning, lateEvening, noUser, noAgent).watermark("23:00").add(farBehind);
    ClickEnrichmentOptions o = options(ClickEnrichmentOptions.class);
    o.setTimeZone(ZONE);
    Output out = ClickEnrichmentPipeline.expand(s.in(p), o);

    PAssert.<EnrichedClick>that(out.get("results"))
        .containsInAnyOrder(
            enriched(morning, Devices.MOBILE, "iOS", "Netscape", 12),
            enriched(lateEvening, Devices.BOT, "Cloud", "Googlebot Imitator", 0),
            enriched(farBehind, Devices.DESKTOP, "Windows NT", "Windows NT", 5));
    PAssert.that(out.deadLetters())
        .containsInAnyOrder(invalid(noUser, "empty userId"), invalid(noAgent, "empty userAgent"));
    PAssert.that(out.get("late")).empty();

    PipelineResult result = p.run();
    assertEquals(s.events().size(), counter(result, NAME, "in"));
    assertEquals(3, counter(result, NAME, "in-results"));
    assertEquals(2, counter(result, NAME, "dead-letters"));
  }

  /**
   * An invalid click's dead letter is its record as read, as a decode dead letter is: the original
   * bytes (Avro or JSON, not the click re-encoded), the source and the position; the click still
   * reaches the other pipelines' stream of clicks.
   */
  @Test
  public void invalidClicksAreDeadLettersWithTheirRecordsBytesAndPosition() {
    Click ok = click("alice", "p1", IPHONE, "10:04");
    Click noUser = click(" ", "p2", DESKTOP, "10:05");
    Click noAgent = click("dave", "p3", "", "10:06");
    RawRecord okRecord = new RawRecord(WireFormat.encode(ok), "clicks.avro", 1);
    RawRecord noUserRecord = new RawRecord(WireFormat.encode(noUser), "clicks.avro", 2);
    RawRecord noAgentRecord =
        new RawRecord(
            (WireFormat.toJson(noAgent) + "  ").getBytes(StandardCharsets.UTF_8), "clicks.json", 7);
    Events events =
        Events.decode(
            p.apply(
                Create.of(List.of(okRecord, noUserRecord, noAgentRecord))
                    .withCoder(RawRecord.coder())));
    Output out = ClickEnrichmentPipeline.expand(events, options(ClickEnrichmentOptions.class));

    PAssert.that(out.deadLetters())
        .containsInAnyOrder(
            invalid(noUserRecord, "empty userId"), invalid(noAgentRecord, "empty userAgent"));
    PAssert.that(events.clicks).containsInAnyOrder(ok, noUser, noAgent);
    PAssert.that(events.deadLetters).empty();
    PAssert.that(out.<EnrichedClick>get("results"))
        .containsInAnyOrder(enriched(ok, Devices.MOBILE, "iOS", "Netscape", 10));
    assertFalse("no output of its own", out.all().containsKey("dead-letters"));

    PipelineResult result = p.run();
    assertEquals(3, counter(result, NAME, "in"));
    assertEquals(1, counter(result, NAME, "in-results"));
    assertEquals(2, counter(result, NAME, "dead-letters"));
  }

  @Test
  public void hoursOfDayAreUtcByDefault() {
    ClickEnrichmentOptions o = options(ClickEnrichmentOptions.class);
    ZoneId zone = Options.zone("timeZone", o.getTimeZone());
    assertEquals(ZoneOffset.UTC.normalized(), zone.normalized());
    assertEquals(10, ClickEnrichmentPipeline.hourOfDay(at("10:04").getMillis(), zone));
    assertEquals(23, ClickEnrichmentPipeline.hourOfDay(at("23:59:59").getMillis(), zone));
    assertEquals(0, ClickEnrichmentPipeline.hourOfDay(at("00:00").getMillis(), zone));
  }
}

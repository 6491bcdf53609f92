package io.tidemark.transforms;

import static io.tidemark.transforms.Fixture.at;
import static io.tidemark.transforms.Fixture.counter;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/** {@link ParseWithDeadLetters}: every record is parsed or a dead letter, never both or neither. */
public class ParseWithDeadLettersTest {
  private static final String STEP = "parse-clicks";
  private static final String SOURCE = "test/0";
  private static final int MAX_BYTES = 512;
  private static final String NAMESPACE = ParseWithDeadLetters.class.getName();

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Click click(String id, int minute) {
    return Click.newBuilder()
        .setEventId(id)
        .setUserId("u1")
        .setProductId("p1")
        .setPageUrl("/p1")
        .setUserAgent("ua")
        .setLocation("NL")
        .setEventTime(at(minute).getMillis())
        .setReferrer("")
        .build();
  }

  private static PageView pageView() {
    return PageView.newBuilder()
        .setEventId("v1")
        .setUserId("u1")
        .setContentId("c1")
        .setCategory("news")
        .setPageUrl("/c1")
        .setUserAgent("ua")
        .setDurationMs(1000L)
        .setEventTime(0L)
        .build();
  }

  /** The payload of a dead letter, in hex. */
  private static String hex(DeadLetter d) {
    ByteBuffer payload = d.getPayload().duplicate();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static ParseWithDeadLetters.Parser<Click> clickParser() {
    return bytes -> (Click) WireFormat.shipped().decode(bytes);
  }

  /** One record per position, stamped at minute {@code position}. */
  private PCollection<RawRecord> records(List<byte[]> payloads) {
    TimestampedValue<RawRecord>[] stamped = new TimestampedValue[payloads.size()];
    for (int i = 0; i < payloads.size(); i++) {
      stamped[i] = TimestampedValue.of(new RawRecord(payloads.get(i), SOURCE, i), at(i));
    }
    return p.apply(Create.timestamped(Arrays.asList(stamped)).withCoder(RawRecord.coder()));
  }

  @Test
  public void goodBadOversizedAndEmptyRecordsAddUp() {
    Click c1 = click("c1", 0);
    Click c2 = click("c2", 1);
    byte[] good = WireFormat.encode(c1);
    // reason by position; positions 0 and 1 parse
    Map<Long, String> reasons = new LinkedHashMap<>();
    List<byte[]> payloads =
        List.of(
            good,
            WireFormat.encode(c2),
            "not avro at all".getBytes(StandardCharsets.UTF_8),
            Arrays.copyOf(good, good.length - 3),
            new byte[MAX_BYTES + 1],
            new byte[0],
            WireFormat.encode(pageView()));
    reasons.put(2L, "bad-header");
    reasons.put(3L, "truncated");
    reasons.put(4L, "oversized");
    reasons.put(5L, "empty");
    reasons.put(6L, "parse-error"); // a PageView is not a Click
    PCollection<RawRecord> raw = records(payloads);
    ParseWithDeadLetters.Result<Click> r =
        raw.apply(
            ParseWithDeadLetters.of(STEP, clickParser(), AvroCoder.of(Click.class))
                .withMaxPayloadBytes(MAX_BYTES));

    PAssert.that(r.parsed()).containsInAnyOrder(c1, c2);
    PAssert.that(
            r.deadLetters()
                .apply(
                    "Describe",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (DeadLetter d) ->
                                d.getPosition()
                                    + " "
                                    + d.getReason()
                                    + " "
                                    + d.getStep()
                                    + " "
                                    + d.getSource()
                                    + " "
                                    + hex(d))))
        .containsInAnyOrder(
            reasons.entrySet().stream()
                .map(
                    e ->
                        e.getKey()
                            + " "
                            + e.getValue()
                            + " "
                            + STEP
                            + " "
                            + SOURCE
                            + " "
                            + HexFormat.of().formatHex(payloads.get(e.getKey().intValue())))
                .toList());
    // Timestamps pass through: a dead letter keeps its record's timestamp.
    PAssert.that(
            r.deadLetters()
                .apply("Stamp", Reify.timestamps())
                .apply(
                    "Positions",
                    MapElements.into(TypeDescriptors.booleans())
                        .via(t -> at((int) t.getValue().getPosition()).equals(t.getTimestamp()))))
        .containsInAnyOrder(reasons.keySet().stream().map(k -> true).toList());

    PCollection<Long> total =
        PCollectionList.of(r.parsed().apply("CountParsed", Count.globally()))
            .and(r.deadLetters().apply("CountDead", Count.globally()))
            .apply(Flatten.pCollections())
            .apply(Sum.longsGlobally());
    PAssert.thatSingleton(total).isEqualTo((long) payloads.size());

    PipelineResult result = p.run();
    for (String reason : reasons.values()) {
      assertEquals(reason, 1, counter(result, NAMESPACE, "dead-letters/" + reason));
    }
  }

  @Test
  public void parserReturningNothingOrFailingWithoutAReasonGivesDeadLetters() {
    PCollection<RawRecord> raw = records(List.of(new byte[] {0}, new byte[] {1}));
    ParseWithDeadLetters.Parser<Click> parser =
        bytes -> {
          if (bytes[0] == 0) {
            return null;
          }
          throw new DecodeException(null, null);
        };
    ParseWithDeadLetters.Result<Click> r =
        raw.apply(ParseWithDeadLetters.of(STEP, parser, AvroCoder.of(Click.class)));

    PAssert.that(r.parsed()).empty();
    PAssert.that(
            r.deadLetters()
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (DeadLetter d) ->
                                d.getPosition() + " " + d.getReason() + ": " + d.getError())))
        .containsInAnyOrder("0 empty: parser returned no value", "1 parse-error: ");
    p.run();
  }

  /** One record at a time: the value or the dead letter the transform would output, as it is. */
  @Test
  public void parseOneRecordGivesTheValueOrTheDeadLetter() {
    ParseWithDeadLetters<Click> parse =
        ParseWithDeadLetters.of(STEP, clickParser(), AvroCoder.of(Click.class))
            .withMaxPayloadBytes(MAX_BYTES);
    Click c1 = click("c1", 0);
    Parsed<Click> good = parse.parse(new RawRecord(WireFormat.encode(c1), SOURCE, 4));
    assertTrue(good.ok());
    assertEquals(c1, good.value());
    assertNull(good.deadLetter());

    byte[] big = new byte[MAX_BYTES + 1];
    Parsed<Click> oversized = parse.parse(new RawRecord(big, SOURCE, 5));
    assertFalse(oversized.ok());
    assertNull(oversized.value());
    DeadLetter d = oversized.deadLetter();
    assertEquals(
        "5 oversized " + STEP + " " + SOURCE + " 513 bytes exceed the limit of 512",
        d.getPosition()
            + " "
            + d.getReason()
            + " "
            + d.getStep()
            + " "
            + d.getSource()
            + " "
            + d.getError());
    assertEquals(HexFormat.of().formatHex(big), hex(d));
    assertEquals(
        "bad-header",
        parse
            .parse(new RawRecord("not avro at all".getBytes(StandardCharsets.UTF_8), SOURCE, 6))
            .deadLetter()
            .getReason());
  }

  /**
   * A value a later step may reject carries that step's dead letter, with the original bytes and
   * position; it is still a value, and no dead letter of the parse.
   */
  @Test
  public void aValueCanCarryTheDeadLetterOfALaterRejection() {
    Click c1 = click("c1", 0);
    RawRecord record = new RawRecord(WireFormat.encode(c1), SOURCE, 9);
    DeadLetter rejected = ParseWithDeadLetters.deadLetter(record, "enrich", "invalid", "why");
    Parsed<Click> p = Parsed.value(c1, rejected);
    assertTrue(p.ok());
    assertEquals(c1, p.value());
    assertNull(p.deadLetter());
    assertEquals(rejected, p.ifRejected());
    assertEquals(HexFormat.of().formatHex(WireFormat.encode(c1)), hex(p.ifRejected()));
    assertEquals(9, p.ifRejected().getPosition());
    assertNull(Parsed.value(c1).ifRejected());
    assertNull(Parsed.<Click>deadLetter(rejected).ifRejected());
    assertFalse(p.equals(Parsed.value(c1)));
  }
}

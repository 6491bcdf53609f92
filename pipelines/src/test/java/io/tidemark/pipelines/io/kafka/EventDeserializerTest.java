package io.tidemark.pipelines.io.kafka;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.Parsed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.Test;

/** Kafka values decoded once as they are read; dead letters then get their partition and offset. */
public class EventDeserializerTest {
  static final long T0 = 1_767_600_000_000L; // 2026-01-05T08:00:00Z

  static final PageView VIEW =
      PageView.newBuilder()
          .setEventId("v1")
          .setUserId("u1")
          .setContentId("c1")
          .setCategory("news")
          .setPageUrl("/c1")
          .setUserAgent("ua")
          .setDurationMs(5)
          .setEventTime(T0)
          .build();

  /** A click click-enrichment rejects: it has no user. */
  static final Click NO_USER_CLICK =
      Click.newBuilder()
          .setEventId("c1")
          .setUserId("")
          .setProductId("p1")
          .setPageUrl("/p1")
          .setUserAgent("ua")
          .setLocation("NL")
          .setEventTime(T0)
          .build();

  private static byte[] bytes(DeadLetter d) {
    ByteBuffer b = d.getPayload().duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static KafkaRecord<byte[], Parsed<SpecificRecord>> record(
      int partition, long offset, Parsed<SpecificRecord> value) {
    return new KafkaRecord<>(
        "events",
        partition,
        offset,
        T0 + 3_600_000, // a Kafka timestamp other than the event time
        KafkaTimestampType.CREATE_TIME,
        null,
        null,
        value);
  }

  @Test
  public void anEventIsDecodedFromJsonOrAvro() {
    EventDeserializer d = new EventDeserializer();
    Parsed<SpecificRecord> json =
        d.deserialize("events", WireFormat.toJson(VIEW).getBytes(StandardCharsets.UTF_8));
    assertTrue(json.ok());
    assertEquals(VIEW, json.value());
    Parsed<SpecificRecord> avro =
        d.deserialize("events", new RecordHeaders(), WireFormat.encode(VIEW));
    assertEquals(VIEW, avro.value());
  }

  @Test
  public void anUndecodableValueIsADeadLetterWithItsBytesAndReason() {
    EventDeserializer d = new EventDeserializer();
    byte[] garbage = {0x00, (byte) 0xFF, 0x13, 0x37};
    Parsed<SpecificRecord> bad = d.deserialize("events", garbage);
    assertFalse(bad.ok());
    assertArrayEquals(garbage, bytes(bad.deadLetter()));
    assertEquals("decode", bad.deadLetter().getStep());
    assertEquals("kafka:events", bad.deadLetter().getSource());
    assertEquals(EventDeserializer.UNKNOWN_POSITION, bad.deadLetter().getPosition());

    Parsed<SpecificRecord> none = d.deserialize("events", null);
    assertFalse(none.ok());
    assertEquals("empty", none.deadLetter().getReason());
    assertArrayEquals(new byte[0], bytes(none.deadLetter()));
  }

  @Test
  public void aDeadLetterIsPutWhereItWasReadAndAnEventPassesAsItIs() {
    EventDeserializer d = new EventDeserializer();
    byte[] garbage = "not an event".getBytes(StandardCharsets.UTF_8);
    Parsed<SpecificRecord> bad = d.deserialize("events", garbage);
    DeadLetter placed = KafkaSource.whereRead(record(2, 41, bad)).deadLetter();
    assertEquals("kafka:events/2", placed.getSource());
    assertEquals(41, placed.getPosition());
    assertEquals(bad.deadLetter().getReason(), placed.getReason());
    assertEquals(bad.deadLetter().getError(), placed.getError());
    assertEquals("decode", placed.getStep());
    assertArrayEquals(garbage, bytes(placed));

    Parsed<SpecificRecord> event = d.deserialize("events", WireFormat.encode(VIEW));
    assertSame(event, KafkaSource.whereRead(record(0, 7, event)));
  }

  /**
   * A click that click-enrichment rejects is decoded as a click, with that pipeline's dead letter:
   * its original bytes (Avro here, not the click re-encoded) and, once placed, its partition and
   * offset, as a decode dead letter has them.
   */
  @Test
  public void anInvalidClickKeepsItsBytesAndIsPutWhereItWasRead() {
    Click click = NO_USER_CLICK;
    byte[] avro = WireFormat.encode(click);
    Parsed<SpecificRecord> decoded = new EventDeserializer().deserialize("events", avro);
    assertTrue(decoded.ok());
    assertEquals(click, decoded.value());
    Parsed<SpecificRecord> placed = KafkaSource.whereRead(record(1, 12, decoded));
    assertEquals(click, placed.value());
    DeadLetter d = placed.ifRejected();
    assertEquals(ClickEnrichmentPipeline.INVALID, d.getReason());
    assertEquals(ClickEnrichmentPipeline.STEP, d.getStep());
    assertEquals("empty userId", d.getError());
    assertEquals("kafka:events/1", d.getSource());
    assertEquals(12, d.getPosition());
    assertArrayEquals(avro, bytes(d));
  }

  /** The coder of the read's values (part of the Kafka read Flink keeps in a savepoint). */
  @Test
  public void decodedRecordsHaveADeterministicCoder() throws Exception {
    Coder<Parsed<SpecificRecord>> coder = Events.decodedCoder();
    CoderProperties.coderSerializable(coder);
    coder.verifyDeterministic();
    EventDeserializer d = new EventDeserializer();
    for (byte[] value :
        List.of(
            WireFormat.encode(VIEW),
            WireFormat.encode(NO_USER_CLICK),
            new byte[] {0x00, (byte) 0xFF},
            new byte[0])) {
      Parsed<SpecificRecord> decoded = d.deserialize("events", value);
      CoderProperties.coderDecodeEncodeEqual(coder, decoded);
      CoderProperties.coderDeterministic(coder, decoded, d.deserialize("events", value));
    }
  }
}

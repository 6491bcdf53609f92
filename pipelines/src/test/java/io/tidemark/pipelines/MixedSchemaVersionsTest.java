package io.tidemark.pipelines;

import static io.tidemark.pipelines.EngagementPipelineTest.FIRST;
import static io.tidemark.pipelines.EngagementPipelineTest.at;
import static io.tidemark.pipelines.EngagementPipelineTest.expected;

import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.SchemaHistory;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * A stream that mixes Click v1 and v2, in binary and JSON, with garbage: every click decodes into
 * the newest type, results are exact, and each garbage record is exactly one dead letter with its
 * reason.
 */
public class MixedSchemaVersionsTest {
  static final Schema CLICK_V1 = SchemaHistory.shipped().find("Click", 1).schema();

  @Rule public final transient TestPipeline p = TestPipeline.create();

  static Click click(String id, Instant ts) {
    return Click.newBuilder()
        .setEventId(id)
        .setUserId("u1")
        .setProductId("p" + id)
        .setPageUrl("/p")
        .setUserAgent("ua")
        .setLocation("US")
        .setEventTime(ts.getMillis())
        .setReferrer("search")
        .build();
  }

  static GenericData.Record v1(Click c) {
    GenericData.Record r = new GenericData.Record(CLICK_V1);
    for (Schema.Field f : CLICK_V1.getFields()) {
      r.put(f.name(), c.get(f.name()));
    }
    return r;
  }

  static TimestampedValue<RawRecord> record(byte[] bytes, Instant ts, long position) {
    return TimestampedValue.of(new RawRecord(bytes, "mixed", position), ts);
  }

  @Test
  public void mixedVersionsDecodeIntoTheLatestTypeAndGarbageIsCounted() {
    Instant t1 = at(1);
    Instant t2 = at(2);
    Instant t3 = at(3);
    Instant t4 = at(4);
    byte[] v1Binary = WireFormat.encode(v1(click("a", t1)), CLICK_V1);
    byte[] v1Json =
        WireFormat.toJson(v1(click("b", t2)), CLICK_V1).getBytes(StandardCharsets.UTF_8);
    byte[] v2Binary = WireFormat.encode(click("c", t3));
    byte[] v2Json = WireFormat.toJson(click("d", t4)).getBytes(StandardCharsets.UTF_8);
    byte[] truncated = Arrays.copyOf(v2Binary, v2Binary.length - 3);
    byte[] unknownFingerprint = v2Binary.clone();
    unknownFingerprint[5] ^= 0x5A;
    byte[] notJson = "GET / HTTP/1.1".getBytes(StandardCharsets.UTF_8);

    TestStream<RawRecord> stream =
        TestStream.create(RawRecord.coder())
            .advanceWatermarkTo(EngagementPipelineTest.T0)
            .addElements(
                record(v1Binary, t1, 1),
                record(v1Json, t2, 2),
                record(v2Binary, t3, 3),
                record(v2Json, t4, 4),
                record(truncated, t4, 5),
                record(unknownFingerprint, t4, 6),
                record(notJson, t4, 7))
            .advanceWatermarkToInfinity();
    Events events = Events.decode(p.apply(stream));
    Output out =
        EngagementPipeline.expand(
            events, PipelineOptionsFactory.create().as(EngagementOptions.class));

    PAssert.that(out.<Engagement>get("results"))
        .inOnTimePane(FIRST)
        .containsInAnyOrder(expected("u1", FIRST, 0, 4, 0, 4, "ON_TIME", 0));
    // v1 clicks get the v2 default referrer; v2 clicks keep theirs.
    PAssert.that(
            events.clicks.apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(c -> c.getEventId() + "=" + c.getReferrer())))
        .containsInAnyOrder("a=", "b=", "c=search", "d=search");
    PAssert.that(
            events.deadLetters.apply(
                "Reasons",
                MapElements.into(TypeDescriptors.strings())
                    .via(d -> d.getPosition() + " " + d.getReason())))
        .containsInAnyOrder("5 truncated", "6 unknown-fingerprint", "7 not-json");
    p.run();
  }
}

package io.tidemark.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/** Bad records become dead letters with their bytes and reason; records in = parsed + dead. */
public class MalformedRecordsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static RawRecord line(String s, long position) {
    return new RawRecord(s.getBytes(StandardCharsets.UTF_8), "replay.jsonl", position);
  }

  @Test
  public void badRecordsAreDeadLettersAndCountsAddUp() {
    PageView view =
        PageView.newBuilder()
            .setEventId("e1")
            .setUserId("u1")
            .setContentId("c1")
            .setCategory("news")
            .setPageUrl("/c1")
            .setUserAgent("ua")
            .setDurationMs(5)
            .setEventTime(1000)
            .build();
    String good = WireFormat.toJson(view);
    char[] big = new char[(1 << 20) + 1];
    Arrays.fill(big, 'x');
    List<RawRecord> records = new ArrayList<>();
    records.add(line(good, 1));
    records.add(line("this is not json", 2));
    records.add(line("{\"type\":\"Click\",\"version\":2,\"event\":{\"eventId\":\"x\"}}", 3));
    records.add(
        line(
            "{\"type\":\"Purchase\",\"version\":1,\"event\":{\"eventId\":\"x\",\"userId\":\"u\","
                + "\"productId\":\"p\",\"amount\":\"ten\",\"eventTime\":0}}",
            4));
    records.add(line("", 5));
    records.add(line(new String(big), 6));
    records.add(new RawRecord(WireFormat.encode(view), "bin", 7));
    List<String> originals = new ArrayList<>();
    for (RawRecord r : records) {
      originals.add(new String(r.payload(), StandardCharsets.ISO_8859_1));
    }

    Events events = Events.decode(p.apply(Create.of(records).withCoder(RawRecord.coder())));
    PAssert.that(
            events.deadLetters.apply(
                "Reasons",
                MapElements.into(TypeDescriptors.strings())
                    .via(d -> d.getPosition() + " " + d.getReason() + " " + d.getStep())))
        .containsInAnyOrder(
            "2 not-json decode",
            "3 missing-field decode",
            "4 wrong-type decode",
            "5 empty decode",
            "6 oversized decode");
    // A dead letter keeps the original bytes.
    PAssert.that(
            events.deadLetters.apply(
                "Payloads",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (DeadLetter d) -> {
                          ByteBuffer b = d.getPayload().duplicate();
                          byte[] bytes = new byte[b.remaining()];
                          b.get(bytes);
                          String original = originals.get((int) d.getPosition() - 1);
                          return d.getPosition()
                              + ":"
                              + original.equals(new String(bytes, StandardCharsets.ISO_8859_1));
                        })))
        .containsInAnyOrder("2:true", "3:true", "4:true", "5:true", "6:true");
    PCollection<Long> parsed =
        PCollectionList.of(events.views.apply("v", Count.globally()))
            .and(events.clicks.apply("c", Count.globally()))
            .and(events.purchases.apply("p", Count.globally()))
            .and(events.deadLetters.apply("d", Count.globally()))
            .apply(Flatten.pCollections())
            .apply(org.apache.beam.sdk.transforms.Sum.longsGlobally());
    PAssert.thatSingleton(parsed).isEqualTo((long) records.size());
    PAssert.thatSingleton(events.views.apply("views", Count.globally())).isEqualTo(2L);
    p.run();
  }

  @Test
  public void badOptionsFailFastNamingTheOptionAndValue() {
    IllegalArgumentException window =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tidemark.run(
                    new String[] {"engagement", "--engagementWindowMinutes=-5"}, System.out));
    assertThat(
        window.getMessage(), containsString("--engagementWindowMinutes must be positive, was -5"));
    IllegalArgumentException lateness =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tidemark.run(
                    new String[] {"engagement", "--allowedLatenessMinutes=100000"}, System.out));
    assertThat(
        lateness.getMessage(),
        containsString("--allowedLatenessMinutes must be in [0, 10080], was 100000"));
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> Tidemark.run(new String[] {"nope"}, System.out));
    assertThat(unknown.getMessage(), containsString("unknown pipeline 'nope'"));
    IllegalArgumentException generator =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tidemark.run(new String[] {"engagement", "--lateFraction=2"}, System.out));
    assertThat(generator.getMessage(), containsString("lateFraction must be in [0, 1], was 2.0"));
  }
}

package io.tidemark.schemas;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Test;

/** The binary and JSON-lines wire formats: mixed versions, and every kind of bad input. */
public class WireFormatTest {
  private static final WireFormat WIRE = WireFormat.shipped();
  private static final Set<String> REASONS =
      Set.of(
          "empty",
          "truncated",
          "bad-header",
          "unknown-fingerprint",
          "trailing-bytes",
          "not-json",
          "missing-field",
          "unknown-schema",
          "wrong-type",
          "incompatible",
          "corrupt",
          "invalid-utf8");

  // ---- mixed streams -------------------------------------------------------------------------

  @Test
  public void mixedBinaryStreamOfV1AndV2DecodesIntoLatestClasses() throws DecodeException {
    GenericRecord clickV1 = Samples.clickV1(1);
    GenericRecord txV1 = Samples.transactionV1(2, 2.5f);
    PageView view = Samples.filled(PageView.class, 3);
    List<byte[]> stream =
        List.of(
            WireFormat.encode(clickV1, clickV1.getSchema()),
            WireFormat.encode(Samples.click(2)),
            WireFormat.encode(txV1, txV1.getSchema()),
            WireFormat.encode(Samples.transaction(4)),
            WireFormat.encode(view),
            WireFormat.encode(clickV1, clickV1.getSchema()));

    List<SpecificRecord> decoded = new ArrayList<>();
    for (byte[] b : stream) {
      decoded.add(WIRE.decode(b));
    }

    assertMixedStream(decoded, view);
  }

  @Test
  public void mixedJsonStreamOfV1AndV2DecodesIntoLatestClasses() throws DecodeException {
    GenericRecord clickV1 = Samples.clickV1(1);
    GenericRecord txV1 = Samples.transactionV1(2, 2.5f);
    PageView view = Samples.filled(PageView.class, 3);
    List<String> lines =
        List.of(
            WireFormat.toJson(clickV1, clickV1.getSchema()),
            WireFormat.toJson(Samples.click(2)),
            WireFormat.toJson(txV1, txV1.getSchema()),
            WireFormat.toJson(Samples.transaction(4)),
            WireFormat.toJson(view),
            WireFormat.toJson(clickV1, clickV1.getSchema()));

    List<SpecificRecord> decoded = new ArrayList<>();
    for (String line : lines) {
      decoded.add(WIRE.decodeJson(line));
    }

    assertMixedStream(decoded, view);
  }

  private static void assertMixedStream(List<SpecificRecord> decoded, PageView view) {
    Click c1 = Samples.click(1);
    c1.setReferrer("");
    Transaction t2 = Samples.transaction(2);
    t2.setAmount(2.5);
    t2.setCurrency("USD");
    assertEquals(List.of(c1, Samples.click(2), t2, Samples.transaction(4), view, c1), decoded);
    assertThat(decoded.get(0), instanceOf(Click.class));
    assertThat(decoded.get(2), instanceOf(Transaction.class));
  }

  @Test
  public void everyEventAndResultTypeRoundTripsInBothFormats() throws DecodeException {
    List<Class<? extends SpecificRecord>> all = new ArrayList<>(SchemaHistory.EVENT_TYPES);
    all.addAll(SchemaHistory.RESULT_TYPES);
    for (Class<? extends SpecificRecord> type : all) {
      SpecificRecord r = Samples.filled(type, type.getName().hashCode());
      assertEquals(type.getSimpleName(), r, WIRE.decode(WireFormat.encode(r)));
      assertEquals(type.getSimpleName(), r, WIRE.decodeJson(WireFormat.toJson(r)));
    }
  }

  // ---- binary failures -----------------------------------------------------------------------

  @Test
  public void emptyPayload() {
    assertBinaryFails(null, "empty");
    assertBinaryFails(new byte[0], "empty");
  }

  @Test
  public void unknownFingerprint() {
    byte[] bytes = WireFormat.encode(Samples.click(1));
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);
    assertThat(assertBinaryFails(bytes, "unknown-fingerprint"), containsString("123456789abcdef"));

    // A valid encoding with a schema version this jar does not ship (a future Click v3).
    Schema v3 = Synthetic.schema("Click.v3-compatible.avsc");
    GenericRecord r = new GenericData.Record(v3);
    Samples.click(1)
        .getSchema()
        .getFields()
        .forEach(f -> r.put(f.name(), Samples.click(1).get(f.pos())));
    r.put("campaign", "spring");
    assertBinaryFails(WireFormat.encode(r, v3), "unknown-fingerprint");
  }

  @Test
  public void truncatedAtEveryLength() {
    GenericRecord v1 = Samples.clickV1(1);
    for (byte[] full :
        List.of(
            WireFormat.encode(Samples.click(1)),
            WireFormat.encode(v1, v1.getSchema()),
            WireFormat.encode(Samples.transaction(1)),
            WireFormat.encode(Samples.filled(FraudAlert.class, 1)))) {
      for (int n = 1; n < full.length; n++) {
        assertBinaryFails(Arrays.copyOf(full, n), "truncated");
      }
    }
  }

  @Test
  public void badHeader() {
    byte[] bytes = WireFormat.encode(Samples.click(1));
    byte[] first = bytes.clone();
    first[0] = (byte) 0xC2;
    assertThat(assertBinaryFails(first, "bad-header"), containsString("c201"));
    byte[] second = bytes.clone();
    second[1] = 0x02;
    assertThat(assertBinaryFails(second, "bad-header"), containsString("c302"));
    byte[] json = WireFormat.toJson(Samples.click(1)).getBytes(StandardCharsets.UTF_8);
    assertBinaryFails(json, "bad-header");
  }

  @Test
  public void trailingBytes() {
    byte[] bytes = WireFormat.encode(Samples.click(1));
    assertBinaryFails(Arrays.copyOf(bytes, bytes.length + 1), "trailing-bytes");
    GenericRecord v1 = Samples.clickV1(1);
    byte[] old = WireFormat.encode(v1, v1.getSchema());
    // Two concatenated records are not one record.
    ByteArrayOutputStream two = new ByteArrayOutputStream();
    two.writeBytes(old);
    two.writeBytes(old);
    assertBinaryFails(two.toByteArray(), "trailing-bytes");
  }

  /** Regression: Avro allocates the length a string claims; 2 GB claimed in 15 bytes was an OOM. */
  @Test
  public void hugeClaimedLengthIsTruncatedNotOutOfMemory() {
    byte[] header = Arrays.copyOf(WireFormat.encode(Samples.click(1)), 10);
    byte[] bytes = Arrays.copyOf(header, 15);
    System.arraycopy(
        new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}, 0, bytes, 10, 5);
    assertThat(assertBinaryFails(bytes, "truncated"), containsString("length 2147483647 exceeds"));
  }

  @Test
  public void negativeLengthOrBadEnumIndexIsCorrupt() {
    byte[] click = WireFormat.encode(Samples.click(1));
    byte[] negative = click.clone();
    negative[10] = 0x01; // zig-zag -1: the length of eventId
    assertThat(assertBinaryFails(negative, "corrupt"), containsString("negative length -1"));

    ContentInteraction ci = Samples.filled(ContentInteraction.class, 1);
    ci.setInteraction(InteractionType.COMMENT);
    byte[] bytes = WireFormat.encode(ci);
    int enumAt = bytes.length - 1 - varintLength(ci.getEventTime());
    assertEquals("COMMENT is index 2", 0x04, bytes[enumAt]);
    bytes[enumAt] = 0x06; // index 3
    assertThat(assertBinaryFails(bytes, "corrupt"), containsString("enum index 3 out of range"));
  }

  private static int varintLength(long v) {
    long z = (v << 1) ^ (v >> 63);
    int n = 1;
    while ((z >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  /** A history whose Click v1 wrote eventTime as a string: the newest Click cannot read it. */
  @Test
  public void incompatibleWriterVersion() {
    Schema bad = incompatibleClickV1();
    WireFormat wire = new WireFormat(historyWithClickV1(bad));

    GenericRecord r = new GenericData.Record(bad);
    Samples.clickV1(1)
        .getSchema()
        .getFields()
        .forEach(f -> r.put(f.name(), Samples.clickV1(1).get(f.name())));
    r.put("eventTime", "yesterday");

    String binary = assertFails(() -> wire.decode(WireFormat.encode(r, bad)), "incompatible");
    assertThat(binary, containsString("eventTime"));
    String json = assertFails(() -> wire.decodeJson(WireFormat.toJson(r, bad)), "incompatible");
    assertThat(json, containsString("eventTime"));
    // The shipped history never heard of that version.
    assertBinaryFails(WireFormat.encode(r, bad), "unknown-fingerprint");
  }

  /** An older version with an enum symbol the newest version lacks. */
  @Test
  public void incompatibleEnumSymbol() {
    Schema withSave = Synthetic.schema("ContentInteraction.v2-symbol-added.avsc");
    Schema old =
        new Schema.Parser().parse(withSave.toString().replace("\"version\":2", "\"version\":1"));
    Schema current = ContentInteraction.getClassSchema();
    Map<String, List<SchemaHistory.Version>> byName = new LinkedHashMap<>();
    byName.put(
        "ContentInteraction",
        List.of(
            SchemaHistory.Version.of(old),
            new SchemaHistory.Version(
                "ContentInteraction",
                2,
                current,
                SchemaNormalization.parsingFingerprint64(current))));
    WireFormat wire = new WireFormat(new SchemaHistory(byName));
    GenericRecord r = new GenericData.Record(old);
    ContentInteraction sample = Samples.filled(ContentInteraction.class, 1);
    old.getFields().forEach(f -> r.put(f.name(), sample.get(f.pos())));
    r.put("interaction", new GenericData.EnumSymbol(old.getField("interaction").schema(), "SAVE"));

    assertThat(
        assertFails(() -> wire.decode(WireFormat.encode(r, old)), "incompatible"),
        containsString("interaction"));
  }

  /** Random garbage behind a valid header, and random byte flips: only DecodeException. */
  @Test
  public void corruptPayloadsOnlyEverGiveDecodeException() {
    Random rnd = new Random(42);
    List<byte[]> valid = new ArrayList<>();
    GenericRecord v1 = Samples.clickV1(1);
    valid.add(WireFormat.encode(v1, v1.getSchema()));
    valid.add(WireFormat.encode(Samples.click(1)));
    valid.add(WireFormat.encode(Samples.transaction(1)));
    valid.add(WireFormat.encode(Samples.filled(FraudAlert.class, 7)));
    valid.add(WireFormat.encode(Samples.filled(DeadLetter.class, 7)));
    int failures = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] base = valid.get(i % valid.size());
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = Arrays.copyOf(base, 10 + rnd.nextInt(base.length));
        for (int j = 10; j < bytes.length; j++) {
          bytes[j] = (byte) rnd.nextInt(256);
        }
      } else {
        bytes = base.clone();
        for (int flips = 1 + rnd.nextInt(3); flips > 0; flips--) {
          bytes[10 + rnd.nextInt(bytes.length - 10)] = (byte) rnd.nextInt(256);
        }
      }
      try {
        WIRE.decode(bytes);
      } catch (DecodeException e) {
        failures++;
        assertThat(e.reason(), REASONS.contains(e.reason()), is(true));
      } catch (Throwable t) {
        throw new AssertionError("payload " + hex(bytes) + " threw " + t, t);
      }
    }
    assertThat("most garbage is rejected", failures > 10_000, is(true));
  }

  // ---- JSON failures -------------------------------------------------------------------------

  @Test
  public void jsonEmpty() {
    assertJsonFails(null, "empty");
    assertJsonFails("", "empty");
    assertJsonFails("  \t", "empty");
  }

  @Test
  public void jsonNotJson() {
    assertJsonFails("hello", "not-json");
    assertJsonFails("{\"type\":\"Click\"", "not-json");
    assertJsonFails("[1,2]", "not-json");
    assertJsonFails("42", "not-json");
    String line = WireFormat.toJson(Samples.click(1));
    assertJsonFails(line + " trailing", "not-json");
    assertJsonFails(line + line, "not-json");
  }

  @Test
  public void jsonMissingField() {
    String line = WireFormat.toJson(Samples.click(1));
    assertJsonFails(line.replace("\"type\":\"Click\",", ""), "missing-field");
    assertJsonFails(line.replace("\"version\":2,", ""), "missing-field");
    assertJsonFails("{\"type\":\"Click\",\"version\":2}", "missing-field");
    assertJsonFails(line.replace("\"userId\":\"u-1\",", ""), "missing-field");
  }

  @Test
  public void jsonWrongType() {
    String line = WireFormat.toJson(Samples.click(1));
    assertJsonFails(
        line.replace("\"eventTime\":1700000001000", "\"eventTime\":\"soon\""), "wrong-type");
    assertJsonFails(line.replace("\"userId\":\"u-1\"", "\"userId\":17"), "wrong-type");
    assertJsonFails(line.replace("\"type\":\"Click\"", "\"type\":7"), "missing-field");
    assertJsonFails(line.replace("\"version\":2", "\"version\":\"2\""), "missing-field");
    assertJsonFails(line.replace("\"version\":2", "\"version\":1.5"), "missing-field");
    assertJsonFails(
        line.replace("\"event\":{", "\"event\":[{").replace("}}", "}]}"), "missing-field");
  }

  @Test
  public void jsonUnknownVersionOrType() {
    String line = WireFormat.toJson(Samples.click(1));
    assertJsonFails(line.replace("\"version\":2", "\"version\":3"), "unknown-schema");
    assertJsonFails(line.replace("\"version\":2", "\"version\":0"), "unknown-schema");
    assertJsonFails(line.replace("\"version\":2", "\"version\":-1"), "unknown-schema");
    assertJsonFails(line.replace("\"type\":\"Click\"", "\"type\":\"Klick\""), "unknown-schema");
  }

  // ---- robustness: defaults, encodings, non-finite numbers ------------------------------------

  @Test
  public void jsonMissingFieldsWithDefaultsAreFilledAsAvroResolutionDoes() throws DecodeException {
    String click = WireFormat.toJson(Samples.click(1)); // v2, referrer "https://..."
    String noReferrer = click.replaceAll(",\"referrer\":\"[^\"]*\"", "");
    assertThat(noReferrer.contains("referrer"), is(false));
    Click c = (Click) WIRE.decodeJson(noReferrer);
    assertEquals("", c.getReferrer());
    assertEquals("u-1", c.getUserId());

    String tx = WireFormat.toJson(Samples.transaction(2)); // v2, currency EUR
    String noCurrency = tx.replace(",\"currency\":\"EUR\"", "");
    assertThat(noCurrency.contains("currency"), is(false));
    Transaction t = (Transaction) WIRE.decodeJson(noCurrency);
    assertEquals("USD", t.getCurrency());
    assertEquals(12.25, t.getAmount(), 0);
    // The same record read from binary gets the same default.
    assertEquals(t, WIRE.decode(WireFormat.encode(t)));
  }

  @Test
  public void jsonLeadingByteOrderMarkIsIgnored() throws DecodeException {
    Click c = Samples.click(3);
    String line = WireFormat.toJson(c);
    assertEquals(c, WIRE.decodeJson("\uFEFF" + line));
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + bytes.length];
    System.arraycopy(bom, 0, withBom, 0, 3);
    System.arraycopy(bytes, 0, withBom, 3, bytes.length);
    assertEquals(c, WIRE.decodeJson(withBom));
  }

  @Test
  public void jsonInvalidUtf8IsADecodeExceptionNotAReplacementCharacter() throws DecodeException {
    assertFails(() -> WIRE.decodeJson(new byte[] {(byte) 0xFF}), "invalid-utf8");
    byte[] line = WireFormat.toJson(Samples.click(4)).getBytes(StandardCharsets.UTF_8);
    int at = new String(line, StandardCharsets.UTF_8).indexOf("u-4") + 2;
    line[at] = (byte) 0xC3; // a lead byte with no continuation, inside the user id
    String message = assertFails(() -> WIRE.decodeJson(line), "invalid-utf8");
    assertThat(message, containsString("byte " + at));
    assertEquals(
        Samples.click(4),
        WIRE.decodeJson(WireFormat.toJson(Samples.click(4)).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  public void nonFiniteDoublesWrittenAsJsonAreReadBack() throws DecodeException {
    for (double amount :
        new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      FraudAlert alert = Samples.filled(FraudAlert.class, 5);
      alert.setAmount(amount);
      String line = WireFormat.toJson(alert);
      FraudAlert back = (FraudAlert) WIRE.decodeJson(line);
      assertEquals(line, Double.valueOf(amount), Double.valueOf(back.getAmount()));
      assertEquals(alert, WIRE.decode(WireFormat.encode(alert)));
    }
  }

  @Test
  public void loneSurrogateEscapesAreInvalidUtf8() {
    // An escaped lone surrogate is no Unicode text: written out as UTF-8 it would become '?'.
    String line = WireFormat.toJson(Samples.click(5));
    String broken = line.replace("\"u-5\"", "\"u\\ud800-5\"");
    assertThat(broken, containsString("\\ud800"));
    assertFails(() -> WIRE.decodeJson(broken), "invalid-utf8");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private interface Decode {
    SpecificRecord run() throws DecodeException;
  }

  private static String assertBinaryFails(byte[] bytes, String reason) {
    return assertFails(() -> WIRE.decode(bytes), reason + " for " + hex(bytes), reason);
  }

  private static String assertJsonFails(String line, String reason) {
    return assertFails(() -> WIRE.decodeJson(line), reason + " for " + line, reason);
  }

  private static String assertFails(Decode decode, String reason) {
    return assertFails(decode, reason, reason);
  }

  /** Asserts a DecodeException with {@code reason} (never any other exception); its message. */
  private static String assertFails(Decode decode, String what, String reason) {
    SpecificRecord r;
    try {
      r = decode.run();
    } catch (DecodeException e) {
      assertEquals(what + ": " + e.getMessage(), reason, e.reason());
      return e.getMessage();
    } catch (Throwable t) {
      throw new AssertionError("expected DecodeException " + what + " but got " + t, t);
    }
    fail("expected DecodeException " + what + " but decoded " + r);
    return null;
  }

  private static Schema incompatibleClickV1() {
    return new Schema.Parser()
        .parse(
            Samples.v1("Click")
                .toString()
                .replace(
                    "\"name\":\"eventTime\",\"type\":\"long\"",
                    "\"name\":\"eventTime\",\"type\":\"string\""));
  }

  private static SchemaHistory historyWithClickV1(Schema v1) {
    Map<String, List<SchemaHistory.Version>> byName = new LinkedHashMap<>();
    byName.put(
        "Click", List.of(SchemaHistory.Version.of(v1), SchemaHistory.shipped().latest("Click")));
    return new SchemaHistory(byName);
  }

  private static String hex(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }
}

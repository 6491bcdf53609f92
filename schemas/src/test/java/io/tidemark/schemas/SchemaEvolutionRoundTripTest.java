package io.tidemark.schemas;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Test;

/**
 * Data written by a v1 producer decodes into the current classes, with defaults filled in and
 * widened types converted, in both wire formats.
 */
public class SchemaEvolutionRoundTripTest {
  private static final WireFormat WIRE = WireFormat.shipped();

  @Test
  public void clickV1BinaryDecodesAsV2WithEmptyReferrer() throws DecodeException {
    GenericRecord v1 = Samples.clickV1(3);
    byte[] bytes = WireFormat.encode(v1, v1.getSchema());
    assertEquals(
        "the payload is really v1 data",
        SchemaNormalization.parsingFingerprint64(Samples.v1("Click")),
        fingerprint(bytes));

    SpecificRecord decoded = WIRE.decode(bytes);

    assertThat(decoded, instanceOf(Click.class));
    assertEquals(expectedClick(3), decoded);
  }

  @Test
  public void clickV1JsonDecodesAsV2WithEmptyReferrer() throws DecodeException {
    GenericRecord v1 = Samples.clickV1(3);
    String line = WireFormat.toJson(v1, v1.getSchema());
    assertThat(line, containsString("\"type\":\"Click\",\"version\":1,"));
    assertThat(line, not(containsString("referrer")));

    SpecificRecord decoded = WIRE.decodeJson(line);

    assertEquals(expectedClick(3), decoded);
  }

  @Test
  public void transactionV1BinaryDecodesAsV2WithUsdAndWidenedAmount() throws DecodeException {
    GenericRecord v1 = Samples.transactionV1(5, 0.1f);
    byte[] bytes = WireFormat.encode(v1, v1.getSchema());
    assertEquals(
        SchemaNormalization.parsingFingerprint64(Samples.v1("Transaction")), fingerprint(bytes));

    Transaction decoded = (Transaction) WIRE.decode(bytes);

    assertEquals(expectedTransaction(5, 0.1f), decoded);
  }

  @Test
  public void transactionV1JsonDecodesAsV2WithUsdAndWidenedAmount() throws DecodeException {
    GenericRecord v1 = Samples.transactionV1(5, 0.1f);
    String line = WireFormat.toJson(v1, v1.getSchema());
    assertThat(line, containsString("\"version\":1"));
    assertThat(line, not(containsString("currency")));

    Transaction decoded = (Transaction) WIRE.decodeJson(line);

    assertEquals(expectedTransaction(5, 0.1f), decoded);
  }

  @Test
  public void transactionV1AmountsWidenExactlyFromTheirFloatValue() throws DecodeException {
    for (float amount : new float[] {0f, -1.5f, 0.1f, 12.34f, 1e-7f, 3.4e38f, 16_777_217f}) {
      GenericRecord v1 = Samples.transactionV1(1, amount);
      Transaction binary = (Transaction) WIRE.decode(WireFormat.encode(v1, v1.getSchema()));
      Transaction json = (Transaction) WIRE.decodeJson(WireFormat.toJson(v1, v1.getSchema()));
      assertEquals("binary " + amount, (double) amount, binary.getAmount(), 0.0);
      assertEquals("json " + amount, (double) amount, json.getAmount(), 0.0);
    }
  }

  @Test
  public void currentVersionsRoundTripUnchanged() throws DecodeException {
    Click click = Samples.click(1); // a non-empty referrer
    Transaction tx = Samples.transaction(2); // EUR, not the default
    assertEquals(click, WIRE.decode(WireFormat.encode(click)));
    assertEquals(click, WIRE.decodeJson(WireFormat.toJson(click)));
    assertEquals(tx, WIRE.decode(WireFormat.encode(tx)));
    assertEquals(tx, WIRE.decodeJson(WireFormat.toJson(tx)));
  }

  private static Click expectedClick(int i) {
    Click c = Samples.click(i);
    c.setReferrer("");
    return c;
  }

  private static Transaction expectedTransaction(int i, float amount) {
    Transaction t = Samples.transaction(i);
    t.setAmount((double) amount);
    t.setCurrency("USD");
    return t;
  }

  static long fingerprint(byte[] singleObject) {
    return ByteBuffer.wrap(singleObject, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}

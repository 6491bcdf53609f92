package io.tidemark.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Test records: hand-written Click and Transaction samples, and filled records of any schema. */
final class Samples {
  static final long T0 = 1_700_000_000_000L;

  private Samples() {}

  static Click click(int i) {
    return Click.newBuilder()
        .setEventId("c-" + i)
        .setUserId("u-" + (i % 7))
        .setProductId("p-" + (i % 13))
        .setPageUrl("https://shop.example/p/" + (i % 13))
        .setUserAgent("Mozilla/5.0 (X11; Linux x86_64)")
        .setLocation("DE")
        .setEventTime(T0 + i * 1000L)
        .setReferrer(i % 2 == 0 ? "" : "https://search.example/?q=" + i)
        .build();
  }

  static Transaction transaction(int i) {
    return Transaction.newBuilder()
        .setEventId("t-" + i)
        .setTransactionId("tx-" + i)
        .setUserId("u-" + (i % 7))
        .setAmount(10.25 + i)
        .setLocation("FR")
        .setMerchant("m-" + (i % 3))
        .setEventTime(T0 + i)
        .setCurrency("EUR")
        .build();
  }

  /** A Click written by a v1 producer: a GenericRecord of the shipped v1 schema. */
  static GenericRecord clickV1(int i) {
    GenericRecord r = new GenericData.Record(v1("Click"));
    Click c = click(i);
    for (Schema.Field f : r.getSchema().getFields()) {
      r.put(f.name(), c.get(f.name()));
    }
    return r;
  }

  /** A Transaction written by a v1 producer (amount is a float, no currency). */
  static GenericRecord transactionV1(int i, float amount) {
    GenericRecord r = new GenericData.Record(v1("Transaction"));
    Transaction t = transaction(i);
    for (Schema.Field f : r.getSchema().getFields()) {
      r.put(f.name(), f.name().equals("amount") ? amount : t.get(f.name()));
    }
    return r;
  }

  static Schema v1(String name) {
    return SchemaHistory.shipped().find(name, 1).schema();
  }

  /** A specific record of {@code type} with every field set from {@code seed}. */
  @SuppressWarnings("unchecked")
  static <T extends SpecificRecord> T filled(Class<T> type, long seed) {
    Schema schema = SpecificData.get().getSchema(type);
    return (T) fill(schema, new Random(seed));
  }

  private static Object fill(Schema s, Random rnd) {
    switch (s.getType()) {
      case RECORD:
        SpecificRecord r = (SpecificRecord) SpecificData.get().newRecord(null, s);
        for (Schema.Field f : s.getFields()) {
          r.put(f.pos(), fill(f.schema(), rnd));
        }
        return r;
      case STRING:
        return "s" + Integer.toString(rnd.nextInt(1_000_000), 36) + "-é";
      case LONG:
        return T0 + rnd.nextInt(1_000_000);
      case INT:
        return rnd.nextInt(100);
      case DOUBLE:
        return rnd.nextInt(100_000) / 100.0;
      case FLOAT:
        return rnd.nextInt(1000) / 4.0f;
      case BOOLEAN:
        return rnd.nextBoolean();
      case BYTES:
        byte[] b = new byte[1 + rnd.nextInt(8)];
        rnd.nextBytes(b);
        return ByteBuffer.wrap(b);
      case ENUM:
        List<String> symbols = s.getEnumSymbols();
        return SpecificData.get().createEnum(symbols.get(rnd.nextInt(symbols.size())), s);
      case ARRAY:
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 1 + rnd.nextInt(3); i++) {
          items.add(fill(s.getElementType(), rnd));
        }
        return items;
      default:
        throw new IllegalArgumentException("No sample for " + s);
    }
  }
}

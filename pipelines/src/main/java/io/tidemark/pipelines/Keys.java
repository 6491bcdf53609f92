package io.tidemark.pipelines;

import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/** Keys events for the keyed steps of the pipelines. */
public final class Keys {
  private Keys() {}

  /** Keys events by their {@code userId} field, in a step named {@code Key<name>}. */
  public static <T extends SpecificRecord> PCollection<KV<String, SpecificRecord>> byUser(
      PCollection<T> events, String name) {
    return events
        .apply(
            "Key" + name,
            MapElements.into(
                    TypeDescriptors.kvs(
                        TypeDescriptors.strings(), TypeDescriptor.of(SpecificRecord.class)))
                .via((T e) -> KV.of((String) e.get(e.getSchema().getField("userId").pos()), e)))
        .setCoder(Windowed.KEYED_CODER);
  }

  /**
   * Keys each of {@code events} by the string {@code key} gives for it, in a step named {@code
   * step}; the values keep the coder of {@code events}.
   */
  public static <T> PCollection<KV<String, T>> by(
      String step, PCollection<T> events, SerializableFunction<T, String> key) {
    return events
        .apply(
            step,
            MapElements.into(new TypeDescriptor<KV<String, T>>() {})
                .via(e -> KV.of(key.apply(e), e)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), events.getCoder()));
  }
}

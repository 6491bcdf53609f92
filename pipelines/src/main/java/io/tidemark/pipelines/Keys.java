package io.tidemark.pipelines;

import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.transforms.MapElements;
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
}

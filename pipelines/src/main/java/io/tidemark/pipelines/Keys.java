package io.tidemark.pipelines;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Keys events for the keyed steps of the pipelines. */
public final class Keys {
  private Keys() {}

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

package io.tidemark.pipelines;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** The named outputs of one pipeline, for example {@code results} and {@code late}. */
public final class Output implements POutput {
  private final Map<String, PCollection<? extends SpecificRecord>> outputs = new LinkedHashMap<>();

  /** Adds an output; returns this. */
  public Output with(String name, PCollection<? extends SpecificRecord> records) {
    outputs.put(name, records);
    return this;
  }

  public Map<String, PCollection<? extends SpecificRecord>> all() {
    return outputs;
  }

  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> PCollection<T> get(String name) {
    PCollection<? extends SpecificRecord> p = outputs.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no output " + name + "; outputs are " + outputs.keySet());
    }
    return (PCollection<T>) p;
  }

  @Override
  public Pipeline getPipeline() {
    return outputs.values().iterator().next().getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    Map<TupleTag<?>, PValue> tagged = new LinkedHashMap<>();
    outputs.forEach((name, p) -> tagged.put(new TupleTag<>(name), p));
    return tagged;
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}

package io.tidemark.transforms;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** Base of the small result classes of transforms with several named outputs. */
public abstract class Outputs implements POutput {
  private final Pipeline pipeline;
  private final Map<TupleTag<?>, PValue> outputs = new LinkedHashMap<>();

  protected Outputs(PCollection<?>... named) {
    this.pipeline = named[0].getPipeline();
    for (PCollection<?> p : named) {
      outputs.put(new TupleTag<>(p.getName()), p);
    }
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return outputs;
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}

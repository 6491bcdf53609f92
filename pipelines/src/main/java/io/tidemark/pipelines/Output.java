package io.tidemark.pipelines;

import io.tidemark.schemas.DeadLetter;
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

/**
 * The named outputs of one pipeline, for example {@code results} and {@code late}, and the dead
 * letters of the events it rejects, if it rejects any: those go to the job's one dead-letter
 * output, with the records no decoder could read, not to an output of the pipeline's own.
 */
public final class Output implements POutput {
  /** The name of the dead letters among the outputs {@link #expand} declares. */
  static final String DEAD_LETTERS = "dead-letters";

  private final Map<String, PCollection<? extends SpecificRecord>> outputs = new LinkedHashMap<>();
  private PCollection<DeadLetter> deadLetters;

  /** Adds an output; returns this. */
  public Output with(String name, PCollection<? extends SpecificRecord> records) {
    if (name.equals(DEAD_LETTERS)) {
      throw new IllegalArgumentException(
          "a pipeline's dead letters go to the one dead-letter output: withDeadLetters");
    }
    outputs.put(name, records);
    return this;
  }

  /**
   * The dead letters of the events this pipeline rejects, each with its record's original bytes,
   * source and position (see {@code Events}); returns this.
   */
  public Output withDeadLetters(PCollection<DeadLetter> rejected) {
    this.deadLetters = rejected;
    return this;
  }

  /** The named outputs, written under the pipeline's name; without the dead letters. */
  public Map<String, PCollection<? extends SpecificRecord>> all() {
    return outputs;
  }

  /** The dead letters of the events this pipeline rejects; null if it rejects none. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
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
    if (deadLetters != null) {
      tagged.put(new TupleTag<>(DEAD_LETTERS), deadLetters);
    }
    return tagged;
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}

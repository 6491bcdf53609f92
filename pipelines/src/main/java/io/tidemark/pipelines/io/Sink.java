package io.tidemark.pipelines.io;

import io.tidemark.pipelines.Guarantees;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.io.kafka.KafkaSink;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.transforms.Parallelism;
import org.apache.beam.sdk.values.PCollection;

/**
 * Where a job's outputs go: each pipeline's named outputs and the one dead-letter output. Every
 * record given to a sink is written (files) or sent (Kafka); none is dropped.
 */
public interface Sink {
  /** Writes the named outputs of pipeline {@code pipeline}. */
  void write(String pipeline, Output output);

  /**
   * Writes the job's dead letters: the records no decoder could read and the events a pipeline
   * rejected, each with its original bytes, source and position.
   */
  void writeDeadLetters(PCollection<DeadLetter> deadLetters);

  /** The sink {@code --sink} names, its options checked. */
  static Sink of(JobOptions options) {
    Guarantees.check(options);
    switch (options.getSink()) {
      case KAFKA:
        return KafkaSink.of(options);
      default:
        int shards = options.getFileShards();
        if (shards < 0) {
          throw new IllegalArgumentException("--fileShards must not be negative, was " + shards);
        }
        return new FileSink(
            options.getOutputDir(),
            options.getFlushSeconds(),
            shards > 0 ? shards : Parallelism.of(options));
    }
  }
}

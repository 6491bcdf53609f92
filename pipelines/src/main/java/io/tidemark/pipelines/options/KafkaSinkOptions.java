package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Which sink the outputs go to ({@code --sink}) and how the Kafka sink writes them. Topics are
 * {@code <prefix><pipeline>.<output>} and {@code <prefix>dead-letters}; each record is one JSON
 * line or one Avro single-object encoding, keyed by its user id (no key when it has none).
 */
public interface KafkaSinkOptions extends PipelineOptions {
  /** The kinds of sink. */
  enum Sink {
    FILE,
    KAFKA
  }

  @Description(
      "Where outputs go: FILE (JSON lines under --outputDir) or KAFKA (topics"
          + " <kafkaOutputTopicPrefix><pipeline>.<output> at --bootstrapServers).")
  @Default.Enum("FILE")
  Sink getSink();

  void setSink(Sink value);

  @Description("Prefix of the topics the Kafka sink writes.")
  @Default.String("tidemark.")
  String getKafkaOutputTopicPrefix();

  void setKafkaOutputTopicPrefix(String value);

  @Description(
      "Record format of the Kafka sink: JSON (one JSON line, as the file sink writes) or AVRO"
          + " (single-object encoding).")
  @Default.Enum("JSON")
  SourceOptions.Format getKafkaOutputFormat();

  void setKafkaOutputFormat(SourceOptions.Format value);

  @Description(
      "Exactly-once Kafka sink (FlinkRunner with --checkpointingInterval > 0 only): records are"
          + " written in transactions committed after each checkpoint, so consumers with"
          + " isolation.level=read_committed see each result once, only after a checkpoint.")
  @Default.Boolean(false)
  boolean getKafkaEos();

  void setKafkaEos(boolean value);

  @Description("Shards (parallel transactional producers) per topic of the exactly-once sink.")
  @Default.Integer(1)
  int getKafkaEosShards();

  void setKafkaEosShards(int value);

  @Description(
      "Consumer group under which the exactly-once sink keeps its progress, suffixed by the topic;"
          + " keep it across restarts of the same job, unique per job.")
  @Default.String("tidemark-sink")
  String getKafkaEosGroupId();

  void setKafkaEosGroupId(String value);
}

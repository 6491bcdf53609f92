package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The Kafka source, shared by every pipeline ({@code --source=KAFKA}). Records carry the event time
 * as their timestamp (CreateTime, as {@code tidemark produce} writes them); the watermark is the
 * event time seen so far minus {@code --outOfOrderSeconds}, never wall-clock time.
 */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port].")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Kafka topics the events are read from (and produce writes to), comma-separated.")
  @Default.String("tidemark-events")
  String getKafkaTopics();

  void setKafkaTopics(String value);

  @Description(
      "Kafka consumer group. When set, offsets are committed to it as the runner finalizes its"
          + " checkpoints, and a new run resumes from them (unless --kafkaStartFrom says"
          + " otherwise). Empty: no group, nothing committed.")
  @Default.String("")
  String getKafkaGroupId();

  void setKafkaGroupId(String value);

  @Description(
      "Where reading starts in each partition: empty (the group's committed offsets, else the"
          + " earliest), earliest, latest, an ISO-8601 timestamp such as 2026-01-05T09:00:00Z (the"
          + " first record whose timestamp, the event time, is at or after it), or"
          + " topic:partition:offset[,topic:partition:offset...] (other partitions as when empty).")
  @Default.String("")
  String getKafkaStartFrom();

  void setKafkaStartFrom(String value);

  @Description(
      "Seconds without records after which a partition stops holding back the watermark of the"
          + " others (0 = never: a quiet partition holds every window open, which replays need).")
  @Default.Integer(0)
  int getKafkaIdleTimeoutSeconds();

  void setKafkaIdleTimeoutSeconds(int value);

  @Description(
      "End the run once every partition has had no records for this many seconds (0 = read"
          + " forever). The watermark then moves to the end of time, so every window fires.")
  @Default.Integer(0)
  int getKafkaEndWhenIdleSeconds();

  void setKafkaEndWhenIdleSeconds(int value);

  @Description(
      "Before the pipeline runs, check within this many seconds that the brokers answer and the"
          + " topics exist (0 = skip, e.g. when only writing a Dataflow job spec).")
  @Default.Integer(20)
  int getKafkaCheckTimeoutSeconds();

  void setKafkaCheckTimeoutSeconds(int value);

  @Description("Partitions of the topic produce creates when it does not exist.")
  @Default.Integer(4)
  int getKafkaPartitions();

  void setKafkaPartitions(int value);

  @Description("Stop reading Kafka after this many records (0 = never stop).")
  @Default.Long(0)
  long getKafkaMaxRecords();

  void setKafkaMaxRecords(long value);

  @Description(
      "A Java properties file of Kafka client settings applied to every consumer, producer and"
          + " admin client, e.g. security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*."
          + " Values are never printed or logged.")
  @Default.String("")
  String getKafkaPropertiesFile();

  void setKafkaPropertiesFile(String value);

  @Description(
      "Name of an environment variable holding Kafka client settings: a properties file path, or"
          + " the properties themselves (key=value lines). Applied after --kafkaPropertiesFile.")
  @Default.String("")
  String getKafkaPropertiesEnv();

  void setKafkaPropertiesEnv(String value);
}

package io.tidemark.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Kafka source and sink. */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port].")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Kafka topic the events are read from.")
  @Default.String("tidemark-events")
  String getInputTopic();

  void setInputTopic(String value);

  @Description("Stop reading Kafka after this many records (0 = never stop).")
  @Default.Long(0)
  long getKafkaMaxRecords();

  void setKafkaMaxRecords(long value);
}

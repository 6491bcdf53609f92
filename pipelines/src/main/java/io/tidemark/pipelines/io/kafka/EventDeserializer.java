package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.Events;
import io.tidemark.transforms.Parsed;
import io.tidemark.transforms.RawRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes each Kafka record value once, as KafkaIO reads it ({@link Events#decode(RawRecord)}): its
 * event, whose event time {@link EventTimePolicyFactory} then stamps, or its dead letter with the
 * original bytes and the reason. A null value is decoded as an empty payload (a dead letter). A
 * deserializer sees the topic but not the partition or offset, so a dead letter's source is {@code
 * kafka:<topic>} and its position -1 until {@link KafkaSource} puts in where it was read.
 */
public final class EventDeserializer implements Deserializer<Parsed<SpecificRecord>> {
  /** The position of a dead letter before {@link KafkaSource} knows its offset. */
  static final long UNKNOWN_POSITION = -1;

  @Override
  public Parsed<SpecificRecord> deserialize(String topic, byte[] data) {
    return Events.decode(
        new RawRecord(data == null ? new byte[0] : data, "kafka:" + topic, UNKNOWN_POSITION));
  }
}

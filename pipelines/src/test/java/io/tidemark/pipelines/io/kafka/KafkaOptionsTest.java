package io.tidemark.pipelines.io.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.options.SourceOptions;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.common.TopicPartition;
import org.junit.Test;

/** The Kafka options: parsed, and rejected fast with a message naming the option and value. */
public class KafkaOptionsTest {
  static SourceOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(SourceOptions.class);
  }

  static void assertRejected(String option, String value, String... args) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KafkaSource.check(options(args)));
    assertTrue(e.getMessage(), e.getMessage().contains("--" + option));
    assertTrue(e.getMessage(), e.getMessage().contains(value));
  }

  @Test
  public void startPositionsParse() {
    assertEquals(StartFrom.Kind.COMMITTED, StartFrom.parse("").kind());
    assertEquals(StartFrom.Kind.EARLIEST, StartFrom.parse("earliest").kind());
    assertEquals(StartFrom.Kind.LATEST, StartFrom.parse("LATEST").kind());
    StartFrom t = StartFrom.parse("2026-01-05T09:00:00Z");
    assertEquals(StartFrom.Kind.TIMESTAMP, t.kind());
    assertEquals(
        java.time.Instant.parse("2026-01-05T09:00:00Z").toEpochMilli(), t.timestampMillis());
    StartFrom o = StartFrom.parse("events:0:12, events:3:0");
    assertEquals(StartFrom.Kind.OFFSETS, o.kind());
    assertEquals(
        Map.of(new TopicPartition("events", 0), 12L, new TopicPartition("events", 3), 0L),
        o.offsets());
    assertEquals(List.of("events"), o.topics());
  }

  @Test
  public void defaultsPass() {
    assertEquals(StartFrom.Kind.COMMITTED, KafkaSource.check(options()).kind());
    assertEquals(List.of("a", "b"), KafkaSource.topics(options("--kafkaTopics=a, b,")));
  }

  @Test
  public void badValuesAreRejectedNamingOptionAndValue() {
    assertRejected("kafkaStartFrom", "yesterday", "--kafkaStartFrom=yesterday");
    assertRejected(
        "kafkaStartFrom", "2026-13-05T09:00:00Z", "--kafkaStartFrom=2026-13-05T09:00:00Z");
    assertRejected("kafkaStartFrom", "events:x:1", "--kafkaStartFrom=events:x:1");
    assertRejected("kafkaStartFrom", "events:0:-1", "--kafkaStartFrom=events:0:-1");
    assertRejected(
        "kafkaStartFrom", "other:0:1", "--kafkaTopics=events", "--kafkaStartFrom=other:0:1");
    assertRejected("kafkaTopics", " , ", "--kafkaTopics= , ");
    assertRejected("bootstrapServers", "localhost", "--bootstrapServers=localhost");
    assertRejected("bootstrapServers", "h:1,h2:x", "--bootstrapServers=h:1,h2:x");
    assertRejected("kafkaIdleTimeoutSeconds", "-1", "--kafkaIdleTimeoutSeconds=-1");
    assertRejected("kafkaEndWhenIdleSeconds", "-5", "--kafkaEndWhenIdleSeconds=-5");
    assertRejected("kafkaCheckTimeoutSeconds", "-2", "--kafkaCheckTimeoutSeconds=-2");
    assertRejected("kafkaPartitions", "0", "--kafkaPartitions=0");
  }
}

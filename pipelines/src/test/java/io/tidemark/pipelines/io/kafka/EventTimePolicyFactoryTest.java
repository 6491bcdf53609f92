package io.tidemark.pipelines.io.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.io.kafka.EventTimePolicyFactory.EventTimePolicy;
import io.tidemark.pipelines.io.kafka.EventTimePolicyFactory.PartitionState;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.Parsed;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicy.PartitionContext;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/** The event-time watermark policy, with a fake clock and partition context. */
public class EventTimePolicyFactoryTest {
  static final Duration BOUND = Duration.standardSeconds(20);
  static final long T0 = Instant.parse("2026-01-05T08:00:00Z").getMillis();
  static final TopicPartition P0 = new TopicPartition("events", 0);
  static final TopicPartition P1 = new TopicPartition("events", 1);

  final AtomicLong clock = new AtomicLong(Instant.parse("2026-12-03T00:00:00Z").getMillis());
  final Map<TopicPartition, PartitionState> partitions = new ConcurrentHashMap<>();

  /** A context with the given backlog. */
  static PartitionContext backlog(long messages) {
    return new PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return messages;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return Instant.now();
      }
    };
  }

  EventTimePolicy<byte[]> policy(TopicPartition tp, long idleSeconds, long endSeconds) {
    return new EventTimePolicy<>(
        partitions,
        tp,
        BOUND,
        Duration.standardSeconds(idleSeconds),
        Duration.standardSeconds(endSeconds),
        clock::get,
        Optional.empty());
  }

  /** A view at {@code eventTime}, as its producer encodes it. */
  static byte[] view(long eventTime) {
    return WireFormat.toJson(
            PageView.newBuilder()
                .setEventId("v" + eventTime)
                .setUserId("u1")
                .setContentId("c1")
                .setCategory("news")
                .setPageUrl("/c1")
                .setUserAgent("ua")
                .setDurationMs(5)
                .setEventTime(eventTime)
                .build())
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a record with Kafka timestamp {@code kafkaTime} and {@code value}, decoded as KafkaIO
   * does.
   */
  static Instant read(
      TimestampPolicy<byte[], Parsed<SpecificRecord>> policy,
      TopicPartition tp,
      long kafkaTime,
      byte[] value) {
    KafkaRecord<byte[], Parsed<SpecificRecord>> r =
        new KafkaRecord<>(
            tp.topic(),
            tp.partition(),
            0,
            kafkaTime,
            KafkaTimestampType.CREATE_TIME,
            null,
            null,
            new EventDeserializer().deserialize(tp.topic(), value));
    return policy.getTimestampForRecord(backlog(0), r);
  }

  /** Reads an event at {@code eventTime} whose Kafka timestamp is its event time too. */
  static Instant read(
      TimestampPolicy<byte[], Parsed<SpecificRecord>> policy, TopicPartition tp, long eventTime) {
    return read(policy, tp, eventTime, view(eventTime));
  }

  void waitSeconds(long s) {
    clock.addAndGet(s * 1000);
  }

  @Test
  public void recordTimestampIsTheEventTimeAndWatermarkIsMaxMinusBound() {
    EventTimePolicy<byte[]> p = policy(P0, 0, 0);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, p.getWatermark(backlog(0)));
    assertEquals(new Instant(T0 + 60_000), read(p, P0, T0 + 60_000));
    read(p, P0, T0 + 30_000); // out of order: does not move the watermark back
    assertEquals(new Instant(T0 + 60_000 - 20_000), p.getWatermark(backlog(0)));
    read(p, P0, T0 + 90_000);
    assertEquals(new Instant(T0 + 70_000), p.getWatermark(backlog(0)));
  }

  @Test
  public void anEventIsStampedWithItsEventTimeWhateverItsKafkaTimestamp() {
    EventTimePolicy<byte[]> p = policy(P0, 0, 0);
    // A producer whose records carry another time than their events: an hour later, a day earlier.
    assertEquals(new Instant(T0), read(p, P0, T0 + 3_600_000, view(T0)));
    assertEquals(new Instant(T0 - 20_000), p.getWatermark(backlog(0)));
    assertEquals(new Instant(T0 + 60_000), read(p, P0, T0 - 86_400_000, view(T0 + 60_000)));
    assertEquals(new Instant(T0 + 40_000), p.getWatermark(backlog(0)));
  }

  @Test
  public void anUndecodableRecordKeepsItsKafkaTimestampAndMovesTheWatermarkLikeAnEvent() {
    EventTimePolicy<byte[]> p = policy(P0, 0, 0);
    read(p, P0, T0);
    assertEquals(new Instant(T0 + 7_200_000), read(p, P0, T0 + 7_200_000, new byte[0]));
    assertEquals(new Instant(T0 + 7_200_000 - 20_000), p.getWatermark(backlog(0)));
    assertEquals(new Instant(T0 - 5_000), read(p, P0, T0 - 5_000, null)); // a null value
    byte[] garbage = {0x00, (byte) 0xFF, 0x13};
    assertEquals(new Instant(T0 + 1), read(p, P0, T0 + 1, garbage));
    assertEquals(new Instant(T0 + 7_200_000 - 20_000), p.getWatermark(backlog(0)));
  }

  @Test
  public void wallClockTimeNeverMovesTheWatermark() {
    EventTimePolicy<byte[]> p = policy(P0, 0, 0);
    read(p, P0, T0);
    Instant before = p.getWatermark(backlog(0));
    waitSeconds(3600); // a producer pause of an hour, caught up
    assertEquals(before, p.getWatermark(backlog(0)));
    assertEquals(new Instant(T0 - 20_000), before);
  }

  @Test
  public void withoutIdleTimeoutAnEmptyPartitionHoldsTheOthers() {
    EventTimePolicy<byte[]> busy = policy(P0, 0, 0);
    EventTimePolicy<byte[]> quiet = policy(P1, 0, 0);
    read(busy, P0, T0 + 600_000);
    waitSeconds(3600);
    assertEquals(new Instant(T0 + 580_000), busy.getWatermark(backlog(0)));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, quiet.getWatermark(backlog(0)));
  }

  @Test
  public void anIdlePartitionStopsHoldingTheOthersAfterTheTimeout() {
    EventTimePolicy<byte[]> busy = policy(P0, 5, 0);
    EventTimePolicy<byte[]> quiet = policy(P1, 5, 0);
    waitSeconds(4);
    read(busy, P0, T0 + 600_000);
    assertEquals(new Instant(T0 + 580_000), busy.getWatermark(backlog(0)));
    assertEquals("not idle yet", BoundedWindow.TIMESTAMP_MIN_VALUE, quiet.getWatermark(backlog(0)));
    waitSeconds(2);
    assertEquals(
        "idle: follows the active partition",
        new Instant(T0 + 580_000),
        quiet.getWatermark(backlog(0)));
    read(busy, P0, T0 + 700_000);
    busy.getWatermark(backlog(0));
    assertEquals(new Instant(T0 + 680_000), quiet.getWatermark(backlog(0)));
    // Data again: the partition is active and never goes back.
    read(quiet, P1, T0 + 100_000);
    assertEquals(new Instant(T0 + 680_000), quiet.getWatermark(backlog(0)));
  }

  @Test
  public void aBacklogIsNotIdleness() {
    EventTimePolicy<byte[]> busy = policy(P0, 5, 10);
    EventTimePolicy<byte[]> slow = policy(P1, 5, 10);
    read(busy, P0, T0 + 600_000);
    busy.getWatermark(backlog(0));
    waitSeconds(60);
    read(busy, P0, T0 + 600_000);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, slow.getWatermark(backlog(5)));
  }

  @Test
  public void everyPartitionEndsAfterTheEndTimeoutWithoutRecords() {
    EventTimePolicy<byte[]> p = policy(P0, 0, 10);
    read(p, P0, T0);
    waitSeconds(9);
    assertEquals(new Instant(T0 - 20_000), p.getWatermark(backlog(0)));
    waitSeconds(1);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, p.getWatermark(backlog(0)));
  }

  @Test
  public void aRestoredPolicyContinuesFromThePreviousWatermark() {
    EventTimePolicy<byte[]> p =
        new EventTimePolicy<>(
            new ConcurrentHashMap<>(),
            P0,
            BOUND,
            Duration.ZERO,
            Duration.ZERO,
            clock::get,
            Optional.of(new Instant(T0)));
    assertEquals(new Instant(T0), p.getWatermark(backlog(0)));
    read(p, P0, T0 + 10_000); // behind the previous watermark plus the bound
    assertEquals(new Instant(T0), p.getWatermark(backlog(0)));
  }

  @Test
  public void factoryRejectsNegativeDurations() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new EventTimePolicyFactory(BOUND, Duration.millis(-1), Duration.ZERO));
    assertTrue(e.getMessage(), e.getMessage().contains("idle timeout"));
    assertTrue(
        new EventTimePolicyFactory(BOUND, Duration.ZERO, Duration.ZERO)
                .createTimestampPolicy(P0, Optional.empty())
            instanceof EventTimePolicy);
  }
}

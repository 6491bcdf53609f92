package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.io.OutOfOrdernessWatermark;
import io.tidemark.transforms.Parsed;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * An event-time watermark for Kafka, driven by the data only.
 *
 * <p><b>Guarantees.</b> A record's timestamp is its event time: the {@code eventTime} of the event
 * its value decodes to ({@link EventDeserializer} decodes each value once, as it is read), whatever
 * its Kafka record timestamp (a producer's create time or the broker's log-append time, which may
 * differ; {@code tidemark produce} sets it to the event time). A record that does not decode keeps
 * its Kafka timestamp. Per partition the watermark is the greatest of these times read so far minus
 * the out-of-orderness bound, and never goes back ({@link OutOfOrdernessWatermark}, which the
 * streaming file replay keeps too); KafkaIO takes the minimum over the partitions. Unlike {@code
 * withCreateTime}, the watermark never moves because the reader has caught up or because wall-clock
 * time passes: a producer that pauses, or a replay of old data slower or faster than real time,
 * gives the same watermark for the same records, so the same records are late. A record more than
 * the bound behind the greatest event time of its partition may be late.
 *
 * <p><b>The trade-off: idle partitions.</b> A partition with no records holds the watermark of the
 * whole read where it is, so no window closes until it receives data. That is right for replays (an
 * empty partition has nothing to say about time) but stalls a live stream whose partitions are
 * unevenly used. With an idle timeout, a partition that has had no records and no backlog for
 * longer than the timeout stops holding the others back: it reports the greatest watermark of the
 * partitions that are not idle, so the minimum is theirs. Records it receives later are judged
 * against that watermark and may be late. The partitions are seen through this JVM (one reader JVM,
 * as the DirectRunner and an embedded or single-TaskManager Flink have); an idle partition read on
 * a worker where no other partition is active keeps holding. Use 0 (off) for replays.
 *
 * <p><b>Ending a run.</b> With an end timeout, a partition that has had no records and no backlog
 * for that long reports the end of time; once every partition does, the read is finished and every
 * window fires. Records arriving afterwards are not read.
 *
 * <p>Poison records count like others: an event whose event time is far ahead of the others, or an
 * undecodable record whose Kafka timestamp is, moves its partition's watermark there. (A producer
 * that stamps wall-clock time on old events moves nothing: their event times count.) One
 * undecodable record per partition stamped ahead in time is how a test closes every window of a
 * source that never ends.
 */
public final class EventTimePolicyFactory
    implements TimestampPolicyFactory<byte[], Parsed<SpecificRecord>> {
  /** What this JVM knows of each partition, per factory (per pipeline). */
  private static final Map<String, Map<TopicPartition, PartitionState>> PARTITIONS =
      new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final Duration bound;
  private final Duration idleTimeout;
  private final Duration endWhenIdle;

  /**
   * @param bound the out-of-orderness bound: how far behind the greatest event time a record may be
   *     without being late
   * @param idleTimeout how long a partition without records holds the others back; zero: forever
   * @param endWhenIdle how long without records ends a partition; zero: never
   */
  public EventTimePolicyFactory(Duration bound, Duration idleTimeout, Duration endWhenIdle) {
    if (bound.getMillis() < 0 || idleTimeout.getMillis() < 0 || endWhenIdle.getMillis() < 0) {
      throw new IllegalArgumentException(
          String.format(
              "bound %s, idle timeout %s and end timeout %s must not be negative",
              bound, idleTimeout, endWhenIdle));
    }
    this.bound = bound;
    this.idleTimeout = idleTimeout;
    this.endWhenIdle = endWhenIdle;
  }

  @Override
  public TimestampPolicy<byte[], Parsed<SpecificRecord>> createTimestampPolicy(
      TopicPartition tp, Optional<Instant> previousWatermark) {
    return new EventTimePolicy<>(
        PARTITIONS.computeIfAbsent(id, k -> new ConcurrentHashMap<>()),
        tp,
        bound,
        idleTimeout,
        endWhenIdle,
        System::currentTimeMillis,
        previousWatermark);
  }

  /** The state of one partition, kept across the policies a restored reader creates. */
  static final class PartitionState {
    OutOfOrdernessWatermark tracker;
    long lastActivityMillis;
    volatile long watermark = BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis();
    volatile boolean idle;
  }

  /**
   * The time of {@code record}: the event time of its decoded event, or the Kafka timestamp of a
   * record that does not decode.
   */
  static long eventTime(KafkaRecord<?, Parsed<SpecificRecord>> record) {
    Parsed<SpecificRecord> decoded = record.getKV().getValue();
    return decoded != null && decoded.ok()
        ? Events.eventTime(decoded.value())
        : record.getTimestamp();
  }

  /** The policy of one partition. */
  static final class EventTimePolicy<K> extends TimestampPolicy<K, Parsed<SpecificRecord>> {
    private final Map<TopicPartition, PartitionState> partitions;
    private final PartitionState state;
    private final Duration bound;
    private final Duration idleTimeout;
    private final Duration endWhenIdle;
    private final LongSupplier clock;

    EventTimePolicy(
        Map<TopicPartition, PartitionState> partitions,
        TopicPartition tp,
        Duration bound,
        Duration idleTimeout,
        Duration endWhenIdle,
        LongSupplier clock,
        Optional<Instant> previousWatermark) {
      this.partitions = partitions;
      this.bound = bound;
      this.idleTimeout = idleTimeout;
      this.endWhenIdle = endWhenIdle;
      this.clock = clock;
      this.state =
          partitions.computeIfAbsent(
              tp,
              k -> {
                PartitionState s = new PartitionState();
                s.tracker = new OutOfOrdernessWatermark(bound.getMillis());
                s.lastActivityMillis = clock.getAsLong();
                return s;
              });
      previousWatermark.ifPresent(
          w -> {
            synchronized (state) {
              state.tracker.raiseTo(w.getMillis());
              state.watermark = state.tracker.current();
            }
          });
    }

    @Override
    public Instant getTimestampForRecord(
        PartitionContext ctx, KafkaRecord<K, Parsed<SpecificRecord>> record) {
      long t = eventTime(record);
      synchronized (state) {
        state.tracker.observe(t);
        state.lastActivityMillis = clock.getAsLong();
        state.idle = false;
      }
      return new Instant(t);
    }

    @Override
    public Instant getWatermark(PartitionContext ctx) {
      long now = clock.getAsLong();
      long w;
      synchronized (state) {
        if (ctx.getMessageBacklog() > 0) {
          state.lastActivityMillis = now; // records are waiting: not idle, only slow
        }
        long quiet = now - state.lastActivityMillis;
        w = state.tracker.current();
        boolean ended = endWhenIdle.getMillis() > 0 && quiet >= endWhenIdle.getMillis();
        state.idle = ended || (idleTimeout.getMillis() > 0 && quiet >= idleTimeout.getMillis());
        if (ended) {
          w = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
        } else if (state.idle) {
          w = Math.max(w, activeWatermark(w));
        }
        w = Math.min(w, BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis());
        state.tracker.raiseTo(w);
        state.watermark = w;
      }
      return new Instant(w);
    }

    /** The greatest watermark of the partitions that are not idle; {@code otherwise} if none. */
    private long activeWatermark(long otherwise) {
      long max = Long.MIN_VALUE;
      for (PartitionState s : partitions.values()) {
        if (s != state && !s.idle) {
          max = Math.max(max, s.watermark);
        }
      }
      return max == Long.MIN_VALUE ? otherwise : max;
    }
  }
}

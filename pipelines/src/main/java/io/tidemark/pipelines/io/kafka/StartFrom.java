package io.tidemark.pipelines.io.kafka;

import java.io.Serializable;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Where reading starts in each partition, as {@code --kafkaStartFrom} says: the group's committed
 * offsets else the earliest (empty), the earliest, the latest, the first record at or after a
 * timestamp, or explicit offsets. Applied by seeking right after the reader's consumer is assigned
 * its partitions; a reader restored from a checkpoint then seeks to its checkpointed offsets, so a
 * start position applies to a fresh run only.
 */
public final class StartFrom implements Serializable {
  /** The kinds of start position. */
  public enum Kind {
    COMMITTED,
    EARLIEST,
    LATEST,
    TIMESTAMP,
    OFFSETS
  }

  private final Kind kind;
  private final long timestampMillis;
  private final Map<TopicPartition, Long> offsets;

  private StartFrom(Kind kind, long timestampMillis, Map<TopicPartition, Long> offsets) {
    this.kind = kind;
    this.timestampMillis = timestampMillis;
    this.offsets = offsets;
  }

  /** Parses option {@code --kafkaStartFrom}; fails naming the option and the value. */
  public static StartFrom parse(String value) {
    String v = value == null ? "" : value.trim();
    if (v.isEmpty()) {
      return new StartFrom(Kind.COMMITTED, 0, Map.of());
    }
    if (v.equalsIgnoreCase("earliest")) {
      return new StartFrom(Kind.EARLIEST, 0, Map.of());
    }
    if (v.equalsIgnoreCase("latest")) {
      return new StartFrom(Kind.LATEST, 0, Map.of());
    }
    if (Character.isDigit(v.charAt(0)) && v.contains("T")) {
      try {
        return new StartFrom(Kind.TIMESTAMP, java.time.Instant.parse(v).toEpochMilli(), Map.of());
      } catch (DateTimeParseException e) {
        throw invalid(value, e);
      }
    }
    Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
    for (String part : v.split(",")) {
      String[] f = part.trim().split(":");
      try {
        if (f.length != 3 || f[0].isBlank()) {
          throw invalid(value, null);
        }
        int partition = Integer.parseInt(f[1]);
        long offset = Long.parseLong(f[2]);
        if (partition < 0 || offset < 0) {
          throw invalid(value, null);
        }
        offsets.put(new TopicPartition(f[0], partition), offset);
      } catch (NumberFormatException e) {
        throw invalid(value, e);
      }
    }
    return new StartFrom(Kind.OFFSETS, 0, Map.copyOf(offsets));
  }

  private static IllegalArgumentException invalid(String value, Exception cause) {
    return new IllegalArgumentException(
        "--kafkaStartFrom must be earliest, latest, an ISO-8601 timestamp such as"
            + " 2026-01-05T09:00:00Z or topic:partition:offset[,...], was '"
            + value
            + "'",
        cause);
  }

  public Kind kind() {
    return kind;
  }

  /** The start timestamp, for {@link Kind#TIMESTAMP}. */
  public long timestampMillis() {
    return timestampMillis;
  }

  /** The explicit offsets, for {@link Kind#OFFSETS}. */
  public Map<TopicPartition, Long> offsets() {
    return offsets;
  }

  /** The topics named by explicit offsets, which must be among the ones read. */
  public List<String> topics() {
    return offsets.keySet().stream().map(TopicPartition::topic).distinct().toList();
  }

  /** Seeks {@code consumer}, just assigned {@code partitions}, to this start position. */
  void seek(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    switch (kind) {
      case EARLIEST -> consumer.seekToBeginning(partitions);
      case LATEST -> consumer.seekToEnd(partitions);
      case TIMESTAMP -> {
        Map<TopicPartition, Long> query = new LinkedHashMap<>();
        partitions.forEach(tp -> query.put(tp, timestampMillis));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        for (TopicPartition tp : partitions) {
          OffsetAndTimestamp at = found.get(tp);
          if (at == null) {
            consumer.seekToEnd(List.of(tp)); // nothing at or after the time yet
          } else {
            consumer.seek(tp, at.offset());
          }
        }
      }
      case OFFSETS -> {
        for (TopicPartition tp : partitions) {
          Long offset = offsets.get(tp);
          if (offset != null) {
            consumer.seek(tp, offset);
          }
        }
      }
      default -> {} // the group's committed offsets, else auto.offset.reset
    }
  }
}

package io.tidemark.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The engagement job as a native Kafka Streams topology, run in-process by the {@link
 * TopologyTestDriver} (one partition, one task): tumbling 5-minute windows with a grace period.
 *
 * <p>Kafka Streams has no watermark: a window closes when stream time, the largest timestamp seen,
 * reaches {@code end + grace}. With grace = out-of-orderness bound + allowed lateness, that is the
 * reference model's rule under the bounded out-of-orderness watermark. Kafka Streams only counts
 * the records it drops; to list them, a step in front of the aggregation applies the same rule and
 * sends late events aside, and the run fails if the aggregation still dropped anything.
 *
 * <p>Every event is piped in (other event types too, as they move stream time in the model's
 * watermark); records are encoded to bytes before the run starts, so the timed part is what a real
 * Kafka Streams instance does after the consumer: deserializing, processing, state, serializing.
 * The window store is in memory: the driver commits after every record, which with the default
 * RocksDB store flushes it every time (about 20 ms a record here), a cost a real instance pays only
 * every commit interval (30 s).
 */
public final class KafkaStreamsEngine implements Engine {
  static final String TOPIC = "events";
  static final Serde<Activity> ACTIVITY =
      Serdes.serdeFrom((t, a) -> encode(a), (t, b) -> decode(b));
  static final Serde<Counts> COUNTS =
      Serdes.serdeFrom((t, c) -> encode(c), (t, b) -> decodeCounts(b));

  @Override
  public String name() {
    return "native Kafka Streams (TopologyTestDriver)";
  }

  @Override
  public Outcome run(Workload w) {
    List<TestRecord<String, byte[]>> records = new ArrayList<>(w.events.size());
    for (Workload.Event e : w.events) {
      Activity a = Activity.of(e.event(), e.timestamp());
      Activity value = a != null ? a : new Activity("", "", "", -1, e.timestamp());
      records.add(new TestRecord<>(value.user, encode(value), Instant.ofEpochMilli(e.timestamp())));
    }
    Outcome outcome = new Outcome();
    long windowMillis = 5 * 60_000L;
    long grace = w.outOfOrderMillis() + w.latenessMillis;
    StreamsBuilder b = new StreamsBuilder();
    b.stream(TOPIC, Consumed.with(Serdes.String(), ACTIVITY))
        .processValues(() -> new LateSplit(outcome, windowMillis, grace))
        .groupByKey(Grouped.with(Serdes.String(), ACTIVITY))
        .windowedBy(
            TimeWindows.ofSizeAndGrace(Duration.ofMillis(windowMillis), Duration.ofMillis(grace)))
        .aggregate(
            Counts::new,
            (user, a, c) -> c.add(a),
            Materialized.<String, Counts>as(
                    Stores.inMemoryWindowStore(
                        "engagement",
                        Duration.ofMillis(windowMillis + grace),
                        Duration.ofMillis(windowMillis),
                        false))
                .withKeySerde(Serdes.String())
                .withValueSerde(COUNTS))
        .toStream()
        .foreach((k, c) -> outcome.put(k.key(), k.window().start(), c.score()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "engagement-bench");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    long dropped;
    try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), props)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic(
              TOPIC, Serdes.String().serializer(), Serdes.ByteArray().serializer());
      Engine.Timing.begin();
      in.pipeRecordList(records);
      dropped = droppedRecords(driver.metrics());
    }
    if (dropped != 0) {
      throw new IllegalStateException(
          "Kafka Streams dropped " + dropped + " records the late split let through");
    }
    return outcome;
  }

  private static long droppedRecords(Map<MetricName, ? extends Metric> metrics) {
    double sum = 0;
    for (Map.Entry<MetricName, ? extends Metric> m : metrics.entrySet()) {
      if (m.getKey().name().equals("dropped-records-total")) {
        sum += ((Number) m.getValue().metricValue()).doubleValue();
      }
    }
    return (long) sum;
  }

  /** Sends aside the events whose window closed (stream time at or past end + grace). */
  static final class LateSplit implements FixedKeyProcessor<String, Activity, Activity> {
    private final Outcome outcome;
    private final long windowMillis;
    private final long grace;
    private FixedKeyProcessorContext<String, Activity> context;
    private long streamTime = Long.MIN_VALUE;

    LateSplit(Outcome outcome, long windowMillis, long grace) {
      this.outcome = outcome;
      this.windowMillis = windowMillis;
      this.grace = grace;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Activity> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Activity> r) {
      long ts = r.timestamp();
      streamTime = Math.max(streamTime, ts);
      Activity a = r.value();
      if (a.kind < 0) {
        return;
      }
      long end = ts - Math.floorMod(ts, windowMillis) + windowMillis;
      if (streamTime >= end + grace) {
        outcome.late(a.eventId);
      } else {
        context.forward(r);
      }
    }
  }

  static byte[] encode(Activity a) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(a.kind);
      out.writeUTF(a.user);
      out.writeUTF(a.eventId);
      out.writeUTF(a.item);
      out.writeLong(a.timestamp);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Activity decode(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      int kind = in.readByte();
      return new Activity(in.readUTF(), in.readUTF(), in.readUTF(), kind, in.readLong());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] encode(Counts c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(c.views);
      out.writeLong(c.clicks);
      out.writeLong(c.purchases);
      out.writeInt(c.items.size());
      for (String item : c.items) {
        out.writeUTF(item);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Counts decodeCounts(byte[] b) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      Counts c = new Counts();
      c.views = in.readLong();
      c.clicks = in.readLong();
      c.purchases = in.readLong();
      for (int i = in.readInt(); i > 0; i--) {
        c.items.add(in.readUTF());
      }
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

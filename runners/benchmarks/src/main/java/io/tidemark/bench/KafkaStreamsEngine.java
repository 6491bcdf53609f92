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
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The jobs as native Kafka Streams topologies, run in-process by the {@link TopologyTestDriver}
 * (one partition, one task). Engagement: tumbling 5-minute windows with a grace period. Conversion:
 * a KStream-KStream join of purchases with clicks ({@link #conversion}).
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
 * every commit interval (30 s). Records are keyed as each job's topic would be: by user for
 * engagement, by user and product for conversion (other events by user).
 */
public final class KafkaStreamsEngine implements Engine {
  static final String TOPIC = "events";
  static final Serde<Activity> ACTIVITY =
      Serdes.serdeFrom((t, a) -> encode(a), (t, b) -> decode(b));
  static final Serde<Attributed> ATTRIBUTED =
      Serdes.serdeFrom((t, a) -> a.encode(), (t, b) -> Attributed.decode(b));
  static final Serde<Counts> COUNTS =
      Serdes.serdeFrom((t, c) -> encode(c), (t, b) -> decodeCounts(b));

  @Override
  public String name() {
    return "native Kafka Streams (TopologyTestDriver)";
  }

  @Override
  public Outcome run(Job job, Workload w) {
    List<TestRecord<String, byte[]>> records = new ArrayList<>(w.events.size());
    for (Workload.Event e : w.events) {
      Activity a = Activity.of(e.event(), e.timestamp());
      Activity value = a != null ? a : new Activity("", "", "", -1, e.timestamp());
      String key =
          job == Job.CONVERSION && value.kind > Activity.VIEW
              ? value.user + "|" + value.item
              : value.user;
      records.add(new TestRecord<>(key, encode(value), Instant.ofEpochMilli(e.timestamp())));
    }
    Outcome outcome = new Outcome();
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, Activity> events = b.stream(TOPIC, Consumed.with(Serdes.String(), ACTIVITY));
    if (job == Job.ENGAGEMENT) {
      engagement(events, w, outcome);
    } else {
      conversion(events, w, outcome);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, job.label() + "-bench");
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
    // The conversion join's stores drop clicks and purchases older than their retention; the
    // engagement job sends every late event aside before its aggregation, so nothing is dropped.
    if (job == Job.ENGAGEMENT && dropped != 0) {
      throw new IllegalStateException(
          "Kafka Streams dropped " + dropped + " records the late split let through");
    }
    return outcome;
  }

  private static void engagement(KStream<String, Activity> events, Workload w, Outcome outcome) {
    long windowMillis = Job.WINDOW_MILLIS;
    long grace = w.outOfOrderMillis() + w.latenessMillis;
    events
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
  }

  /**
   * Purchases joined with the clicks of the same key in the hour before them ({@link JoinWindows},
   * before 1 h, after 0), then reduced per purchase to the latest click: each join result restates
   * the purchase's conversion.
   *
   * <p>The join has no watermark and no moment at which a purchase is decided: it emits a pair
   * whenever the second of the two arrives while the first is still in its store, that is while the
   * first's timestamp is within the store's retention (1 h + grace) of the largest timestamp the
   * store has seen. With grace = out-of-orderness bound + allowed lateness + 1 ms, a click is held
   * at least as long as the model holds it, so every click the model attributes is joined; a click
   * that arrives after the model decided its purchase may still be joined too and, if later, win.
   * The comparison reports such purchases ("equal given its later decisions").
   */
  private static void conversion(KStream<String, Activity> events, Workload w, Outcome outcome) {
    long grace = w.outOfOrderMillis() + w.latenessMillis + 1;
    Duration window = Duration.ofMillis(Job.ATTRIBUTION_MILLIS);
    Duration retention = window.plusMillis(grace);
    KStream<String, Activity> clicks = events.filter((k, a) -> a.kind == Activity.CLICK);
    events
        .filter((k, a) -> a.kind == Activity.PURCHASE)
        .join(
            clicks,
            (p, c) -> new Attributed(p.eventId, c.eventId, c.timestamp, p.timestamp),
            JoinWindows.ofTimeDifferenceAndGrace(window, Duration.ofMillis(grace))
                .after(Duration.ZERO),
            StreamJoined.<String, Activity, Activity>with(Serdes.String(), ACTIVITY, ACTIVITY)
                .withThisStoreSupplier(
                    Stores.inMemoryWindowStore("purchases", retention, window, true))
                .withOtherStoreSupplier(
                    Stores.inMemoryWindowStore("clicks", retention, window, true)))
        .groupBy((k, v) -> v.purchase(), Grouped.with(Serdes.String(), ATTRIBUTED))
        .reduce(
            Attributed::later,
            Materialized.<String, Attributed>as(Stores.inMemoryKeyValueStore("attribution"))
                .withKeySerde(Serdes.String())
                .withValueSerde(ATTRIBUTED))
        .toStream()
        .foreach(
            (purchase, v) ->
                outcome.restate(
                    purchase, new Outcome.Converted(v.click(), v.clickTime(), v.purchaseTime())));
  }

  /** A purchase joined with one of its clicks. */
  record Attributed(String purchase, String click, long clickTime, long purchaseTime) {
    /** Of this and {@code o}, the one with the later click (by time, then event id). */
    Attributed later(Attributed o) {
      int byTime = Long.compare(o.clickTime, clickTime);
      return byTime > 0 || (byTime == 0 && o.click.compareTo(click) > 0) ? o : this;
    }

    byte[] encode() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(purchase);
        out.writeUTF(click);
        out.writeLong(clickTime);
        out.writeLong(purchaseTime);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    static Attributed decode(byte[] b) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
        return new Attributed(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
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

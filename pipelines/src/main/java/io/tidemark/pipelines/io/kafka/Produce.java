package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code tidemark produce}: writes the generator's records (the same ones {@code
 * --source=GENERATOR} reads, corrupt ones included) to a Kafka topic, creating it with {@code
 * --kafkaPartitions} if it does not exist. Each record's timestamp is its event time; record {@code
 * i} goes to partition {@code i mod partitions}, in generator order, so each partition is in
 * arrival order and holds the same out-of-order and late events as the generator. Returns once
 * every record is acknowledged.
 */
public final class Produce {
  /** The subcommand. */
  public static final String NAME = "produce";

  private static final long ACK_TIMEOUT_SECONDS = 60;

  private Produce() {}

  /** Runs the subcommand with {@code args} (generator and Kafka options); true when done. */
  public static boolean run(String[] args, PrintStream out) {
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(out, SourceOptions.class);
      return true;
    }
    SourceOptions o =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(SourceOptions.class);
    KafkaSource.check(o);
    String topic = KafkaSource.topics(o).get(0);
    ClientProperties client = ClientProperties.of(o);
    KafkaCheck.check(o.getBootstrapServers(), List.of(), o.getKafkaCheckTimeoutSeconds(), client);
    int partitions = ensureTopic(o.getBootstrapServers(), topic, o.getKafkaPartitions(), client);
    GeneratorConfig config = Sources.generatorConfig(o);
    long start = System.nanoTime();
    long n =
        produce(config, o.getBootstrapServers(), topic, partitions, 0, config.maxEvents(), client);
    EventGenerator g = new EventGenerator(config);
    out.printf(
        "Produced %,d records to %s (%d partitions) at %s in %.1f s; event time from %s to %s%n",
        n,
        topic,
        partitions,
        o.getBootstrapServers(),
        (System.nanoTime() - start) / 1e9,
        n == 0 ? "-" : g.generate(0).timestamp(),
        n == 0 ? "-" : config.arrival(n - 1));
    return true;
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions unless it exists; returns the
   * partitions it has.
   */
  public static int ensureTopic(String servers, String topic, int partitions) {
    return ensureTopic(servers, topic, partitions, ClientProperties.none());
  }

  /** As {@link #ensureTopic(String, String, int)} with client settings (credentials). */
  public static int ensureTopic(
      String servers, String topic, int partitions, ClientProperties client) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    client.applyTo(p);
    try (Admin admin = Admin.create(p)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!names.contains(topic)) {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          return admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size();
        } catch (ExecutionException e) {
          // A topic just created can be unknown to the broker's metadata for a moment.
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
              || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + topic + " at " + servers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes generator records {@code [from, to)} to {@code topic}: record {@code i} to partition
   * {@code i mod partitions} with its event time as timestamp. Returns the records written.
   */
  public static long produce(
      GeneratorConfig config, String servers, String topic, int partitions, long from, long to) {
    return produce(config, servers, topic, partitions, from, to, ClientProperties.none());
  }

  /** As {@link #produce(GeneratorConfig, String, String, int, long, long)} with client settings. */
  public static long produce(
      GeneratorConfig config,
      String servers,
      String topic,
      int partitions,
      long from,
      long to,
      ClientProperties client) {
    Properties p = new Properties();
    client.applyTo(p);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // One batch in flight per partition: a batch refused while a new partition's leader starts
    // (NOT_LEADER_OR_FOLLOWER) is then retried before any later one, instead of leaving later
    // batches to fail with OUT_OF_ORDER_SEQUENCE_NUMBER until they expire.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    EventGenerator generator = new EventGenerator(config);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = from; i < to; i++) {
        EventGenerator.Generated g = generator.generate(i);
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    topic, (int) (i % partitions), g.timestamp().getMillis(), null, g.payload())));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot write to topic " + topic + " at " + servers, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return to - from;
  }
}

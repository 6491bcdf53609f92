package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.runners.flink.ProductionSettingsTest;
import io.tidemark.schemas.DecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Exactly-once Kafka-to-Kafka on embedded Flink, the happy path: an unbounded run ({@code
 * --source=KAFKA}, no end) with checkpoints every second and {@code --kafkaEos}, in a child JVM as
 * a user would start it, is stopped once its committed output is complete. The input topic holds
 * the generator's records and, last in each partition, one undecodable record two hours later in
 * event time, which moves the watermark past every window and its allowed lateness, so every window
 * fires although the source never ends. A {@code read_committed} consumer must then see each result
 * pane once, per-(user, window) totals equal to the plain-Java reference, every dead letter once,
 * and the records written in transactions (each commit leaves a marker offset).
 */
public class KafkaExactlyOnceSystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final List<String> SCENARIO = KafkaSystemTest.SCENARIO;
  static final String EVENTS_TOPIC = "events";
  static final int PARTITIONS = 3;
  static final int OUTPUT_PARTITIONS = 4;
  static final String PREFIX = "eos.";
  static final String RESULTS = PREFIX + "engagement.results";
  static final String LATE = PREFIX + "engagement.late";
  static final String DEAD_LETTERS = PREFIX + "dead-letters";
  static final long CHECKPOINT_MILLIS = 1000;
  static final int BOUND_SECONDS = 240;

  /** How long the output must stay unchanged once complete: several checkpoints. */
  static final int QUIET_SECONDS = 6;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static KafkaBroker broker;
  private static Map<String, EngagementTotals.Counts> reference;
  private static long expectedDeadLetters;

  @BeforeClass
  public static void startBrokerAndProduce() throws Exception {
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"));
    broker.createTopic(EVENTS_TOPIC, PARTITIONS);
    for (String t : List.of(RESULTS, LATE, DEAD_LETTERS)) {
      broker.createTopic(t, OUTPUT_PARTITIONS); // before any consumer asks, which would create it
    }
    GeneratorConfig config =
        Sources.generatorConfig(
            PipelineOptionsFactory.fromArgs(SCENARIO.toArray(new String[0]))
                .as(SourceOptions.class));
    int events = KafkaSystemTest.EVENTS;
    Produce.produce(config, broker.bootstrapServers(), EVENTS_TOPIC, PARTITIONS, 0, events);
    long last = config.arrival(events - 1).getMillis();
    broker.pushWatermark(EVENTS_TOPIC, PARTITIONS, last + TimeUnit.HOURS.toMillis(2));
    reference = EngagementTotals.reference(SCENARIO, KafkaSystemTest.WINDOW_MINUTES);
    EventGenerator g = new EventGenerator(config);
    long undecodable = 0;
    for (long i = 0; i < events; i++) {
      try {
        Events.decode(g.generate(i).payload());
      } catch (DecodeException | RuntimeException e) {
        undecodable++;
      }
    }
    expectedDeadLetters = undecodable + PARTITIONS;
  }

  @AfterClass
  public static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  public void unboundedExactlyOnceRunGivesEachResultOnceToReadCommitted() throws Exception {
    Path log = TMP.getRoot().toPath().resolve("eos-run.log");
    Path checkpoints = TMP.newFolder("checkpoints").toPath();
    long start = System.nanoTime();
    Process run = startRun(log, checkpoints);
    try (Reader results = new Reader(List.of(RESULTS, DEAD_LETTERS, LATE))) {
      long firstSeen = -1;
      long deadline = start + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
      while (!complete(results)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "the committed output was not complete within "
                  + BOUND_SECONDS
                  + " s: "
                  + summary(results)
                  + "\n"
                  + tail(log));
        }
        if (!run.isAlive()) {
          throw new AssertionError(
              "the run ended with "
                  + run.exitValue()
                  + " before its output was complete\n"
                  + tail(log));
        }
        results.poll();
        if (firstSeen < 0 && !results.records(RESULTS).isEmpty()) {
          firstSeen = System.nanoTime();
        }
      }
      long completeAt = System.nanoTime();
      // Committed output must not grow after it is complete: no pane is sent twice.
      long quietUntil = completeAt + TimeUnit.SECONDS.toNanos(QUIET_SECONDS);
      while (System.nanoTime() < quietUntil) {
        results.poll();
      }
      System.out.printf(
          "exactly-once run: first committed result after %.1f s, complete after %.1f s"
              + " (%d result records, %d dead letters)%n",
          (firstSeen - start) / 1e9,
          (completeAt - start) / 1e9,
          results.records(RESULTS).size(),
          results.records(DEAD_LETTERS).size());

      Map<String, Integer> panes = new TreeMap<>();
      Map<String, EngagementTotals.Counts> totals = new TreeMap<>();
      for (ConsumerRecord<String, byte[]> r : results.records(RESULTS)) {
        JsonNode e = JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)).path("event");
        String window = e.path("userId").asText() + "@" + e.path("windowStart").asLong();
        panes.merge(window + "#" + e.path("paneIndex").asLong(), 1, Integer::sum);
        totals.merge(
            window,
            new EngagementTotals.Counts(
                e.path("totalEvents").asLong(),
                e.path("views").asLong(),
                e.path("clicks").asLong(),
                e.path("purchases").asLong()),
            EngagementTotals.Counts::plus);
      }
      panes.forEach((pane, n) -> assertEquals("copies of result pane " + pane, 1, (int) n));
      EngagementTotals.assertSame("reference", reference, "read_committed", totals);
      assertEquals("dead letters", expectedDeadLetters, results.records(DEAD_LETTERS).size());
      assertEquals("late events", 0, results.records(LATE).size());
      long records = results.records(RESULTS).size();
      long offsets = results.endOffsetsSum(RESULTS);
      assertTrue(
          "results written in transactions: "
              + records
              + " records take "
              + offsets
              + " offsets, the rest being commit markers",
          offsets > records);
    } finally {
      stop(run);
    }
    List<Path> kept = retained(checkpoints);
    assertTrue("a completed checkpoint is kept after the job stopped: " + kept, !kept.isEmpty());
  }

  /** True once the results match the reference and every dead letter arrived. */
  private static boolean complete(Reader r) throws IOException {
    long events = 0;
    for (ConsumerRecord<String, byte[]> rec : r.records(RESULTS)) {
      events += JSON.readTree(rec.value()).path("event").path("totalEvents").asLong();
    }
    return events >= EngagementTotals.events(reference)
        && r.records(DEAD_LETTERS).size() >= expectedDeadLetters;
  }

  private static String summary(Reader r) {
    return r.records(RESULTS).size()
        + " result records, "
        + r.records(DEAD_LETTERS).size()
        + " dead letters of "
        + expectedDeadLetters;
  }

  /**
   * The engagement job, unbounded, on embedded Flink with the production settings ({@code
   * runners/flink/conf/production.args}: incremental RocksDB, retained checkpoints), checkpoints
   * every second to {@code checkpoints}, as a user would run it.
   */
  private static Process startRun(Path log, Path checkpoints) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx1g",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Tidemark.class.getName(),
                "engagement"));
    command.addAll(
        ProductionSettingsTest.with(
            ProductionSettingsTest.productionArgs(),
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--autoWatermarkInterval=100",
            "--checkpointingInterval=" + CHECKPOINT_MILLIS,
            "--minPauseBetweenCheckpoints=0",
            "--stateBackendStoragePath=" + checkpoints.toUri(),
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--kafkaTopics=" + EVENTS_TOPIC,
            "--sink=KAFKA",
            "--kafkaEos",
            "--kafkaEosGroupId=eos-test",
            "--kafkaOutputTopicPrefix=" + PREFIX,
            "--kafkaPartitions=" + OUTPUT_PARTITIONS,
            "--allowedLatenessMinutes=30",
            "--outputDir=" + TMP.getRoot().toPath().resolve("unused")));
    command.addAll(SCENARIO);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** The {@code _metadata} files of the checkpoints kept under {@code checkpoints}. */
  private static List<Path> retained(Path checkpoints) throws IOException {
    try (Stream<Path> files = Files.walk(checkpoints)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .filter(f -> f.getParent().getFileName().toString().startsWith("chk-"))
          .toList();
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return log
        + ":\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** A read_committed consumer of some topics from their beginning, keeping what it read. */
  static final class Reader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, List<ConsumerRecord<String, byte[]>>> read = new HashMap<>();
    private final List<TopicPartition> partitions = new ArrayList<>();

    Reader(List<String> topics) {
      this(broker, topics);
    }

    Reader(KafkaBroker from, List<String> topics) {
      this(from, topics, "read_committed");
    }

    /** A reader at {@code isolation}: read_uncommitted also sees open transactions' records. */
    Reader(KafkaBroker from, List<String> topics, String isolation) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, from.bootstrapServers());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
      consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      for (String t : topics) {
        read.put(t, new ArrayList<>());
        consumer
            .partitionsFor(t, Duration.ofSeconds(30))
            .forEach(i -> partitions.add(new TopicPartition(t, i.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    void poll() {
      consumer.poll(Duration.ofMillis(500)).forEach(r -> read.get(r.topic()).add(r));
    }

    List<ConsumerRecord<String, byte[]>> records(String topic) {
      return read.get(topic);
    }

    long endOffsetsSum(String topic) {
      return consumer
          .endOffsets(partitions.stream().filter(tp -> tp.topic().equals(topic)).toList())
          .values()
          .stream()
          .mapToLong(Long::longValue)
          .sum();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}

package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
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
 * The Kafka sink, its exactly-once mode and Kafka credentials, on one real broker ({@link
 * KafkaBroker}) with a PLAINTEXT and a SASL_PLAINTEXT (PLAIN) listener.
 */
public class KafkaSinkSystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final String USER = "alice";
  static final String PASSWORD = "Tm-" + Long.toHexString(System.nanoTime()) + "-secret";
  static final String EVENTS_TOPIC = "events";
  static final int PARTITIONS = 3;
  static final List<String> SCENARIO = KafkaSystemTest.SCENARIO;
  static final List<String> PIPELINE = List.of("--allowedLatenessMinutes=30", "--flushSeconds=1");

  private static KafkaBroker broker;
  private static Map<String, EngagementTotals.Counts> reference;

  @BeforeClass
  public static void startBrokerAndProduce() throws Exception {
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"), Map.of(USER, PASSWORD));
    broker.createTopic(EVENTS_TOPIC, PARTITIONS);
    Produce.produce(
        Sources.generatorConfig(
            PipelineOptionsFactory.fromArgs(SCENARIO.toArray(new String[0]))
                .as(SourceOptions.class)),
        broker.bootstrapServers(),
        EVENTS_TOPIC,
        PARTITIONS,
        0,
        KafkaSystemTest.EVENTS);
    reference = EngagementTotals.reference(SCENARIO, KafkaSystemTest.WINDOW_MINUTES);
  }

  @AfterClass
  public static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * The same generator input gives the same records through the Kafka sink as through the file
   * sink, output by output and dead letters included, each keyed by its user id.
   */
  @Test
  public void kafkaSinkWritesWhatTheFileSinkWrites() throws Exception {
    Path files = TMP.getRoot().toPath().resolve("file-sink");
    run(List.of("--outputDir=" + files));
    run(
        List.of(
            "--sink=KAFKA",
            "--kafkaOutputTopicPrefix=same.",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--outputDir=" + TMP.getRoot().toPath().resolve("unused")));
    int compared = 0;
    for (String output : List.of("engagement/results", "engagement/late", "dead-letters")) {
      List<String> expected = EngagementTotals.lines(files.resolve(output));
      List<ConsumerRecord<String, byte[]>> sent =
          consume("same." + output.replace('/', '.'), "read_uncommitted");
      List<String> actual = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : sent) {
        String json = new String(r.value(), StandardCharsets.UTF_8);
        actual.add(json);
        if (!output.equals("dead-letters")) {
          assertTrue(json, json.contains("\"userId\":\"" + r.key() + "\""));
        }
      }
      if (output.equals("engagement/results")) {
        // Which pane an event within the allowed lateness lands in depends on when the runner
        // fires the on-time timer; the per-window sums do not.
        assertEquals(output, EngagementTotals.sum(expected), EngagementTotals.sum(actual));
      } else {
        Collections.sort(expected);
        Collections.sort(actual);
        assertEquals(output, expected, actual);
      }
      compared += expected.size();
    }
    assertTrue("records compared: " + compared, compared > 50);
  }

  /** Exactly-once settings that cannot hold fail before anything runs, naming the option. */
  @Test
  public void exactlyOnceWithoutCheckpointsFailsFast() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    List.of(
                        "--runner=FlinkRunner",
                        "--flinkMaster=[local]",
                        "--streaming",
                        "--sink=KAFKA",
                        "--kafkaEos",
                        "--bootstrapServers=" + broker.bootstrapServers())));
    assertTrue(e.getMessage(), e.getMessage().contains("--checkpointingInterval"));
  }

  /**
   * A real run in a child JVM over the SASL listener with the credentials in an environment
   * variable reads the whole topic; the password appears nowhere in its stdout or stderr.
   */
  @Test
  public void rightCredentialsReadTheTopicAndStayOutOfTheOutput() throws Exception {
    Path out = TMP.getRoot().toPath().resolve("sasl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Tidemark.class.getName(),
                "engagement",
                "--source=KAFKA",
                "--bootstrapServers=" + broker.saslBootstrapServers(),
                "--kafkaTopics=" + EVENTS_TOPIC,
                "--kafkaEndWhenIdleSeconds=3",
                "--kafkaPropertiesEnv=TIDEMARK_KAFKA",
                "--outputDir=" + out));
    command.addAll(SCENARIO);
    command.addAll(PIPELINE);
    ProcessBuilder b = new ProcessBuilder(command);
    b.environment().put("TIDEMARK_KAFKA", clientProperties(PASSWORD));
    b.redirectOutput(TMP.getRoot().toPath().resolve("sasl.out").toFile());
    b.redirectError(TMP.getRoot().toPath().resolve("sasl.err").toFile());
    Process p = b.start();
    try {
      // Generous: a child JVM on a loaded 2-core machine can take minutes.
      assertTrue("the run ended within 300 s", p.waitFor(300, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    String stdout = Files.readString(TMP.getRoot().toPath().resolve("sasl.out"));
    String stderr = Files.readString(TMP.getRoot().toPath().resolve("sasl.err"));
    assertEquals(stdout + stderr, 0, p.exitValue());
    assertTrue(stdout, stdout.contains("OK"));
    assertTrue("something was logged", stdout.length() + stderr.length() > 100);
    assertFalse(stdout, stdout.contains(PASSWORD));
    assertFalse(stderr, stderr.contains(PASSWORD));
    EngagementTotals.assertSame("reference", reference, "SASL", EngagementTotals.read(out));
  }

  /** A wrong password is refused before the run, in one line saying so, not after a timeout. */
  @Test
  public void wrongCredentialsAreRefusedWithOneLine() throws Exception {
    Path file = TMP.getRoot().toPath().resolve("wrong.properties");
    Files.writeString(file, clientProperties("not-" + PASSWORD));
    long start = System.nanoTime();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    List.of(
                        "--source=KAFKA",
                        "--bootstrapServers=" + broker.saslBootstrapServers(),
                        "--kafkaTopics=" + EVENTS_TOPIC,
                        "--kafkaPropertiesFile=" + file)));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(e.getMessage(), e.getMessage().contains("authentication failed"));
    assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    assertFalse(e.getMessage(), e.getMessage().contains(PASSWORD));
    assertTrue("refused after " + seconds + " s", seconds < 10);
  }

  private static String clientProperties(String password) {
    return String.join(
        "\n",
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=PLAIN",
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\""
            + USER
            + "\" password=\""
            + password
            + "\";");
  }

  private static void run(List<String> args) {
    List<String> all = new ArrayList<>(List.of("engagement"));
    all.addAll(SCENARIO);
    all.addAll(PIPELINE);
    all.addAll(args);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            all.toArray(new String[0]), new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue("accounting balanced\n" + printed.toString(StandardCharsets.UTF_8), balanced);
  }

  /** Every record of {@code topic} up to its end (the last stable offset for read_committed). */
  static List<ConsumerRecord<String, byte[]>> consume(String topic, String isolation) {
    return consume(broker.bootstrapServers(), topic, isolation, new Properties());
  }

  static List<ConsumerRecord<String, byte[]>> consume(
      String servers, String topic, String isolation, Properties extra) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.putAll(extra);
    List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to " + end + " within 60 s");
        }
        c.poll(Duration.ofMillis(500)).forEach(all::add);
      }
    }
    return all;
  }
}

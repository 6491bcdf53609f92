package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A captured stream reproduces the live late routing offline: the generator's records, late ones
 * included, go to a one-partition topic on a real broker ({@link KafkaBroker}); {@code tidemark
 * capture} copies the topic to a file; the engagement pipeline then runs on the DirectRunner from
 * Kafka and from the streaming file replay ({@code --fileReplay=STREAM}), with one minute of
 * allowed lateness, and both must give the same per-(user, window) totals, the same late events
 * (exact sets of event ids, not empty) and the same dead letters.
 *
 * <p>Which events are late must not depend on how fast a runner delivers the watermark, or neither
 * run could be compared with anything. So the scenario's late events are 12 to 15 minutes behind
 * the stream: each one's window (5 minutes) closed, with its allowed lateness, at least 5 minutes
 * of event time (300 records) before it arrives, while on-time events are at most the bound (20 s)
 * behind and can never be late. Both runs must therefore route exactly the generator's late views,
 * clicks and purchases, and count every other event in its window: the test checks that too, so an
 * agreement on a wrong answer fails.
 */
public class FileReplaySystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final int EVENTS = 1500;
  static final int WINDOW_MINUTES = 5;
  static final String TOPIC = "captured";
  static final List<String> SCENARIO =
      List.of(
          "--seed=20261203",
          "--generatorEvents=" + EVENTS,
          "--eventsPerSecond=1",
          "--lateFraction=0.05",
          "--lateMinMinutes=12",
          "--lateMaxMinutes=15");
  static final List<String> PIPELINE =
      List.of(
          "engagement",
          "--allowedLatenessMinutes=1",
          "--engagementWindowMinutes=" + WINDOW_MINUTES,
          "--outOfOrderSeconds=20",
          "--flushSeconds=1");

  private static KafkaBroker broker;
  private static Path capture;

  @BeforeClass
  public static void produceAndCapture() throws Exception {
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"));
    broker.createTopic(TOPIC, 1); // one partition: one arrival order
    Produce.produce(
        Sources.generatorConfig(options()), broker.bootstrapServers(), TOPIC, 1, 0, EVENTS);
    capture = TMP.getRoot().toPath().resolve("capture");
    String printed =
        cli(
            List.of(
                "capture",
                "--bootstrapServers=" + broker.bootstrapServers(),
                "--kafkaTopics=" + TOPIC,
                "--captureTo=" + capture));
    assertTrue(printed, printed.contains("Captured 1,500 records from 1 partition of"));
  }

  @AfterClass
  public static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  public void aReplayOfTheCaptureGivesTheResultsAndLateEventsOfKafka() throws IOException {
    Path fromKafka = TMP.getRoot().toPath().resolve("kafka");
    Path fromFile = TMP.getRoot().toPath().resolve("file");
    run(
        fromKafka,
        List.of(
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--kafkaTopics=" + TOPIC,
            "--kafkaEndWhenIdleSeconds=3"));
    run(
        fromFile,
        List.of(
            "--source=FILE", "--fileReplay=STREAM", "--inputFiles=" + capture.resolve("*.tsv")));

    Set<String> expectedLate = LateStream.generated(SCENARIO);
    assertTrue("the scenario has late views, clicks and purchases", expectedLate.size() >= 10);
    Set<String> lateFromKafka = LateStream.read(fromKafka);
    Set<String> lateFromFile = LateStream.read(fromFile);
    System.out.printf(
        "late events: %d from Kafka, %d from the file replay, %d expected%n",
        lateFromKafka.size(), lateFromFile.size(), expectedLate.size());
    assertEquals("late events: Kafka vs the file replay", lateFromKafka, lateFromFile);
    assertEquals("late events: Kafka vs the generator", expectedLate, lateFromKafka);

    Map<String, EngagementTotals.Counts> kafka = EngagementTotals.read(fromKafka);
    EngagementTotals.assertSame("Kafka", kafka, "file replay", EngagementTotals.read(fromFile));
    EventGenerator g = new EventGenerator(Sources.generatorConfig(options()));
    EngagementTotals.assertSame(
        "reference without the late events",
        EngagementTotals.reference(SCENARIO, WINDOW_MINUTES, i -> !g.generate(i).late()),
        "Kafka",
        kafka);
    assertEquals(
        "dead letters",
        lines(fromKafka, "dead-letters").size(),
        lines(fromFile, "dead-letters").size());
  }

  private static SourceOptions options() {
    return PipelineOptionsFactory.fromArgs(SCENARIO.toArray(new String[0])).as(SourceOptions.class);
  }

  /** Runs the pipeline over the scenario from {@code source}; asserts its accounting balanced. */
  private static void run(Path out, List<String> source) {
    List<String> args = new ArrayList<>(PIPELINE);
    args.addAll(SCENARIO);
    args.addAll(source);
    args.add("--outputDir=" + out);
    String printed = cli(args);
    assertTrue(out + ": accounting balanced\n" + printed, printed.contains("OK"));
  }

  private static String cli(List<String> args) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean ok =
        Tidemark.run(
            args.toArray(new String[0]), new PrintStream(printed, true, StandardCharsets.UTF_8));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(args.get(0) + " failed:\n" + text, ok);
    return text;
  }

  /** The lines of the JSON-lines files under {@code <out>/<dir>}; none if it does not exist. */
  private static List<String> lines(Path out, String dir) throws IOException {
    List<String> all = new ArrayList<>();
    if (!Files.isDirectory(out.resolve(dir))) {
      return all;
    }
    try (Stream<Path> files = Files.list(out.resolve(dir))) {
      for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).sorted().toList()) {
        all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return all;
  }
}

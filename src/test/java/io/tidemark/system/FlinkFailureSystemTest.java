package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.runners.flink.ProductionSettingsTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Failure injection on the multi-JVM Flink session cluster: a Kafka-to-Kafka engagement job runs on
 * four one-slot TaskManagers at parallelism 2 (a spare slot for each run's kill; each run's job is
 * cancelled before the next starts). The input is produced in two halves; once the first half's
 * results are written (after a checkpoint), the test kills one TaskManager that runs a task with
 * {@code kill -9} before the next checkpoint, measures the time until every task runs again, then
 * produces the second half. A second kind of run makes a source task throw once (checkpoints every
 * second). With exactly-once output a {@code read_committed} consumer must see each result pane
 * once and the reference totals; with at-least-once output the distinct panes must hold the
 * reference totals and the duplicate count is reported.
 *
 * <p>Slow and load-sensitive (a cluster, a broker and three jobs): it runs only with {@code
 * -Dtidemark.failureTests=true}, which the {@code cluster-failures} profile sets.
 */
public class FlinkFailureSystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final int PARTITIONS = 3;

  /** Parallelism 2, and a spare slot for each of the two runs' kills. */
  static final int TASKMANAGERS = 4;

  static final int OUTPUT_PARTITIONS = 4;
  static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(180);
  static final int QUIET_SECONDS = 6;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static KafkaBroker broker;
  private static FlinkSession.Cluster cluster;
  private static Path clusterDir;
  private static Map<String, EngagementTotals.Counts> reference;
  private static GeneratorConfig config;

  @BeforeClass
  public static void start() throws Exception {
    assumeTrue(
        "failure injection runs in the cluster-failures profile (-Dtidemark.failureTests=true)",
        Boolean.getBoolean("tidemark.failureTests"));
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"));
    config =
        Sources.generatorConfig(
            PipelineOptionsFactory.fromArgs(KafkaSystemTest.SCENARIO.toArray(new String[0]))
                .as(SourceOptions.class));
    reference =
        EngagementTotals.reference(KafkaSystemTest.SCENARIO, KafkaSystemTest.WINDOW_MINUTES);
    clusterDir = Path.of("target/flink-failure-test").toAbsolutePath();
    cluster =
        FlinkSession.Cluster.start(
            clusterDir,
            Map.of(
                "FLINK_TASKMANAGERS", Integer.toString(TASKMANAGERS),
                "FLINK_TASK_SLOTS", "1",
                "FLINK_PARALLELISM", "2"),
            START_TIMEOUT);
    assertEquals(cluster.startLog(), TASKMANAGERS, get("/overview").path("taskmanagers").asInt());
  }

  @AfterClass
  public static void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.stop();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Test
  public void exactlyOnceOutputIsExactAfterATaskManagerIsKilled() throws Exception {
    Outcome o = runWithKill("eos", true);
    o.panes.forEach((pane, n) -> assertEquals("copies of result pane " + pane, 1, (int) n));
    EngagementTotals.assertSame("reference", reference, "read_committed", o.totals);
    assertEquals("late events", 0, o.late);
  }

  /**
   * The failure drill makes a source task throw once, in the second half of the input (after more
   * records than either task reads in the first half): the job restarts from its last checkpoint
   * and the output is still exact.
   */
  @Test
  public void exactlyOnceOutputIsExactAfterATaskThrowsOnce() throws Exception {
    Outcome o = runWith("drill", true, Failure.TASK_THROWS);
    o.panes.forEach((pane, n) -> assertEquals("copies of result pane " + pane, 1, (int) n));
    EngagementTotals.assertSame("reference", reference, "read_committed", o.totals);
    assertEquals("late events", 0, o.late);
  }

  @Test
  public void atLeastOnceOutputIsASupersetAfterATaskManagerIsKilled() throws Exception {
    Outcome o = runWithKill("alo", false);
    long duplicates = o.panes.values().stream().mapToLong(n -> n - 1).sum();
    System.out.printf("at-least-once run: %d duplicate result records%n", duplicates);
    assertTrue("results written before the kill are written again", duplicates > 0);
    EngagementTotals.assertSame("reference", reference, "distinct panes", o.totals);
  }

  record Outcome(
      Map<String, Integer> panes, Map<String, EngagementTotals.Counts> totals, int late) {}

  /** How the test makes the job fail. */
  enum Failure {
    TASKMANAGER_KILLED,
    TASK_THROWS
  }

  private Outcome runWithKill(String name, boolean eos) throws Exception {
    return runWith(name, eos, Failure.TASKMANAGER_KILLED);
  }

  private Outcome runWith(String name, boolean eos, Failure failure) throws Exception {
    String input = name + ".events";
    String prefix = name + ".";
    broker.createTopic(input, PARTITIONS);
    for (String t : List.of("engagement.results", "engagement.late", "dead-letters")) {
      broker.createTopic(prefix + t, OUTPUT_PARTITIONS);
    }
    int events = KafkaSystemTest.EVENTS;
    Produce.produce(config, broker.bootstrapServers(), input, PARTITIONS, 0, events / 2);
    boolean kill = failure == Failure.TASKMANAGER_KILLED;
    Thread client = submit(name, input, prefix, eos, failure);
    String job = awaitRunningJob(name);
    try {
      awaitCheckpoints(job, 0);
      long failedAt;
      if (kill) {
        // The first half's own watermark has fired most of its windows. Beam's exactly-once
        // writer cannot restore a shard whose first write came after the checkpoint it restores
        // from (apache/beam#18566), so first let every sink that will write before the kill
        // write (one undecodable record per partition, at the start of the stream so that the
        // watermark stays, goes to the dead letters), and a checkpoint store their state. Then
        // fire the first half's last windows, and kill once their results are written but
        // before the next checkpoint, so that they are replayed. Exactly-once output must hide
        // the second copy; at-least-once output shows it.
        broker.pushWatermark(input, PARTITIONS, config.arrival(0).getMillis());
        awaitWritten(List.of(prefix + "engagement.results", prefix + "dead-letters"));
        awaitCheckpoints(job, System.currentTimeMillis());
        long pushed = latestCheckpoint(job);
        awaitWrittenAfter(
            prefix + "engagement.results",
            () ->
                broker.pushWatermark(
                    input,
                    PARTITIONS,
                    config.arrival(events / 2 - 1).getMillis()
                        + TimeUnit.MINUTES.toMillis(2L * KafkaSystemTest.WINDOW_MINUTES)));
        long written = latestCheckpoint(job);
        long pid = taskManagerRunning(job);
        // At-least-once output is written at once, so no checkpoint may have completed since the
        // push. Exactly-once output is held until the next checkpoint completes (the writer needs
        // stable input), and a restore from that checkpoint hands the writer the same results
        // again, so no checkpoint may have completed since they were written.
        assertEquals(
            "no checkpoint completed between the results and the kill, so they are replayed",
            eos ? written : pushed,
            latestCheckpoint(job));
        failedAt = System.currentTimeMillis();
        assertEquals(
            "kill -9 " + pid,
            0,
            new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor());
        System.out.printf("%s run: TaskManager pid %d killed%n", name, pid);
      } else {
        Produce.produce(config, broker.bootstrapServers(), input, PARTITIONS, events / 2, events);
        failedAt = awaitDrill(job);
      }
      long recoveredAt = awaitRedeployed(job);
      System.out.printf(
          "%s run: all tasks running again %.1f s after the failure%n",
          name, (recoveredAt - failedAt) / 1e3);
      awaitCheckpoints(job, recoveredAt);
      if (kill) {
        Produce.produce(config, broker.bootstrapServers(), input, PARTITIONS, events / 2, events);
      }
      broker.pushWatermark(
          input, PARTITIONS, config.arrival(events - 1).getMillis() + TimeUnit.HOURS.toMillis(2));
      String results = prefix + "engagement.results";
      String late = prefix + "engagement.late";
      try (KafkaExactlyOnceSystemTest.Reader r =
          new KafkaExactlyOnceSystemTest.Reader(broker, List.of(results, late))) {
        // Exactly-once output commits at checkpoints: allow a few of them.
        Duration bound = STEP_TIMEOUT.plusMillis(4L * checkpointMillis(failure, eos));
        long deadline = System.nanoTime() + bound.toNanos();
        while (distinctEvents(r.records(results)) < EngagementTotals.events(reference)) {
          assertTrue(
              name + " output not complete within " + bound + ": " + r.records(results).size(),
              System.nanoTime() < deadline);
          r.poll();
        }
        long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(QUIET_SECONDS);
        while (System.nanoTime() < quietUntil) {
          r.poll();
        }
        Map<String, Integer> panes = new TreeMap<>();
        Map<String, JsonNode> first = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> rec : r.records(results)) {
          JsonNode e = JSON.readTree(rec.value()).path("event");
          String pane = paneKey(e);
          panes.merge(pane, 1, Integer::sum);
          first.putIfAbsent(pane, e);
        }
        Map<String, EngagementTotals.Counts> totals = new TreeMap<>();
        first.forEach(
            (pane, e) ->
                totals.merge(
                    pane.substring(0, pane.indexOf('#')),
                    new EngagementTotals.Counts(
                        e.path("totalEvents").asLong(),
                        e.path("views").asLong(),
                        e.path("clicks").asLong(),
                        e.path("purchases").asLong()),
                    EngagementTotals.Counts::plus));
        return new Outcome(panes, totals, r.records(late).size());
      }
    } finally {
      cancel(job);
      client.interrupt();
    }
  }

  private static String paneKey(JsonNode e) {
    return e.path("userId").asText()
        + "@"
        + e.path("windowStart").asLong()
        + "#"
        + e.path("paneIndex").asLong();
  }

  private static long distinctEvents(List<ConsumerRecord<String, byte[]>> records)
      throws IOException {
    Map<String, Long> byPane = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> rec : records) {
      JsonNode e = JSON.readTree(rec.value()).path("event");
      byPane.putIfAbsent(paneKey(e), e.path("totalEvents").asLong());
    }
    return byPane.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Checkpoint interval of a run. A kill run's at-least-once output is written at once, so its
   * checkpoints are far enough apart that its kill falls between its results and the next
   * checkpoint; its exactly-once output appears only at checkpoints, and it waits for three.
   */
  static int checkpointMillis(Failure failure, boolean eos) {
    return failure == Failure.TASK_THROWS ? 1_000 : eos ? 20_000 : 60_000;
  }

  /**
   * Records a source task reads before the drill throws: more than either of the two tasks reads in
   * the first half (one reads two of the three partitions), at most what it reads in all.
   */
  static final int DRILL_AFTER_RECORDS = KafkaSystemTest.EVENTS * 2 / 3 / 2 + 50;

  private Thread submit(String name, String input, String prefix, boolean eos, Failure failure)
      throws IOException {
    boolean drill = failure == Failure.TASK_THROWS;
    Path state = clusterDir.resolve("state-" + name);
    List<String> args = new ArrayList<>(List.of("engagement"));
    args.addAll(KafkaSystemTest.SCENARIO);
    args.addAll(
        ProductionSettingsTest.with(
            ProductionSettingsTest.productionArgs(),
            "--flinkMaster=localhost:" + cluster.restPort,
            "--jobName=" + name,
            "--parallelism=2",
            "--autoWatermarkInterval=100",
            "--checkpointingInterval=" + checkpointMillis(failure, eos),
            "--minPauseBetweenCheckpoints=0",
            "--stateBackendStoragePath=" + state.toUri(),
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--kafkaTopics=" + input,
            "--sink=KAFKA",
            "--kafkaOutputTopicPrefix=" + prefix,
            "--kafkaPartitions=" + OUTPUT_PARTITIONS,
            "--allowedLatenessMinutes=30",
            "--filesToStage=" + String.join(",", FlinkSession.jobClasspath()),
            "--outputDir=" + clusterDir.resolve("unused-" + name)));
    if (drill) {
      args.add("--failOnceAfterRecords=" + DRILL_AFTER_RECORDS);
      args.add("--failOnceMarker=" + clusterDir.resolve("drill-" + name + "-" + System.nanoTime()));
    }
    if (eos) {
      args.add("--kafkaEos");
      args.add("--kafkaEosGroupId=" + name + "-test");
    }
    Thread t =
        new Thread(
            () -> {
              try {
                Tidemark.run(
                    args.toArray(new String[0]),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
              } catch (Exception e) {
                System.err.println(name + " client: " + e);
              }
            },
            name + "-client");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String awaitRunningJob(String name) throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode j : get("/jobs/overview").path("jobs")) {
        if (j.path("name").asText().startsWith(name)
            && j.path("state").asText().equals("RUNNING")) {
          return j.path("jid").asText();
        }
      }
    }
    throw new AssertionError(
        "job " + name + " not running within " + STEP_TIMEOUT + ": " + get("/jobs/overview"));
  }

  /** Waits for a checkpoint triggered after {@code afterMillis}; returns its id. */
  private static long awaitCheckpoints(String job, long afterMillis) throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode latest = get("/jobs/" + job + "/checkpoints").path("latest").path("completed");
      if (!latest.isMissingNode()
          && !latest.isNull()
          && latest.path("trigger_timestamp").asLong() > afterMillis) {
        return latest.path("id").asLong();
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
    }
    throw new AssertionError(
        "no checkpoint completed within "
            + STEP_TIMEOUT
            + ": "
            + get("/jobs/" + job + "/exceptions"));
  }

  /** The id of the job's latest completed checkpoint, -1 if none. */
  private static long latestCheckpoint(String job) throws Exception {
    JsonNode latest = get("/jobs/" + job + "/checkpoints").path("latest").path("completed");
    return latest.isMissingNode() || latest.isNull() ? -1 : latest.path("id").asLong();
  }

  /** Something the test does that may throw. */
  interface Step {
    void run() throws Exception;
  }

  /** Waits until each topic holds a record, committed or not. */
  private static void awaitWritten(List<String> topics) throws Exception {
    try (KafkaExactlyOnceSystemTest.Reader r =
        new KafkaExactlyOnceSystemTest.Reader(broker, topics, "read_uncommitted")) {
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      for (String t : topics) {
        while (r.endOffsetsSum(t) == 0) {
          assertTrue("nothing written to " + t, System.nanoTime() < deadline);
          TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
        }
      }
    }
  }

  /** Runs {@code step}, then waits until {@code topic} holds more records, committed or not. */
  private static void awaitWrittenAfter(String topic, Step step) throws Exception {
    try (KafkaExactlyOnceSystemTest.Reader r =
        new KafkaExactlyOnceSystemTest.Reader(broker, List.of(topic), "read_uncommitted")) {
      long before = r.endOffsetsSum(topic);
      step.run();
      long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
      while (r.endOffsetsSum(topic) == before) {
        assertTrue("no more results written to " + topic, System.nanoTime() < deadline);
        TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
      }
    }
  }

  /**
   * Waits until the job has left RUNNING (the failure noticed) and is back with every task running;
   * returns when.
   */
  private static long awaitRedeployed(String job) throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    boolean left = false;
    while (System.nanoTime() < deadline) {
      JsonNode j = get("/jobs/" + job);
      boolean allRunning = j.path("state").asText().equals("RUNNING");
      for (JsonNode v : j.path("vertices")) {
        String status = v.path("status").asText(); // an Impulse source finishes at once
        allRunning &= status.equals("RUNNING") || status.equals("FINISHED");
      }
      left |= !allRunning;
      if (left && allRunning) {
        return System.currentTimeMillis();
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
    }
    throw new AssertionError("job " + job + " not redeployed within " + STEP_TIMEOUT);
  }

  /** Waits until the job has failed by the drill; returns when (the failure's timestamp). */
  private static long awaitDrill(String job) throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode e :
          get("/jobs/" + job + "/exceptions").path("exceptionHistory").path("entries")) {
        if (e.path("stacktrace").asText().contains("failure drill")) {
          return e.path("timestamp").asLong();
        }
      }
      TimeUnit.MILLISECONDS.sleep(200); // polling a condition with a bound
    }
    throw new AssertionError(
        "the drill did not fail job " + job + ": " + get("/jobs/" + job + "/exceptions"));
  }

  /** A live TaskManager (its pid) whose log shows it took part in {@code job}. */
  private static long taskManagerRunning(String job) throws IOException {
    for (int i = 1; i <= TASKMANAGERS; i++) {
      Path log = clusterDir.resolve("log/taskmanager-" + i + ".log");
      Path pidFile = clusterDir.resolve("taskmanager-" + i + ".pid");
      if (Files.isRegularFile(log) && Files.isRegularFile(pidFile)) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (alive && Files.readString(log).contains(job)) {
          return pid;
        }
      }
    }
    throw new AssertionError("no live TaskManager's log names job " + job);
  }

  private static void cancel(String job) {
    try {
      HTTP.send(
          HttpRequest.newBuilder(
                  URI.create("http://localhost:" + cluster.restPort + "/jobs/" + job))
              .method("PATCH", HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      System.err.println("cancelling " + job + ": " + e);
    }
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    return cluster.get(path);
  }
}

package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.DifferentialFraudTest;
import io.tidemark.pipelines.model.FraudModel;
import io.tidemark.pipelines.model.GeneratorArrivals;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.FraudAlert;
import io.tidemark.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Stop with a savepoint and restore, on the real multi-JVM session cluster ({@code
 * runners/flink/scripts/flink-cluster.sh}: a JobManager and two TaskManagers) over a real Kafka
 * broker, for the engagement aggregation (open windows) and the fraud interval join (pending
 * matches and profiles). The job reads the first half of the topic with checkpoints on; once a
 * checkpoint completed and some, not all, results are out, {@code flink-cluster.sh savepoint} stops
 * it with a savepoint (drain false: open windows and joins stay in it, with the Kafka offsets).
 * Then the rest of the stream is produced, ending with one undecodable record two hours later in
 * event time in each partition (it moves the watermark past every window and join bound), and
 * {@code --savepointPath} restores the job. The results of both runs together must equal an exact
 * uninterrupted run's, computed by plain Java from the generator: engagement per (user, window),
 * fraud alert by alert (the reference model's). A result lost or written twice across the stop
 * fails the test. Also at another parallelism (2 to 1, 1 to 2), under the rules of
 * runners/flink/README.md (At another parallelism): chaining off at parallelism 1, the late-events
 * shards fixed. Runs with {@code -Dtidemark.failureTests=true} (the {@code cluster-failures}
 * profile), beside {@link FlinkFailureSystemTest}: load-sensitive (a cluster, a broker and twelve
 * jobs).
 */
public class FlinkSavepointSystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final int PARTITIONS = 3;

  /**
   * The fraud stream: an hour of event time, so that with 10 minutes of allowed lateness the join
   * has decided the transactions of the first quarter hour when the first half is read, and holds
   * those of the next quarter open. Its late events (1 to 5 minutes) are never droppable.
   */
  private static final List<String> FRAUD_SCENARIO = KafkaSystemTest.scenario(3600, 1, 5);

  private static final int FRAUD_LATENESS_MINUTES = 10;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration SAVEPOINT_TIMEOUT = Duration.ofSeconds(150);

  /** How long the complete output must stay unchanged: a pane written twice would show. */
  private static final Duration QUIET = Duration.ofSeconds(5);

  private static FlinkSession.Cluster cluster;
  private static KafkaBroker broker;
  private static Results engagement;
  private static Results fraud;

  @BeforeClass
  public static void startBrokerAndCluster() throws Exception {
    assumeTrue(
        "savepoint tests run in the cluster-failures profile (-Dtidemark.failureTests=true)",
        Boolean.getBoolean("tidemark.failureTests"));
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"));
    engagement = new EngagementResults();
    fraud = new FraudResults();
    cluster =
        FlinkSession.Cluster.start(
            Path.of("target/flink-savepoint-test").toAbsolutePath(),
            Map.of("FLINK_TASKMANAGERS", "2", "FLINK_TASK_SLOTS", "1"),
            START_TIMEOUT);
    assertEquals(cluster.startLog(), 2, get("/overview").path("slots-total").asInt());
  }

  @AfterClass
  public static void stopAll() throws Exception {
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

  /**
   * Also an upgrade: the restored job is given an option the stopped one was not, one added to
   * Tidemark after the first stop-and-restore tests (the failure drill's, off), so its options
   * differ but its graph does not (runners/flink/README.md, What keeps a savepoint restorable).
   */
  @Test
  public void engagementStoppedAtParallelism2ResumesAtParallelism2WithAnAddedOption()
      throws Exception {
    stopAndRestore(engagement, "p2to2", 2, 2, "--failOnceAfterRecords=0");
  }

  @Test
  public void engagementStoppedAtParallelism2ResumesAtParallelism1() throws Exception {
    stopAndRestore(engagement, "p2to1", 2, 1);
  }

  @Test
  public void engagementStoppedAtParallelism1ResumesAtParallelism2() throws Exception {
    stopAndRestore(engagement, "p1to2", 1, 2);
  }

  @Test
  public void fraudJoinStoppedAtParallelism2ResumesAtParallelism2() throws Exception {
    stopAndRestore(fraud, "fraud-p2to2", 2, 2);
  }

  @Test
  public void fraudJoinStoppedAtParallelism2ResumesAtParallelism1() throws Exception {
    stopAndRestore(fraud, "fraud-p2to1", 2, 1);
  }

  @Test
  public void fraudJoinStoppedAtParallelism1ResumesAtParallelism2() throws Exception {
    stopAndRestore(fraud, "fraud-p1to2", 1, 2);
  }

  private void stopAndRestore(
      Results results, String name, int before, int after, String... restoreOnly) throws Exception {
    try {
      stopAndRestoreOnce(results, name, before, after, restoreOnly);
    } finally {
      // A failed case must not leave its job running into the next one.
      for (JsonNode j : get("/jobs/overview").path("jobs")) {
        if (j.path("state").asText().equals("RUNNING")) {
          cluster.script(STOP_TIMEOUT, "cancel", j.path("jid").asText());
        }
      }
    }
  }

  private void stopAndRestoreOnce(
      Results results, String name, int before, int after, String... restoreOnly) throws Exception {
    String topic = "events-" + name;
    broker.createTopic(topic, PARTITIONS);
    GeneratorConfig config = results.config();
    long events = config.maxEvents();
    long half = events / 2;
    Produce.produce(config, broker.bootstrapServers(), topic, PARTITIONS, 0, half);

    Path dir = TMP.newFolder(name).toPath();
    Path out1 = dir.resolve("out-before");
    Path out2 = dir.resolve("out-after");
    List<String> common =
        concat(
            List.of(results.pipeline()),
            "--runner=FlinkRunner",
            "--flinkMaster=localhost:" + cluster.restPort,
            "--streaming",
            "--filesToStage=" + String.join(",", FlinkSession.jobClasspath()),
            "--checkpointingInterval=1000",
            // Without it a bundle a checkpoint cuts short keeps its output buffered until the step
            // gets more input: the fraud job's last alerts then never reach their files
            // (runners/flink/README.md, Production settings).
            "--finishBundleBeforeCheckpointing=true",
            "--autoWatermarkInterval=100",
            "--source=KAFKA",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--kafkaTopics=" + topic,
            "--flushSeconds=1");
    common.addAll(results.options());

    // First run: until a checkpoint completed and some, not all, windows fired.
    Client first =
        Client.start(concat(common, results.scenario(), "--parallelism=" + before, out1));
    String job = runningJob(first);
    long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    long done = 0;
    while (true) {
      done = results.count(out1);
      long checkpoints =
          get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
      if (done > 0 && checkpoints > 0) {
        break;
      }
      first.check();
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no output and checkpoint within "
                + PHASE_TIMEOUT
                + ": "
                + done
                + " results out\n"
                + first.printed());
      }
      waitBriefly();
    }
    assertTrue(
        "windows or joins are still open at the stop: " + done + " of " + results.expected(),
        done < results.expected());

    long stopStart = System.nanoTime();
    String savepoint =
        cluster
            .script(SAVEPOINT_TIMEOUT, "savepoint", job, dir.resolve("savepoints").toString())
            .trim();
    String[] lines = savepoint.split("\n");
    savepoint = lines[lines.length - 1];
    double stopSeconds = (System.nanoTime() - stopStart) / 1e9;
    first.awaitEnd(STOP_TIMEOUT);
    assertEquals("the stopped job", "FINISHED", endState(job));
    assertTrue("a savepoint at " + savepoint, savepoint.startsWith("file:"));
    long beforeStop = results.count(out1);

    // The rest of the stream, then what closes every window.
    Produce.produce(config, broker.bootstrapServers(), topic, PARTITIONS, half, events);
    // One undecodable record two hours after the last event in each partition.
    broker.pushWatermark(
        topic, PARTITIONS, config.arrival(events - 1).getMillis() + TimeUnit.HOURS.toMillis(2));

    long restoreStart = System.nanoTime();
    Client second =
        Client.start(
            concat(
                concat(common, restoreOnly),
                results.scenario(),
                "--parallelism=" + after,
                out2,
                "--savepointPath=" + savepoint));
    String job2 = runningJob(second);
    // The highest of its vertices': the Impulse sources run at parallelism 1 in any job.
    int restoredParallelism = 0;
    for (JsonNode v : get("/jobs/" + job2).path("vertices")) {
      restoredParallelism = Math.max(restoredParallelism, v.path("parallelism").asInt());
    }
    assertEquals("the restored job's parallelism", after, restoredParallelism);
    long expected = results.expected();
    deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    long completeAt = 0;
    while (true) {
      // Both folders, read again each time: a file whose write was pending in the savepoint is
      // finalized by the restored run.
      long n = results.count(out1, out2);
      if (n >= expected && completeAt == 0) {
        completeAt = System.nanoTime();
      }
      if (completeAt != 0 && System.nanoTime() - completeAt > QUIET.toNanos()) {
        break;
      }
      second.check();
      if (System.nanoTime() > deadline) {
        break; // compared below, with what is missing
      }
      waitBriefly();
    }
    double restoreSeconds =
        ((completeAt == 0 ? System.nanoTime() : completeAt) - restoreStart) / 1e9;
    cluster.script(STOP_TIMEOUT, "cancel", job2);
    second.awaitEnd(STOP_TIMEOUT);
    System.out.printf(
        "savepoint %s (p%d -> p%d): stop-with-savepoint %.1f s; restored run complete after %.1f s;"
            + " %d of %d results out before the stop%n",
        name, before, after, stopSeconds, restoreSeconds, beforeStop, expected);
    results.assertExact(out1, out2);
  }

  private static List<String> concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all;
  }

  private static List<String> concat(
      List<String> common, List<String> scenario, String parallelism, Path out, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(scenario);
    all.add(parallelism);
    if (parallelism.equals("--parallelism=1")) {
      // Impulse, which has no uid, keeps its parallelism-2 operator id only unchained
      // (runners/flink/README.md, At another parallelism).
      all.add("--operatorChaining=false");
    }
    all.add("--outputDir=" + out);
    all.addAll(List.of(more));
    return all;
  }

  /** The id of the one RUNNING job, once it runs. */
  private static String runningJob(Client client) throws Exception {
    long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode j : get("/jobs/overview").path("jobs")) {
        if (j.path("state").asText().equals("RUNNING")
            && j.path("tasks").path("running").asInt() == j.path("tasks").path("total").asInt()) {
          return j.path("jid").asText();
        }
      }
      client.check();
      waitBriefly();
    }
    throw new AssertionError(
        "no running job within "
            + PHASE_TIMEOUT
            + ": "
            + get("/jobs/overview")
            + "\n"
            + client.printed());
  }

  /**
   * The state {@code job} ends in, or its state after {@link #STOP_TIMEOUT}: the REST API may show
   * a stopped job RUNNING for a moment after its savepoint completed and its client returned.
   */
  private static String endState(String job) throws Exception {
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    while (true) {
      String state = get("/jobs/" + job).path("state").asText();
      if (List.of("FINISHED", "CANCELED", "FAILED").contains(state)
          || System.nanoTime() > deadline) {
        return state;
      }
      waitBriefly();
    }
  }

  /** Half a second, as a bounded wait on a condition that is never true. */
  private static void waitBriefly() throws InterruptedException {
    Object o = new Object();
    synchronized (o) {
      o.wait(500);
    }
  }

  /** A pipeline under test: its stream, and how its results are counted and checked. */
  private abstract static class Results {
    private final String pipeline;
    private final List<String> scenario;
    private final List<String> options;

    Results(String pipeline, List<String> scenario, String... options) {
      this.pipeline = pipeline;
      this.scenario = scenario;
      this.options = List.of(options);
    }

    String pipeline() {
      return pipeline;
    }

    List<String> scenario() {
      return scenario;
    }

    /** The pipeline's own options. */
    List<String> options() {
      return options;
    }

    GeneratorConfig config() {
      return Sources.generatorConfig(
          PipelineOptionsFactory.fromArgs(scenario.toArray(new String[0])).as(SourceOptions.class));
    }

    /** How many results the output folders hold together. */
    abstract long count(Path... outs);

    /** How many an uninterrupted, exact run writes. */
    abstract long expected();

    /** Fails unless the folders together hold exactly the expected results. */
    abstract void assertExact(Path... outs);
  }

  /** Engagement events counted per (user, window), against the plain-Java reference. */
  private static final class EngagementResults extends Results {
    private final Map<String, EngagementTotals.Counts> reference;

    EngagementResults() {
      super(
          "engagement",
          KafkaSystemTest.SCENARIO,
          "--allowedLatenessMinutes=30",
          // The late-events router's state is kept per shard: a shard count that followed the
          // parallelism would restore into other shards (runners/flink/README.md, Savepoints).
          "--lateShards=8");
      reference = EngagementTotals.reference(scenario(), KafkaSystemTest.WINDOW_MINUTES);
    }

    private static Map<String, EngagementTotals.Counts> read(Path... outs) {
      Map<String, EngagementTotals.Counts> all = new TreeMap<>();
      for (Path out : outs) {
        EngagementTotals.read(out)
            .forEach((k, v) -> all.merge(k, v, EngagementTotals.Counts::plus));
      }
      return all;
    }

    @Override
    long count(Path... outs) {
      return EngagementTotals.events(read(outs));
    }

    @Override
    long expected() {
      return EngagementTotals.events(reference);
    }

    @Override
    void assertExact(Path... outs) {
      EngagementTotals.assertSame("reference", reference, "stopped and restored", read(outs));
    }
  }

  /**
   * Fraud alerts, one line per alert, against the reference model's over the generator's stream:
   * each transaction over the threshold once, with its matched activity, its profile as of its time
   * and its score. The emit time is left out, as the result files do not carry it.
   */
  private static final class FraudResults extends Results {
    private final List<String> expected;

    FraudResults() {
      super("fraud", FRAUD_SCENARIO, "--allowedLatenessMinutes=" + FRAUD_LATENESS_MINUTES);
      GeneratorConfig config = config();
      Arrivals arrivals = GeneratorArrivals.of(new EventGenerator(config), config.maxEvents(), 1);
      expected =
          FraudModel.run(arrivals, TimeUnit.MINUTES.toMillis(FRAUD_LATENESS_MINUTES))
              .alerts()
              .stream()
              .map(a -> withoutEmitTime(DifferentialFraudTest.line(a)))
              .sorted()
              .toList();
      assertTrue("the fraud stream has alerts", !expected.isEmpty());
    }

    private static String withoutEmitTime(String line) {
      return line.substring(0, line.lastIndexOf(" @"));
    }

    private static List<String> read(Path... outs) {
      List<String> alerts = new ArrayList<>();
      for (Path out : outs) {
        for (String json : EngagementTotals.lines(out.resolve("fraud/results"))) {
          try {
            FraudAlert a = (FraudAlert) WireFormat.shipped().decodeJson(json);
            alerts.add(withoutEmitTime(DifferentialFraudTest.line(a, 0)));
          } catch (DecodeException e) {
            throw new AssertionError("not a fraud alert: " + json, e);
          }
        }
      }
      Collections.sort(alerts);
      return alerts;
    }

    @Override
    long count(Path... outs) {
      return read(outs).size();
    }

    @Override
    long expected() {
      return expected.size();
    }

    @Override
    void assertExact(Path... outs) {
      assertEquals("alerts of the stopped and restored runs", expected, read(outs));
    }
  }

  /** The FlinkRunner client in this JVM, on a thread of its own: it waits for its job. */
  private static final class Client {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final ExecutorService thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "flink-client");
              t.setDaemon(true);
              return t;
            });
    private Future<Boolean> run;

    static Client start(List<String> args) {
      Client c = new Client();
      c.run =
          c.thread.submit(
              () ->
                  Tidemark.run(
                      args.toArray(new String[0]),
                      new PrintStream(c.printed, true, StandardCharsets.UTF_8)));
      return c;
    }

    /** Fails if the client ended before its job was stopped. */
    void check() throws InterruptedException {
      if (run.isDone()) {
        String how;
        try {
          how = "it returned " + run.get();
        } catch (java.util.concurrent.ExecutionException e) {
          how = "it threw " + e.getCause();
        }
        throw new AssertionError("the client ended early: " + how + "\n" + printed());
      }
    }

    void awaitEnd(Duration timeout) throws InterruptedException {
      try {
        run.get(timeout.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        // a stopped or cancelled job ends its client with an error or an unbalanced summary
      } catch (java.util.concurrent.TimeoutException e) {
        run.cancel(true);
        throw new AssertionError("the client did not end within " + timeout + "\n" + printed());
      } finally {
        thread.shutdownNow();
      }
    }

    String printed() {
      return printed.toString(StandardCharsets.UTF_8);
    }
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    return cluster.get(path);
  }
}

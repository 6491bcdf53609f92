package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.pipelines.Job;
import io.tidemark.pipelines.PipelineDef;
import io.tidemark.pipelines.Summary;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.fraud.FraudPipeline;
import io.tidemark.pipelines.options.JobOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The stateful steps spread their records over Flink's parallel subtasks: the engagement and fraud
 * pipelines run as one job over the generator on a real multi-JVM session cluster (two TaskManagers
 * of two slots) at parallelism 2 and 4, and for every stateful step (late routing, the window
 * combine, the interval join, the profile lookup, the file sink's writers) the records each subtask
 * read, from the JobManager's REST API ({@code /jobs/<id>/vertices/<id>}, {@code read-records} per
 * subtask), must be at most 60% (parallelism 2) or 35% (parallelism 4) of the step's records. A
 * finished job's vertices stay queryable on the session cluster.
 *
 * <p>Flink chains operators into one vertex; a stateful step is the first operator of the vertex
 * after its key shuffle, so a vertex is the step its name starts with. The job is built as the CLI
 * builds it ({@link Tidemark#withFlinkRunnerDefaults}, {@link Job#build}), with both pipelines in
 * one job so that each parallelism costs one submission.
 */
public class FlinkBalanceSystemTest {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(300);

  /**
   * 400 users, so that keying by user can spread (the generator's default 20 users would leave a
   * subtask of four with a quarter of the keys give or take two, too coarse for a 35% bound). Short
   * flushes, so that the file sink's last files, and so the job, end soon after the input.
   */
  static final List<String> SCENARIO =
      List.of("--seed=20260105", "--generatorEvents=10000", "--users=400", "--flushSeconds=1");

  static final List<String> PIPELINES = List.of(EngagementPipeline.NAME, FraudPipeline.NAME);

  /**
   * The stateful steps, by the name of the first operator of their vertex (Beam's step names).
   * Every other vertex is a source or a stateless step after a plain redistribution (such as the
   * join's {@code GlobalWindowRight}, after the union of the activity streams).
   */
  static final Map<String, Pattern> STATEFUL =
      Map.of(
          "late routing", Pattern.compile("[^/]+/LateEvents/Route"),
          "window combine", Pattern.compile("engagement/Score"),
          "interval join", Pattern.compile("fraud/JoinActivity/Join"),
          "profile as of", Pattern.compile("fraud/ScoreAsOfProfile.*"),
          "file sink writers",
              Pattern.compile(".*/WriteFiles/WriteShardedBundlesToTempFiles/GroupIntoShards"));

  /** Steps the job must have, each with enough records to judge. */
  static final List<String> EXPECTED =
      List.of(
          "engagement/LateEvents/Route",
          "engagement/Score",
          "engagement/Write results/Write/WriteFiles/WriteShardedBundlesToTempFiles/GroupIntoShards",
          "fraud/JoinActivity/Join",
          "fraud/ScoreAsOfProfile");

  /**
   * Fewer records than this say little about a step's spread: one record more or less moves a share
   * by a percent or more, and a step that sees a handful (late events, dead letters, the few
   * alerts) measures where those few happened to land, not how its keys spread.
   */
  static final long MIN_RECORDS = 400;

  private static FlinkSession.Cluster cluster;
  private static Path runDir;

  @BeforeClass
  public static void startCluster() throws Exception {
    Path clusterDir = Path.of("target/flink-balance-test").toAbsolutePath();
    Files.createDirectories(clusterDir);
    runDir = Files.createTempDirectory(clusterDir, "run-");
    cluster =
        FlinkSession.Cluster.start(
            clusterDir,
            Map.of(
                "FLINK_TASKMANAGERS", "2",
                "FLINK_TASK_SLOTS", "2",
                // Deploying some hundred tasks on two loaded cores can take a TaskManager longer
                // than Flink's 10 s to acknowledge.
                "FLINK_ASK_TIMEOUT", "60 s"),
            START_TIMEOUT);
    JsonNode overview = cluster.get("/overview");
    assertEquals(cluster.startLog(), 4, overview.path("slots-total").asInt());
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  public void atParallelism2NoSubtaskTakesMoreThan60PercentOfAStatefulStep() throws Exception {
    check(2, 0.60);
  }

  @Test
  public void atParallelism4NoSubtaskTakesMoreThan35PercentOfAStatefulStep() throws Exception {
    check(4, 0.35);
  }

  private static void check(int parallelism, double bound) throws Exception {
    String name = "tidemark-balance-p" + parallelism;
    String jobId = run(name, parallelism);
    // The REST API serves a job's graph from a cache refreshed every few seconds
    // (web.refresh-interval), so a job the client saw finish can still show RUNNING for a moment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode job = cluster.get("/jobs/" + jobId);
    while (job.path("state").asText().equals("RUNNING") && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(500); // polling a condition with a bound
      job = cluster.get("/jobs/" + jobId);
    }
    assertEquals("job " + name, "FINISHED", job.path("state").asText());

    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            "balance at parallelism %d (bound %.0f%%):%n| step | p | records per subtask | max"
                + " share |%n|---|---|---|---|%n",
            parallelism, bound * 100));
    List<String> judged = new ArrayList<>();
    List<String> over = new ArrayList<>();
    for (JsonNode v : job.path("vertices")) {
      String head = v.path("name").asText().split(" -> ")[0];
      if (kind(head) == null) {
        continue;
      }
      List<Long> records = new ArrayList<>();
      for (JsonNode s :
          cluster.get("/jobs/" + jobId + "/vertices/" + v.path("id").asText()).path("subtasks")) {
        records.add(s.path("metrics").path("read-records").asLong());
      }
      long total = records.stream().mapToLong(Long::longValue).sum();
      long max = records.stream().mapToLong(Long::longValue).max().orElse(0);
      double share = total == 0 ? 0 : (double) max / total;
      String shown =
          total < MIN_RECORDS
              ? String.format("not judged: %d records", total)
              : String.format("%.1f%%", share * 100);
      table.append(
          String.format(
              "| %s (%s) | %d | %s | %s |%n",
              head,
              kind(head),
              records.size(),
              records.stream().map(String::valueOf).collect(Collectors.joining(", ")),
              shown));
      assertEquals("subtasks of " + head, parallelism, records.size());
      if (total < MIN_RECORDS) {
        continue;
      }
      judged.add(head);
      if (share > bound) {
        over.add(
            String.format(
                "%s (%s): subtask %d read %.1f%% of the step's %d records, more than %.0f%%",
                head, kind(head), records.indexOf(max), share * 100, total, bound * 100));
      }
    }
    System.out.print(table);
    for (String expected : EXPECTED) {
      assertTrue(
          "step "
              + expected
              + " found with at least "
              + MIN_RECORDS
              + " records at parallelism "
              + parallelism
              + "\n"
              + table,
          judged.stream().anyMatch(h -> h.startsWith(expected)));
    }
    if (!over.isEmpty()) {
      fail(
          "unbalanced at parallelism "
              + parallelism
              + ":\n  "
              + String.join("\n  ", over)
              + "\n"
              + table);
    }
  }

  /** The kind of stateful step whose vertex starts with operator {@code head}, or null. */
  private static String kind(String head) {
    for (Map.Entry<String, Pattern> e : STATEFUL.entrySet()) {
      if (e.getValue().matcher(head).matches()) {
        return e.getKey();
      }
    }
    return null;
  }

  /**
   * Runs {@link #PIPELINES} as one job named {@code name} at {@code parallelism} on the cluster,
   * with a bound; checks its accounting and returns its id.
   */
  private static String run(String name, int parallelism) throws Exception {
    List<String> args = new ArrayList<>(SCENARIO);
    args.addAll(
        List.of(
            "--runner=FlinkRunner",
            "--flinkMaster=localhost:" + cluster.restPort,
            "--parallelism=" + parallelism,
            "--streaming",
            "--jobName=" + name,
            "--filesToStage=" + String.join(",", FlinkSession.jobClasspath()),
            "--outputDir=" + runDir.resolve("out-p" + parallelism)));
    List<PipelineDef> defs =
        Tidemark.PIPELINES.stream().filter(d -> PIPELINES.contains(d.name())).toList();
    assertEquals(PIPELINES.size(), defs.size());
    JobOptions options =
        Tidemark.options(defs, Tidemark.withFlinkRunnerDefaults(args.toArray(new String[0])));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    ExecutorService client =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "flink-client");
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    try {
      Future<PipelineResult> run = client.submit(() -> Job.build(defs, options).run(out));
      PipelineResult result;
      try {
        result = run.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        run.cancel(true);
        throw new AssertionError(
            name
                + " did not finish within "
                + JOB_TIMEOUT
                + "; jobs: "
                + cluster.get("/jobs/overview")
                + "\n"
                + printed.toString(StandardCharsets.UTF_8));
      }
      Summary summary = new Summary(result, PIPELINES);
      summary.print(out, (System.nanoTime() - start) / 1e9);
      System.out.println(printed.toString(StandardCharsets.UTF_8));
      assertTrue(
          name + ": accounting balanced\n" + printed.toString(StandardCharsets.UTF_8),
          summary.balanced());
    } finally {
      client.shutdownNow();
    }
    return jobId(name);
  }

  /** The id of the newest job named {@code name}. */
  private static String jobId(String name) throws IOException, InterruptedException {
    Map<Long, String> byStart = new LinkedHashMap<>();
    for (JsonNode j : cluster.get("/jobs/overview").path("jobs")) {
      if (j.path("name").asText().equals(name)) {
        byStart.put(j.path("start-time").asLong(), j.path("jid").asText());
      }
    }
    assertTrue("job " + name + " on the cluster", !byStart.isEmpty());
    return byStart.get(byStart.keySet().stream().max(Long::compare).orElseThrow());
  }
}

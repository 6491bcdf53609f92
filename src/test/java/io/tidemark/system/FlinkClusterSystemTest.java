package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The engagement pipeline on a real multi-JVM Flink 1.19 session cluster: {@code
 * runners/flink/scripts/flink-cluster.sh} starts a JobManager and two TaskManagers (one slot each)
 * as child JVMs, with Flink's Prometheus reporter on, this JVM submits the job with the FlinkRunner
 * client ({@code --flinkMaster=localhost:<port>}, parallelism 2, so both TaskManagers run tasks),
 * waits for it with a bound, and checks the accounting, the per-(user, window) totals against the
 * reference and the progress the client printed from the cluster's REST API. A second job reads a
 * Kafka topic (so it keeps running) while the TaskManagers' Prometheus endpoints are scraped for
 * Tidemark's metrics. The TaskManagers write the results to this machine's filesystem, which all
 * JVMs share.
 */
public class FlinkClusterSystemTest {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static FlinkSession.Cluster cluster;

  /** Outputs and the Kafka broker's data of this run: new each run, as target/ may hold older. */
  private static Path runDir;

  private static int prometheusPort;

  @BeforeClass
  public static void startCluster() throws Exception {
    Path clusterDir = Path.of("target/flink-cluster-test").toAbsolutePath();
    Files.createDirectories(clusterDir);
    runDir = Files.createTempDirectory(clusterDir, "run-");
    prometheusPort = freePorts(3); // the JobManager's, then each TaskManager's
    cluster =
        FlinkSession.Cluster.start(
            clusterDir,
            Map.of(
                "FLINK_TASKMANAGERS", "2",
                "FLINK_TASK_SLOTS", "1",
                "FLINK_PROMETHEUS_PORT", Integer.toString(prometheusPort)),
            START_TIMEOUT);
    JsonNode overview = get("/overview");
    assertEquals(cluster.startLog(), 2, overview.path("taskmanagers").asInt());
    assertEquals(cluster.startLog(), 2, overview.path("slots-total").asInt());
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Test
  public void engagementJobRunsOnTheSessionClusterWithTheReferenceTotals() throws Exception {
    Path out = runDir.resolve("out");
    List<String> args = new ArrayList<>(List.of("engagement"));
    args.addAll(CrossRunnerConformanceTest.SCENARIO);
    args.addAll(clusterArgs("tidemark-cluster-engagement", out));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ExecutorService client = clientThread();
    boolean balanced;
    try {
      Future<Boolean> run =
          client.submit(() -> Tidemark.run(args.toArray(new String[0]), to(printed)));
      try {
        balanced = run.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        run.cancel(true);
        throw new AssertionError(
            "the job did not finish within " + JOB_TIMEOUT + "; jobs: " + get("/jobs/overview"));
      }
    } finally {
      client.shutdownNow();
    }
    String summary = printed.toString(StandardCharsets.UTF_8);
    assertTrue("accounting balanced\n" + summary, balanced);
    assertEquals(summary, "FINISHED", job("tidemark-cluster-engagement").path("state").asText());

    Map<String, EngagementTotals.Counts> reference =
        EngagementTotals.reference(
            CrossRunnerConformanceTest.SCENARIO, CrossRunnerConformanceTest.WINDOW_MINUTES);
    EngagementTotals.assertSame(
        "reference", reference, "Flink session cluster", EngagementTotals.read(out));

    // Progress, read by the client from the cluster's REST API while the job ran (the client JVM
    // runs none of the job): never above the records read, and a last line with the summary's. A
    // job this short may end before the JobManager's metrics show its records (they are refreshed
    // every 10 s); the Kafka job below, which keeps running, shows them all.
    long generated = generated(CrossRunnerConformanceTest.SCENARIO).records();
    Matcher records = Pattern.compile("Tidemark: ([0-9,]+) records").matcher(summary);
    assertTrue(summary, records.find());
    assertEquals(summary, generated, number(records.group(1)));
    System.out.println(summary);
    List<Long> during = progress(summary, "progress");
    List<Long> last = progress(summary, "done");
    assertTrue(
        "progress never above the events read\n" + summary,
        during.stream().allMatch(n -> n <= generated));
    assertEquals("one final progress line\n" + summary, 1, last.size());
    assertEquals(
        "the final progress line: the summary's records\n" + summary,
        generated,
        (long) last.get(0));
  }

  /**
   * Flink's Prometheus reporter exports Beam's metrics: a job reading a Kafka topic of generated
   * records keeps running once it has read them all, and the TaskManagers' endpoints, summed over
   * both, show the records read, the dead letters (in total and by reason) and the engagement
   * events in, each equal to what the generator made.
   */
  @Test
  public void prometheusEndpointsExportTidemarkMetricsWithTheGeneratedCounts() throws Exception {
    List<String> scenario = CrossRunnerConformanceTest.SCENARIO;
    Generated expected = generated(scenario);
    try (KafkaBroker broker = KafkaBroker.start(runDir.resolve("kafka"))) {
      broker.createTopic("events", 2);
      Produce.produce(
          Sources.generatorConfig(options(scenario)),
          broker.bootstrapServers(),
          "events",
          2,
          0,
          expected.records());
      List<String> args = new ArrayList<>(List.of("engagement", "--source=KAFKA"));
      args.addAll(scenario);
      args.addAll(
          List.of("--bootstrapServers=" + broker.bootstrapServers(), "--kafkaTopics=events"));
      String name = "tidemark-cluster-prometheus";
      args.addAll(clusterArgs(name, runDir.resolve("out-kafka")));
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      ExecutorService client = clientThread();
      try {
        Future<Boolean> run =
            client.submit(() -> Tidemark.run(args.toArray(new String[0]), to(printed)));
        Map<String, Double> scraped = Map.of();
        Map<String, Double> want =
            Map.of(
                METRIC + "tidemark_source_records",
                (double) expected.records(),
                METRIC + "tidemark_source_dead_letters",
                (double) expected.deadLetters(),
                METRIC + "tidemark_engagement_in",
                (double) expected.engagement(),
                "dead letters by reason",
                (double) expected.deadLetters());
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        String jobId = null;
        while (System.nanoTime() < deadline && !run.isDone()) {
          if (jobId == null) {
            JsonNode job = job(name);
            jobId = job == null ? null : job.path("jid").asText();
          } else {
            scraped = scrape(jobId);
            if (scraped.entrySet().containsAll(want.entrySet())
                && scraped.containsKey(METRIC + LAG_LATEST)) {
              break;
            }
          }
          TimeUnit.MILLISECONDS.sleep(500); // polling a condition with a bound
        }
        assertTrue(
            "the job runs: " + get("/jobs/overview") + "\n" + printed,
            jobId != null && !run.isDone());
        System.out.println("scraped from Prometheus: " + new java.util.TreeMap<>(scraped));
        for (Map.Entry<String, Double> e : want.entrySet()) {
          assertEquals(e.getKey() + " in " + scraped, e.getValue(), scraped.get(e.getKey()));
        }
        assertEquals(
            "TaskManagers exporting Tidemark metrics: " + scraped,
            2.0,
            scraped.getOrDefault("taskmanagers with Tidemark metrics", 0.0),
            0);
        // The latest event-time lag is wall-clock time minus the event time of a generated
        // record: within a day of the generator's start, give or take its disorder (an hour).
        long start = Sources.generatorConfig(options(scenario)).start().getMillis();
        double lag = scraped.getOrDefault(METRIC + LAG_LATEST, 0.0);
        long now = System.currentTimeMillis();
        assertTrue(
            "latest event-time lag " + lag + " ms in " + scraped,
            lag <= now - start + Duration.ofHours(1).toMillis()
                && lag >= now - start - Duration.ofDays(1).toMillis());
        // The client's progress, read from the REST API while the job runs, reaches every record.
        while (System.nanoTime() < deadline
            && !progress(printed.toString(StandardCharsets.UTF_8), "progress")
                .contains(expected.records())) {
          TimeUnit.MILLISECONDS.sleep(500); // polling a condition with a bound
        }
        String lines = printed.toString(StandardCharsets.UTF_8);
        System.out.println(lines);
        List<Long> during = progress(lines, "progress");
        assertTrue(
            "a progress line with all "
                + expected.records()
                + " records while the job runs\n"
                + lines,
            during.contains(expected.records()) && !run.isDone());
        assertTrue(
            "progress never above the records read\n" + lines,
            during.stream().allMatch(n -> n <= expected.records()));
        cancel(jobId, run);
      } finally {
        client.shutdownNow();
      }
    }
  }

  private static final String METRIC = "flink_taskmanager_job_task_operator_";
  private static final String LAG_LATEST = "tidemark_source_event_time_lag_ms_latest";
  private static final String BY_REASON =
      METRIC + "io_tidemark_transforms_ParseWithDeadLetters_dead_letters_";

  /**
   * Every TaskManager's Prometheus endpoint, the Tidemark series of job {@code jobId} summed by
   * metric name over subtasks and TaskManagers (the largest, for "latest" gauges); plus the dead
   * letters by reason, summed, and how many TaskManagers exported any.
   */
  private static Map<String, Double> scrape(String jobId) throws IOException, InterruptedException {
    Map<String, Double> sums = new java.util.HashMap<>();
    Pattern series = Pattern.compile("^(\\w+)\\{(.*)\\} (\\S+)$");
    int exporting = 0;
    for (int tm = 1; tm <= 2; tm++) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + (prometheusPort + tm) + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals("TaskManager " + tm + "'s Prometheus endpoint", 200, r.statusCode());
      boolean any = false;
      for (String line : r.body().split("\n")) {
        Matcher m = series.matcher(line);
        if (m.matches()
            && m.group(1).startsWith(METRIC)
            && m.group(1).contains("tidemark")
            && m.group(2).contains("job_id=\"" + jobId + "\"")) {
          any = true;
          double v = Double.parseDouble(m.group(3));
          // Counters add up over subtasks; a "latest" gauge takes the largest.
          sums.merge(m.group(1), v, m.group(1).endsWith("_latest") ? Double::max : Double::sum);
          if (m.group(1).startsWith(BY_REASON)) {
            sums.merge("dead letters by reason", v, Double::sum);
          }
        }
      }
      exporting += any ? 1 : 0;
    }
    sums.put("taskmanagers with Tidemark metrics", (double) exporting);
    return sums;
  }

  /** Cancels the job and waits, with a bound, for the client to return. */
  private static void cancel(String jobId, Future<Boolean> run) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:" + cluster.restPort + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("cancel: " + r.body(), 202, r.statusCode());
    try {
      run.get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // the cancelled job's client ends with an error
    }
  }

  /** What the generator makes under {@code args}: records, dead letters, engagement events. */
  record Generated(long records, long deadLetters, long engagement) {}

  static Generated generated(List<String> args) {
    GeneratorConfig config = Sources.generatorConfig(options(args));
    EventGenerator g = new EventGenerator(config);
    long dead = 0;
    long engagement = 0;
    for (long i = 0; i < config.maxEvents(); i++) {
      try {
        Object e = Events.decode(g.generate(i).payload());
        engagement += e instanceof PageView || e instanceof Click || e instanceof Purchase ? 1 : 0;
      } catch (DecodeException | RuntimeException e) {
        dead++;
      }
    }
    return new Generated(config.maxEvents(), dead, engagement);
  }

  private static SourceOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(SourceOptions.class);
  }

  /** The events figure of each progress line that starts with {@code what}. */
  private static List<Long> progress(String printed, String what) {
    List<Long> events = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^  " + what + " +([0-9,]+) events").matcher(printed);
    while (m.find()) {
      events.add(number(m.group(1)));
    }
    return events;
  }

  private static long number(String digits) {
    return Long.parseLong(digits.replace(",", ""));
  }

  private static List<String> clusterArgs(String jobName, Path out) {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=localhost:" + cluster.restPort,
        "--parallelism=2",
        "--streaming",
        "--jobName=" + jobName,
        "--filesToStage=" + String.join(",", FlinkSession.jobClasspath()),
        "--outputDir=" + out);
  }

  private static ExecutorService clientThread() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "flink-client");
          t.setDaemon(true);
          return t;
        });
  }

  private static PrintStream to(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  /** The newest job named {@code name} in the cluster's overview, or null. */
  private static JsonNode job(String name) throws IOException, InterruptedException {
    JsonNode newest = null;
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (j.path("name").asText().equals(name)
          && (newest == null
              || j.path("start-time").asLong() > newest.path("start-time").asLong())) {
        newest = j;
      }
    }
    return newest;
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    return cluster.get(path);
  }

  /** The first of {@code n} consecutive ports that are free now. */
  private static int freePorts(int n) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first = KafkaBroker.freePort();
      boolean free = true;
      for (int p = first + 1; p < first + n && free; p++) {
        try (ServerSocket s = new ServerSocket(p)) {
          free = s.getLocalPort() == p;
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no " + n + " consecutive free ports");
  }
}

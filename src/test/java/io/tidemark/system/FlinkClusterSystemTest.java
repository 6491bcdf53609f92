package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Tidemark;
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
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The engagement pipeline on a real multi-JVM Flink 1.19 session cluster: {@code
 * runners/flink/scripts/flink-cluster.sh} starts a JobManager and two TaskManagers (one slot each)
 * as child JVMs, this JVM submits the job with the FlinkRunner client ({@code
 * --flinkMaster=localhost:<port>}, parallelism 2, so both TaskManagers run tasks), waits for it
 * with a bound, and checks the accounting and the per-(user, window) totals against the reference.
 * The TaskManagers write the results to this machine's filesystem, which all JVMs share.
 */
public class FlinkClusterSystemTest {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path script;
  private static Path clusterDir;
  private static int restPort;
  private static int rpcPort;
  private static volatile boolean stopped;

  @BeforeClass
  public static void startCluster() throws Exception {
    Path repo = Path.of("../..").toAbsolutePath().normalize();
    script = repo.resolve("runners/flink/scripts/flink-cluster.sh");
    assertTrue("the cluster script " + script, Files.isRegularFile(script));
    clusterDir = Path.of("target/flink-cluster-test").toAbsolutePath();
    restPort = freePort();
    rpcPort = freePort();
    // Should this JVM be ended before @AfterClass, the cluster JVMs must not outlive it.
    Runtime.getRuntime().addShutdownHook(new Thread(FlinkClusterSystemTest::stopQuietly));
    String log = script("start", START_TIMEOUT);
    JsonNode overview = get("/overview");
    assertEquals(log, 2, overview.path("taskmanagers").asInt());
    assertEquals(log, 2, overview.path("slots-total").asInt());
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    if (script != null && !stopped) {
      stopped = true;
      script("stop", STOP_TIMEOUT);
    }
  }

  private static void stopQuietly() {
    try {
      stopCluster();
    } catch (Exception e) {
      System.err.println("stopping the Flink cluster: " + e);
    }
  }

  @Test
  public void engagementJobRunsOnTheSessionClusterWithTheReferenceTotals() throws Exception {
    Path out = clusterDir.resolve("out");
    List<String> args = new ArrayList<>(List.of("engagement"));
    args.addAll(CrossRunnerConformanceTest.SCENARIO);
    args.addAll(
        List.of(
            "--runner=FlinkRunner",
            "--flinkMaster=localhost:" + restPort,
            "--parallelism=2",
            "--streaming",
            "--filesToStage=" + String.join(",", jobClasspath()),
            "--outputDir=" + out));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ExecutorService client =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "flink-client");
              t.setDaemon(true);
              return t;
            });
    boolean balanced;
    try {
      Future<Boolean> run =
          client.submit(
              () ->
                  Tidemark.run(
                      args.toArray(new String[0]),
                      new PrintStream(printed, true, StandardCharsets.UTF_8)));
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

    JsonNode jobs = get("/jobs/overview").path("jobs");
    assertEquals("one job on the cluster: " + jobs, 1, jobs.size());
    assertEquals(jobs.toString(), "FINISHED", jobs.get(0).path("state").asText());

    Map<String, EngagementTotals.Counts> reference =
        EngagementTotals.reference(
            CrossRunnerConformanceTest.SCENARIO, CrossRunnerConformanceTest.WINDOW_MINUTES);
    EngagementTotals.assertSame(
        "reference", reference, "Flink session cluster", EngagementTotals.read(out));
  }

  /**
   * What the client ships to the cluster: this JVM's classpath without what the cluster already has
   * (Flink, loaded parent-first there anyway, and its Scala and Pekko) or no job needs (test
   * libraries, other runners). Less to upload and to open in each TaskManager's user class loader.
   */
  private static List<String> jobClasspath() {
    List<String> jars = new ArrayList<>();
    for (String f :
        PipelineResources.detectClassPathResourcesToStage(
            FlinkClusterSystemTest.class.getClassLoader(), PipelineOptionsFactory.create())) {
      String p = f.replace('\\', '/');
      boolean skip =
          p.contains("/org/apache/flink/")
              || p.contains("/org/scala-lang/")
              || p.contains("/junit/")
              || p.contains("/org/hamcrest/")
              || p.contains("/beam-runners-direct-java/")
              || p.contains("/surefire")
              || p.endsWith("/test-classes");
      if (!skip) {
        jars.add(f);
      }
    }
    return jars;
  }

  /** Runs the cluster script; returns its output, failing with it and the JVM logs on error. */
  private static String script(String command, Duration timeout) throws Exception {
    Files.createDirectories(clusterDir);
    Path log = clusterDir.resolve("script-" + command + ".log");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command);
    Map<String, String> env = pb.environment();
    env.put("FLINK_CLUSTER_DIR", clusterDir.toString());
    env.put("FLINK_REST_PORT", Integer.toString(restPort));
    env.put("FLINK_RPC_PORT", Integer.toString(rpcPort));
    env.put("FLINK_TASKMANAGERS", "2");
    env.put("FLINK_TASK_SLOTS", "1");
    env.put("FLINK_START_TIMEOUT", Long.toString(timeout.toSeconds() - 30));
    env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not return within " + timeout + "\n" + logs(log));
    }
    String output = Files.readString(log);
    if (p.exitValue() != 0) {
      throw new AssertionError(command + " exited " + p.exitValue() + "\n" + logs(log));
    }
    return output;
  }

  private static String logs(Path scriptLog) throws IOException {
    StringBuilder s = new StringBuilder(Files.readString(scriptLog));
    Path dir = clusterDir.resolve("log");
    if (Files.isDirectory(dir)) {
      try (var files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          List<String> lines = Files.readAllLines(f);
          s.append("\n--- ").append(f.getFileName()).append(" (last 30 lines)\n");
          s.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
      }
    }
    return s.toString();
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(path + ": " + r.body(), 200, r.statusCode());
    return JSON.readTree(r.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

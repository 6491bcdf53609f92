package io.tidemark.system;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;

/**
 * What the tests on the multi-JVM session cluster ({@code runners/flink/scripts/flink-cluster.sh})
 * share: the classpath a job ships, the cluster script and the JobManager's REST API.
 */
final class FlinkSession {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** How long the script may take to stop a cluster. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private FlinkSession() {}

  /**
   * One session cluster of the script, in its own folder on free ports, with the script's
   * environment ({@code FLINK_TASKMANAGERS}, {@code FLINK_TASK_SLOTS}, ...). A test class starts
   * and stops it; should its JVM end first, a shutdown hook stops it, so no cluster JVM outlives
   * the tests.
   */
  static final class Cluster {
    final Path dir;
    final int restPort;
    private final int rpcPort;
    private final Map<String, String> env;
    private String startLog;
    private volatile boolean stopped;

    private Cluster(Path dir, int restPort, int rpcPort, Map<String, String> env) {
      this.dir = dir;
      this.restPort = restPort;
      this.rpcPort = rpcPort;
      this.env = env;
    }

    /** Starts a cluster in {@code dir} within {@code timeout}. */
    static Cluster start(Path dir, Map<String, String> env, Duration timeout) throws Exception {
      int[] ports = KafkaBroker.freePorts(2);
      Cluster c = new Cluster(dir, ports[0], ports[1], env);
      Runtime.getRuntime().addShutdownHook(new Thread(c::stopQuietly));
      c.startLog = c.script(timeout, "start");
      return c;
    }

    /** What the script printed while it started the cluster. */
    String startLog() {
      return startLog;
    }

    /**
     * Runs {@code flink-cluster.sh <command...>} within {@code timeout} (a savepoint's wait: 10 s
     * less); returns its output.
     */
    String script(Duration timeout, String... command) throws Exception {
      Map<String, String> e = new HashMap<>(env);
      e.put("FLINK_SAVEPOINT_TIMEOUT", Long.toString(timeout.toSeconds() - 10));
      return FlinkSession.script(dir, restPort, rpcPort, e, timeout, command);
    }

    /** GET {@code path} from the JobManager's REST API; asserts 200. */
    JsonNode get(String path) throws IOException, InterruptedException {
      return FlinkSession.get(restPort, path);
    }

    /** Stops the cluster; once stopped, does nothing. */
    void stop() throws Exception {
      if (!stopped) {
        stopped = true;
        script(STOP_TIMEOUT, "stop");
      }
    }

    private void stopQuietly() {
      try {
        stop();
      } catch (Exception e) {
        System.err.println("stopping the Flink cluster in " + dir + ": " + e);
      }
    }
  }

  /**
   * As {@code FlinkClusterSystemTest} ships, plus the RocksDB state backend, which the production
   * settings name and the cluster's classpath lacks.
   */
  static List<String> jobClasspath() {
    List<String> jars = new ArrayList<>();
    for (String f :
        PipelineResources.detectClassPathResourcesToStage(
            FlinkSession.class.getClassLoader(), PipelineOptionsFactory.create())) {
      String p = f.replace('\\', '/');
      boolean skip =
          (p.contains("/org/apache/flink/") && !p.contains("/flink-statebackend-rocksdb/"))
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

  /** GET {@code path} from the JobManager's REST API on {@code restPort}; asserts 200. */
  static JsonNode get(int restPort, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(path + ": " + r.body(), 200, r.statusCode());
    return JSON.readTree(r.body());
  }

  /**
   * Runs {@code runners/flink/scripts/flink-cluster.sh <command...>} for the cluster in {@code dir}
   * on {@code restPort} and {@code rpcPort}, with {@code env} added (TaskManagers, slots, ...),
   * within {@code timeout}; returns its output, or fails with it and the last lines of each of the
   * cluster's logs.
   */
  private static String script(
      Path dir,
      int restPort,
      int rpcPort,
      Map<String, String> env,
      Duration timeout,
      String... command)
      throws Exception {
    Files.createDirectories(dir);
    Path log = dir.resolve("script-" + command[0] + ".log");
    Path script = Path.of("../..").toAbsolutePath().normalize().resolve(SCRIPT);
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.put("FLINK_CLUSTER_DIR", dir.toString());
    e.put("FLINK_REST_PORT", Integer.toString(restPort));
    e.put("FLINK_RPC_PORT", Integer.toString(rpcPort));
    e.put("FLINK_START_TIMEOUT", Long.toString(timeout.toSeconds() - 30));
    e.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    e.putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          command[0] + " did not return within " + timeout + "\n" + logs(dir, log));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(command[0] + " exited " + p.exitValue() + "\n" + logs(dir, log));
    }
    return Files.readString(log);
  }

  /** The cluster script, from the repository's root. */
  static final String SCRIPT = "runners/flink/scripts/flink-cluster.sh";

  private static String logs(Path dir, Path scriptLog) throws IOException {
    StringBuilder s = new StringBuilder(Files.readString(scriptLog));
    Path logs = dir.resolve("log");
    if (Files.isDirectory(logs)) {
      try (var files = Files.list(logs)) {
        for (Path f : files.sorted().toList()) {
          List<String> lines = Files.readAllLines(f);
          s.append("\n--- ").append(f.getFileName()).append(" (last 30 lines)\n");
          s.append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
      }
    }
    return s.toString();
  }
}

package io.tidemark.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Progress of a job on Flink, from the cluster's REST API: the FlinkRunner's client gets no metrics
 * until the job ends, and on a remote cluster runs none of the job. The job is found by its name in
 * {@code /jobs/overview}. Each subtask is counted once, by its state ({@code
 * /jobs/<id>/vertices/<vertex>}): a running one by its Flink metrics ({@code
 * .../subtasks/metrics?agg=sum&subtasks=...}; the FlinkRunner registers each Beam counter as {@code
 * <operator>.<namespace>_<name>}), a finished one by the Beam metrics the FlinkRunner hands over as
 * its accumulator {@code __metricscontainers} ({@code .../subtasks/accumulators}); a finished
 * subtask's metrics may still be served, and counting both would count it twice. The watermark is
 * the earliest input watermark of the running subtasks ({@code .../watermarks}).
 */
final class FlinkRestSource implements Progress.Source {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RECORDS = "source/records";
  private static final String SUM_INT64 = "beam:metrics:sum_int64:v1";

  /** The FlinkRunner's options this class reads and sets, without depending on that runner. */
  public interface FlinkClientOptions extends PipelineOptions {
    @Description(
        "Address of the Flink Master where the Pipeline should be executed. Can either be of the"
            + " form \"host:port\" or one of the special values [local], [collection] or [auto].")
    @Default.String("[auto]")
    String getFlinkMaster();

    void setFlinkMaster(String value);

    @Description(
        "Directory containing Flink YAML configuration files. These properties will be set to all"
            + " jobs submitted to Flink and take precedence over configurations in"
            + " FLINK_CONF_DIR.")
    String getFlinkConfDir();

    void setFlinkConfDir(String value);
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String base;
  private final String jobName;
  private final List<String> late = new ArrayList<>();
  private String jobId;

  FlinkRestSource(String base, String jobName, List<String> pipelines) {
    this.base = base;
    this.jobName = jobName;
    pipelines.forEach(p -> late.add(p + "/late"));
  }

  /**
   * The REST address of the Flink cluster the job runs on; null when it runs on another runner. For
   * a remote cluster ({@code --flinkMaster=host:port}) that is the master's address. Embedded Flink
   * ({@code --flinkMaster=[local]}, or {@code [auto]} outside a Flink client) runs the job in a
   * MiniCluster in this JVM whose REST port Flink picks at random; it is given a free one here
   * through a configuration directory of its own ({@link EmbeddedRest}), so progress reads the
   * job's metrics the same way. Call before the pipeline runs: it may set {@code --flinkConfDir}.
   */
  static String address(PipelineOptions options) throws IOException {
    if (!options.getRunner().getSimpleName().equals("FlinkRunner")) {
      return null;
    }
    FlinkClientOptions flink = options.as(FlinkClientOptions.class);
    String master = flink.getFlinkMaster();
    boolean embedded =
        master == null
            || master.isBlank()
            || master.equals("[local]")
            || (master.equals("[auto]") && System.getenv("FLINK_CONF_DIR") == null);
    if (embedded) {
      int port = EmbeddedRest.configure(flink);
      return port < 0 ? null : "http://localhost:" + port;
    }
    if (master.startsWith("[")) {
      return null; // [collection], or [auto] inside a Flink client: no address to read
    }
    return master.contains("://") ? master : "http://" + master;
  }

  @Override
  public Progress.Snapshot read() throws IOException, InterruptedException {
    if (jobId == null) {
      jobId = find();
      if (jobId == null) {
        return null;
      }
    }
    String job = "/jobs/" + jobId;
    Map<String, Long> counters = new HashMap<>();
    Long watermark = null;
    for (JsonNode v : get(job).path("vertices")) {
      String vertex = job + "/vertices/" + v.path("id").asText();
      Set<String> running = new HashSet<>();
      Set<String> finished = new HashSet<>();
      for (JsonNode t : get(vertex).path("subtasks")) {
        String status = t.path("status").asText();
        if (status.equals("RUNNING")) {
          running.add(t.path("subtask").asText());
        } else if (status.equals("FINISHED")) {
          finished.add(t.path("subtask").asText());
        }
      }
      if (!finished.isEmpty()) {
        finished(vertex, finished, counters);
      }
      if (running.isEmpty()) {
        continue;
      }
      running(vertex, running, counters);
      for (JsonNode w : get(vertex + "/watermarks")) {
        String id = w.path("id").asText(); // <subtask>.currentInputWatermark
        long millis = Long.parseLong(w.path("value").asText());
        if (running.contains(id.substring(0, Math.max(0, id.indexOf('.'))))
            && millis != Long.MIN_VALUE
            && (watermark == null || millis < watermark)) {
          watermark = millis; // MIN_VALUE: a source's input, or no watermark yet
        }
      }
    }
    long lateSoFar = late.stream().mapToLong(n -> counters.getOrDefault(n, 0L)).sum();
    return new Progress.Snapshot(counters.getOrDefault(RECORDS, 0L), lateSoFar, watermark);
  }

  /** The id of the newest job with this name, or null while there is none. */
  private String find() throws IOException, InterruptedException {
    String id = null;
    long newest = Long.MIN_VALUE;
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (j.path("name").asText().equals(jobName) && j.path("start-time").asLong() > newest) {
        newest = j.path("start-time").asLong();
        id = j.path("jid").asText();
      }
    }
    return id;
  }

  /** Adds the Tidemark counters of these running subtasks of the vertex (Flink's metrics). */
  private void running(String vertex, Set<String> subtasks, Map<String, Long> counters)
      throws IOException, InterruptedException {
    Map<String, String> wanted = new HashMap<>(); // metric id -> counter name
    for (JsonNode m : get(vertex + "/subtasks/metrics")) {
      String id = m.path("id").asText();
      String name = tidemarkName(id);
      if (name != null && (name.equals(RECORDS) || late.contains(name))) {
        wanted.put(id, name);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    String ids = URLEncoder.encode(String.join(",", wanted.keySet()), StandardCharsets.UTF_8);
    String which = String.join(",", subtasks);
    for (JsonNode m : get(vertex + "/subtasks/metrics?agg=sum&subtasks=" + which + "&get=" + ids)) {
      String name = wanted.get(m.path("id").asText());
      if (name != null) {
        counters.merge(name, (long) m.path("sum").asDouble(), Long::sum);
      }
    }
  }

  /** The Tidemark counter a Flink metric id names ({@code <operator>.tidemark_<name>}), or null. */
  static String tidemarkName(String id) {
    int i = id.lastIndexOf("." + Accounting.NAMESPACE);
    int start = i + Accounting.NAMESPACE.length() + 2;
    if (i < 0 || start > id.length()) {
      return null;
    }
    char delimiter = id.charAt(start - 1);
    return delimiter == '_' || delimiter == '.' ? id.substring(start) : null;
  }

  /**
   * Adds the Tidemark counters of these finished subtasks of the vertex: the Beam metrics the
   * FlinkRunner hands over as the accumulator {@code __metricscontainers} when a subtask ends.
   */
  private void finished(String vertex, Set<String> subtasks, Map<String, Long> counters)
      throws IOException, InterruptedException {
    for (JsonNode t : get(vertex + "/subtasks/accumulators").path("subtasks")) {
      if (!subtasks.contains(t.path("subtask").asText())) {
        continue;
      }
      for (JsonNode a : t.path("user-accumulators")) {
        if (!a.path("name").asText().equals("__metricscontainers")) {
          continue;
        }
        for (JsonNode m :
            JSON.readTree(a.path("value").asText()).path("metrics").path("attempted")) {
          JsonNode labels = m.path("labels");
          if (m.path("type").asText().equals(SUM_INT64)
              && labels.path("NAMESPACE").asText().equals(Accounting.NAMESPACE)) {
            counters.merge(
                labels.path("NAME").asText(),
                varint(Base64.getDecoder().decode(m.path("payload").asText())),
                Long::sum);
          }
        }
      }
    }
  }

  /** A protobuf varint, as Beam encodes a sum_int64 payload. */
  static long varint(byte[] bytes) {
    long value = 0;
    for (int i = 0, shift = 0; i < bytes.length; i++, shift += 7) {
      value |= (long) (bytes[i] & 0x7f) << shift;
      if ((bytes[i] & 0x80) == 0) {
        break;
      }
    }
    return value;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(path + ": HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }
}

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
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Progress of a job on a remote Flink cluster, from the cluster's REST API (the client JVM runs
 * none of the job). The job is found by its name in {@code /jobs/overview}. A counter's value is
 * the sum of its Flink metric over the running subtasks ({@code
 * /jobs/<id>/vertices/<vertex>/subtasks/metrics?agg=sum}; the FlinkRunner registers each Beam
 * counter as {@code <operator>.<namespace>_<name>}) and of the Beam metrics of the finished ones,
 * which the FlinkRunner hands over as the accumulator {@code __metricscontainers} when a subtask
 * ends ({@code /jobs/<id>/accumulators}). The watermark is the earliest input watermark of the
 * running vertices ({@code /jobs/<id>/vertices/<vertex>/watermarks}).
 */
final class FlinkRestSource implements Progress.Source {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RECORDS = "source/records";
  private static final String SUM_INT64 = "beam:metrics:sum_int64:v1";

  /** The FlinkRunner's {@code --flinkMaster}, read without depending on that runner. */
  public interface FlinkMasterOptions extends PipelineOptions {
    @Description(
        "Address of the Flink Master where the Pipeline should be executed. Can either be of the"
            + " form \"host:port\" or one of the special values [local], [collection] or [auto].")
    @Default.String("[auto]")
    String getFlinkMaster();

    void setFlinkMaster(String value);
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
   * The REST address of the cluster the job is submitted to ({@code --runner=FlinkRunner
   * --flinkMaster=host:port}); null when it runs elsewhere (embedded Flink, other runners).
   */
  static String address(PipelineOptions options) {
    if (!options.getRunner().getSimpleName().equals("FlinkRunner")) {
      return null;
    }
    String master = options.as(FlinkMasterOptions.class).getFlinkMaster();
    if (master == null || master.isBlank() || master.startsWith("[")) {
      return null;
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
    Map<String, Long> counters = finishedCounters(job);
    Long watermark = null;
    for (JsonNode v : get(job).path("vertices")) {
      if (!v.path("status").asText().equals("RUNNING")) {
        continue;
      }
      String vertex = job + "/vertices/" + v.path("id").asText();
      running(vertex, counters);
      for (JsonNode w : get(vertex + "/watermarks")) {
        long millis = Long.parseLong(w.path("value").asText());
        if (millis != Long.MIN_VALUE && (watermark == null || millis < watermark)) {
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

  /** Adds this vertex's running subtasks' Tidemark counters (summed over subtasks). */
  private void running(String vertex, Map<String, Long> counters)
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
    for (JsonNode m : get(vertex + "/subtasks/metrics?agg=sum&get=" + ids)) {
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

  /** The Tidemark counters of the job's finished subtasks, from Beam's metrics accumulator. */
  private Map<String, Long> finishedCounters(String job) throws IOException, InterruptedException {
    Map<String, Long> counters = new HashMap<>();
    for (JsonNode a : get(job + "/accumulators").path("user-task-accumulators")) {
      if (!a.path("name").asText().equals("__metricscontainers")) {
        continue;
      }
      for (JsonNode m : JSON.readTree(a.path("value").asText()).path("metrics").path("attempted")) {
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
    return counters;
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

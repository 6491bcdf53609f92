package io.tidemark.system;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;

/**
 * What the tests on the multi-JVM session cluster ({@code runners/flink/scripts/flink-cluster.sh})
 * share: the classpath a job ships and the JobManager's REST API.
 */
final class FlinkSession {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkSession() {}

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
}

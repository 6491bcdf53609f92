package io.tidemark.pipelines;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A known REST port for embedded Flink. The FlinkRunner's MiniCluster binds its REST endpoint to a
 * random port unless the Flink configuration names one ({@code rest.bind-port}); this writes a
 * configuration directory that does: a copy of the user's {@code --flinkConfDir}, if any, plus that
 * key (and a shorter metrics refresh), and points {@code --flinkConfDir} at it. A port the user's
 * configuration already sets is kept.
 */
final class EmbeddedRest {
  /** Flink 1.19 reads {@code config.yaml}, or else the legacy {@code flink-conf.yaml}. */
  private static final List<String> CONFIG_FILES = List.of("config.yaml", "flink-conf.yaml");

  private static final Pattern PORT =
      Pattern.compile("(?m)^\\s*rest\\.(?:bind-port|port)\\s*:\\s*[\"']?(\\d+)[\"']?\\s*$");

  /** A port key this does not read (a range), or a nested {@code rest:} block. */
  private static final Pattern OTHER_PORT =
      Pattern.compile("(?m)^(?:rest\\s*:|\\s*rest\\.(?:bind-port|port)\\s*:)");

  /**
   * How often the REST API refreshes the metrics it serves: Flink's default, 10 s, is meant for a
   * cluster's many jobs; a job in this JVM can afford one fetch per progress line.
   */
  static final long REFRESH_MILLIS = 2_000;

  private EmbeddedRest() {}

  /**
   * Sets {@code --flinkConfDir} to a directory that gives the MiniCluster a REST port; returns the
   * port, or -1 when the user's configuration sets a port range or a nested {@code rest:} block,
   * which this does not read.
   */
  static int configure(FlinkRestSource.FlinkClientOptions options) throws IOException {
    Path dir = Files.createTempDirectory("tidemark-flink-conf");
    dir.toFile().deleteOnExit();
    String given = options.getFlinkConfDir();
    if (given != null) {
      try (Stream<Path> files = Files.list(Path.of(given))) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          Files.copy(f, dir.resolve(f.getFileName()));
          dir.resolve(f.getFileName()).toFile().deleteOnExit();
        }
      }
    }
    Path config =
        CONFIG_FILES.stream()
            .map(dir::resolve)
            .filter(Files::exists)
            .findFirst()
            .orElse(dir.resolve(CONFIG_FILES.get(0)));
    config.toFile().deleteOnExit();
    String text = Files.exists(config) ? Files.readString(config, StandardCharsets.UTF_8) : "";
    options.setFlinkConfDir(dir.toString());
    Matcher set = PORT.matcher(text);
    if (set.find()) {
      return Integer.parseInt(set.group(1));
    }
    if (OTHER_PORT.matcher(text).find()) {
      return -1;
    }
    int port = freePort();
    String refresh =
        text.contains("metrics.fetcher.update-interval")
            ? ""
            : "metrics.fetcher.update-interval: " + REFRESH_MILLIS + "\n";
    Files.writeString(
        config,
        (text.isEmpty() || text.endsWith("\n") ? "" : "\n")
            + "rest.bind-port: "
            + port
            + "\n"
            + refresh,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return port;
  }

  /**
   * A port free now, below Linux's ephemeral range (32768-60999 by default), from which outgoing
   * connections take their local ports: one of those could take a port from that range before the
   * mini cluster binds it.
   */
  private static int freePort() throws IOException {
    Random random = new Random();
    for (int attempt = 0; attempt < 1000; attempt++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(20_000 + random.nextInt(12_768)));
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-32767 for embedded Flink's REST API");
  }
}

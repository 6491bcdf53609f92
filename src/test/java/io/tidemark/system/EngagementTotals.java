package io.tidemark.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;

/**
 * Per-(user, window) engagement totals, summed over all panes: read from a run's JSON-lines
 * results, or computed by a plain-Java reference from the generator itself. Panes are discarding,
 * so the sums count every event once, whatever the runner's pane timing.
 */
final class EngagementTotals {
  /** totalEvents, views, clicks, purchases. */
  record Counts(long total, long views, long clicks, long purchases) {
    Counts plus(Counts o) {
      return new Counts(
          total + o.total, views + o.views, clicks + o.clicks, purchases + o.purchases);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private EngagementTotals() {}

  /** Sums every line of {@code <outputDir>/engagement/results/*.jsonl} by "userId@windowStart". */
  static Map<String, Counts> read(Path outputDir) {
    return sum(lines(outputDir.resolve("engagement/results")));
  }

  /** Sums engagement JSON lines by "userId@windowStart". */
  static Map<String, Counts> sum(List<String> lines) {
    Map<String, Counts> totals = new TreeMap<>();
    for (String line : lines) {
      JsonNode root;
      try {
        root = JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + line, e);
      }
      if (!root.path("type").asText().equals("Engagement")) {
        throw new AssertionError("not an Engagement line: " + line);
      }
      JsonNode e = root.path("event");
      Counts c =
          new Counts(
              e.path("totalEvents").asLong(),
              e.path("views").asLong(),
              e.path("clicks").asLong(),
              e.path("purchases").asLong());
      totals.merge(
          e.path("userId").asText() + "@" + e.path("windowStart").asLong(), c, Counts::plus);
    }
    return totals;
  }

  /**
   * What the engagement pipeline must produce for these generator options when no event is late:
   * each decodable view, click and purchase counted in its user's fixed window.
   */
  static Map<String, Counts> reference(List<String> generatorArgs, int windowMinutes) {
    return reference(generatorArgs, windowMinutes, i -> true);
  }

  /** As {@link #reference(List, int)}, over the generator records whose index is included. */
  static Map<String, Counts> reference(
      List<String> generatorArgs, int windowMinutes, java.util.function.LongPredicate include) {
    SourceOptions o =
        PipelineOptionsFactory.fromArgs(generatorArgs.toArray(new String[0]))
            .as(SourceOptions.class);
    GeneratorConfig config = Sources.generatorConfig(o);
    EventGenerator generator = new EventGenerator(config);
    long size = Duration.standardMinutes(windowMinutes).getMillis();
    Map<String, Counts> totals = new TreeMap<>();
    for (long i = 0; i < config.maxEvents(); i++) {
      if (!include.test(i)) {
        continue;
      }
      SpecificRecord event;
      try {
        event = Events.decode(generator.generate(i).payload());
      } catch (DecodeException | RuntimeException e) {
        continue; // a dead letter
      }
      String user;
      long time;
      Counts c;
      if (event instanceof PageView v) {
        user = v.getUserId();
        time = v.getEventTime();
        c = new Counts(1, 1, 0, 0);
      } else if (event instanceof Click k) {
        user = k.getUserId();
        time = k.getEventTime();
        c = new Counts(1, 0, 1, 0);
      } else if (event instanceof Purchase p) {
        user = p.getUserId();
        time = p.getEventTime();
        c = new Counts(1, 0, 0, 1);
      } else {
        continue;
      }
      totals.merge(user + "@" + Math.floorDiv(time, size) * size, c, Counts::plus);
    }
    return totals;
  }

  /** Fails naming the first few (user, window) keys whose totals differ. */
  static void assertSame(
      String expectedName,
      Map<String, Counts> expected,
      String actualName,
      Map<String, Counts> actual) {
    if (expected.equals(actual)) {
      return;
    }
    StringBuilder diff = new StringBuilder();
    java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    int shown = 0;
    for (String k : keys) {
      if (!java.util.Objects.equals(expected.get(k), actual.get(k)) && shown++ < 10) {
        diff.append(
            String.format(
                "%n  %s: %s %s, %s %s",
                k, expectedName, expected.get(k), actualName, actual.get(k)));
      }
    }
    throw new AssertionError(
        String.format(
            "per-(user, window) totals differ: %s has %d windows and %d events, %s %d and %d;"
                + " first differences:%s",
            expectedName,
            expected.size(),
            events(expected),
            actualName,
            actual.size(),
            events(actual),
            diff));
  }

  static long events(Map<String, Counts> totals) {
    return totals.values().stream().mapToLong(Counts::total).sum();
  }

  /** The lines of the JSON-lines files in {@code dir}; none if it does not exist. */
  static List<String> lines(Path dir) {
    List<String> all = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return all; // an output with no records writes no files
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
        all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JSON lines under " + dir, e);
    }
    return all;
  }
}

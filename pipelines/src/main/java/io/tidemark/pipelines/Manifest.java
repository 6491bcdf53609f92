package io.tidemark.pipelines;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code _SUCCESS.json}, written last by a run that finished with balanced accounting: what ran,
 * with which options, when, and the counts of its records and of the lines of each output folder.
 * It is written to a temporary file and renamed, so it is either absent or whole; an output folder
 * without it holds a run that was killed, failed or is still running.
 */
final class Manifest {
  /** Option names that may hold secrets: their values are never written. */
  private static final Pattern SECRET =
      Pattern.compile("(?i).*(password|secret|token|credential|sasl|jaas|key).*");

  private static final List<String> COUNTERS =
      List.of(
          "in", "in-results", "late", "dead-letters", "panes-early", "panes-on-time", "panes-late");

  private Manifest() {}

  /** Writes the manifest of a finished run into {@code folder}. */
  static Path write(
      OutputFolder folder,
      String command,
      Summary summary,
      List<String> pipelines,
      PipelineOptions options,
      List<Class<? extends PipelineOptions>> interfaces,
      Instant start,
      Instant end) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("command", command);
    m.put("start", start.toString());
    m.put("end", end.toString());
    m.put("runner", options.getRunner().getSimpleName());
    m.put("options", options(options, interfaces));
    Map<String, Object> source = new LinkedHashMap<>();
    for (String what : List.of("records", "parsed", "dead-letters")) {
      source.put(what, summary.get("source", what));
    }
    m.put("source", source);
    Map<String, Object> counts = new LinkedHashMap<>();
    for (String p : pipelines) {
      Map<String, Object> c = new LinkedHashMap<>();
      COUNTERS.forEach(what -> c.put(what, summary.get(p, what)));
      counts.put(p, c);
    }
    m.put("pipelines", counts);
    m.put("accounting", summary.balanced() ? "OK" : "UNBALANCED");
    m.put("lines", lines(folder.path()));
    Path target = folder.path().resolve(OutputFolder.MANIFEST);
    Path tmp = folder.path().resolve(OutputFolder.MANIFEST + ".tmp");
    try {
      Files.write(tmp, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /**
   * Tidemark's own options and their values, sorted by name; values of secret-like names hidden.
   */
  static Map<String, Object> options(
      PipelineOptions options, List<Class<? extends PipelineOptions>> interfaces) {
    Map<String, Object> values = new TreeMap<>();
    for (Class<? extends PipelineOptions> i : interfaces) {
      values.putAll(options(options.as(i), i));
    }
    return values;
  }

  private static Map<String, Object> options(
      PipelineOptions typed, Class<? extends PipelineOptions> optionsClass) {
    Map<String, Object> values = new TreeMap<>();
    for (Method m : optionsClass.getMethods()) {
      String n = m.getName();
      boolean getter = n.startsWith("get") || n.startsWith("is");
      if (m.getParameterCount() > 0
          || !getter
          || !m.getDeclaringClass().getName().startsWith("io.tidemark.")) {
        continue;
      }
      String p = n.substring(n.startsWith("get") ? 3 : 2);
      String name = Character.toLowerCase(p.charAt(0)) + p.substring(1);
      try {
        Object v = m.invoke(typed);
        values.put(name, SECRET.matcher(name).matches() ? "(hidden)" : v);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read option " + name, e);
      }
    }
    return values;
  }

  /** Lines of the {@code .jsonl} files of each output folder, keyed by path below the folder. */
  static Map<String, Long> lines(Path dir) {
    Map<String, Long> lines = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        String key = dir.relativize(f.getParent()).toString().replace('\\', '/');
        try (Stream<String> s = Files.lines(f)) {
          lines.merge(key, s.count(), Long::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }
}

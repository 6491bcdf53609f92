package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Compares two collections of lines as multisets and describes the difference. */
final class Diff {
  private static final int SHOWN = 25;

  private Diff() {}

  /** Null if {@code model} and {@code beam} hold the same lines, else what differs. */
  static String of(String what, Collection<String> model, Collection<String> beam) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String s : model) {
      counts.merge(s, 1, Integer::sum);
    }
    for (String s : beam) {
      counts.merge(s, -1, Integer::sum);
    }
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      for (int i = 0; i < e.getValue(); i++) {
        missing.add(e.getKey());
      }
      for (int i = 0; i < -e.getValue(); i++) {
        extra.add(e.getKey());
      }
    }
    if (missing.isEmpty() && extra.isEmpty()) {
      return null;
    }
    StringBuilder sb =
        new StringBuilder(what)
            .append(": model has ")
            .append(model.size())
            .append(", Beam has ")
            .append(beam.size());
    list(sb, "  only in the model (-)", "-", missing);
    list(sb, "  only in Beam (+)", "+", extra);
    return sb.toString();
  }

  private static void list(StringBuilder sb, String title, String mark, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    sb.append('\n').append(title).append(": ").append(lines.size());
    for (int i = 0; i < Math.min(SHOWN, lines.size()); i++) {
      sb.append("\n    ").append(mark).append(' ').append(lines.get(i));
    }
    if (lines.size() > SHOWN) {
      sb.append("\n    ...");
    }
  }

  /** Counts of each line. */
  static Map<String, Integer> counts(Collection<String> lines) {
    Map<String, Integer> m = new HashMap<>();
    for (String s : lines) {
      m.merge(s, 1, Integer::sum);
    }
    return m;
  }
}

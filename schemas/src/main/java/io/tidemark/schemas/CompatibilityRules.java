package io.tidemark.schemas;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;

/**
 * The schema-evolution rules every shipped record must follow, as checks that return readable
 * violations naming the schema, the versions and the field.
 *
 * <ul>
 *   <li><b>backward</b>: the newest version reads data written with every earlier version;
 *   <li><b>forward</b>: every version {@code k-1} reads data written with version {@code k}. Type
 *       widening (int to long to float to double) is the one allowed exception: it is backward
 *       compatible but an older reader cannot read the wider value, so it is reported by {@link
 *       #widenings} instead (deploy consumers before producers);
 *   <li><b>added-field-default</b>: every field that is not in v1 has a default;
 *   <li><b>numbering</b>: versions are 1..n and the current version is the number of history files
 *       plus one;
 *   <li><b>released</b>: a released version never changes (its fingerprint is pinned).
 * </ul>
 *
 * <p>Each check compares {@link SchemaHistory.Version}s of one record name, oldest first. The rules
 * are one class because each is a short check and the rest is what they share (field paths, Avro's
 * incompatibilities in words, the listing of the history files); apart, those helpers would be
 * shared across the package.
 */
public final class CompatibilityRules {

  /** One broken rule. {@link #toString()} is the message a build failure shows. */
  public record Violation(
      String schema, String rule, String versions, String field, String detail) {
    @Override
    public String toString() {
      return schema
          + (versions.isEmpty() ? "" : " " + versions)
          + " breaks rule "
          + rule
          + (field.isEmpty() ? "" : " at field '" + field + "'")
          + ": "
          + detail;
    }
  }

  /** A history file name: {@code <Name>.v<k>.avsc}. */
  private static final Pattern HISTORY_FILE =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\.v(\\d+)\\.avsc");

  private CompatibilityRules() {}

  /** Every violation of the backward, forward, added-field-default and numbering rules. */
  public static List<Violation> check(SchemaHistory history) {
    List<Violation> out = new ArrayList<>();
    for (String name : history.names()) {
      List<SchemaHistory.Version> versions = history.versions(name);
      out.addAll(numbering(versions));
      out.addAll(backward(versions));
      out.addAll(forward(versions));
      out.addAll(addedFieldsHaveDefaults(versions));
    }
    return out;
  }

  /** The newest version must read data written with every earlier version. */
  public static List<Violation> backward(List<SchemaHistory.Version> versions) {
    List<Violation> out = new ArrayList<>();
    SchemaHistory.Version newest = versions.get(versions.size() - 1);
    for (SchemaHistory.Version old : versions.subList(0, versions.size() - 1)) {
      for (Incompatibility i : incompatibilities(newest.schema(), old.schema())) {
        out.add(violation("backward", newest, old, i));
      }
    }
    return out;
  }

  /**
   * Every version {@code k-1} must read data written with version {@code k}, except where {@code k}
   * widens a type (see {@link #widenings}).
   */
  public static List<Violation> forward(List<SchemaHistory.Version> versions) {
    List<Violation> out = new ArrayList<>();
    for (int k = 1; k < versions.size(); k++) {
      SchemaHistory.Version previous = versions.get(k - 1);
      SchemaHistory.Version next = versions.get(k);
      for (Incompatibility i : incompatibilities(previous.schema(), next.schema())) {
        if (!isWidening(i)) {
          out.add(violation("forward", previous, next, i));
        }
      }
    }
    return out;
  }

  /**
   * The type widenings between consecutive versions: allowed, but an older reader cannot read the
   * newer data, so consumers must be upgraded before producers.
   */
  public static List<String> widenings(List<SchemaHistory.Version> versions) {
    List<String> out = new ArrayList<>();
    for (int k = 1; k < versions.size(); k++) {
      SchemaHistory.Version previous = versions.get(k - 1);
      SchemaHistory.Version next = versions.get(k);
      for (Incompatibility i : incompatibilities(previous.schema(), next.schema())) {
        if (isWidening(i)) {
          out.add(
              next.name()
                  + " v"
                  + next.version()
                  + " widens '"
                  + fieldPath(previous.schema(), i.getLocation())
                  + "' from "
                  + i.getReaderFragment().getType().getName()
                  + " to "
                  + i.getWriterFragment().getType().getName());
        }
      }
    }
    return out;
  }

  /**
   * Every field (at any depth) of a version {@code k > 1} that is not in v1 must have a default.
   */
  public static List<Violation> addedFieldsHaveDefaults(List<SchemaHistory.Version> versions) {
    List<Violation> out = new ArrayList<>();
    SchemaHistory.Version first = versions.get(0);
    Map<String, Schema.Field> original = fields(first.schema());
    for (SchemaHistory.Version v : versions.subList(1, versions.size())) {
      for (Map.Entry<String, Schema.Field> e : fields(v.schema()).entrySet()) {
        Schema.Field f = e.getValue();
        if (!original.containsKey(e.getKey())
            && !hasAlias(original, e.getKey(), f)
            && !f.hasDefaultValue()) {
          out.add(
              new Violation(
                  v.name(),
                  "added-field-default",
                  "v" + v.version(),
                  e.getKey(),
                  "field added after v" + first.version() + " has no default"));
        }
      }
    }
    return out;
  }

  /** Versions must be numbered 1..n, oldest first, all with the same full name. */
  public static List<Violation> numbering(List<SchemaHistory.Version> versions) {
    List<Violation> out = new ArrayList<>();
    String fullName = versions.get(versions.size() - 1).schema().getFullName();
    for (int k = 0; k < versions.size(); k++) {
      SchemaHistory.Version v = versions.get(k);
      if (v.version() != k + 1) {
        out.add(
            new Violation(
                v.name(),
                "numbering",
                "v" + v.version(),
                "",
                "is entry " + (k + 1) + " of the history; versions must be 1.." + versions.size()));
      }
      if (!v.schema().getFullName().equals(fullName)) {
        out.add(
            new Violation(
                v.name(),
                "numbering",
                "v" + v.version(),
                "",
                "is named "
                    + v.schema().getFullName()
                    + " but the current version is "
                    + fullName));
      }
    }
    return out;
  }

  /**
   * The history files must be exactly {@code <Name>.v1.avsc .. <Name>.v<current-1>.avsc} for every
   * record: the current version number is the number of history files plus one.
   */
  public static List<Violation> historyFiles(SchemaHistory history, Collection<String> fileNames) {
    List<Violation> out = new ArrayList<>();
    Map<String, Set<Integer>> found = new LinkedHashMap<>();
    for (String file : fileNames) {
      Matcher m = HISTORY_FILE.matcher(file);
      if (!m.matches()) {
        out.add(
            new Violation(file, "numbering", "", "", "history file name is not <Name>.v<k>.avsc"));
        continue;
      }
      if (!history.names().contains(m.group(1))) {
        out.add(
            new Violation(file, "numbering", "", "", "no current schema is named " + m.group(1)));
        continue;
      }
      found.computeIfAbsent(m.group(1), n -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
    }
    for (String name : history.names()) {
      int current = history.latest(name).version();
      Set<Integer> files = found.getOrDefault(name, Set.of());
      Set<Integer> expected = new TreeSet<>();
      for (int k = 1; k < current; k++) {
        expected.add(k);
      }
      if (!files.equals(expected)) {
        out.add(
            new Violation(
                name,
                "numbering",
                "v" + current,
                "",
                "current version "
                    + current
                    + " needs history files v"
                    + expected
                    + " (history files + 1 = current) but found v"
                    + files));
      }
    }
    return out;
  }

  /**
   * A released version never changes: {@code released} maps {@code "<Name> v<k>"} to the
   * fingerprint it was released with. Every version in {@code history} must be listed with its
   * fingerprint; a missing entry gives the line to add.
   */
  public static List<Violation> released(SchemaHistory history, Map<String, Long> released) {
    List<Violation> out = new ArrayList<>();
    for (String name : history.names()) {
      for (SchemaHistory.Version v : history.versions(name)) {
        String key = name + " v" + v.version();
        Long pinned = released.get(key);
        if (pinned == null) {
          out.add(
              new Violation(
                  name,
                  "released",
                  "v" + v.version(),
                  "",
                  "not pinned; if it is a new version add the line \"" + releasedLine(v) + "\""));
        } else if (pinned != v.fingerprint()) {
          out.add(
              new Violation(
                  name,
                  "released",
                  "v" + v.version(),
                  "",
                  "changed after release (fingerprint was "
                      + hex(pinned)
                      + ", is "
                      + hex(v.fingerprint())
                      + "); bump \"version\" and move the released schema to history/"
                      + name
                      + ".v"
                      + v.version()
                      + ".avsc"));
        }
      }
    }
    return out;
  }

  /** The line that pins {@code v}: {@code <Name> v<k> <fingerprint hex>}. */
  public static String releasedLine(SchemaHistory.Version v) {
    return v.name() + " v" + v.version() + " " + hex(v.fingerprint());
  }

  /**
   * Translates an incompatibility location such as {@code /fields/4/type/symbols} into a field path
   * such as {@code interaction}, walking {@code reader} (locations index the reader's fields).
   */
  static String fieldPath(Schema reader, String location) {
    List<String> names = new ArrayList<>();
    Schema s = reader;
    String[] parts = location.split("/");
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.equals("type") || s == null) {
        continue;
      }
      if (p.equals("fields") && i + 1 < parts.length && s.getType() == Schema.Type.RECORD) {
        Schema.Field f = s.getFields().get(Integer.parseInt(parts[++i]));
        names.add(f.name());
        s = f.schema();
      } else if (s.getType() == Schema.Type.UNION && p.matches("\\d+")) {
        int branch = Integer.parseInt(p);
        s = branch < s.getTypes().size() ? s.getTypes().get(branch) : null;
      } else if (p.equals("items") && s.getType() == Schema.Type.ARRAY) {
        s = s.getElementType();
        names.add("[]");
      } else if (p.equals("values") && s.getType() == Schema.Type.MAP) {
        s = s.getValueType();
        names.add("{}");
      } else {
        s = null; // symbols, size, name: a property of the current type
      }
    }
    return String.join(".", names).replace(".[]", "[]").replace(".{}", "{}");
  }

  /**
   * The file names in the {@code io/tidemark/schemas/history} resource folder on the class path (a
   * directory or a jar).
   */
  public static List<String> shippedHistoryFiles() {
    URL url = SchemaHistory.class.getResource("history");
    return url == null ? List.of() : filesAt(url);
  }

  /** The file names in the folder {@code url}: a {@code file:} or a {@code jar:...!/} URL. */
  static List<String> filesAt(URL url) {
    try {
      URI uri = url.toURI();
      if (!"jar".equals(uri.getScheme())) {
        return list(Path.of(uri));
      }
      String s = uri.toString();
      int bang = s.indexOf("!/");
      try (FileSystem jar = FileSystems.newFileSystem(URI.create(s.substring(0, bang)), Map.of())) {
        return list(jar.getPath(s.substring(bang + 1)));
      }
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("Cannot list schema history at " + url, e);
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * Why {@code reader} cannot read data of {@code writer}, naming each field, or null if it can.
   */
  static String describeIncompatibility(Schema reader, Schema writer) {
    List<String> out = new ArrayList<>();
    for (Incompatibility i : incompatibilities(reader, writer)) {
      out.add("field '" + fieldPath(reader, i.getLocation()) + "': " + detail(i));
    }
    return out.isEmpty() ? null : String.join("; ", out);
  }

  private static List<Incompatibility> incompatibilities(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaCompatibilityResult r =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    return r.getCompatibility() == SchemaCompatibilityType.COMPATIBLE
        ? List.of()
        : r.getIncompatibilities();
  }

  /**
   * A type mismatch where the writer's type is a promotion of the reader's (e.g. float to double).
   */
  private static boolean isWidening(Incompatibility i) {
    return i.getType() == SchemaIncompatibilityType.TYPE_MISMATCH
        && isNumeric(i.getReaderFragment())
        && isNumeric(i.getWriterFragment())
        && SchemaCompatibility.checkReaderWriterCompatibility(
                    i.getWriterFragment(), i.getReaderFragment())
                .getType()
            == SchemaCompatibilityType.COMPATIBLE;
  }

  private static boolean isNumeric(Schema s) {
    return switch (s.getType()) {
      case INT, LONG, FLOAT, DOUBLE -> true;
      default -> false;
    };
  }

  private static Violation violation(
      String rule, SchemaHistory.Version reader, SchemaHistory.Version writer, Incompatibility i) {
    return new Violation(
        reader.name(),
        rule,
        "v" + reader.version() + " reading v" + writer.version(),
        fieldPath(reader.schema(), i.getLocation()),
        detail(i) + " (at " + i.getLocation() + ")");
  }

  private static String detail(Incompatibility i) {
    return switch (i.getType()) {
      case READER_FIELD_MISSING_DEFAULT_VALUE ->
          "reader field '" + i.getMessage() + "' has no default and the writer does not have it";
      case MISSING_ENUM_SYMBOLS ->
          "reader enum "
              + i.getReaderFragment().getName()
              + " lacks writer symbols "
              + i.getMessage();
      case MISSING_UNION_BRANCH -> "reader union lacks a writer branch: " + i.getMessage();
      default -> i.getType() + ": " + i.getMessage();
    };
  }

  /** Every field of {@code record} at any depth, by dotted path. */
  private static Map<String, Schema.Field> fields(Schema record) {
    Map<String, Schema.Field> out = new LinkedHashMap<>();
    collect(record, "", out, new HashSet<>());
    return out;
  }

  private static void collect(
      Schema s, String prefix, Map<String, Schema.Field> out, Set<String> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (!seen.add(s.getFullName())) {
          return; // recursive type
        }
        for (Schema.Field f : s.getFields()) {
          String path = prefix.isEmpty() ? f.name() : prefix + "." + f.name();
          out.put(path, f);
          collect(f.schema(), path, out, seen);
        }
        seen.remove(s.getFullName());
      }
      case UNION -> s.getTypes().forEach(t -> collect(t, prefix, out, seen));
      case ARRAY -> collect(s.getElementType(), prefix + "[]", out, seen);
      case MAP -> collect(s.getValueType(), prefix + "{}", out, seen);
      default -> {}
    }
  }

  /** A renamed field whose alias names a v1 field counts as present in v1. */
  private static boolean hasAlias(Map<String, Schema.Field> original, String path, Schema.Field f) {
    int dot = path.lastIndexOf('.');
    String parent = dot < 0 ? "" : path.substring(0, dot + 1);
    return f.aliases().stream().anyMatch(a -> original.containsKey(parent + a));
  }

  private static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }
}

package io.tidemark.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/** Synthetic (never shipped) schema versions from {@code src/test/resources/.../synthetic}. */
final class Synthetic {
  private Synthetic() {}

  /** Parses {@code synthetic/<file>}. */
  static Schema schema(String file) {
    try (InputStream in = Synthetic.class.getResourceAsStream("synthetic/" + file)) {
      if (in == null) {
        throw new IllegalArgumentException("No synthetic schema " + file);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shipped versions of the synthetic schema's record, then the synthetic one as newest. */
  static List<SchemaHistory.Version> shippedPlus(String file) {
    SchemaHistory.Version extra = SchemaHistory.Version.of(schema(file));
    List<SchemaHistory.Version> versions =
        new ArrayList<>(SchemaHistory.shipped().versions(extra.name()));
    versions.add(extra);
    return versions;
  }

  /** The shipped history with the synthetic version added as the newest version of its record. */
  static SchemaHistory historyPlus(String file) {
    Map<String, List<SchemaHistory.Version>> byName = new LinkedHashMap<>();
    SchemaHistory shipped = SchemaHistory.shipped();
    shipped.names().forEach(n -> byName.put(n, shipped.versions(n)));
    List<SchemaHistory.Version> versions = shippedPlus(file);
    byName.put(versions.get(0).name(), versions);
    return new SchemaHistory(byName);
  }
}

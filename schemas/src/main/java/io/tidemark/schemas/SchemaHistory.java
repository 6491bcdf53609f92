package io.tidemark.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every version of every schema shipped in this jar.
 *
 * <p>The current version of a record is the one compiled from {@code src/main/avro}; its {@code
 * "version"} property says which version it is. Each earlier version {@code k} lives in the
 * resource {@code io/tidemark/schemas/history/<Name>.v<k>.avsc} and must exist. Versions are
 * identified on the wire by the 64-bit Rabin fingerprint of their parsing canonical form, as Avro's
 * single-object encoding prescribes.
 */
public final class SchemaHistory {

  /** One version of one record schema. */
  public record Version(String name, int version, Schema schema, long fingerprint) {
    static Version of(Schema schema) {
      Object v = schema.getObjectProp("version");
      if (!(v instanceof Integer)) {
        throw new IllegalStateException(
            "Schema " + schema.getFullName() + " has no integer \"version\" property");
      }
      return new Version(
          schema.getName(), (Integer) v, schema, SchemaNormalization.parsingFingerprint64(schema));
    }
  }

  /** The six event types that flow into Tidemark. */
  public static final List<Class<? extends SpecificRecord>> EVENT_TYPES =
      List.of(
          Click.class,
          PageView.class,
          Purchase.class,
          Transaction.class,
          ContentInteraction.class,
          UserProfile.class);

  /** The records Tidemark writes. */
  public static final List<Class<? extends SpecificRecord>> RESULT_TYPES =
      List.of(
          EnrichedClick.class,
          Engagement.class,
          UserClicks.class,
          TrendingCategory.class,
          FraudAlert.class,
          Conversion.class,
          ConversionRate.class,
          LateEvent.class,
          DeadLetter.class);

  private static final SchemaHistory SHIPPED = load();

  private final Map<String, List<Version>> byName;
  private final Map<Long, Version> byFingerprint;

  /** A history of explicitly given versions; name to versions, oldest first. */
  public SchemaHistory(Map<String, List<Version>> byName) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    Map<Long, Version> fps = new LinkedHashMap<>();
    byName.values().forEach(vs -> vs.forEach(v -> fps.put(v.fingerprint(), v)));
    this.byFingerprint = Collections.unmodifiableMap(fps);
  }

  /** The versions shipped in this jar. */
  public static SchemaHistory shipped() {
    return SHIPPED;
  }

  /** All versions of {@code name}, oldest first. */
  public List<Version> versions(String name) {
    List<Version> vs = byName.get(name);
    if (vs == null) {
      throw new IllegalArgumentException("Unknown schema name: " + name);
    }
    return vs;
  }

  /** The newest version of {@code name}. */
  public Version latest(String name) {
    List<Version> vs = versions(name);
    return vs.get(vs.size() - 1);
  }

  /** The version {@code version} of {@code name}, or null. */
  public Version find(String name, int version) {
    List<Version> vs = byName.get(name);
    return vs == null || version < 1 || version > vs.size() ? null : vs.get(version - 1);
  }

  /** The version with this fingerprint, or null. */
  public Version byFingerprint(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  /** Record names, in declaration order. */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  private static SchemaHistory load() {
    Map<String, List<Version>> byName = new LinkedHashMap<>();
    List<Class<? extends SpecificRecord>> all = new ArrayList<>(EVENT_TYPES);
    all.addAll(RESULT_TYPES);
    for (Class<? extends SpecificRecord> type : all) {
      Version current = Version.of(SpecificData.get().getSchema(type));
      List<Version> versions = new ArrayList<>();
      for (int k = 1; k < current.version(); k++) {
        Version old = Version.of(readResource(current.name(), k));
        if (old.version() != k) {
          throw new IllegalStateException(
              current.name() + ".v" + k + ".avsc declares version " + old.version());
        }
        versions.add(old);
      }
      versions.add(current);
      byName.put(current.name(), List.copyOf(versions));
    }
    return new SchemaHistory(byName);
  }

  private static Schema readResource(String name, int version) {
    String path = "history/" + name + ".v" + version + ".avsc";
    try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("Missing schema history file io/tidemark/schemas/" + path);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.options.KafkaOptions;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client settings that may hold secrets (SASL JAAS config, TLS key store passwords), read
 * from {@code --kafkaPropertiesFile} or from the environment variable {@code --kafkaPropertiesEnv}
 * names (a file path, or the properties themselves). They are applied to every consumer, producer
 * and admin client when it is created, and are kept out of the transforms' configuration maps, so
 * they never reach display data; {@link #toString} names only the keys. Error messages name the
 * option, file or variable, never a value.
 */
public final class ClientProperties implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeMap<String, String> values;

  private ClientProperties(Map<String, String> values) {
    this.values = new TreeMap<>(values);
  }

  /** No settings. */
  public static ClientProperties none() {
    return new ClientProperties(Map.of());
  }

  /** The settings the options name; fails naming the option when they cannot be read. */
  public static ClientProperties of(KafkaOptions o) {
    Map<String, String> all = new HashMap<>();
    String file = o.getKafkaPropertiesFile();
    if (file != null && !file.isBlank()) {
      all.putAll(load(Path.of(file.trim()), "--kafkaPropertiesFile=" + file));
    }
    String env = o.getKafkaPropertiesEnv();
    if (env != null && !env.isBlank()) {
      String value = System.getenv(env.trim());
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(
            "--kafkaPropertiesEnv=" + env + ": environment variable " + env + " is not set");
      }
      Path path = value.contains("=") ? null : Path.of(value.trim());
      if (path != null) {
        all.putAll(load(path, "--kafkaPropertiesEnv=" + env + " (a file path)"));
      } else {
        all.putAll(parse(new StringReader(value), "--kafkaPropertiesEnv=" + env));
      }
    }
    return new ClientProperties(all);
  }

  private static Map<String, String> load(Path path, String what) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(what + ": no such file " + path);
    }
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return parse(r, what);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": cannot read " + path + " (" + e + ")");
    }
  }

  private static Map<String, String> parse(Reader r, String what) {
    Properties p = new Properties();
    try {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": not Java properties");
    }
    Map<String, String> m = new HashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
    return m;
  }

  /** {@code config} with these settings added (they win). */
  public Map<String, Object> applyTo(Map<String, Object> config) {
    Map<String, Object> all = new HashMap<>(config);
    all.putAll(values);
    return all;
  }

  /** Adds these settings to {@code config}. */
  public Properties applyTo(Properties config) {
    config.putAll(values);
    return config;
  }

  /** The keys set, for tests. */
  public Map<String, String> unmodifiable() {
    return Collections.unmodifiableMap(values);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The keys only: values may be secrets. */
  @Override
  public String toString() {
    return "ClientProperties" + values.keySet();
  }
}

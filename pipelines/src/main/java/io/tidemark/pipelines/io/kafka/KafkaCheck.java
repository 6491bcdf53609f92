package io.tidemark.pipelines.io.kafka;

import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Checks before a run that the brokers answer and the topics exist, within a bound, so that a wrong
 * address or topic fails in seconds with one line instead of a minute of client retries and a stack
 * trace from inside the runner.
 */
public final class KafkaCheck {
  private KafkaCheck() {}

  /**
   * Fails with {@link IllegalArgumentException}, one line naming the servers or topics, unless the
   * brokers at {@code servers} answer within {@code timeoutSeconds} and hold every topic. Does
   * nothing when {@code timeoutSeconds} is 0.
   */
  public static void check(String servers, List<String> topics, int timeoutSeconds) {
    check(servers, topics, timeoutSeconds, ClientProperties.none());
  }

  /**
   * As {@link #check(String, List, int)}, with the client settings {@code client} (credentials); a
   * refused login fails at once with one line saying so.
   */
  public static void check(
      String servers, List<String> topics, int timeoutSeconds, ClientProperties client) {
    if (timeoutSeconds <= 0) {
      return;
    }
    long timeoutMs = timeoutSeconds * 1000L;
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidemark-check");
    client.applyTo(p);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    try (Admin admin = Admin.create(p)) {
      try {
        admin.describeCluster().nodes().get(remaining(deadline), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw refused(servers, e).orElse(unreachable(servers, timeoutSeconds));
      } catch (TimeoutException e) {
        throw unreachable(servers, timeoutSeconds);
      }
      Set<String> existing;
      try {
        existing =
            new TreeSet<>(
                admin.listTopics().names().get(remaining(deadline), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        throw refused(servers, e).orElse(unlisted(servers, timeoutSeconds));
      } catch (TimeoutException e) {
        throw unlisted(servers, timeoutSeconds);
      }
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            String.format(
                "--kafkaTopics: no topic %s at --bootstrapServers=%s (topics there: %s)",
                String.join(", ", missing),
                servers,
                existing.isEmpty() ? "none" : String.join(", ", existing)));
      }
    } catch (KafkaException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalArgumentException(
          String.format("--bootstrapServers=%s: %s", servers, root.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka at " + servers, e);
    }
  }

  private static IllegalArgumentException unreachable(String servers, int timeoutSeconds) {
    return new IllegalArgumentException(
        String.format(
            "no Kafka broker answered at --bootstrapServers=%s within %d s"
                + " (--kafkaCheckTimeoutSeconds; 0 skips this check)",
            servers, timeoutSeconds));
  }

  private static IllegalArgumentException unlisted(String servers, int timeoutSeconds) {
    return new IllegalArgumentException(
        String.format(
            "the Kafka brokers at --bootstrapServers=%s did not list their topics within %d s",
            servers, timeoutSeconds));
  }

  /** One line when the brokers refused the client's login or its rights, else empty. */
  private static java.util.Optional<IllegalArgumentException> refused(
      String servers, ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof org.apache.kafka.common.errors.AuthenticationException) {
      return java.util.Optional.of(
          new IllegalArgumentException(
              String.format(
                  "the Kafka brokers at --bootstrapServers=%s refused the login: authentication"
                      + " failed (check the credentials of --kafkaPropertiesFile or"
                      + " --kafkaPropertiesEnv)",
                  servers)));
    }
    if (c instanceof org.apache.kafka.common.errors.AuthorizationException) {
      return java.util.Optional.of(
          new IllegalArgumentException(
              String.format(
                  "the Kafka brokers at --bootstrapServers=%s denied access: not authorized",
                  servers)));
    }
    return java.util.Optional.empty();
  }

  private static long remaining(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }
}

package io.tidemark.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real single-node Kafka 3.9 KRaft broker for the system tests: {@code kafka.Kafka} as a child
 * JVM (combined broker and controller) on a free port, its storage formatted first with {@code
 * kafka.tools.StorageTool}. The classpath is the one {@code runners/kafka/kafka-broker.sh
 * classpath} resolves, so tests and users run the same broker. Records keep the producer's
 * timestamp however old and are never deleted by age, so event-time replays read what was produced.
 * {@link #close} stops the JVM; a shutdown hook stops it should the test JVM end first.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dir;
  private final int port;
  private final int saslPort;
  private final Process process;
  private final Thread hook;

  private KafkaBroker(Path dir, int port, int saslPort, Process process) {
    this.dir = dir;
    this.port = port;
    this.saslPort = saslPort;
    this.process = process;
    this.hook = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Formats a fresh broker under {@code dir} and starts it; returns once it takes clients. */
  public static KafkaBroker start(Path dir) throws IOException, InterruptedException {
    return start(dir, Map.of());
  }

  /**
   * As {@link #start(Path)}, plus, when {@code saslUsers} (user to password) is not empty, a
   * SASL_PLAINTEXT listener with mechanism PLAIN that takes exactly those users ({@link
   * #saslBootstrapServers}). No authorizer: a logged-in user may do anything.
   */
  public static KafkaBroker start(Path dir, Map<String, String> saslUsers)
      throws IOException, InterruptedException {
    Path repo = Path.of("../..").toAbsolutePath().normalize();
    Path script = repo.resolve("runners/kafka/kafka-broker.sh");
    Files.createDirectories(dir);
    String classpath =
        run(List.of(script.toString(), "classpath"), dir.resolve("classpath.log"), Map.of()).trim();
    int[] ports = freePorts(3);
    int port = ports[0];
    int controllerPort = ports[1];
    int saslPort = saslUsers.isEmpty() ? -1 : ports[2];
    Path data = dir.resolve("data");
    Path config = dir.resolve("server.properties");
    Files.writeString(
        config,
        serverProperties(port, controllerPort, data, saslPort, saslUsers),
        StandardCharsets.UTF_8);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    run(
        List.of(
            java,
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            randomClusterId(),
            "-c",
            config.toString()),
        dir.resolve("format.log"),
        Map.of());
    Process process =
        new ProcessBuilder(
                java, "-Xms384m", "-Xmx384m", "-cp", classpath, "kafka.Kafka", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("broker.log").toFile())
            .start();
    KafkaBroker broker = new KafkaBroker(dir, port, saslPort, process);
    try {
      broker.awaitReady();
    } catch (IOException | RuntimeException | InterruptedException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /** {@code localhost:<port>}. */
  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /** {@code localhost:<port>} of the SASL_PLAINTEXT listener; fails if it has none. */
  public String saslBootstrapServers() {
    if (saslPort < 0) {
      throw new IllegalStateException("this broker was started without a SASL listener");
    }
    return "localhost:" + saslPort;
  }

  /** An admin client of this broker; close it. */
  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(p);
  }

  /** Creates {@code topic} with {@code partitions} partitions and waits until it exists. */
  public void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      // Creation returns before the topic is known everywhere and every partition has a leader;
      // wait for both, with a bound.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!hasLeaders(admin, topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + topic + " has a partition without a leader");
        }
        TimeUnit.MILLISECONDS.sleep(100); // polling a condition with a bound
      }
    }
  }

  /**
   * One empty record, which no decoder takes, with timestamp {@code at} in each of {@code
   * partitions} partitions of {@code topic}: it moves every partition's event-time watermark to
   * {@code at} less the out-of-orderness bound, so the windows before it fire.
   */
  public void pushWatermark(String topic, int partitions, long at) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int partition = 0; partition < partitions; partition++) {
        producer
            .send(new ProducerRecord<>(topic, partition, at, null, new byte[0]))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean hasLeaders(Admin admin, String topic) throws Exception {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .stream()
          .allMatch(p -> p.leader() != null);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false; // not known to the metadata yet
      }
      throw e;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down
    }
  }

  static String serverProperties(
      int port, int controllerPort, Path data, int saslPort, Map<String, String> saslUsers) {
    String sasl = saslPort < 0 ? "" : ",SASL_PLAINTEXT://localhost:" + saslPort;
    StringBuilder jaas =
        new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
    saslUsers.forEach(
        (u, pw) -> jaas.append(" user_").append(u).append("=\"").append(pw).append('"'));
    jaas.append(';');
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@localhost:" + controllerPort,
        "listeners=PLAINTEXT://localhost:"
            + port
            + sasl
            + ",CONTROLLER://localhost:"
            + controllerPort,
        "advertised.listeners=PLAINTEXT://localhost:" + port + sasl,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
            + ",SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN",
        saslUsers.isEmpty() ? "" : "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaas,
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + data,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=2",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.ms=-1",
        "log.retention.bytes=-1",
        "log.message.timestamp.type=CreateTime",
        "log.message.timestamp.before.max.ms=" + Long.MAX_VALUE,
        "log.message.timestamp.after.max.ms=" + Long.MAX_VALUE,
        "");
  }

  /** Waits until the port accepts connections and the broker answers an admin request. */
  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the Kafka broker exited with " + process.exitValue() + "; log: " + log());
      }
      if (portOpen()) {
        try (Admin admin = admin()) {
          admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
          return;
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          // not ready yet
        }
      }
      process.waitFor(250, TimeUnit.MILLISECONDS);
    }
    throw new IllegalStateException(
        "the Kafka broker did not start within " + START_TIMEOUT + "; log: " + log());
  }

  private boolean portOpen() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    Path log = dir.resolve("broker.log");
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return log
          + "\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return log.toString();
    }
  }

  /** Runs a command to completion with a bound; returns its output; fails naming its log. */
  private static String run(List<String> command, Path log, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().putAll(env);
    Process p = b.redirectOutput(log.toFile()).start();
    if (!p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish; log: " + log);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command.subList(0, Math.min(2, command.size())))
              + " failed with "
              + p.exitValue()
              + ":\n"
              + out);
    }
    return out;
  }

  /**
   * A cluster id as {@code StorageTool random-uuid} makes. Kafka's own generator never starts one
   * with '-', which the tool's argument parser would read as an option and exit 1 (1 run in 64).
   */
  private static String randomClusterId() {
    return Uuid.randomUuid().toString();
  }

  static int freePort() {
    return freePorts(1)[0];
  }

  /**
   * {@code n} distinct ports that are free now. They are taken below Linux's ephemeral range
   * (32768-60999 by default), from which the machine's outgoing connections take their local ports:
   * a port from that range, free when asked for, may be in use by a connection before the broker or
   * cluster binds it. The sockets are held open together, so no port comes back twice.
   */
  static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    Random random = new Random();
    try {
      for (int attempt = 0; sockets.size() < n; attempt++) {
        if (attempt > 1000) {
          throw new IllegalStateException("no " + n + " free ports in 20000-32767");
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
          s.bind(new InetSocketAddress(20_000 + random.nextInt(12_768)));
          sockets.add(s);
        } catch (IOException taken) {
          s.close();
        }
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // closing a listening socket we never used
        }
      }
    }
  }
}

package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.io.FileReplay;
import io.tidemark.pipelines.options.CaptureOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code tidemark capture}: copies every partition of the {@code --kafkaTopics}, from its first
 * record to its end when the command starts, into {@code --captureTo}: one file per partition,
 * {@code <topic>-<partition>.tsv}, one {@link FileReplay#line} per record in offset order (the
 * record's timestamp and its value's bytes; a null value as empty, as the Kafka source reads it).
 * {@code --source=FILE --fileReplay=STREAM --inputFiles=<captureTo>/*.tsv} then replays the topic
 * as the Kafka source reads it: same records, same order per partition, same watermark.
 */
public final class Capture {
  /** The subcommand. */
  public static final String NAME = "capture";

  /** The longest a poll may bring nothing while records remain before the command fails. */
  private static final Duration STALL = Duration.ofSeconds(60);

  private Capture() {}

  /** Runs the subcommand with {@code args}; true when done. */
  public static boolean run(String[] args, PrintStream out) {
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(out, CaptureOptions.class);
      return true;
    }
    CaptureOptions o =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(CaptureOptions.class);
    KafkaSource.check(o);
    Path dir = folder(o.getCaptureTo());
    ClientProperties client = ClientProperties.of(o);
    List<String> topics = KafkaSource.topics(o);
    KafkaCheck.check(o.getBootstrapServers(), topics, o.getKafkaCheckTimeoutSeconds(), client);
    long start = System.nanoTime();
    Map<TopicPartition, Long> counts = capture(o.getBootstrapServers(), topics, dir, client);
    out.printf(
        "Captured %,d records from %d partition%s of %s at %s to %s in %.1f s%n",
        counts.values().stream().mapToLong(Long::longValue).sum(),
        counts.size(),
        counts.size() == 1 ? "" : "s",
        String.join(",", topics),
        o.getBootstrapServers(),
        dir,
        (System.nanoTime() - start) / 1e9);
    return true;
  }

  /** The folder to write: new or empty; fails naming the option and value otherwise. */
  static Path folder(String captureTo) {
    Options.require(
        captureTo != null && !captureTo.isBlank() && !captureTo.contains("://"),
        "--captureTo must name a local folder, was '%s'",
        captureTo);
    Path dir = Path.of(captureTo);
    Options.require(
        !Files.exists(dir) || Files.isDirectory(dir),
        "--captureTo must be a folder, is a file, was '%s'",
        captureTo);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        Options.require(
            entries.findAny().isEmpty(),
            "--captureTo must be a new or empty folder, was '%s'",
            captureTo);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--captureTo cannot be read, was '" + captureTo + "': " + e.getMessage());
      }
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--captureTo cannot be created, was '" + captureTo + "': " + e.getMessage());
    }
    return dir;
  }

  /**
   * Writes every partition of {@code topics} up to its end offset now into {@code dir}; returns the
   * records written per partition.
   */
  public static Map<TopicPartition, Long> capture(
      String servers, List<String> topics, Path dir, ClientProperties client) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    client.applyTo(p);
    Map<TopicPartition, Long> counts = new HashMap<>();
    Map<TopicPartition, BufferedWriter> files = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        counts.put(tp, 0L);
        files.put(
            tp,
            Files.newBufferedWriter(
                dir.resolve(tp.topic() + "-" + tp.partition() + ".tsv"), StandardCharsets.UTF_8));
      }
      long lastProgress = System.nanoTime();
      while (!done(consumer, partitions, end)) {
        boolean any = false;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() >= end.get(tp)) {
            continue; // written after the command started
          }
          byte[] value = r.value() == null ? new byte[0] : r.value();
          BufferedWriter w = files.get(tp);
          w.write(FileReplay.line(r.timestamp(), value));
          w.newLine();
          counts.merge(tp, 1L, Long::sum);
          any = true;
        }
        if (any) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
          throw new IllegalStateException(
              "capture read nothing for " + STALL.toSeconds() + " s from " + servers);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the capture under " + dir, e);
    } finally {
      for (BufferedWriter w : files.values()) {
        try {
          w.close();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the capture under " + dir, e);
        }
      }
    }
    return counts;
  }

  private static boolean done(
      KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> end) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < end.get(tp)) {
        return false;
      }
    }
    return true;
  }
}

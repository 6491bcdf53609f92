package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.Guarantees;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.io.Sink;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends outputs to Kafka ({@code --sink=KAFKA}): output {@code o} of pipeline {@code p} to topic
 * {@code <prefix>p.o}, dead letters to {@code <prefix>dead-letters}. Each record is one value in
 * the project's wire format ({@link WireFormat#toJson} as UTF-8, or {@link WireFormat#encode}),
 * keyed by its {@code userId} field (no key when it has none). Missing topics are created with
 * {@code --kafkaPartitions} partitions before the run. Delivery is at least once: a retried bundle
 * sends its records again; with {@code --kafkaEos} (FlinkRunner with checkpointing only), records
 * are sent in transactions that commit after each checkpoint, so {@code read_committed} consumers
 * see each record once.
 */
public final class KafkaSink implements Sink {
  private final String servers;
  private final String prefix;
  private final SourceOptions.Format format;
  private final ClientProperties client;
  private final int eosShards;
  private final String eosGroup;
  private final boolean eos;
  private final int partitions;
  private final boolean createTopics;

  private KafkaSink(JobOptions o, ClientProperties client) {
    this.servers = o.getBootstrapServers();
    this.prefix = o.getKafkaOutputTopicPrefix();
    this.format = o.getKafkaOutputFormat();
    this.client = client;
    this.eos = o.getKafkaEos();
    this.eosShards = o.getKafkaEosShards();
    this.eosGroup = o.getKafkaEosGroupId().trim();
    this.partitions = o.getKafkaPartitions();
    this.createTopics = o.getKafkaCheckTimeoutSeconds() > 0;
  }

  /** Checks the options and that the brokers answer (unless turned off). */
  public static KafkaSink of(JobOptions o) {
    Guarantees.check(o);
    Options.require(
        o.getKafkaOutputTopicPrefix() != null
            && o.getKafkaOutputTopicPrefix().matches("[A-Za-z0-9._-]*"),
        "--kafkaOutputTopicPrefix may hold only letters, digits, '.', '_' and '-', was '%s'",
        o.getKafkaOutputTopicPrefix());
    ClientProperties client = ClientProperties.of(o);
    KafkaCheck.check(o.getBootstrapServers(), List.of(), o.getKafkaCheckTimeoutSeconds(), client);
    return new KafkaSink(o, client);
  }

  /** The topic of output {@code output} of pipeline {@code pipeline}. */
  public String topic(String pipeline, String output) {
    return prefix + pipeline + "." + output;
  }

  /** The topic of the dead letters. */
  public String deadLetterTopic() {
    return prefix + "dead-letters";
  }

  @Override
  public void write(String pipeline, Output output) {
    List<String> topics = new ArrayList<>();
    output.all().keySet().forEach(name -> topics.add(topic(pipeline, name)));
    ensureTopics(topics);
    for (Map.Entry<String, PCollection<? extends SpecificRecord>> e : output.all().entrySet()) {
      send(e.getValue(), "Send " + e.getKey(), topic(pipeline, e.getKey()));
    }
  }

  @Override
  public void writeDeadLetters(PCollection<DeadLetter> deadLetters) {
    ensureTopics(List.of(deadLetterTopic()));
    send(deadLetters, "SendDeadLetters", deadLetterTopic());
  }

  private void ensureTopics(List<String> topics) {
    if (!createTopics) {
      return; // --kafkaCheckTimeoutSeconds=0: no broker to ask, e.g. when writing a job spec
    }
    for (String t : topics) {
      Produce.ensureTopic(servers, t, partitions, client);
    }
  }

  private <T extends SpecificRecord> void send(PCollection<T> records, String name, String topic) {
    records.apply(name, new Send<T>(topic));
  }

  /** Encodes and sends one output to one topic. */
  private final class Send<T extends SpecificRecord> extends PTransform<PCollection<T>, PDone> {
    private final String topic;

    Send(String topic) {
      this.topic = topic;
    }

    @Override
    public PDone expand(PCollection<T> records) {
      KafkaIO.Write<String, byte[]> write =
          KafkaIO.<String, byte[]>write()
              .withBootstrapServers(servers)
              .withTopic(topic)
              .withKeySerializer(StringSerializer.class)
              .withValueSerializer(ByteArraySerializer.class)
              .withProducerFactoryFn(new ProducerFn(client));
      if (eos) {
        write =
            write
                .withEOS(eosShards, eosGroup + "." + topic)
                .withConsumerFactoryFn(new ConsumerFn(client));
      }
      return records
          .apply("Encode", MapElements.into(kvs()).via(new Encode<T>(format)))
          .setCoder(KvCoder.of(NullableCoder.of(StringUtf8Coder.of()), ByteArrayCoder.of()))
          .apply("Kafka", write);
    }
  }

  private static org.apache.beam.sdk.values.TypeDescriptor<KV<String, byte[]>> kvs() {
    return TypeDescriptors.kvs(
        TypeDescriptors.strings(), new org.apache.beam.sdk.values.TypeDescriptor<byte[]>() {});
  }

  /** A record as key (its user id or null) and value (its wire format). */
  static final class Encode<T extends SpecificRecord>
      implements SerializableFunction<T, KV<String, byte[]>> {
    private final SourceOptions.Format format;

    Encode(SourceOptions.Format format) {
      this.format = format;
    }

    @Override
    public KV<String, byte[]> apply(T r) {
      byte[] value =
          format == SourceOptions.Format.AVRO
              ? WireFormat.encode(r)
              : WireFormat.toJson(r).getBytes(StandardCharsets.UTF_8);
      return KV.of(key(r), value);
    }
  }

  /** The record's {@code userId} field as a string, or null when it has none. */
  static String key(SpecificRecord r) {
    Schema.Field f = r.getSchema().getField("userId");
    if (f == null) {
      return null;
    }
    Object v = r.get(f.pos());
    return v == null ? null : v.toString();
  }

  /** Creates the sink's producers with the client settings added. */
  static final class ProducerFn
      implements SerializableFunction<Map<String, Object>, Producer<String, byte[]>> {
    private final ClientProperties client;

    ProducerFn(ClientProperties client) {
      this.client = client;
    }

    @Override
    public Producer<String, byte[]> apply(Map<String, Object> config) {
      return new KafkaProducer<>(client.applyTo(config));
    }
  }

  /** Creates the exactly-once sink's consumers (its progress store) with the settings added. */
  static final class ConsumerFn
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
    private final ClientProperties client;

    ConsumerFn(ClientProperties client) {
      this.client = client;
    }

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      return new KafkaConsumer<>(client.applyTo(config));
    }
  }
}

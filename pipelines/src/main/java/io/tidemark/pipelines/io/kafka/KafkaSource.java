package io.tidemark.pipelines.io.kafka;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.transforms.Parsed;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;

/**
 * Reads records from Kafka ({@code --source=KAFKA}), each value decoded once as it is read ({@link
 * EventDeserializer}): an event is stamped with its own event time, an undecodable record with its
 * Kafka record timestamp, and the watermark follows those times ({@link EventTimePolicyFactory}); a
 * dead letter keeps its original bytes, its reason and where it was read ({@code
 * kafka:<topic>/<partition>}, offset). Start position {@code --kafkaStartFrom}, offsets committed
 * to {@code --kafkaGroupId} when the runner finalizes a checkpoint, client settings (credentials)
 * from {@link ClientProperties}. Null values are decoded as empty payloads, dead letters with the
 * rest of the undecodable records.
 */
public final class KafkaSource {
  private KafkaSource() {}

  /** The topics of {@code --kafkaTopics}; fails naming the option and value if there are none. */
  public static List<String> topics(SourceOptions o) {
    List<String> topics =
        Arrays.stream(o.getKafkaTopics().split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .toList();
    Options.require(
        !topics.isEmpty(),
        "--kafkaTopics must name at least one topic, was '%s'",
        o.getKafkaTopics());
    return topics;
  }

  /** Checks every Kafka option; fails fast with a message naming the option and its value. */
  public static StartFrom check(SourceOptions o) {
    Options.require(
        o.getBootstrapServers() != null && !o.getBootstrapServers().isBlank(),
        "--bootstrapServers must be host:port[,host:port], was '%s'",
        o.getBootstrapServers());
    for (String server : o.getBootstrapServers().split(",")) {
      String s = server.trim();
      int colon = s.lastIndexOf(':');
      boolean ok =
          colon > 0
              && colon < s.length() - 1
              && s.substring(colon + 1).chars().allMatch(Character::isDigit);
      Options.require(
          ok,
          "--bootstrapServers must be host:port[,host:port], was '%s'",
          o.getBootstrapServers());
    }
    List<String> topics = topics(o);
    StartFrom start = StartFrom.parse(o.getKafkaStartFrom());
    for (String t : start.topics()) {
      Options.require(
          topics.contains(t),
          "--kafkaStartFrom names topic '%s', which --kafkaTopics=%s does not read, was '%s'",
          t,
          o.getKafkaTopics(),
          o.getKafkaStartFrom());
    }
    for (String[] opt :
        new String[][] {
          {"kafkaIdleTimeoutSeconds", String.valueOf(o.getKafkaIdleTimeoutSeconds())},
          {"kafkaEndWhenIdleSeconds", String.valueOf(o.getKafkaEndWhenIdleSeconds())},
          {"kafkaCheckTimeoutSeconds", String.valueOf(o.getKafkaCheckTimeoutSeconds())},
          {"outOfOrderSeconds", String.valueOf(o.getOutOfOrderSeconds())},
          {"kafkaMaxRecords", String.valueOf(o.getKafkaMaxRecords())}
        }) {
      Options.require(
          Long.parseLong(opt[1]) >= 0, "--%s must not be negative, was %s", opt[0], opt[1]);
    }
    Options.require(
        o.getKafkaPartitions() > 0,
        "--kafkaPartitions must be positive, was %s",
        o.getKafkaPartitions());
    return start;
  }

  /** Checks the options, checks the brokers and topics (unless turned off), and reads. */
  public static PCollection<Parsed<SpecificRecord>> read(Pipeline p, SourceOptions o) {
    StartFrom start = check(o);
    ClientProperties client = ClientProperties.of(o);
    KafkaCheck.check(o.getBootstrapServers(), topics(o), o.getKafkaCheckTimeoutSeconds(), client);
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    boolean group = !o.getKafkaGroupId().isBlank();
    if (group) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, o.getKafkaGroupId().trim());
    }
    KafkaIO.Read<byte[], Parsed<SpecificRecord>> read =
        KafkaIO.<byte[], Parsed<SpecificRecord>>read()
            .withBootstrapServers(o.getBootstrapServers())
            .withTopics(topics(o))
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializerAndCoder(EventDeserializer.class, Events.decodedCoder())
            .withConsumerConfigUpdates(config)
            .withConsumerFactoryFn(new StartingConsumerFn(start, client))
            .withTimestampPolicyFactory(
                new EventTimePolicyFactory(
                    Duration.standardSeconds(o.getOutOfOrderSeconds()),
                    Duration.standardSeconds(o.getKafkaIdleTimeoutSeconds()),
                    Duration.standardSeconds(o.getKafkaEndWhenIdleSeconds())));
    if (group) {
      read = read.commitOffsetsInFinalize();
    }
    if (o.getKafkaMaxRecords() > 0) {
      read = read.withMaxNumRecords(o.getKafkaMaxRecords());
    }
    return p.apply("ReadKafka", read)
        .apply(
            "WhereRead",
            MapElements.into(new TypeDescriptor<Parsed<SpecificRecord>>() {})
                .via(KafkaSource::whereRead))
        .setCoder(Events.decodedCoder());
  }

  /**
   * The decoded value of {@code r}; a dead letter, or the dead letter of a value a pipeline rejects
   * ({@link Parsed#ifRejected}), with its topic, partition and offset.
   */
  static Parsed<SpecificRecord> whereRead(KafkaRecord<byte[], Parsed<SpecificRecord>> r) {
    Parsed<SpecificRecord> decoded = r.getKV().getValue();
    if (!decoded.ok()) {
      return Parsed.deadLetter(placed(decoded.deadLetter(), r));
    }
    if (decoded.ifRejected() != null) {
      return Parsed.value(decoded.value(), placed(decoded.ifRejected(), r));
    }
    return decoded;
  }

  private static DeadLetter placed(DeadLetter d, KafkaRecord<?, ?> r) {
    return DeadLetter.newBuilder(d)
        .setSource("kafka:" + r.getTopic() + "/" + r.getPartition())
        .setPosition(r.getOffset())
        .build();
  }

  /** Creates the reader's consumers; each seeks to the start position once assigned. */
  static final class StartingConsumerFn
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
    private final StartFrom start;
    private final ClientProperties client;

    StartingConsumerFn(StartFrom start, ClientProperties client) {
      this.start = start;
      this.client = client;
    }

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      return new KafkaConsumer<byte[], byte[]>(client.applyTo(config)) {
        @Override
        public void assign(Collection<TopicPartition> partitions) {
          super.assign(partitions);
          start.seek(this, partitions);
        }
      };
    }
  }
}

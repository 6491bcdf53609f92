package io.tidemark.pipelines.io.kafka;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Job;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.FileSink;
import io.tidemark.pipelines.io.Sink;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The sink choice, the Kafka sink's encoding and topics, its fail-fast checks and secrets. */
public class KafkaSinkTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static final String SECRET = "s3cr3t-Pa55word";

  static JobOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(JobOptions.class);
  }

  static Engagement engagement() {
    return Engagement.newBuilder()
        .setUserId("u-7")
        .setWindowStart(0)
        .setWindowEnd(300_000)
        .setScore(13)
        .setTotalEvents(2)
        .setViews(1)
        .setClicks(1)
        .setPurchases(0)
        .setDistinctContent(1)
        .setTiming("ON_TIME")
        .setPaneIndex(0)
        .build();
  }

  @Test
  public void recordsAreKeyedByUserIdInTheWireFormat() throws Exception {
    Engagement e = engagement();
    KV<String, byte[]> json = new KafkaSink.Encode<Engagement>(SourceOptions.Format.JSON).apply(e);
    assertEquals("u-7", json.getKey());
    assertEquals(WireFormat.toJson(e), new String(json.getValue(), StandardCharsets.UTF_8));
    KV<String, byte[]> avro = new KafkaSink.Encode<Engagement>(SourceOptions.Format.AVRO).apply(e);
    assertArrayEquals(WireFormat.encode(e), avro.getValue());
    assertEquals(e, WireFormat.shipped().decode(avro.getValue()));
    DeadLetter d =
        DeadLetter.newBuilder()
            .setPayload(java.nio.ByteBuffer.wrap(new byte[] {1}))
            .setReason("r")
            .setError("e")
            .setStep("s")
            .setSource("src")
            .setPosition(1)
            .build();
    assertNull("no user id, no key", KafkaSink.key(d));
  }

  @Test
  public void fileIsTheDefaultSink() {
    assertTrue(Sink.of(options()) instanceof FileSink);
  }

  @Test
  public void topicsArePrefixedPipelineAndOutput() {
    KafkaSink sink =
        KafkaSink.of(
            options(
                "--sink=KAFKA", "--kafkaOutputTopicPrefix=prod.", "--kafkaCheckTimeoutSeconds=0"));
    assertEquals("prod.engagement.late", sink.topic("engagement", "late"));
    assertEquals("prod.dead-letters", sink.deadLetterTopic());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KafkaSink.of(options("--sink=KAFKA", "--kafkaOutputTopicPrefix=a b")));
    assertTrue(e.getMessage(), e.getMessage().contains("--kafkaOutputTopicPrefix"));
  }

  @Test
  public void exactlyOnceThatCannotHoldFailsNamingTheOption() {
    IllegalArgumentException file =
        assertThrows(IllegalArgumentException.class, () -> Sink.of(options("--kafkaEos")));
    assertTrue(file.getMessage(), file.getMessage().contains("--kafkaEos needs --sink=KAFKA"));
    IllegalArgumentException direct =
        assertThrows(
            IllegalArgumentException.class,
            () -> Sink.of(options("--kafkaEos", "--sink=KAFKA", "--kafkaCheckTimeoutSeconds=0")));
    assertTrue(direct.getMessage(), direct.getMessage().contains("--runner=FlinkRunner"));
    assertTrue(direct.getMessage(), direct.getMessage().contains("DirectRunner"));
  }

  @Test
  public void clientPropertiesAreReadButNeverShown() throws IOException {
    Path file = secretsFile();
    ClientProperties c = ClientProperties.of(options("--kafkaPropertiesFile=" + file));
    assertEquals("SASL_PLAINTEXT", c.unmodifiable().get("security.protocol"));
    assertTrue(c.unmodifiable().get("sasl.jaas.config").contains(SECRET));
    assertFalse(c.toString(), c.toString().contains(SECRET));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClientProperties.of(options("--kafkaPropertiesFile=/no/such/file")));
    assertTrue(missing.getMessage(), missing.getMessage().contains("--kafkaPropertiesFile"));
    IllegalArgumentException unset =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClientProperties.of(options("--kafkaPropertiesEnv=TIDEMARK_NO_SUCH_VARIABLE")));
    assertTrue(unset.getMessage(), unset.getMessage().contains("TIDEMARK_NO_SUCH_VARIABLE"));
  }

  /** No transform's display data, nor the options, nor --help holds a secret. */
  @Test
  public void secretsAreInNoDisplayDataOptionsOrHelp() throws IOException {
    Path file = secretsFile();
    JobOptions o =
        Tidemark.options(
            Tidemark.select("engagement"),
            "--source=KAFKA",
            "--sink=KAFKA",
            "--kafkaCheckTimeoutSeconds=0",
            "--kafkaPropertiesFile=" + file);
    Pipeline p = Job.build(Tidemark.select("engagement"), o).pipeline();
    List<String> shown = new ArrayList<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            add(node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            add(node);
          }

          private void add(TransformHierarchy.Node node) {
            if (node.getTransform() != null) {
              shown.add(DisplayData.from(node.getTransform()).toString());
            }
          }
        });
    assertTrue(
        "the Kafka transforms show their settings",
        String.join("", shown).contains("bootstrap.servers"));
    shown.add(o.toString());
    shown.add(DisplayData.from(o).toString());
    ByteArrayOutputStream help = new ByteArrayOutputStream();
    Tidemark.run(
        new String[] {"engagement", "--help"}, new PrintStream(help, true, StandardCharsets.UTF_8));
    shown.add(help.toString(StandardCharsets.UTF_8));
    for (String s : shown) {
      assertFalse(s, s.contains(SECRET));
    }
  }

  private Path secretsFile() throws IOException {
    Path file = tmp.newFile("client.properties").toPath();
    Files.writeString(
        file,
        String.join(
            "\n",
            "security.protocol=SASL_PLAINTEXT",
            "sasl.mechanism=PLAIN",
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\",
            "  username=\"alice\" password=\"" + SECRET + "\";"));
    return file;
  }
}

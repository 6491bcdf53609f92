package io.tidemark.runners.flink;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Guarantees;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.options.JobOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.flink.contrib.streaming.state.RocksDBStateBackend;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The production settings of {@code conf/production.args} on embedded Flink: the incremental
 * RocksDB state backend that the bundled jar carries, and the checks on checkpointing.
 */
public class ProductionSettingsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /**
   * The options of {@code runners/flink/conf/production.args}: one a line, {@code #} comments. Read
   * from this module or a sibling (the system tests).
   */
  public static List<String> productionArgs() throws IOException {
    return Files.readAllLines(Path.of("../flink/conf/production.args"), StandardCharsets.UTF_8)
        .stream()
        .map(String::trim)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  /** {@code base} with each option of {@code overrides} replacing the one of the same name. */
  public static List<String> with(List<String> base, String... overrides) {
    List<String> all = new ArrayList<>(base);
    for (String o : overrides) {
      String name = o.contains("=") ? o.substring(0, o.indexOf('=') + 1) : o;
      all.removeIf(a -> a.equals(o) || a.startsWith(name));
      all.add(o);
    }
    return all;
  }

  @Test
  public void productionArgsAreFlinkOptionsWithCheckpointsAndIncrementalRocksDb()
      throws IOException {
    FlinkPipelineOptions o =
        PipelineOptionsFactory.fromArgs(productionArgs().toArray(new String[0]))
            .withValidation()
            .as(FlinkPipelineOptions.class);
    assertTrue("checkpointing on", o.getCheckpointingInterval() > 0);
    assertEquals("EXACTLY_ONCE", o.getCheckpointingMode());
    assertTrue("a timeout", o.getCheckpointTimeoutMillis() > o.getCheckpointingInterval());
    assertTrue("a pause between checkpoints", o.getMinPauseBetweenCheckpoints() > 0);
    assertEquals(IncrementalRocksDb.class, o.getStateBackendFactory());
    assertTrue(o.isExternalizedCheckpointsEnabled());
    assertTrue(o.getRetainExternalizedCheckpointsOnCancellation());
  }

  @Test
  public void theFactoryMakesAnIncrementalRocksDbBackend() {
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setStateBackendStoragePath(tmp.getRoot().toURI().toString());
    RocksDBStateBackend backend =
        (RocksDBStateBackend) new IncrementalRocksDb().createStateBackend(o);
    assertTrue("incremental", backend.isIncrementalCheckpointsEnabled());
  }

  @Test
  public void incrementalRocksDbWithoutAStoragePathFailsNamingIt() {
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new IncrementalRocksDb().createStateBackend(o));
    assertTrue(e.getMessage(), e.getMessage().contains("needs --stateBackendStoragePath"));
  }

  /** Only an endless Kafka read on Flink without checkpoints warns. */
  @Test
  public void anEndlessKafkaReadWithoutCheckpointsWarns() {
    List<String> warnings = Guarantees.warnings(job("--runner=FlinkRunner", "--source=KAFKA"));
    assertEquals(warnings.toString(), 1, warnings.size());
    assertTrue(
        warnings.get(0),
        warnings
            .get(0)
            .startsWith("--source=KAFKA on the FlinkRunner without --checkpointingInterval"));
    assertEquals(
        List.of(),
        Guarantees.warnings(
            job("--runner=FlinkRunner", "--source=KAFKA", "--checkpointingInterval=1000")));
    assertEquals(
        "a replay ends",
        List.of(),
        Guarantees.warnings(
            job("--runner=FlinkRunner", "--source=KAFKA", "--kafkaEndWhenIdleSeconds=5")));
    assertEquals("the generator ends", List.of(), Guarantees.warnings(job("--runner=FlinkRunner")));
    assertEquals(
        "not Flink",
        List.of(),
        Guarantees.warnings(job("--runner=" + CrashingRunner.class.getName(), "--source=KAFKA")));
  }

  /** Exactly-once output needs a source that does not end; each that ends fails naming itself. */
  @Test
  public void exactlyOnceWithASourceThatEndsFails() {
    List<String> eos =
        List.of(
            "--runner=FlinkRunner", "--sink=KAFKA", "--kafkaEos", "--checkpointingInterval=1000");
    Guarantees.check(job(with(eos, "--source=KAFKA").toArray(new String[0])));
    for (String ending :
        List.of("--source=GENERATOR", "--kafkaEndWhenIdleSeconds=5", "--kafkaMaxRecords=100")) {
      JobOptions o = job(with(eos, "--source=KAFKA", ending).toArray(new String[0]));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Guarantees.check(o));
      assertTrue(e.getMessage(), e.getMessage().startsWith("--kafkaEos needs an endless source"));
      assertTrue(e.getMessage(), e.getMessage().contains(ending));
    }
  }

  /** The command line warns, then refuses exactly-once output without checkpoints. */
  @Test
  public void exactlyOnceWithoutCheckpointsFailsAfterTheWarning() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tidemark.run(
                    new String[] {
                      "engagement",
                      "--runner=FlinkRunner",
                      "--flinkMaster=[local]",
                      "--streaming",
                      "--source=KAFKA",
                      "--sink=KAFKA",
                      "--kafkaEos",
                      "--kafkaCheckTimeoutSeconds=0",
                      "--outputDir=" + tmp.getRoot().toPath().resolve("out")
                    },
                    new PrintStream(printed, true, StandardCharsets.UTF_8)));
    assertTrue(
        e.getMessage(), e.getMessage().startsWith("--kafkaEos needs --checkpointingInterval > 0"));
    String out = printed.toString(StandardCharsets.UTF_8);
    assertTrue(
        out,
        out.contains(
            "tidemark: warning: --source=KAFKA on the FlinkRunner without"
                + " --checkpointingInterval"));
  }

  /**
   * The production settings, with checkpoints every half second to a local folder, run a windowed
   * pipeline to completion on embedded Flink with its state in RocksDB: the accounting balances and
   * the job's checkpoint folder, with its {@code shared/} folder for incremental files, was made
   * under the storage path.
   */
  @Test
  public void aPipelineRunsToCompletionOnIncrementalRocksDb() throws IOException {
    Path checkpoints = tmp.newFolder("checkpoints").toPath();
    Path out = tmp.getRoot().toPath().resolve("out");
    List<String> args =
        with(
            productionArgs(),
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--checkpointingInterval=500",
            "--minPauseBetweenCheckpoints=0",
            "--shutdownSourcesAfterIdleMs=1000",
            "--stateBackendStoragePath=" + checkpoints.toUri(),
            "--generatorEvents=20000",
            "--outputDir=" + out);
    List<String> all = new ArrayList<>(List.of("engagement"));
    all.addAll(args);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            all.toArray(new String[0]), new PrintStream(printed, true, StandardCharsets.UTF_8));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue("accounting balanced\n" + text, balanced);
    try (Stream<Path> jobs = Files.list(checkpoints)) {
      List<Path> dirs = jobs.toList();
      assertEquals("one job folder: " + dirs, 1, dirs.size());
      assertTrue(dirs + " has shared/", Files.isDirectory(dirs.get(0).resolve("shared")));
    }
  }

  private static JobOptions job(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(JobOptions.class);
  }
}

package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidemark.pipelines.PipelineDef;
import io.tidemark.pipelines.Tidemark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The same scenarios on the DirectRunner and on the embedded FlinkRunner (parallelism 2, streaming)
 * gives the same per-(user, window) totals, and both equal a plain-Java reference computed from the
 * generator. The generator emits no late events ({@code --lateFraction=0}), so no window's content
 * depends on when a runner advances its watermark; corrupt records stay at the default fraction and
 * go to dead letters on both.
 */
public class CrossRunnerConformanceTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final List<String> SCENARIO =
      List.of("--seed=20260105", "--generatorEvents=3000", "--lateFraction=0");
  static final int WINDOW_MINUTES = 5;
  static final ObjectMapper JSON = new ObjectMapper();

  private static Map<String, EngagementTotals.Counts> reference;

  @BeforeClass
  public static void computeReference() {
    reference = EngagementTotals.reference(SCENARIO, WINDOW_MINUTES);
    assertTrue("the scenario has engagement events", EngagementTotals.events(reference) > 1000);
  }

  @Test
  public void directAndEmbeddedFlinkGiveTheSameTotalsAsTheReference() {
    Map<String, EngagementTotals.Counts> direct =
        EngagementTotals.read(run("engagement", "direct", "--runner=DirectRunner"));
    Map<String, EngagementTotals.Counts> flink =
        EngagementTotals.read(
            run(
                "engagement",
                "flink",
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2",
                "--streaming"));

    EngagementTotals.assertSame("DirectRunner", direct, "FlinkRunner", flink);
    EngagementTotals.assertSame("reference", reference, "DirectRunner", direct);
  }

  /**
   * Every pipeline of the demo gives the same records on both runners. Without late events each
   * window fires exactly one on-time pane, so records compare exactly once pane timing and index
   * are set aside.
   */
  @Test
  public void everyDemoPipelineGivesTheSameRecordsOnBothRunners() throws IOException {
    Path direct = run("demo", "demo-direct", "--runner=DirectRunner");
    Path flink =
        run(
            "demo",
            "demo-flink",
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--streaming");
    for (PipelineDef def : Tidemark.PIPELINES) {
      for (String output : List.of("results", "rates")) {
        List<String> d = records(direct.resolve(def.name()).resolve(output));
        List<String> f = records(flink.resolve(def.name()).resolve(output));
        assertEquals(def.name() + "/" + output + " on both runners", d, f);
        if (output.equals("results")) {
          assertTrue(def.name() + " has results", !d.isEmpty());
        }
      }
    }
  }

  /** The records of one output, without pane timing and index, sorted. */
  static List<String> records(Path dir) throws IOException {
    List<String> all = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return all;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          ObjectNode event = (ObjectNode) JSON.readTree(line).get("event");
          event.remove(List.of("timing", "paneIndex"));
          all.add(event.toString());
        }
      }
    }
    Collections.sort(all);
    return all;
  }

  /** Runs a pipeline through the CLI; asserts its accounting balanced. */
  static Path run(String pipeline, String name, String... runnerArgs) {
    Path out = TMP.getRoot().toPath().resolve(name);
    List<String> args = new ArrayList<>(List.of(pipeline));
    args.addAll(SCENARIO);
    args.addAll(List.of(runnerArgs));
    args.add("--outputDir=" + out);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            args.toArray(new String[0]), new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(
        name + ": accounting balanced\n" + printed.toString(StandardCharsets.UTF_8), balanced);
    return out;
  }
}

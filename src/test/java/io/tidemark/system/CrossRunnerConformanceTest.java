package io.tidemark.system;

import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The same engagement scenario on the DirectRunner and on the embedded FlinkRunner (parallelism 2,
 * streaming) gives the same per-(user, window) totals, and both equal a plain-Java reference
 * computed from the generator. The generator emits no late events ({@code --lateFraction=0}), so no
 * window's content depends on when a runner advances its watermark; corrupt records stay at the
 * default fraction and go to dead letters on both.
 */
public class CrossRunnerConformanceTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final List<String> SCENARIO =
      List.of("--seed=20260105", "--generatorEvents=3000", "--lateFraction=0");
  static final int WINDOW_MINUTES = 5;

  private static Map<String, EngagementTotals.Counts> reference;

  @BeforeClass
  public static void computeReference() {
    reference = EngagementTotals.reference(SCENARIO, WINDOW_MINUTES);
    assertTrue("the scenario has engagement events", EngagementTotals.events(reference) > 1000);
  }

  @Test
  public void directAndEmbeddedFlinkGiveTheSameTotalsAsTheReference() {
    Map<String, EngagementTotals.Counts> direct =
        EngagementTotals.read(run("direct", "--runner=DirectRunner"));
    Map<String, EngagementTotals.Counts> flink =
        EngagementTotals.read(
            run(
                "flink",
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2",
                "--streaming"));

    EngagementTotals.assertSame("DirectRunner", direct, "FlinkRunner", flink);
    EngagementTotals.assertSame("reference", reference, "DirectRunner", direct);
  }

  /** Runs the engagement pipeline through the CLI; asserts its accounting balanced. */
  static Path run(String name, String... runnerArgs) {
    Path out = TMP.getRoot().toPath().resolve(name);
    List<String> args = new ArrayList<>(List.of("engagement"));
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

package io.tidemark.pipelines.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.PipelineDef;
import io.tidemark.pipelines.Tidemark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

/**
 * The benchmark harness on a small stream: it measures exactly the registry's pipelines, each
 * against the model its registry entry names, and without late events Beam and the model place the
 * same number of inputs in results.
 */
public class PipelineBenchmarkTest {
  @Test
  public void measuresEveryPipelineAgainstItsModel() throws Exception {
    String[] options = {"--generatorEvents=600", "--users=5", "--lateFraction=0", "--seed=3"};
    List<PipelineBenchmark.Row> rows = PipelineBenchmark.run(0, 1, options);

    assertEquals(
        "the benchmark covers exactly the registry",
        Tidemark.PIPELINES.stream().map(PipelineDef::name).toList(),
        rows.stream().map(PipelineBenchmark.Row::pipeline).toList());
    for (PipelineBenchmark.Row r : rows) {
      assertTrue(r.pipeline() + " has results", r.modelResults() > 0);
      assertEquals(r.pipeline() + " results", r.modelResults(), r.beamResults());
      assertTrue(r.pipeline() + " was timed", r.beamMillis() > 0 && r.modelMillis() > 0);
      assertTrue(r.pipeline() + " allocation was measured", r.modelBytesPerEvent() > 0);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PipelineBenchmark.print(rows, options, 1, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String table = bytes.toString(StandardCharsets.UTF_8);
    rows.forEach(r -> assertTrue(table, table.contains("| " + r.pipeline() + " ")));
  }

  @Test
  public void theMedianOfAnEvenNumberOfRoundsIsTheMeanOfTheMiddleTwo() {
    assertEquals(3.0, PipelineBenchmark.median(new double[] {9, 1, 2, 4}), 0);
    assertEquals(2.0, PipelineBenchmark.median(new double[] {3, 2, 1}), 0);
  }
}

package io.tidemark.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Every engine of the benchmark computes the reference model's output over the same events: native
 * Flink, Kafka Streams and the model itself exactly; Beam equal given its late split (its late
 * events are some of the model's, and its windows are what the model computes from the rest),
 * because the late-events router learns the watermark only when the runner delivers it. Beam on
 * Flink runs at parallelism 2 with default and tuned options (object reuse can break a pipeline
 * that mutates its inputs); the benchmark's parallelism-1 variants run the same code.
 */
public class EnginesAgreeWithModelTest {
  private static Workload workload;
  private static Outcome reference;

  @BeforeClass
  public static void generate() {
    // One event per second: 5000 s of event time, late events from 40 min 20 s on.
    workload = Workload.generate(20260105, 5000, 20, 1, 10);
    reference = new ModelEngine().run(workload);
    assertTrue("late events in the scenario", reference.late().size() >= 10);
    assertTrue("windows in the scenario", reference.results().size() >= 100);
  }

  @Test
  public void everyEngineComputesTheModelsOutput() throws Exception {
    List<Engine> engines =
        List.of(
            new ModelEngine(),
            new FlinkNativeEngine(2),
            new KafkaStreamsEngine(),
            new BeamEngine("Beam on DirectRunner", "--runner=DirectRunner"),
            BeamEngine.flink(2),
            BeamEngine.flink(2, EngineBenchmark.tuning()));
    for (Engine e : engines) {
      Outcome.Verdict v =
          e.run(workload).compare(reference, workload, EngineBenchmark.WINDOW_MILLIS);
      if (e instanceof BeamEngine) {
        assertTrue(e.name() + ": " + v, v.consistent());
      } else {
        assertTrue(e.name() + ": " + v, v.exact());
      }
    }
  }

  @Test
  public void theComparisonFindsAWrongWindowAndAWrongLateEvent() {
    Outcome wrong = new Outcome();
    reference.results().forEach((k, s) -> wrong.results().put(k, s));
    reference.late().forEach(wrong::late);
    assertTrue(wrong.compare(reference, workload, EngineBenchmark.WINDOW_MILLIS).exact());

    Map.Entry<String, Outcome.Score> first = reference.results().entrySet().iterator().next();
    Outcome.Score s = first.getValue();
    wrong
        .results()
        .put(
            first.getKey(),
            new Outcome.Score(s.score() + 1, s.total(), s.views(), s.clicks(), s.purchases()));
    Outcome.Verdict v = wrong.compare(reference, workload, EngineBenchmark.WINDOW_MILLIS);
    assertFalse(v.toString(), v.consistent());

    Outcome extraLate = new Outcome();
    reference.results().forEach((k, x) -> extraLate.results().put(k, x));
    reference.late().forEach(extraLate::late);
    extraLate.late("e" + (workload.events.size() - 1));
    Outcome.Verdict late = extraLate.compare(reference, workload, EngineBenchmark.WINDOW_MILLIS);
    assertFalse(late.toString(), late.consistent());
    assertEquals(reference.late().size() + 1, extraLate.late().size());
  }
}

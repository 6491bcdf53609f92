package io.tidemark.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Every engine of the benchmark computes the reference model's output of both jobs over the same
 * events.
 *
 * <p>Engagement: native Flink, Kafka Streams and the model itself exactly; Beam equal given its
 * late split (its late events are some of the model's, and its windows are what the model computes
 * from the rest), because the late-events router learns the watermark only when the runner delivers
 * it.
 *
 * <p>Conversion: native Flink and the model exactly; Beam and Kafka Streams equal given their later
 * decisions (every conversion of the model, each attributed to the model's click or a later click
 * of the purchase's hour): Beam decides a purchase when its watermark, which lags the model's,
 * passes it, and the Kafka Streams join has no decision point at all, so both may see clicks the
 * model had not seen yet.
 *
 * <p>Beam on Flink runs at parallelism 2 with default and tuned options (object reuse can break a
 * pipeline that mutates its inputs), and with one-element bundles, the variant whose watermark
 * advances while the input flows, so that some events do reach its late stream; the benchmark's
 * parallelism-1 variants run the same code.
 */
public class EnginesAgreeWithModelTest {
  private static Workload workload;
  private static Outcome engagement;
  private static Outcome conversion;

  @BeforeClass
  public static void generate() {
    // One event per second: 5000 s of event time, late events from 40 min 20 s on.
    workload = Workload.generate(20260105, 5000, 20, 1, 10);
    engagement = new ModelEngine().run(Job.ENGAGEMENT, workload);
    conversion = new ModelEngine().run(Job.CONVERSION, workload);
    assertTrue("late events in the scenario", engagement.late().size() >= 10);
    assertTrue("windows in the scenario", engagement.results().size() >= 100);
    assertTrue("conversions in the scenario", conversion.conversions().size() >= 20);
  }

  static List<Engine> engines() {
    return List.of(
        new ModelEngine(),
        new FlinkNativeEngine(2),
        new KafkaStreamsEngine(),
        new BeamEngine("Beam on DirectRunner", "--runner=DirectRunner"),
        BeamEngine.flink(2),
        BeamEngine.flink(2, EngineBenchmark.tuning()),
        BeamEngine.flink(2, EngineBenchmark.bundlesOfOne()));
  }

  @Test
  public void everyEngineComputesTheModelsEngagement() throws Exception {
    for (Engine e : engines()) {
      Outcome.Verdict v =
          Job.ENGAGEMENT.compare(e.run(Job.ENGAGEMENT, workload), engagement, workload);
      if (e instanceof BeamEngine) {
        assertTrue(e.name() + ": " + v, v.consistent());
      } else {
        assertTrue(e.name() + ": " + v, v.exact());
      }
    }
  }

  @Test
  public void everyEngineComputesTheModelsConversions() throws Exception {
    for (Engine e : engines()) {
      Outcome.Verdict v =
          Job.CONVERSION.compare(e.run(Job.CONVERSION, workload), conversion, workload);
      if (e instanceof BeamEngine || e instanceof KafkaStreamsEngine) {
        assertTrue(e.name() + ": " + v, v.consistent());
      } else {
        assertTrue(e.name() + ": " + v, v.exact());
      }
    }
  }

  @Test
  public void theComparisonFindsAWrongWindowAndAWrongLateEvent() {
    Outcome wrong = new Outcome();
    engagement.results().forEach((k, s) -> wrong.results().put(k, s));
    engagement.late().forEach(wrong::late);
    assertTrue(Job.ENGAGEMENT.compare(wrong, engagement, workload).exact());

    Map.Entry<String, Outcome.Score> first = engagement.results().entrySet().iterator().next();
    Outcome.Score s = first.getValue();
    wrong
        .results()
        .put(
            first.getKey(),
            new Outcome.Score(s.score() + 1, s.total(), s.views(), s.clicks(), s.purchases()));
    Outcome.Verdict v = Job.ENGAGEMENT.compare(wrong, engagement, workload);
    assertFalse(v.toString(), v.consistent());

    Outcome extraLate = new Outcome();
    engagement.results().forEach((k, x) -> extraLate.results().put(k, x));
    engagement.late().forEach(extraLate::late);
    extraLate.late("e" + (workload.events.size() - 1));
    Outcome.Verdict late = Job.ENGAGEMENT.compare(extraLate, engagement, workload);
    assertFalse(late.toString(), late.consistent());
    assertEquals(engagement.late().size() + 1, extraLate.late().size());
  }

  @Test
  public void theComparisonFindsAWrongOrMissingConversion() {
    assertTrue(Job.CONVERSION.compare(copy(Map.of()), conversion, workload).exact());
    Map.Entry<String, Outcome.Converted> first =
        conversion.conversions().entrySet().iterator().next();
    Outcome.Converted c = first.getValue();

    // Missing.
    Outcome missing = copy(Map.of());
    missing.conversions().remove(first.getKey());
    assertFalse(Job.CONVERSION.compare(missing, conversion, workload).consistent());

    // Attributed to a click of another purchase, or with a wrong time.
    Map.Entry<String, Outcome.Converted> other =
        conversion.conversions().entrySet().stream()
            .filter(x -> !x.getValue().clickEventId().equals(c.clickEventId()))
            .findFirst()
            .orElseThrow();
    Outcome.Verdict v =
        Job.CONVERSION.compare(
            copy(
                Map.of(
                    first.getKey(),
                    new Outcome.Converted(
                        other.getValue().clickEventId(),
                        other.getValue().clickTime(),
                        c.purchaseTime()))),
            conversion,
            workload);
    assertFalse(v.toString(), v.consistent());
    v =
        Job.CONVERSION.compare(
            copy(
                Map.of(
                    first.getKey(),
                    new Outcome.Converted(c.clickEventId(), c.clickTime() - 1, c.purchaseTime()))),
            conversion,
            workload);
    assertFalse(v.toString(), v.consistent());

    // Converted twice.
    Outcome twice = copy(Map.of());
    twice.convert(first.getKey(), c);
    assertFalse(Job.CONVERSION.compare(twice, conversion, workload).consistent());
  }

  /** The model's conversions with {@code changes}. */
  private static Outcome copy(Map<String, Outcome.Converted> changes) {
    Outcome o = new Outcome();
    conversion.conversions().forEach((k, c) -> o.convert(k, changes.getOrDefault(k, c)));
    return o;
  }
}

package io.tidemark.pipelines.model;

import io.tidemark.system.EmbeddedFlink;
import org.junit.Test;

/**
 * The pipelines' differential tests on the embedded FlinkRunner (streaming, parallelism 2): the
 * same seeded streams as on the DirectRunner, compared with the same models.
 *
 * <p>Flink delivers a TestStream's watermark to a grouping behind its elements, never ahead of them
 * (https://github.com/apache/beam/issues/20843, #19962), so an event can only be less late there
 * than in the model. Compared with the model, therefore: every window the model closed with a
 * single on-time pane and no late event, every join key none of whose events arrived behind the
 * watermark, enrichment and invalid clicks, and the dead letters; checked on Flink's own outputs:
 * conservation of every input. Late panes, the late stream and counters are compared only on the
 * DirectRunner, whose watermark moves exactly as the model's.
 *
 * <p>Not run here: the transform-level cases ({@code DifferentialLateEventsTest}, {@code
 * DifferentialWindowedJoinTest}, {@code DifferentialIntervalJoinTest}). Their streams are late data
 * by construction and the transforms are compared on Flink by {@code
 * FlinkTransformsConformanceTest} and {@code FlinkLateEventsTest} instead
 * (https://github.com/apache/beam/issues/20843).
 *
 * <p>Seeds: {@code -Dtidemark.seeds=N}, {@code -Dtidemark.seed=S} as on the DirectRunner.
 */
public class FlinkDifferentialTest {
  static final Differential.Runner FLINK =
      new Differential.Runner("runners/system-tests", () -> EmbeddedFlink.options(2), false);

  private static final int SEEDS = 3;

  @Test
  public void clickEnrichment() {
    Differential.run(
        FlinkDifferentialTest.class, SEEDS, DifferentialClickEnrichmentTest.Case::new, FLINK);
  }

  @Test
  public void clicksPerUser() {
    Differential.run(
        FlinkDifferentialTest.class, SEEDS, DifferentialClicksPerUserTest.Case::new, FLINK);
  }

  @Test
  public void engagement() {
    Differential.run(
        FlinkDifferentialTest.class, SEEDS, DifferentialEngagementTest.Case::new, FLINK);
  }

  @Test
  public void trending() {
    Differential.run(FlinkDifferentialTest.class, SEEDS, DifferentialTrendingTest.Case::new, FLINK);
  }

  @Test
  public void fraud() {
    Differential.run(FlinkDifferentialTest.class, SEEDS, DifferentialFraudTest.Case::new, FLINK);
  }

  @Test
  public void conversion() {
    Differential.run(
        FlinkDifferentialTest.class, SEEDS, DifferentialConversionTest.Case::new, FLINK);
  }
}

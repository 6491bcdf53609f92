package io.tidemark.pipelines;

import static io.tidemark.pipelines.Fixture.options;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.tidemark.pipelines.clicks.ClicksPerUserPipeline;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline.ClicksPerUserOptions;
import io.tidemark.pipelines.conversion.ConversionPipeline;
import io.tidemark.pipelines.conversion.ConversionPipeline.ConversionOptions;
import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline.ClickEnrichmentOptions;
import io.tidemark.pipelines.fraud.FraudPipeline;
import io.tidemark.pipelines.fraud.FraudPipeline.FraudOptions;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.trending.TrendingPipeline;
import io.tidemark.pipelines.trending.TrendingPipeline.TrendingOptions;
import io.tidemark.schemas.EventCoder;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.joda.time.Duration;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/**
 * The CLI's pipelines and the fail-fast checks of their options: each message names the option and
 * the bad value.
 */
public class OptionsTest {
  /** Decoded events of a pipeline that is only built, never run. */
  private static Events events() {
    return Events.of(Pipeline.create().apply(Create.empty(EventCoder.of())));
  }

  private static void fails(ThrowingRunnable build, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String part : parts) {
      assertThat(e.getMessage(), containsString(part));
    }
  }

  @Test
  public void unknownPipelineNamesTheNameAndThePipelines() {
    fails(
        () -> Tidemark.select("nope"),
        "'nope'",
        "demo, click-enrichment, clicks-per-user, engagement, trending, fraud, conversion");
  }

  @Test
  public void theDemoRunsEveryPipelineInOrder() {
    assertEquals(
        List.of(
            ClickEnrichmentPipeline.NAME,
            ClicksPerUserPipeline.NAME,
            EngagementPipeline.NAME,
            TrendingPipeline.NAME,
            FraudPipeline.NAME,
            ConversionPipeline.NAME),
        Tidemark.select("demo").stream().map(PipelineDef::name).toList());
  }

  @Test
  public void everyPipelinesOptionsAndTheDemoOptionsParse() {
    for (PipelineDef def : Tidemark.PIPELINES) {
      Tidemark.options(List.of(def), "--outputDir=x");
    }
    JobOptions demo =
        Tidemark.options(
            Tidemark.PIPELINES,
            "--clicksWindowMinutes=7",
            "--topN=3",
            "--fraudThreshold=500",
            "--timeZone=UTC");
    assertEquals(7, demo.as(ClicksPerUserOptions.class).getClicksWindowMinutes());
    assertEquals(3, demo.as(TrendingOptions.class).getTopN());
    assertEquals(500, demo.as(FraudOptions.class).getFraudThreshold(), 0);
  }

  /**
   * Beam's strict parsing holds per run: a run takes the job's options and exactly those of its own
   * pipelines, and fails naming any other, another pipeline's included, even after a run of that
   * pipeline in the same JVM registered its options.
   */
  @Test
  public void eachRunTakesExactlyTheOptionsOfItsPipelines() {
    assertEquals(
        3,
        Tidemark.options(Tidemark.select("demo"), "--topN=3").as(TrendingOptions.class).getTopN());
    List<PipelineDef> engagement = Tidemark.select(EngagementPipeline.NAME);
    fails(
        () -> Tidemark.options(engagement, "--topN=3"),
        "--topN is no option of this run (--help lists them).");
    fails(
        () -> Tidemark.options(engagement, "--noSuchOption=1"),
        "--noSuchOption is no option of this run (--help lists them).");
    JobOptions o =
        Tidemark.options(
            engagement, "--engagementWindowMinutes=7", "--allowedLatenessMinutes=3", "--seed=5");
    assertEquals(7, o.as(EngagementOptions.class).getEngagementWindowMinutes());
    assertEquals(3, o.as(EngagementOptions.class).getAllowedLatenessMinutes());
    assertEquals(5, o.getSeed());
  }

  @Test
  public void negativeWindowSizesFailNamingTheOption() {
    ClicksPerUserOptions clicks = options(ClicksPerUserOptions.class);
    clicks.setClicksWindowMinutes(-5);
    fails(
        () -> ClicksPerUserPipeline.expand(events(), clicks),
        "--clicksWindowMinutes must be positive, was -5");
    TrendingOptions trending = options(TrendingOptions.class);
    trending.setTrendingWindowMinutes(0);
    fails(
        () -> TrendingPipeline.expand(events(), trending),
        "--trendingWindowMinutes must be positive, was 0");
    EngagementOptions engagement = options(EngagementOptions.class);
    engagement.setAllowedLatenessMinutes(-1);
    fails(
        () -> EngagementPipeline.expand(events(), engagement),
        "--allowedLatenessMinutes must be in [0, 10080], was -1");
  }

  @Test
  public void otherNumericOptionsFailNamingTheOptionAndTheValue() {
    TrendingOptions trending = options(TrendingOptions.class);
    trending.setTopN(0);
    fails(() -> TrendingPipeline.expand(events(), trending), "--topN", "was 0");
    FraudOptions fraud = options(FraudOptions.class);
    fraud.setFraudThreshold(-1);
    fails(() -> FraudPipeline.expand(events(), fraud), "--fraudThreshold", "was -1.0");
    FraudOptions fraudLateness = options(FraudOptions.class);
    fraudLateness.setAllowedLatenessMinutes(-3);
    fails(() -> FraudPipeline.expand(events(), fraudLateness), "--allowedLatenessMinutes", "-3");
    ConversionOptions conversion = options(ConversionOptions.class);
    conversion.setConversionLatenessMinutes(-2);
    fails(
        () -> ConversionPipeline.expand(events(), conversion),
        "--conversionLatenessMinutes",
        "was -2");
    ConversionOptions ticks = options(ConversionOptions.class);
    ticks.setLateTickMinutes(0);
    fails(() -> ConversionPipeline.expand(events(), ticks), "--lateTickMinutes", "was 0");
    ClicksPerUserOptions idle = options(ClicksPerUserOptions.class);
    idle.setLateMaxIdleTicks(-1);
    fails(() -> ClicksPerUserPipeline.expand(events(), idle), "--lateMaxIdleTicks", "was -1");
    ClicksPerUserOptions shards = options(ClicksPerUserOptions.class);
    shards.setLateShards(-1);
    fails(() -> ClicksPerUserPipeline.expand(events(), shards), "--lateShards", "was -1");
    ConversionOptions tooManyShards = options(ConversionOptions.class);
    tooManyShards.setLateShards(65537);
    fails(() -> ConversionPipeline.expand(events(), tooManyShards), "--lateShards", "was 65537");
  }

  @Test
  public void lateShardsFollowTheRunnerUnlessTheOptionSetsThem() {
    ClicksPerUserOptions o = options(ClicksPerUserOptions.class);
    EventWindows<String> policy = EventWindows.fixed(Duration.standardMinutes(5));
    assertEquals("default", shards(Options.lateEvents(policy, o)));
    o.setLateShards(7);
    assertEquals("7", shards(Options.lateEvents(policy, o)));
  }

  private static Object shards(LateEvents<String> router) {
    return DisplayData.from(router).items().stream()
        .filter(item -> item.getKey().equals("shards"))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  @Test
  public void anInvalidTimeZoneFailsNamingTheOption() {
    ClickEnrichmentOptions enrichment = options(ClickEnrichmentOptions.class);
    enrichment.setTimeZone("Mars/Olympus");
    fails(
        () -> ClickEnrichmentPipeline.expand(events(), enrichment), "--timeZone", "'Mars/Olympus'");
    FraudOptions fraud = options(FraudOptions.class);
    fraud.setTimeZone("");
    fails(() -> FraudPipeline.expand(events(), fraud), "--timeZone", "''");
  }
}

package io.tidemark.pipelines.trending;

import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.describe;
import static io.tidemark.pipelines.Fixture.interaction;
import static io.tidemark.pipelines.Fixture.late;
import static io.tidemark.pipelines.Fixture.window;
import static io.tidemark.pipelines.Fixture.windowOptions;
import static io.tidemark.pipelines.trending.TrendingPipeline.NAME;
import static io.tidemark.schemas.InteractionType.COMMENT;
import static io.tidemark.schemas.InteractionType.LIKE;
import static io.tidemark.schemas.InteractionType.SHARE;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.trending.TrendingPipeline.TrendingOptions;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.TrendingCategory;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link TrendingPipeline} on the DirectRunner with windows of {@link #WINDOW_MINUTES}, {@link
 * #LATENESS_MINUTES} of allowed lateness ({@link #W1} closes for late data at 10:20) and the top
 * {@link #TOP_N}.
 */
public class TrendingPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final int WINDOW_MINUTES = 10;
  static final int LATENESS_MINUTES = 10;
  static final int TOP_N = 2;
  static final int EARLY_SECONDS = 30;
  static final IntervalWindow W1 = window("10:00", WINDOW_MINUTES);

  private static TrendingCategory ranked(
      String category,
      int rank,
      long likes,
      long shares,
      long comments,
      long users,
      Timing timing,
      long paneIndex) {
    long interactions = likes + shares + comments;
    double weighted = likes * 1 + shares * 3 + comments * 2;
    return TrendingCategory.newBuilder()
        .setCategory(category)
        .setWindowStart(W1.start().getMillis())
        .setWindowEnd(W1.end().getMillis())
        .setRank(rank)
        .setInteractions(interactions)
        .setLikes(likes)
        .setShares(shares)
        .setComments(comments)
        .setUniqueUsers(users)
        .setWeightedScore(weighted)
        .setTrendingScore(weighted * users / interactions)
        .setTiming(timing.name())
        .setPaneIndex(paneIndex)
        .build();
  }

  @Test
  public void onTimePaneRanksTheTopNLatePaneRanksTheLateDataDroppablyLateIsRouted() {
    // On time: sports 2 likes by 2 users (score 2), music 1 share (3), news a comment and a like
    // by 2 users (3, tied with music, which goes first by name). Only the top 2 are ranked.
    List<ContentInteraction> onTime =
        List.of(
            interaction("u1", "sports", LIKE, "10:01"),
            interaction("u2", "sports", LIKE, "10:02"),
            interaction("u3", "music", SHARE, "10:03"),
            interaction("u4", "news", COMMENT, "10:04"),
            interaction("u5", "news", LIKE, "10:05"));
    ContentInteraction lateShare = interaction("u6", "sports", SHARE, "10:06");
    ContentInteraction dropped = interaction("u7", "art", LIKE, "10:07");
    Scenario s =
        new Scenario()
            .add(onTime.toArray(new ContentInteraction[0]))
            .watermark("10:13") // W1's on-time pane fires
            .add(lateShare) // observably late: a late pane with only this share
            .watermark("10:30") // W1 closed at 10:20
            .add(dropped);
    TrendingOptions o = windowOptions(TrendingOptions.class, LATENESS_MINUTES);
    o.setTrendingWindowMinutes(WINDOW_MINUTES);
    o.setTopN(TOP_N);
    Output out = TrendingPipeline.expand(s.in(p), o);
    PCollection<TrendingCategory> results = out.get("results");

    PAssert.that(results)
        .inOnTimePane(W1)
        .containsInAnyOrder(
            ranked("music", 1, 0, 1, 0, 1, Timing.ON_TIME, 0),
            ranked("news", 2, 1, 0, 1, 2, Timing.ON_TIME, 0));
    PAssert.that(results)
        .inLatePane(W1)
        .containsInAnyOrder(ranked("sports", 1, 0, 1, 0, 1, Timing.LATE, 1));
    PAssert.that(describe(out.get("late"))).containsInAnyOrder(late(dropped, "art", W1));

    PipelineResult result = p.run();
    assertEquals(s.events().size(), counter(result, NAME, "in"));
    // every interaction of a pane, the unranked sports likes too
    assertEquals(onTime.size() + 1, counter(result, NAME, "in-results"));
    assertEquals(1, counter(result, NAME, "late"));
    assertEquals(TOP_N, counter(result, NAME, "panes-on-time"));
    assertEquals(1, counter(result, NAME, "panes-late"));
  }

  @Test
  public void earlyPaneRanksTheDataSoFarAndTheDiscardingOnTimePaneRanksTheRest() {
    ContentInteraction early = interaction("u1", "sports", LIKE, "10:01");
    ContentInteraction onTime = interaction("u2", "music", SHARE, "10:03");
    Scenario s =
        new Scenario()
            .add(early)
            .watermark(
                "10:02") // the late-events router forwards its first events at its first tick
            .processingTime(Duration.standardSeconds(EARLY_SECONDS + 1)) // early pane
            .add(onTime)
            .watermark("10:13"); // on-time pane
    TrendingOptions o = windowOptions(TrendingOptions.class, LATENESS_MINUTES);
    o.setTrendingWindowMinutes(WINDOW_MINUTES);
    o.setTopN(TOP_N);
    o.setEarlyFiringSeconds(EARLY_SECONDS);
    PCollection<TrendingCategory> results = TrendingPipeline.expand(s.in(p), o).get("results");

    PAssert.that(results)
        .inEarlyPane(W1)
        .containsInAnyOrder(ranked("sports", 1, 1, 0, 0, 1, Timing.EARLY, 0));
    PAssert.that(results)
        .inOnTimePane(W1)
        .containsInAnyOrder(ranked("music", 1, 0, 1, 0, 1, Timing.ON_TIME, 1));

    PipelineResult result = p.run();
    assertEquals(s.events().size(), counter(result, NAME, "in-results"));
    assertEquals(1, counter(result, NAME, "panes-early"));
  }
}

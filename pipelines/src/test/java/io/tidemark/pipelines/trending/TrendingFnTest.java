package io.tidemark.pipelines.trending;

import static io.tidemark.pipelines.Fixture.interaction;
import static io.tidemark.schemas.InteractionType.COMMENT;
import static io.tidemark.schemas.InteractionType.LIKE;
import static io.tidemark.schemas.InteractionType.SHARE;
import static org.junit.Assert.assertEquals;

import io.tidemark.schemas.ContentInteraction;
import java.util.List;
import org.apache.beam.sdk.testing.CoderProperties;
import org.junit.Test;

/**
 * {@link TrendingFn}: scores, ranking by trending score with ties broken by category name, the top
 * N cut, merging and the hand-written coders.
 */
public class TrendingFnTest {
  static final int TOP_N = 3;

  /**
   * art: a share and a comment by two users, (3 + 2) x 2 / 2 = 5. sports: two likes and a share by
   * three users, (1 + 1 + 3) x 3 / 3 = 5, tied with art. music: a comment and a share by one user,
   * (2 + 3) x 1 / 2 = 2.5. news: one like, 1 x 1 / 1 = 1, below the top 3.
   */
  static final List<ContentInteraction> INTERACTIONS =
      List.of(
          interaction("u1", "sports", LIKE, "10:01"),
          interaction("u2", "sports", LIKE, "10:02"),
          interaction("u3", "sports", SHARE, "10:03"),
          interaction("u1", "music", COMMENT, "10:01"),
          interaction("u1", "music", SHARE, "10:02"),
          interaction("u4", "art", SHARE, "10:03"),
          interaction("u5", "art", COMMENT, "10:04"),
          interaction("u6", "news", LIKE, "10:05"));

  private static TrendingFn.Acc add(TrendingFn fn, List<ContentInteraction> events) {
    TrendingFn.Acc acc = fn.createAccumulator();
    for (ContentInteraction e : events) {
      acc = fn.addInput(acc, e);
    }
    return acc;
  }

  @Test
  public void ranksByTrendingScoreThenCategoryNameAndKeepsTheTopN() {
    TrendingFn fn = new TrendingFn(TOP_N);
    TrendingFn.Ranking r = fn.extractOutput(add(fn, INTERACTIONS));

    assertEquals(INTERACTIONS.size(), r.interactions());
    assertEquals(List.of("art", "sports", "music"), r.top().stream().map(s -> s.category).toList());
    TrendingFn.Stats art = r.top().get(0);
    assertEquals(5.0, art.weightedScore(), 0);
    assertEquals(5.0, art.trendingScore(), 0);
    TrendingFn.Stats sports = r.top().get(1);
    assertEquals(2, sports.likes);
    assertEquals(1, sports.shares);
    assertEquals(3, sports.users.size());
    assertEquals(5.0, sports.trendingScore(), 0);
    TrendingFn.Stats music = r.top().get(2);
    assertEquals(1, music.users.size());
    assertEquals(2.5, music.trendingScore(), 0);
  }

  @Test
  public void mergedAccumulatorsRankLikeOne() {
    TrendingFn fn = new TrendingFn(TOP_N);
    int half = INTERACTIONS.size() / 2;
    TrendingFn.Acc merged =
        fn.mergeAccumulators(
            List.of(
                add(fn, INTERACTIONS.subList(0, half)),
                add(fn, INTERACTIONS.subList(half, INTERACTIONS.size()))));
    assertEquals(add(fn, INTERACTIONS), merged);
    assertEquals(fn.extractOutput(add(fn, INTERACTIONS)).top(), fn.extractOutput(merged).top());
  }

  @Test
  public void codersRoundTripAndAreDeterministic() throws Exception {
    TrendingFn fn = new TrendingFn(TOP_N);
    TrendingFn.Acc acc = add(fn, INTERACTIONS);
    CoderProperties.coderDecodeEncodeEqual(TrendingFn.AccCoder.INSTANCE, acc);
    CoderProperties.coderDecodeEncodeEqual(TrendingFn.AccCoder.INSTANCE, fn.createAccumulator());
    CoderProperties.coderDeterministic(TrendingFn.AccCoder.INSTANCE, acc, add(fn, INTERACTIONS));
    CoderProperties.coderDecodeEncodeEqual(TrendingFn.RankingCoder.INSTANCE, fn.extractOutput(acc));
  }

  @Test(expected = IllegalArgumentException.class)
  public void topNMustBePositive() {
    new TrendingFn(0);
  }
}

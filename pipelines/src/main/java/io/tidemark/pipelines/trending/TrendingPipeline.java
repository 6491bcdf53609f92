package io.tidemark.pipelines.trending;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Keys;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.Windowed;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.TrendingCategory;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunctions;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * The top {@code --topN} (5 by default) content categories of each fixed event-time window ({@code
 * --trendingWindowMinutes}, 10 by default), ranked by {@link TrendingFn}: likes x1, shares x3,
 * comments x2 give the weighted score, and {@code trendingScore = weightedScore x uniqueUsers /
 * interactions}; ties go to the category name in ascending order. One {@link TrendingCategory} per
 * ranked category, window and pane, with rank 1..N and the pane's timing and index.
 *
 * <p>Interactions are keyed by category for the late-events split, then all categories of a window
 * are combined at once ({@code Combine.globally(..).withoutDefaults()}, so a window without data
 * has no result). Windowing, trigger and lateness come from {@link WindowOptions}: the on-time pane
 * fires when the watermark passes the window end, optional early panes every {@code
 * --earlyFiringSeconds}, a late pane per late interaction within {@code --allowedLatenessMinutes};
 * later interactions go to {@code late/}. Panes are discarding by default, so a late pane ranks
 * only the late interactions of its window; with {@code --accumulating} each pane re-ranks the
 * whole window. Output is at-least-once to files (exactly-once processing within the runner).
 *
 * <p>Accounting: {@code in} = every interaction = {@code in-results} (every interaction of a pane,
 * ranked in the top N or not) + {@code late}.
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar trending --trendingWindowMinutes=10 --topN=5
 * </pre>
 */
public final class TrendingPipeline {
  public static final String NAME = "trending";

  /** Upper bound of {@code --topN}. */
  public static final int MAX_TOP_N = 1000;

  /** Options of this pipeline. */
  public interface TrendingOptions extends WindowOptions {
    @Description("Trending window size in minutes.")
    @Default.Integer(10)
    int getTrendingWindowMinutes();

    void setTrendingWindowMinutes(int value);

    @Description("How many categories each trending window ranks.")
    @Default.Integer(5)
    int getTopN();

    void setTopN(int value);
  }

  private TrendingPipeline() {}

  /** Builds the graph: the top categories per window and pane, and late interactions. */
  public static Output expand(Events events, TrendingOptions o) {
    Options.require(
        o.getTopN() > 0 && o.getTopN() <= MAX_TOP_N,
        "--topN must be in [1, %s], was %s",
        MAX_TOP_N,
        o.getTopN());
    PCollection<KV<String, ContentInteraction>> keyed =
        Keys.by("KeyByCategory", events.interactions, ContentInteraction::getCategory);
    Windowed<ContentInteraction> split =
        Windowed.split(
            NAME,
            keyed,
            Windowed.fixed(o, "trendingWindowMinutes", o.getTrendingWindowMinutes()),
            o,
            SerializableFunctions.identity());
    PCollection<TrendingCategory> results =
        split
            .windowed
            .apply("Values", Values.create())
            .setCoder(events.interactions.getCoder())
            .apply("Rank", Combine.globally(new TrendingFn(o.getTopN())).withoutDefaults())
            .apply("ToTrendingCategory", ParDo.of(new ToTrendingFn(split.results())))
            .setCoder(AvroCoder.of(TrendingCategory.class));
    return new Output().with("results", results).with("late", split.late);
  }

  static final class ToTrendingFn extends DoFn<TrendingFn.Ranking, TrendingCategory> {
    private final Windowed.Results results;

    ToTrendingFn(Windowed.Results results) {
      this.results = results;
    }

    @ProcessElement
    public void process(
        @Element TrendingFn.Ranking ranking,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<TrendingCategory> out) {
      results.events(ranking.interactions());
      int rank = 0;
      for (TrendingFn.Stats s : ranking.top()) {
        results.record(pane);
        out.output(
            TrendingCategory.newBuilder()
                .setCategory(s.category)
                .setWindowStart(window.start().getMillis())
                .setWindowEnd(window.end().getMillis())
                .setRank(++rank)
                .setInteractions(s.interactions())
                .setLikes(s.likes)
                .setShares(s.shares)
                .setComments(s.comments)
                .setUniqueUsers(s.users.size())
                .setWeightedScore(s.weightedScore())
                .setTrendingScore(s.trendingScore())
                .setTiming(pane.getTiming().name())
                .setPaneIndex(pane.getIndex())
                .build());
      }
    }
  }
}

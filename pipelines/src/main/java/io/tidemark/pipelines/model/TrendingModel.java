package io.tidemark.pipelines.model;

import io.tidemark.schemas.ContentInteraction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The trending pipeline: content interactions in fixed windows (10 minutes); per category, likes x
 * 1 + shares x 3 + comments x 2 = weightedScore, the number of interactions and of distinct users,
 * and trendingScore = weightedScore x uniqueUsers / interactions. Each pane ranks the categories of
 * its interactions and keeps the top 5, by trendingScore descending, ties by category ascending.
 * Panes are discarding, so a late pane ranks only its own (one) interaction.
 */
public final class TrendingModel {
  public static final int WINDOW_MINUTES = 10;
  public static final int TOP = 5;

  /** One category of a pane's ranking. */
  public record Category(
      int rank,
      String category,
      long interactions,
      long likes,
      long shares,
      long comments,
      long uniqueUsers,
      double weightedScore,
      double trendingScore) {}

  /** What the model computed: the ranking of every pane, keyed by window (key ""). */
  public record Output(
      Map<WindowKey, List<Pane<List<Category>>>> panes,
      List<Late<SpecificRecord>> late,
      Ledger ledger) {}

  /** The interactions of one category in one pane. */
  static final class Counts {
    long likes;
    long shares;
    long comments;
    final Set<String> users = new HashSet<>();
  }

  private TrendingModel() {}

  /** The top {@link #TOP} categories of one pane. */
  static List<Category> rank(Map<String, Counts> byCategory) {
    List<Category> all = new ArrayList<>(byCategory.size());
    for (Map.Entry<String, Counts> e : byCategory.entrySet()) {
      Counts c = e.getValue();
      long interactions = c.likes + c.shares + c.comments;
      double weighted = c.likes + 3.0 * c.shares + 2.0 * c.comments;
      all.add(
          new Category(
              0,
              e.getKey(),
              interactions,
              c.likes,
              c.shares,
              c.comments,
              c.users.size(),
              weighted,
              weighted * c.users.size() / interactions));
    }
    all.sort(
        (a, b) -> {
          int c = Double.compare(b.trendingScore(), a.trendingScore());
          return c != 0 ? c : a.category().compareTo(b.category());
        });
    List<Category> top = new ArrayList<>(TOP);
    for (int i = 0; i < Math.min(TOP, all.size()); i++) {
      Category c = all.get(i);
      top.add(
          new Category(
              i + 1,
              c.category(),
              c.interactions(),
              c.likes(),
              c.shares(),
              c.comments(),
              c.uniqueUsers(),
              c.weightedScore(),
              c.trendingScore()));
    }
    return top;
  }

  public static Output run(Arrivals arrivals, long latenessMillis) {
    return run(arrivals, new Windowing(WINDOW_MINUTES * 60_000L, latenessMillis));
  }

  public static Output run(Arrivals arrivals, Windowing windowing) {
    WindowedModel<ContentInteraction, Map<String, Counts>> model =
        new WindowedModel<>(
            windowing,
            new WindowedModel.Aggregate<>() {
              @Override
              public Map<String, Counts> create() {
                return new HashMap<>();
              }

              @Override
              public void add(Map<String, Counts> pane, ContentInteraction i) {
                Counts c = pane.computeIfAbsent(i.getCategory(), k -> new Counts());
                switch (i.getInteraction()) {
                  case LIKE:
                    c.likes++;
                    break;
                  case SHARE:
                    c.shares++;
                    break;
                  default:
                    c.comments++;
                }
                c.users.add(i.getUserId());
              }
            });
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            if (e instanceof ContentInteraction i) {
              Lateness l = model.add("", timestamp, i, watermark);
              ledger.record(
                  position, l.inWindow() ? Ledger.Destination.RESULT : Ledger.Destination.LATE);
            }
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {}
        });
    List<Late<SpecificRecord>> late = new ArrayList<>();
    for (Late<ContentInteraction> l : model.late()) {
      late.add(
          new Late<>(
              l.event().getCategory(),
              l.eventTime(),
              l.windowStart(),
              l.windowEnd(),
              l.watermark(),
              l.event()));
    }
    return new Output(model.panes(TrendingModel::rank), late, ledger);
  }
}

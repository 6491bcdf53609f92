package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The engagement pipeline: per user and fixed window (5 minutes by default), score = views x 1 +
 * clicks x 3 + purchases x 10, with total events, the breakdown and the number of distinct items
 * (content of views, products of clicks and purchases). Other event types are not its input.
 */
public final class EngagementModel {
  public static final int WINDOW_MINUTES = 5;

  /** The engagement of one pane, or of a window (the sum of its panes). */
  public record Score(
      long score, long totalEvents, long views, long clicks, long purchases, long distinctContent) {
    public Score plus(Score o) {
      return new Score(
          score + o.score,
          totalEvents + o.totalEvents,
          views + o.views,
          clicks + o.clicks,
          purchases + o.purchases,
          distinctContent + o.distinctContent);
    }
  }

  /** The events of one pane. */
  static final class Counts {
    long views;
    long clicks;
    long purchases;
    final Set<String> items = new HashSet<>();

    Score score() {
      return new Score(
          views + clicks * 3 + purchases * 10,
          views + clicks + purchases,
          views,
          clicks,
          purchases,
          items.size());
    }
  }

  /** What the model computed. */
  public record Output(
      Map<WindowKey, List<Pane<Score>>> panes,
      Map<WindowKey, Score> results,
      List<Late<SpecificRecord>> late,
      Ledger ledger) {}

  private EngagementModel() {}

  /** Runs the model over {@code arrivals} with 5-minute windows. */
  public static Output run(Arrivals arrivals, long latenessMillis) {
    return run(arrivals, new Windowing(WINDOW_MINUTES * 60_000L, latenessMillis));
  }

  public static Output run(Arrivals arrivals, Windowing windowing) {
    WindowedModel<SpecificRecord, Counts> model =
        new WindowedModel<>(
            windowing,
            new WindowedModel.Aggregate<>() {
              @Override
              public Counts create() {
                return new Counts();
              }

              @Override
              public void add(Counts c, SpecificRecord e) {
                if (e instanceof PageView v) {
                  c.views++;
                  c.items.add(v.getContentId());
                } else if (e instanceof Click k) {
                  c.clicks++;
                  c.items.add(k.getProductId());
                } else {
                  Purchase p = (Purchase) e;
                  c.purchases++;
                  c.items.add(p.getProductId());
                }
              }
            });
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            String user;
            if (e instanceof PageView v) {
              user = v.getUserId();
            } else if (e instanceof Click c) {
              user = c.getUserId();
            } else if (e instanceof Purchase p) {
              user = p.getUserId();
            } else {
              return;
            }
            Lateness l = model.add(user, timestamp, e, watermark);
            ledger.record(
                position, l.inWindow() ? Ledger.Destination.RESULT : Ledger.Destination.LATE);
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {}
        });
    return new Output(
        model.panes(Counts::score),
        model.results(Counts::score, Score::plus),
        model.late(),
        ledger);
  }
}

package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.INTERACTION;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.trending.TrendingPipeline;
import io.tidemark.pipelines.trending.TrendingPipeline.TrendingOptions;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.TrendingCategory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PBegin;
import org.junit.Test;

/**
 * The trending pipeline against {@link TrendingModel}: the ranking of every pane (rank, category,
 * counts and scores), each window's categories summed over its panes, the late stream, dead
 * letters, counters and conservation.
 */
public class DifferentialTrendingTest {
  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {TrendingModel.WINDOW_MINUTES},
          new long[] {0, 3, 10, 10, 15},
          new int[] {5, 5, 5, 5, 75, 5},
          new EventMaker.Type[] {INTERACTION},
          new EventMaker.Type[][] {{INTERACTION, INTERACTION}},
          0.05,
          0.05,
          0.3,
          Plan.Shape.typical(TrendingModel.WINDOW_MINUTES * Plan.MINUTE));

  @Test
  public void trendingMatchesTheModel() {
    Differential.run(DifferentialTrendingTest.class, 3, Case::new);
  }

  static String row(
      WindowKey w,
      String timing,
      long index,
      int rank,
      String category,
      long interactions,
      long likes,
      long shares,
      long comments,
      long users,
      double weighted,
      double trending) {
    return String.format(
        "%s %s #%d rank %d %s interactions=%d likes=%d shares=%d comments=%d users=%d"
            + " weighted=%.6f trending=%.6f",
        Lines.window(w),
        timing,
        index,
        rank,
        category,
        interactions,
        likes,
        shares,
        comments,
        users,
        weighted,
        trending);
  }

  static String total(String window, String category, long[] t) {
    return window
        + " "
        + category
        + " interactions="
        + t[0]
        + " likes="
        + t[1]
        + " shares="
        + t[2]
        + " comments="
        + t[3];
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      TrendingOptions o = PipelineOptionsFactory.as(TrendingOptions.class);
      o.setAllowedLatenessMinutes((int) scenario.latenessMinutes);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = TrendingPipeline.expand(events, o);
      Collect.records(id + "/results", out.<TrendingCategory>get("results"));
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      long lateness = scenario.latenessMinutes * Plan.MINUTE;
      TrendingModel.Output model = TrendingModel.run(scenario.arrivals(), lateness);
      Checks c = new Checks(scenario, exact);
      List<TrendingCategory> rows = Collect.takeRecords(id + "/results");
      // Each window ranks every category: a late event of any category makes it unstable.
      Predicate<String> stable = Checks.stableWindows(model.panes(), model.late(), true);

      List<String> modelRows = new ArrayList<>();
      Map<String, long[]> modelTotals = new TreeMap<>();
      model
          .panes()
          .forEach(
              (w, panes) -> {
                for (Pane<List<TrendingModel.Category>> p : panes) {
                  for (TrendingModel.Category k : p.value()) {
                    modelRows.add(
                        row(
                            w,
                            p.timing(),
                            p.index(),
                            k.rank(),
                            k.category(),
                            k.interactions(),
                            k.likes(),
                            k.shares(),
                            k.comments(),
                            k.uniqueUsers(),
                            k.weightedScore(),
                            k.trendingScore()));
                    add(
                        modelTotals,
                        Lines.window(w.start(), w.end()) + " " + k.category(),
                        k.interactions(),
                        k.likes(),
                        k.shares(),
                        k.comments());
                  }
                }
              });
      List<String> beamRows = new ArrayList<>();
      Map<String, long[]> beamTotals = new TreeMap<>();
      for (TrendingCategory t : rows) {
        WindowKey w = new WindowKey("", t.getWindowStart(), t.getWindowEnd());
        beamRows.add(
            row(
                w,
                t.getTiming(),
                t.getPaneIndex(),
                t.getRank(),
                t.getCategory(),
                t.getInteractions(),
                t.getLikes(),
                t.getShares(),
                t.getComments(),
                t.getUniqueUsers(),
                t.getWeightedScore(),
                t.getTrendingScore()));
        add(
            beamTotals,
            Lines.window(w.start(), w.end()) + " " + t.getCategory(),
            t.getInteractions(),
            t.getLikes(),
            t.getShares(),
            t.getComments());
      }
      List<String> modelFinal = new ArrayList<>();
      modelTotals.forEach((k, t) -> modelFinal.add(k + " " + total("", "", t).trim()));
      List<String> beamFinal = new ArrayList<>();
      beamTotals.forEach((k, t) -> beamFinal.add(k + " " + total("", "", t).trim()));
      c.sameWhere("ranked categories summed over panes", modelFinal, beamFinal, stable);
      c.sameWhere("ranked rows per pane", modelRows, beamRows, stable);

      List<Long> late =
          c.late(model.late(), Collect.<LateEvent>takeRecords(id + "/late"), lateness);
      List<Long> corrupt = c.corrupt(model.ledger(), Collect.<DeadLetter>takeRecords(id + "/dead"));
      List<Long> inputs = scenario.inputs(e -> e instanceof ContentInteraction);
      c.modelConserves(inputs, model.ledger());
      long inResults = Checks.counter(result, "Seed" + seed, TrendingPipeline.NAME + "/in-results");
      c.add(
          Conservation.of("trending", inputs)
              .placed("late", late)
              .placed("dead letters", corrupt)
              .counted("results (counter in-results)", inResults)
              .check());
      c.counters(
          result,
          seed,
          TrendingPipeline.NAME,
          Map.of(
              "in",
              (long) model.ledger().count(Ledger.Destination.RESULT) + model.late().size(),
              "late",
              (long) model.late().size()));
      return c.result();
    }

    private static void add(Map<String, long[]> totals, String key, long... values) {
      long[] t = totals.computeIfAbsent(key, k -> new long[values.length]);
      for (int i = 0; i < values.length; i++) {
        t[i] += values[i];
      }
    }
  }
}

package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.CLICK;
import static io.tidemark.pipelines.model.EventMaker.Type.PURCHASE;
import static io.tidemark.pipelines.model.EventMaker.Type.VIEW;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PBegin;
import org.junit.Test;

/**
 * The engagement pipeline against {@link EngagementModel} on randomized streams: every window's
 * final result (the sum of its panes) and each of its panes, the late stream, the dead letters, and
 * conservation of every input.
 */
public class DifferentialEngagementTest {
  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {EngagementModel.WINDOW_MINUTES},
          new long[] {0, 3, 10, 10, 15},
          new int[] {40, 30, 15, 5, 5, 5},
          new EventMaker.Type[] {VIEW, CLICK, PURCHASE},
          new EventMaker.Type[][] {{VIEW, CLICK}, {CLICK, PURCHASE}, {VIEW, VIEW}},
          0.05,
          0.05,
          0.3,
          Plan.Shape.typical(EngagementModel.WINDOW_MINUTES * Plan.MINUTE));

  @Test
  public void engagementMatchesTheModel() {
    Differential.run(DifferentialEngagementTest.class, 4, Case::new);
  }

  static boolean reads(SpecificRecord e) {
    return e instanceof PageView || e instanceof Click || e instanceof Purchase;
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      this.scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      EngagementOptions o = PipelineOptionsFactory.as(EngagementOptions.class);
      o.setAllowedLatenessMinutes((int) scenario.latenessMinutes);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = EngagementPipeline.expand(events, o);
      Collect.records(id + "/results", out.<Engagement>get("results"));
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      List<Engagement> panes = Collect.takeRecords(id + "/results");
      List<LateEvent> late = Collect.takeRecords(id + "/late");
      List<DeadLetter> dead = Collect.takeRecords(id + "/dead");
      EngagementModel.Output model =
          EngagementModel.run(scenario.arrivals(), scenario.latenessMinutes * Plan.MINUTE);
      Checks c = new Checks(scenario, exact);
      Predicate<String> stable = Checks.stableWindows(model.panes(), model.late(), false);

      // Final result of each window: the sum of its panes.
      List<String> modelFinal = new ArrayList<>();
      model.results().forEach((w, s) -> modelFinal.add(Lines.window(w) + " " + score(s)));
      Map<WindowKey, EngagementModel.Score> beamSums = new TreeMap<>();
      for (Engagement e : panes) {
        beamSums.merge(
            new WindowKey(e.getUserId(), e.getWindowStart(), e.getWindowEnd()),
            score(e),
            EngagementModel.Score::plus);
      }
      List<String> beamFinal = new ArrayList<>();
      beamSums.forEach((w, s) -> beamFinal.add(Lines.window(w) + " " + score(s)));
      c.sameWhere("final results per window", modelFinal, beamFinal, stable);

      // Each pane: its timing, index and value.
      List<String> modelPanes = new ArrayList<>();
      model
          .panes()
          .forEach(
              (w, list) ->
                  list.forEach(
                      p ->
                          modelPanes.add(
                              Lines.window(w)
                                  + " "
                                  + p.timing()
                                  + " #"
                                  + p.index()
                                  + " "
                                  + score(p.value()))));
      List<String> beamPanes = new ArrayList<>();
      for (Engagement e : panes) {
        beamPanes.add(
            Lines.window(new WindowKey(e.getUserId(), e.getWindowStart(), e.getWindowEnd()))
                + " "
                + e.getTiming()
                + " #"
                + e.getPaneIndex()
                + " "
                + score(score(e)));
      }
      c.sameWhere("panes", modelPanes, beamPanes, stable);

      // The late stream, dead letters, conservation (model and Beam) and the pipeline's counters.
      long lateness = scenario.latenessMinutes * Plan.MINUTE;
      List<Long> latePositions = c.late(model.late(), late, lateness);
      List<Long> deadPositions = c.corrupt(model.ledger(), dead);
      List<Long> inputs = scenario.inputs(DifferentialEngagementTest::reads);
      c.modelConserves(inputs, model.ledger());
      long inResults = panes.stream().mapToLong(Engagement::getTotalEvents).sum();
      c.add(
          Conservation.of("engagement", inputs)
              .placed("late", latePositions)
              .placed("dead letters", deadPositions)
              .counted("results", inResults)
              .check());
      long results = model.ledger().count(Ledger.Destination.RESULT);
      c.counters(
          result,
          seed,
          EngagementPipeline.NAME,
          Map.of(
              "in",
              results + model.late().size(),
              "in-results",
              results,
              "late",
              (long) model.late().size()));
      return c.result();
    }
  }

  static EngagementModel.Score score(Engagement e) {
    return new EngagementModel.Score(
        e.getScore(),
        e.getTotalEvents(),
        e.getViews(),
        e.getClicks(),
        e.getPurchases(),
        e.getDistinctContent());
  }

  static String score(EngagementModel.Score s) {
    return "score="
        + s.score()
        + " events="
        + s.totalEvents()
        + " views="
        + s.views()
        + " clicks="
        + s.clicks()
        + " purchases="
        + s.purchases()
        + " distinct="
        + s.distinctContent();
  }

  static void add(List<String> problems, String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }
}

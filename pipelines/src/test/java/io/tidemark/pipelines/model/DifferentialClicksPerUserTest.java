package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.CLICK;
import static io.tidemark.pipelines.model.EventMaker.Type.VIEW;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline.ClicksPerUserOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.UserClicks;
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
 * The clicks-per-user pipeline against {@link ClicksPerUserModel}: every window's final count and
 * every pane, the late stream, dead letters, counters and conservation.
 */
public class DifferentialClicksPerUserTest {
  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {ClicksPerUserModel.WINDOW_MINUTES},
          new long[] {0, 3, 10, 10, 15},
          new int[] {15, 70, 5, 4, 3, 3},
          new EventMaker.Type[] {CLICK},
          new EventMaker.Type[][] {{CLICK, CLICK}, {VIEW, CLICK}},
          0.05,
          0.05,
          0.3,
          Plan.Shape.typical(ClicksPerUserModel.WINDOW_MINUTES * Plan.MINUTE));

  @Test
  public void clicksPerUserMatchesTheModel() {
    Differential.run(DifferentialClicksPerUserTest.class, 3, Case::new);
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      ClicksPerUserOptions o = PipelineOptionsFactory.as(ClicksPerUserOptions.class);
      o.setAllowedLatenessMinutes((int) scenario.latenessMinutes);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = ClicksPerUserPipeline.expand(events, o);
      Collect.records(id + "/results", out.<UserClicks>get("results"));
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      long lateness = scenario.latenessMinutes * Plan.MINUTE;
      ClicksPerUserModel.Output model = ClicksPerUserModel.run(scenario.arrivals(), lateness);
      Checks c = new Checks(scenario, exact);
      List<UserClicks> panes = Collect.takeRecords(id + "/results");
      Predicate<String> stable = Checks.stableWindows(model.panes(), model.late(), false);

      List<String> modelFinal = new ArrayList<>();
      model.results().forEach((w, n) -> modelFinal.add(Lines.window(w) + " clicks=" + n));
      Map<WindowKey, Long> sums = new TreeMap<>();
      for (UserClicks u : panes) {
        sums.merge(
            new WindowKey(u.getUserId(), u.getWindowStart(), u.getWindowEnd()),
            u.getClicks(),
            Long::sum);
      }
      List<String> beamFinal = new ArrayList<>();
      sums.forEach((w, n) -> beamFinal.add(Lines.window(w) + " clicks=" + n));
      c.sameWhere("final counts per window", modelFinal, beamFinal, stable);

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
                                  + " clicks="
                                  + p.value())));
      List<String> beamPanes = new ArrayList<>();
      for (UserClicks u : panes) {
        beamPanes.add(
            Lines.window(new WindowKey(u.getUserId(), u.getWindowStart(), u.getWindowEnd()))
                + " "
                + u.getTiming()
                + " #"
                + u.getPaneIndex()
                + " clicks="
                + u.getClicks());
      }
      c.sameWhere("panes", modelPanes, beamPanes, stable);

      List<Long> late =
          c.late(model.late(), Collect.<LateEvent>takeRecords(id + "/late"), lateness);
      List<Long> corrupt = c.corrupt(model.ledger(), Collect.<DeadLetter>takeRecords(id + "/dead"));
      List<Long> inputs = scenario.inputs(e -> e instanceof Click);
      c.modelConserves(inputs, model.ledger());
      long inResults = panes.stream().mapToLong(UserClicks::getClicks).sum();
      c.add(
          Conservation.of("clicks-per-user", inputs)
              .placed("late", late)
              .placed("dead letters", corrupt)
              .counted("results", inResults)
              .check());
      c.counters(
          result,
          seed,
          ClicksPerUserPipeline.NAME,
          Map.of(
              "in", (long) model.ledger().count(Ledger.Destination.RESULT) + model.late().size(),
              "in-results", (long) model.ledger().count(Ledger.Destination.RESULT),
              "late", (long) model.late().size()));
      return c.result();
    }
  }
}

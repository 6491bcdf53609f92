package io.tidemark.pipelines.model;

import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.LateRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Test;

/**
 * {@link LateEvents} over {@link EventWindows#fixed} (discarding, one late pane per late element)
 * against {@link WindowedModel}, with a random window size and allowed lateness per seed: the exact
 * contents of every pane (so also every window's final result) and the late stream.
 */
public class DifferentialLateEventsTest {
  private static final long[] SIZES = {1, 2, 5, 10};
  private static final long[] LATENESS = {0, 2, 5, 10};

  @Test
  public void lateEventsAndEventWindowsMatchTheModel() {
    Differential.run(DifferentialLateEventsTest.class, 3, Case::new);
  }

  static final class Case implements Differential.Case {
    private final Windowing windowing;
    private final KvScenario scenario;

    Case(long seed) {
      SplittableRandom rnd = Seeds.random(seed, 2);
      windowing =
          Windowing.minutes(
              SIZES[rnd.nextInt(SIZES.length)], LATENESS[rnd.nextInt(LATENESS.length)]);
      Plan plan =
          Plan.random(
              seed,
              Plan.Margins.windowed(windowing),
              Plan.Shape.typical(windowing.sizeMillis()),
              rnd);
      scenario = KvScenario.of(plan, rnd, false, null);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      LateEvents.Result<KV<String, String>> split =
          begin
              .apply("Stream", scenario.testStream())
              .apply(
                  LateEvents.of(
                      EventWindows.<KV<String, String>>fixed(
                              Duration.millis(windowing.sizeMillis()))
                          .withAllowedLateness(Duration.millis(windowing.latenessMillis()))));
      PCollection<KV<String, Iterable<String>>> panes = split.windowed().apply(GroupByKey.create());
      Collect.to(
          id + "/panes",
          panes,
          (kv, w, pane, ts) -> {
            IntervalWindow iw = (IntervalWindow) w;
            List<String> values = new ArrayList<>();
            kv.getValue().forEach(values::add);
            return pane(
                new WindowKey(kv.getKey(), iw.start().getMillis(), iw.end().getMillis()),
                pane.getTiming().name(),
                pane.getIndex(),
                values);
          });
      Collect.to(id + "/late", split.late(), (r, w, pane, ts) -> late(r));
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      WindowedModel<String, List<String>> model =
          new WindowedModel<>(
              windowing,
              new WindowedModel.Aggregate<>() {
                @Override
                public List<String> create() {
                  return new ArrayList<>();
                }

                @Override
                public void add(List<String> pane, String value) {
                  pane.add(value);
                }
              });
      List<Long> lateWatermarks = new ArrayList<>();
      scenario.replay(
          new KvScenario.Listener() {
            @Override
            public void element(KvScenario.Item i, long wm) {
              model.add(i.key(), i.timestamp(), i.value(), wm);
            }

            @Override
            public void watermark(long wm) {}
          });
      List<String> modelPanes = new ArrayList<>();
      model
          .panes()
          .forEach(
              (w, list) ->
                  list.forEach(p -> modelPanes.add(pane(w, p.timing(), p.index(), p.value()))));
      List<String> modelLate = new ArrayList<>();
      for (Late<String> l : model.late()) {
        modelLate.add(
            l.key()
                + " "
                + l.event()
                + " at "
                + Lines.time(l.eventTime())
                + " in "
                + Lines.window(l.windowStart(), l.windowEnd()));
        lateWatermarks.add(l.watermark());
      }
      List<String> beamPanes = Collect.take(id + "/panes");
      List<String> beamLateFull = Collect.take(id + "/late");
      List<String> problems = new ArrayList<>();
      DifferentialEngagementTest.add(problems, Diff.of("panes", modelPanes, beamPanes));

      // Late records: compare without the watermark, then check the watermark they name.
      List<String> beamLate = new ArrayList<>();
      List<Long> latePositions = new ArrayList<>();
      for (String line : beamLateFull) {
        int cut = line.lastIndexOf(" known ");
        beamLate.add(line.substring(0, cut));
        String value = line.split(" ")[1];
        latePositions.add(scenario.position(value));
        long known = Long.parseLong(line.substring(cut + 7));
        long actual = arrivalWatermark(value);
        long closing = windowing.closing(scenario.byValue.get(value).timestamp());
        if (known > actual || known <= closing) {
          problems.add(
              "late "
                  + value
                  + " names watermark "
                  + Lines.time(known)
                  + ", not in (closing "
                  + Lines.time(closing)
                  + ", arrival watermark "
                  + Lines.time(actual)
                  + "]");
        }
      }
      DifferentialEngagementTest.add(problems, Diff.of("late events", modelLate, beamLate));

      // Conservation: every element in exactly one pane or in the late stream.
      List<Long> inPanes = new ArrayList<>();
      for (String line : beamPanes) {
        String values = line.substring(line.indexOf(" : ") + 3);
        for (String v : values.split(",")) {
          inPanes.add(scenario.position(v));
        }
      }
      DifferentialEngagementTest.add(
          problems,
          Conservation.of("LateEvents", scenario.positions())
              .placed("panes", inPanes)
              .placed("late", latePositions)
              .check());
      if (!problems.isEmpty()) {
        problems.add(0, scenario + " " + windowing);
      }
      return problems;
    }

    private long arrivalWatermark(String value) {
      long[] found = {Long.MIN_VALUE};
      scenario.replay(
          new KvScenario.Listener() {
            @Override
            public void element(KvScenario.Item i, long wm) {
              if (i.value().equals(value)) {
                found[0] = wm;
              }
            }

            @Override
            public void watermark(long wm) {}
          });
      return found[0];
    }
  }

  static String pane(WindowKey w, String timing, long index, List<String> values) {
    List<String> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return Lines.window(w) + " " + timing + " #" + index + " : " + String.join(",", sorted);
  }

  static String late(LateRecord<KV<String, String>> r) {
    return r.event().getKey()
        + " "
        + r.event().getValue()
        + " at "
        + Lines.time(r.eventTime().getMillis())
        + " in "
        + Lines.window(r.window().start().getMillis(), r.window().end().getMillis())
        + " known "
        + r.watermark().getMillis();
  }
}

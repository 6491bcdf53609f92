package io.tidemark.pipelines.model;

import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.Joined;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.WindowedJoin;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Test;

/**
 * {@link WindowedJoin} (inner, left outer and full outer) behind {@link LateEvents} against {@link
 * WindowedJoinModel}: every row of every pane, pairs straddling a window boundary (never joined),
 * late rows that meet only their own pane, and the late stream.
 */
public class DifferentialWindowedJoinTest {
  private static final long[] SIZES = {2, 5, 10};
  private static final long[] LATENESS = {0, 3, 10};

  @Test
  public void windowedJoinsMatchTheModel() {
    Differential.run(DifferentialWindowedJoinTest.class, 3, Case::new);
  }

  static final class Case implements Differential.Case {
    private final Windowing windowing;
    private final KvScenario scenario;

    Case(long seed) {
      SplittableRandom rnd = Seeds.random(seed, 4);
      windowing =
          Windowing.minutes(
              SIZES[rnd.nextInt(SIZES.length)], LATENESS[rnd.nextInt(LATENESS.length)]);
      Plan plan =
          Plan.random(
              seed,
              Plan.Margins.windowed(windowing),
              Plan.Shape.typical(windowing.sizeMillis()),
              rnd);
      scenario = KvScenario.of(plan, rnd, true, null);
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
      PCollection<KV<String, String>> lefts =
          split.windowed().apply("Lefts", Filter.by(kv -> kv.getValue().startsWith("L")));
      PCollection<KV<String, String>> rights =
          split.windowed().apply("Rights", Filter.by(kv -> kv.getValue().startsWith("R")));
      for (WindowedJoinModel.Kind kind : WindowedJoinModel.Kind.values()) {
        WindowedJoin<String, String, String> join =
            kind == WindowedJoinModel.Kind.INNER
                ? WindowedJoin.inner(rights)
                : kind == WindowedJoinModel.Kind.LEFT_OUTER
                    ? WindowedJoin.leftOuter(rights)
                    : WindowedJoin.fullOuter(rights);
        Collect.to(id + "/" + kind, lefts.apply(kind.name(), join), Case::row);
      }
      Collect.to(
          id + "/late",
          split.late(),
          (r, w, pane, ts) ->
              r.event().getKey()
                  + " "
                  + r.event().getValue()
                  + " in "
                  + Lines.window(r.window().start().getMillis(), r.window().end().getMillis()));
    }

    static String row(
        Joined<String, String, String> j, BoundedWindow w, PaneInfo pane, org.joda.time.Instant t) {
      IntervalWindow iw = (IntervalWindow) w;
      return row(
          new WindowKey(j.key(), iw.start().getMillis(), iw.end().getMillis()),
          pane.getTiming().name(),
          pane.getIndex(),
          j.left(),
          j.right());
    }

    static String row(WindowKey w, String timing, long index, String left, String right) {
      return Lines.window(w)
          + " "
          + timing
          + " #"
          + index
          + " "
          + (left == null ? "-" : left)
          + " | "
          + (right == null ? "-" : right);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      WindowedJoinModel<String, String> model = new WindowedJoinModel<>(windowing);
      scenario.replay(
          new KvScenario.Listener() {
            @Override
            public void element(KvScenario.Item i, long wm) {
              if (i.left()) {
                model.left(i.key(), i.timestamp(), i.value(), wm);
              } else {
                model.right(i.key(), i.timestamp(), i.value(), wm);
              }
            }

            @Override
            public void watermark(long wm) {}
          });
      List<String> problems = new ArrayList<>();
      List<Long> inFullOuter = new ArrayList<>();
      for (WindowedJoinModel.Kind kind : WindowedJoinModel.Kind.values()) {
        List<String> expected = new ArrayList<>();
        for (WindowedJoinModel.Row<String, String> r : model.rows(kind)) {
          expected.add(row(r.window(), r.timing(), r.paneIndex(), r.left(), r.right()));
        }
        List<String> beam = Collect.take(id + "/" + kind);
        DifferentialEngagementTest.add(problems, Diff.of(kind + " rows", expected, beam));
        if (kind == WindowedJoinModel.Kind.FULL_OUTER) {
          TreeSet<Long> seen = new TreeSet<>();
          for (String line : beam) {
            String[] sides = line.substring(line.lastIndexOf('#')).split(" ");
            for (String v : new String[] {sides[1], sides[3]}) {
              if (!v.equals("-")) {
                seen.add(scenario.position(v));
              }
            }
          }
          inFullOuter.addAll(seen);
        }
      }
      List<String> modelLate = new ArrayList<>();
      for (Late<WindowedJoinModel.Side> l : model.late()) {
        modelLate.add(
            l.key()
                + " "
                + l.event().value()
                + " in "
                + Lines.window(l.windowStart(), l.windowEnd()));
      }
      List<String> beamLate = Collect.take(id + "/late");
      DifferentialEngagementTest.add(problems, Diff.of("late rows", modelLate, beamLate));
      List<Long> late = new ArrayList<>();
      for (String line : beamLate) {
        late.add(scenario.position(line.split(" ")[1]));
      }
      // Conservation: every row is in the full outer join's output or in the late stream.
      DifferentialEngagementTest.add(
          problems,
          Conservation.of("WindowedJoin (full outer)", scenario.positions())
              .placed("rows", inFullOuter)
              .placed("late", late)
              .check());
      if (!problems.isEmpty()) {
        problems.add(0, scenario + " " + windowing);
      }
      return problems;
    }
  }
}

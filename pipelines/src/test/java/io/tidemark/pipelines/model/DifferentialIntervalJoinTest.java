package io.tidemark.pipelines.model;

import io.tidemark.transforms.IntervalJoin;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Test;

/**
 * {@link IntervalJoin} against {@link IntervalJoinModel}, with a random interval and allowed
 * lateness per seed: every match (left event, matched right events, emission time) and every
 * unmatched right event, including events that arrive after their bound and pairs exactly on the
 * edges of the interval. The join decides with event-time timers, not ticks, so late elements need
 * no margin.
 */
public class DifferentialIntervalJoinTest {
  private static final long[] LOWER = {0, -1, -5, -30};
  private static final long[] UPPER = {0, 2, 5, 60};
  private static final long[] LATENESS = {0, 2, 10};

  @Test
  public void intervalJoinMatchesTheModel() {
    Differential.run(DifferentialIntervalJoinTest.class, 3, Case::new);
  }

  static final class Case implements Differential.Case {
    private final long lower;
    private final long upper;
    private final long lateness;
    private final KvScenario scenario;

    Case(long seed) {
      SplittableRandom rnd = Seeds.random(seed, 3);
      lower = LOWER[rnd.nextInt(LOWER.length)] * Plan.MINUTE;
      upper = UPPER[rnd.nextInt(UPPER.length)] * Plan.MINUTE;
      lateness = LATENESS[rnd.nextInt(LATENESS.length)] * Plan.MINUTE;
      Plan plan = Plan.random(seed, Plan.Margins.none(), Plan.Shape.typical(5 * Plan.MINUTE), rnd);
      scenario = KvScenario.of(plan, rnd, true, new long[] {lower, upper, 0});
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      PCollection<KV<String, String>> both = begin.apply("Stream", scenario.testStream());
      PCollection<KV<String, String>> lefts =
          both.apply("Lefts", Filter.by(kv -> kv.getValue().startsWith("L")));
      PCollection<KV<String, String>> rights =
          both.apply("Rights", Filter.by(kv -> kv.getValue().startsWith("R")));
      IntervalJoin.Result<String, String, String> joined =
          lefts.apply(
              IntervalJoin.<String, String, String>with(rights)
                  .within(Duration.millis(lower), Duration.millis(upper))
                  .withAllowedLateness(Duration.millis(lateness)));
      Collect.to(
          id + "/matches",
          joined.matches(),
          (m, w, pane, ts) -> match(m.key(), m.left(), m.rights(), ts.getMillis()));
      Collect.to(
          id + "/rightOrder", joined.matches(), (m, w, pane, ts) -> String.join(",", m.rights()));
      Collect.to(
          id + "/unmatched",
          joined.unmatchedRight(),
          (kv, w, pane, ts) ->
              kv.getKey() + " " + kv.getValue() + " @" + Lines.time(ts.getMillis()));
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      IntervalJoinModel<String, String> model = new IntervalJoinModel<>(lower, upper, lateness);
      scenario.replay(
          new KvScenario.Listener() {
            @Override
            public void element(KvScenario.Item i, long wm) {
              if (i.left()) {
                model.left(i.key(), i.timestamp(), i.value());
              } else {
                model.right(i.key(), i.timestamp(), i.value());
              }
            }

            @Override
            public void watermark(long wm) {
              model.advanceTo(wm);
            }
          });
      List<String> modelMatches = new ArrayList<>();
      for (IntervalJoinModel.Match<String, String> m : model.matches()) {
        List<String> rights = new ArrayList<>();
        m.rights().forEach(r -> rights.add(r.value()));
        modelMatches.add(match(m.key(), m.left(), rights, m.emittedAt()));
      }
      List<String> modelUnmatched = new ArrayList<>();
      for (IntervalJoinModel.Unmatched<String> u : model.unmatchedRight()) {
        modelUnmatched.add(u.key() + " " + u.right() + " @" + Lines.time(u.emittedAt()));
      }
      List<String> beamMatches = Collect.take(id + "/matches");
      List<String> beamUnmatched = Collect.take(id + "/unmatched");
      List<String> problems = new ArrayList<>();
      DifferentialEngagementTest.add(problems, Diff.of("matches", modelMatches, beamMatches));
      DifferentialEngagementTest.add(
          problems, Diff.of("unmatched rights", modelUnmatched, beamUnmatched));

      // Rights of a match come in timestamp order.
      for (String rights : Collect.take(id + "/rightOrder")) {
        long last = Long.MIN_VALUE;
        for (String r : rights.isEmpty() ? new String[0] : rights.split(",")) {
          long t = scenario.byValue.get(r).timestamp();
          if (t < last) {
            problems.add("rights not in timestamp order: " + rights);
            break;
          }
          last = t;
        }
      }

      // Conservation: every left in one match, every right matched or unmatched, exactly once.
      List<Long> lefts = new ArrayList<>();
      List<Long> matchedRights = new ArrayList<>();
      for (String line : beamMatches) {
        String[] parts = line.split(" ");
        lefts.add(scenario.position(parts[1]));
        String rights = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        for (String r : rights.isEmpty() ? new String[0] : rights.split(",")) {
          matchedRights.add(scenario.position(r));
        }
      }
      List<Long> unmatched = new ArrayList<>();
      for (String line : beamUnmatched) {
        unmatched.add(scenario.position(line.split(" ")[1]));
      }
      DifferentialEngagementTest.add(
          problems,
          Conservation.of("IntervalJoin", scenario.positions())
              .placed("matches (left)", lefts)
              .placed("matches (right)", new ArrayList<>(new java.util.TreeSet<>(matchedRights)))
              .placed("unmatched rights", unmatched)
              .check());
      if (!problems.isEmpty()) {
        problems.add(
            0,
            scenario
                + " interval ["
                + lower / Plan.MINUTE
                + ", "
                + upper / Plan.MINUTE
                + "] min, lateness "
                + lateness / Plan.MINUTE
                + " min");
      }
      return problems;
    }
  }

  static String match(String key, String left, List<String> rights, long emittedAt) {
    List<String> sorted = new ArrayList<>(rights);
    sorted.sort(null);
    return key + " " + left + " [" + String.join(",", sorted) + "] @" + Lines.time(emittedAt);
  }
}

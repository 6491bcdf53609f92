package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.CLICK;
import static io.tidemark.pipelines.model.EventMaker.Type.PROFILE;
import static io.tidemark.pipelines.model.EventMaker.Type.PURCHASE;
import static io.tidemark.pipelines.model.EventMaker.Type.TRANSACTION;
import static io.tidemark.pipelines.model.EventMaker.Type.VIEW;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.fraud.FraudPipeline;
import io.tidemark.pipelines.fraud.FraudPipeline.FraudOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.FraudAlert;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PBegin;
import org.junit.Test;

/**
 * The fraud pipeline against {@link FraudModel}: one alert per transaction over 1000 with its
 * activity, profile as of the transaction, score, factors and emission time, including
 * transactions, activity and profiles that arrive late or after the join's bound, and activity
 * across window boundaries; an empty late stream; dead letters, counters and conservation. Every
 * alert must equal the model's: the streams' lateness stays far inside the pipeline's profile
 * retention, within which every transaction, however late, is scored with its as-of profile.
 */
public class DifferentialFraudTest {
  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {},
          new long[] {0, 3, 10},
          new int[] {25, 20, 12, 28, 3, 12},
          new EventMaker.Type[] {TRANSACTION, VIEW, CLICK},
          new EventMaker.Type[][] {
            {VIEW, TRANSACTION},
            {TRANSACTION, PURCHASE},
            {PROFILE, TRANSACTION},
            {CLICK, TRANSACTION}
          },
          0.05,
          0.02,
          0.6,
          Plan.Shape.typical(5 * Plan.MINUTE),
          new EventScenario.Echo(
              TRANSACTION, VIEW, new long[] {5 * Plan.MINUTE, 5 * Plan.MINUTE + 1, 0}, 0.3, false),
          new EventScenario.Echo(
              PURCHASE, TRANSACTION, new long[] {5 * Plan.MINUTE, 5 * Plan.MINUTE + 1}, 0.3, false),
          new EventScenario.Echo(
              PROFILE, TRANSACTION, new long[] {0, 1, 3 * Plan.MINUTE}, 0.5, false),
          new EventScenario.Echo(TRANSACTION, PROFILE, new long[] {0, 1}, 0.2, false));

  private static final Map<String, String> FACTORS =
      Map.of(
          "amount", "high-value",
          "hour", "unusual-hour",
          "activity", "rapid-activity",
          "location", "location-mismatch");

  @Test
  public void fraudMatchesTheModel() {
    Differential.run(DifferentialFraudTest.class, 3, Case::new);
  }

  static String line(
      String txn,
      String user,
      double amount,
      String currency,
      long time,
      String location,
      int score,
      boolean suspicious,
      List<String> factors,
      long events,
      long activityScore,
      boolean known,
      String typical,
      String tier,
      long ageDays,
      long emittedAt) {
    return String.format(
        "%s %s %.2f %s at %s in %s score=%d%s %s activity=%d/%d profile=%s/%s/%s age=%d @%s",
        txn,
        user,
        amount,
        currency,
        Lines.time(time),
        location,
        score,
        suspicious ? " suspicious" : "",
        factors,
        events,
        activityScore,
        known ? "known" : "unknown",
        typical,
        tier,
        ageDays,
        Lines.time(emittedAt));
  }

  /** A model alert as one comparable line, ending with its emit time ({@code @...}). */
  public static String line(FraudModel.Alert a) {
    return line(
        a.transactionId(),
        a.userId(),
        a.amount(),
        a.currency(),
        a.transactionTime(),
        a.location(),
        a.riskScore(),
        a.suspicious(),
        a.riskFactors().stream().map(FACTORS::get).toList(),
        a.activityEvents(),
        a.activityScore(),
        a.profileKnown(),
        a.typicalLocation(),
        a.tier(),
        a.accountAgeDays(),
        a.emittedAt());
  }

  /** A pipeline's alert as one comparable line, ending with its emit time ({@code @...}). */
  public static String line(FraudAlert a, long emittedAt) {
    return line(
        a.getTransactionId(),
        a.getUserId(),
        a.getAmount(),
        a.getCurrency(),
        a.getTransactionTime(),
        a.getLocation(),
        a.getRiskScore(),
        a.getSuspicious(),
        a.getRiskFactors(),
        a.getActivityEvents(),
        a.getActivityScore(),
        a.getProfileKnown(),
        a.getTypicalLocation(),
        a.getTier(),
        a.getAccountAgeDays(),
        emittedAt);
  }

  /** The user of an event the fraud pipeline reads as a {@link Checks#token}, or null. */
  static String user(SpecificRecord e) {
    if (e instanceof Transaction t) {
      return Checks.token(t.getUserId());
    } else if (e instanceof PageView v) {
      return Checks.token(v.getUserId());
    } else if (e instanceof Click k) {
      return Checks.token(k.getUserId());
    } else if (e instanceof Purchase p) {
      return Checks.token(p.getUserId());
    } else if (e instanceof UserProfile p) {
      return Checks.token(p.getUserId());
    }
    return null;
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      FraudOptions o = PipelineOptionsFactory.as(FraudOptions.class);
      o.setAllowedLatenessMinutes((int) scenario.latenessMinutes);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = FraudPipeline.expand(events, o);
      Collect.to(
          id + "/results",
          out.<FraudAlert>get("results"),
          (a, w, pane, ts) -> io.tidemark.schemas.WireFormat.toJson(a) + "\t" + ts.getMillis());
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      long lateness = scenario.latenessMinutes * Plan.MINUTE;
      FraudModel.Output model = FraudModel.run(scenario.arrivals(), lateness);
      Checks c = new Checks(scenario, exact);

      // Transactions that arrived behind the watermark.
      List<Long> large = new ArrayList<>();
      long transactions = 0;
      for (EventScenario.Step s : scenario.steps) {
        if (s.items() == null) {
          continue;
        }
        for (EventScenario.Item i : s.items()) {
          if (i.event() instanceof Transaction t) {
            transactions++;
            if (t.getAmount() > FraudModel.LARGE) {
              large.add(i.position());
            }
          }
        }
      }
      List<String> modelLines = new ArrayList<>();
      for (FraudModel.Alert a : model.alerts()) {
        modelLines.add(line(a));
      }
      List<String> beamLines = new ArrayList<>();
      List<Long> alerted = new ArrayList<>();
      for (String row : Collect.take(id + "/results")) {
        String[] parts = row.split("\t");
        FraudAlert a = (FraudAlert) Lines.decodeJson(parts[0]);
        String beam = line(a, Long.parseLong(parts[1]));
        beamLines.add(beam);
        alerted.add(Long.parseLong(a.getTransactionId().substring(2)));
      }
      Set<String> onTimeUsers = c.onTimeKeys(DifferentialFraudTest::user);
      c.sameWhere(
          "alerts",
          modelLines,
          beamLines,
          l -> onTimeUsers.contains(Checks.token(l.split(" ", 3)[1])));
      c.same("late events", List.of(), Lines.ofRecords(Collect.takeRecords(id + "/late")));
      List<Long> corrupt = c.corrupt(model.ledger(), Collect.<DeadLetter>takeRecords(id + "/dead"));

      c.modelConserves(scenario.inputs(e -> e instanceof Transaction), model.ledger());
      List<Long> inputs = scenario.inputs(e -> false);
      inputs.addAll(large);
      c.add(
          Conservation.of("fraud (large transactions)", inputs)
              .placed("alerts", alerted)
              .placed("dead letters", corrupt)
              .check());
      c.counters(
          result,
          seed,
          FraudPipeline.NAME,
          Map.of(
              "in",
              transactions,
              "in-results",
              transactions,
              "alerts",
              (long) model.alerts().size(),
              "suspicious",
              model.alerts().stream().filter(FraudModel.Alert::suspicious).count()));
      return c.result();
    }
  }
}

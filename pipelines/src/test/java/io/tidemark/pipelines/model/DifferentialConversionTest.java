package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.CLICK;
import static io.tidemark.pipelines.model.EventMaker.Type.PURCHASE;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.conversion.ConversionPipeline;
import io.tidemark.pipelines.conversion.ConversionPipeline.ConversionOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.Conversion;
import io.tidemark.schemas.ConversionRate;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.Purchase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PBegin;
import org.junit.Test;

/**
 * The conversion pipeline against {@link ConversionModel}: every conversion (attributed click, time
 * to purchase, emission time), including clicks and purchases that arrive late or after the join's
 * bound and pairs across the hour boundary; dead letters, counters and conservation of purchases.
 *
 * <p>The hourly rates ({@code rates/}) are not part of the stated semantics. Their click side is
 * checked against {@link WindowedModel} (clicks per product and hour, summed over panes, and the
 * clicks in the late stream); a conversion row in the late stream must be a conversion whose
 * purchase arrived after its bound.
 */
public class DifferentialConversionTest {
  static final long HOUR_MINUTES = 60;

  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {HOUR_MINUTES},
          new long[] {0, 3, 10},
          new int[] {10, 45, 35, 3, 4, 3},
          new EventMaker.Type[] {CLICK, PURCHASE},
          new EventMaker.Type[][] {{CLICK, PURCHASE}, {CLICK, CLICK}, {PURCHASE, CLICK}},
          0.05,
          0.02,
          0.3,
          new Plan.Shape(25, 45, 5, HOUR_MINUTES * Plan.MINUTE),
          new EventScenario.Echo(
              CLICK,
              PURCHASE,
              new long[] {60 * Plan.MINUTE, 60 * Plan.MINUTE + 1, 59 * Plan.MINUTE},
              0.2,
              true),
          new EventScenario.Echo(CLICK, PURCHASE, new long[] {0, 1, 30 * Plan.MINUTE}, 0.2, false));

  @Test
  public void conversionMatchesTheModel() {
    Differential.run(DifferentialConversionTest.class, 3, Case::new);
  }

  static String line(
      String user,
      String product,
      String click,
      String purchase,
      long clickTime,
      long time,
      long ttp,
      long at) {
    return user
        + " "
        + product
        + " "
        + click
        + " -> "
        + purchase
        + " "
        + Lines.time(clickTime)
        + " -> "
        + Lines.time(time)
        + " ttp="
        + ttp
        + " @"
        + Lines.time(at);
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      ConversionOptions o = PipelineOptionsFactory.as(ConversionOptions.class);
      o.setConversionLatenessMinutes((int) scenario.latenessMinutes);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = ConversionPipeline.expand(events, o);
      Collect.to(
          id + "/results",
          out.<Conversion>get("results"),
          (cv, w, pane, ts) -> io.tidemark.schemas.WireFormat.toJson(cv) + "\t" + ts.getMillis());
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/rates", out.<ConversionRate>get("rates"));
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      long lateness = scenario.latenessMinutes * Plan.MINUTE;
      ConversionModel.Output model = ConversionModel.run(scenario.arrivals(), lateness);
      Checks c = new Checks(scenario, exact);

      List<String> modelLines = new ArrayList<>();
      Map<String, ConversionModel.Conversion> byPurchase = new HashMap<>();
      for (ConversionModel.Conversion v : model.conversions()) {
        byPurchase.put(v.purchaseEventId(), v);
        modelLines.add(
            line(
                v.userId(),
                v.productId(),
                v.clickEventId(),
                v.purchaseEventId(),
                v.clickTime(),
                v.purchaseTime(),
                v.timeToPurchaseMs(),
                v.emittedAt()));
      }
      List<String> beamLines = new ArrayList<>();
      List<Long> converted = new ArrayList<>();
      for (String row : Collect.take(id + "/results")) {
        String[] parts = row.split("\t");
        Conversion v = (Conversion) Lines.decodeJson(parts[0]);
        beamLines.add(
            line(
                v.getUserId(),
                v.getProductId(),
                v.getClickEventId(),
                v.getPurchaseEventId(),
                v.getClickTime(),
                v.getPurchaseTime(),
                v.getTimeToPurchaseMs(),
                Long.parseLong(parts[1])));
        converted.add(DifferentialClickEnrichmentTest.position(v.getPurchaseEventId()));
      }
      Set<String> onTimeKeys =
          c.onTimeKeys(
              e ->
                  e instanceof Purchase p
                      ? Checks.token(p.getUserId(), p.getProductId())
                      : e instanceof Click k
                          ? Checks.token(k.getUserId(), k.getProductId())
                          : null);
      c.sameWhere(
          "conversions",
          modelLines,
          beamLines,
          l -> {
            String[] f = l.split(" ", 3);
            return onTimeKeys.contains(Checks.token(f[0], f[1]));
          });

      // Purchases that arrived after their bound, and the hourly click windows.
      Map<String, Boolean> tooLate = new HashMap<>();
      WindowedModel<SpecificRecord, long[]> hourly =
          new WindowedModel<>(
              new Windowing(HOUR_MINUTES * Plan.MINUTE, lateness),
              new WindowedModel.Aggregate<>() {
                @Override
                public long[] create() {
                  return new long[1];
                }

                @Override
                public void add(long[] n, SpecificRecord e) {
                  n[0]++;
                }
              });
      long purchases = 0;
      long clicks = 0;
      for (EventScenario.Step s : scenario.steps) {
        if (s.items() == null) {
          continue;
        }
        for (EventScenario.Item i : s.items()) {
          if (i.event() instanceof Purchase p) {
            purchases++;
            tooLate.put(p.getEventId(), s.watermark() > p.getEventTime() + lateness);
          } else if (i.event() instanceof Click k) {
            clicks++;
            hourly.add(k.getProductId(), i.timestamp(), k, s.watermark());
          }
        }
      }

      List<Late<SpecificRecord>> modelLateClicks = new ArrayList<>(hourly.late());
      List<LateEvent> beamLateClicks = new ArrayList<>();
      for (LateEvent l : Collect.<LateEvent>takeRecords(id + "/late")) {
        if (l.getEventType().equals("Click")) {
          beamLateClicks.add(l);
          continue;
        }
        Conversion v = (Conversion) Lines.decodeJson(l.getEvent());
        ConversionModel.Conversion m = byPurchase.get(v.getPurchaseEventId());
        if (c.exact()
            && (m == null
                || m.emittedAt() != l.getEventTime()
                || !Boolean.TRUE.equals(tooLate.get(v.getPurchaseEventId())))) {
          c.add(
              "late conversion row of "
                  + v.getPurchaseEventId()
                  + " at "
                  + Lines.time(l.getEventTime())
                  + " is not a conversion of a purchase that arrived after its bound");
        }
      }
      List<Long> lateClicks = c.late(modelLateClicks, beamLateClicks, lateness);

      Map<String, Long> modelClicks = new TreeMap<>();
      hourly.results(n -> n[0], Long::sum).forEach((w, n) -> modelClicks.put(Lines.window(w), n));
      Map<String, Long> beamClicks = new TreeMap<>();
      for (ConversionRate r : Collect.<ConversionRate>takeRecords(id + "/rates")) {
        if (r.getClicks() > 0) {
          beamClicks.merge(
              Lines.window(new WindowKey(r.getProductId(), r.getWindowStart(), r.getWindowEnd())),
              r.getClicks(),
              Long::sum);
        }
      }
      c.sameWhere(
          "clicks per product and hour (rates)",
          lines(modelClicks),
          lines(beamClicks),
          Checks.stableWindows(hourly.panes(), hourly.late(), false));

      List<Long> corrupt = c.corrupt(model.ledger(), Collect.<DeadLetter>takeRecords(id + "/dead"));
      c.modelConserves(
          scenario.inputs(e -> e instanceof Purchase || e instanceof Click), model.ledger());
      long conversions =
          Checks.counter(result, "Seed" + seed, ConversionPipeline.NAME + "/conversions");
      long inResults =
          Checks.counter(result, "Seed" + seed, ConversionPipeline.NAME + "/in-results");
      c.add(
          Conservation.of("conversion (purchases)", scenario.inputs(e -> e instanceof Purchase))
              .placed("conversions", converted)
              .placed("dead letters", corrupt)
              .counted("purchases without a click", inResults - conversions)
              .check());
      long clicksInRates = beamClicks.values().stream().mapToLong(Long::longValue).sum();
      if (clicksInRates + lateClicks.size() != clicks) {
        c.add(
            clicks
                + " clicks, but "
                + clicksInRates
                + " in the rates and "
                + lateClicks.size()
                + " late");
      }
      c.counters(
          result,
          seed,
          ConversionPipeline.NAME,
          Map.of(
              "in", purchases,
              "in-results", purchases,
              "conversions", (long) model.conversions().size()));
      return c.result();
    }

    private static List<String> lines(Map<String, Long> counts) {
      List<String> out = new ArrayList<>();
      counts.forEach((k, n) -> out.add(k + " clicks=" + n));
      return out;
    }
  }
}

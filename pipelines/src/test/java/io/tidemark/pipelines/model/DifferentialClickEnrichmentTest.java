package io.tidemark.pipelines.model;

import static io.tidemark.pipelines.model.EventMaker.Type.CLICK;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline.ClickEnrichmentOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.EnrichedClick;
import io.tidemark.schemas.LateEvent;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PBegin;
import org.junit.Test;

/**
 * The click-enrichment pipeline against {@link ClickEnrichmentModel}: the device and hour of every
 * click, the invalid clicks (empty or blank user id or user agent) and undecodable records in the
 * dead letters, an empty late stream, its counters, and conservation of every click.
 */
public class DifferentialClickEnrichmentTest {
  static final EventScenario.Config CONFIG =
      new EventScenario.Config(
          new long[] {},
          new long[] {10},
          new int[] {10, 70, 5, 5, 5, 5},
          new EventMaker.Type[] {CLICK},
          new EventMaker.Type[][] {{CLICK, CLICK}},
          0.05,
          0.15,
          0.3,
          Plan.Shape.typical(60 * Plan.MINUTE));

  @Test
  public void clickEnrichmentMatchesTheModel() {
    Differential.run(DifferentialClickEnrichmentTest.class, 3, Case::new);
  }

  static long position(String eventId) {
    return Long.parseLong(eventId.substring(1));
  }

  static final class Case implements Differential.Case {
    private final EventScenario scenario;

    Case(long seed) {
      scenario = EventScenario.of(seed, CONFIG);
    }

    @Override
    public void build(PBegin begin, long seed, String id) {
      ClickEnrichmentOptions o = PipelineOptionsFactory.as(ClickEnrichmentOptions.class);
      Events events = Events.decode(begin.apply("Stream", scenario.testStream()));
      Output out = ClickEnrichmentPipeline.expand(events, o);
      Collect.records(id + "/results", out.<EnrichedClick>get("results"));
      Collect.records(id + "/late", out.<LateEvent>get("late"));
      Collect.records(id + "/invalid", out.deadLetters());
      Collect.records(id + "/dead", events.deadLetters);
    }

    @Override
    public List<String> check(long seed, String id, PipelineResult result, boolean exact) {
      ClickEnrichmentModel.Output model = ClickEnrichmentModel.run(scenario.arrivals());
      Checks c = new Checks(scenario, exact);
      List<EnrichedClick> enriched = Collect.takeRecords(id + "/results");
      List<LateEvent> late = Collect.takeRecords(id + "/late");
      List<DeadLetter> invalid = Collect.takeRecords(id + "/invalid");
      List<DeadLetter> dead = Collect.takeRecords(id + "/dead");

      List<String> modelLines = new ArrayList<>();
      for (ClickEnrichmentModel.Enriched e : model.enriched()) {
        modelLines.add(
            line(
                e.click().getEventId(),
                e.agent().device(),
                e.agent().operatingSystem(),
                e.agent().browser(),
                e.hourOfDay()));
      }
      List<String> beamLines = new ArrayList<>();
      List<Long> enrichedPositions = new ArrayList<>();
      for (EnrichedClick e : enriched) {
        beamLines.add(
            line(
                e.getClick().getEventId(),
                e.getDevice(),
                e.getOperatingSystem(),
                e.getBrowser(),
                e.getHourOfDay()));
        enrichedPositions.add(position(e.getClick().getEventId()));
      }
      c.same("enriched clicks", modelLines, beamLines);

      // Each invalid click's dead letter is its record as read: the scenario's bytes (JSON or
      // Avro), source and position, as a decode dead letter has them.
      List<String> modelInvalid = new ArrayList<>();
      for (ClickEnrichmentModel.Rejected r : model.rejected()) {
        EventScenario.Item item = scenario.items.get((int) r.position());
        modelInvalid.add(
            "#"
                + r.position()
                + " "
                + r.click().getEventId()
                + " "
                + r.reason()
                + " scenario "
                + ClickEnrichmentPipeline.INVALID
                + " "
                + ClickEnrichmentPipeline.STEP
                + " "
                + HexFormat.of().formatHex(item.payload()));
      }
      List<String> beamInvalid = new ArrayList<>();
      List<Long> invalidPositions = new ArrayList<>();
      for (DeadLetter d : invalid) {
        byte[] payload = new byte[d.getPayload().remaining()];
        d.getPayload().duplicate().get(payload);
        Click click;
        try {
          click = (Click) Events.decode(payload);
        } catch (DecodeException e) {
          throw new AssertionError("an invalid click's dead letter does not decode: " + d, e);
        }
        beamInvalid.add(
            "#"
                + d.getPosition()
                + " "
                + click.getEventId()
                + " "
                + d.getError()
                + " "
                + d.getSource()
                + " "
                + d.getReason()
                + " "
                + d.getStep()
                + " "
                + HexFormat.of().formatHex(payload));
        invalidPositions.add(d.getPosition());
      }
      c.add(model.rejected().isEmpty() ? "the scenario has no invalid click to compare" : null);
      c.same("invalid clicks", modelInvalid, beamInvalid);
      c.same("late events", List.of(), Lines.ofRecords(late));
      List<Long> corrupt = c.corrupt(model.ledger(), dead);

      List<Long> inputs = scenario.inputs(e -> e instanceof Click);
      c.modelConserves(inputs, model.ledger());
      c.add(
          Conservation.of("click-enrichment", inputs)
              .placed("results", enrichedPositions)
              .placed("invalid clicks", invalidPositions)
              .placed("dead letters", corrupt)
              .check());
      long clicks = scenario.items.stream().filter(i -> i.event() instanceof Click).count();
      c.counters(
          result,
          seed,
          ClickEnrichmentPipeline.NAME,
          Map.of(
              "in", clicks,
              "in-results", (long) model.enriched().size(),
              "dead-letters", (long) model.rejected().size()));
      return c.result();
    }
  }

  static String line(String eventId, String device, String os, String browser, int hour) {
    return eventId + " " + device + " os=" + os + " browser=" + browser + " hour=" + hour;
  }
}

package io.tidemark.pipelines.model;

import io.tidemark.pipelines.Accounting;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.LateEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/** The comparisons every pipeline's differential test makes, collecting problems as text. */
final class Checks {
  private final EventScenario scenario;
  final List<String> problems = new ArrayList<>();

  Checks(EventScenario scenario) {
    this.scenario = scenario;
  }

  /** Records {@code problem} unless it is null. */
  void add(String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }

  /** Compares lines as multisets. */
  void same(String what, List<String> model, List<String> beam) {
    add(Diff.of(what, model, beam));
  }

  /**
   * Compares the late stream (key, type, event time, window, which input), checks the watermark
   * each late record names (past the window's closing, not past the watermark at arrival), and
   * returns the positions of Beam's late events.
   */
  List<Long> late(List<Late<SpecificRecord>> model, List<LateEvent> beam, long latenessMillis) {
    Lines.Positions modelPositions = new Lines.Positions(scenario.items);
    Map<Long, Long> arrivalWatermark = new HashMap<>();
    List<String> modelLines = new ArrayList<>();
    for (Late<SpecificRecord> l : model) {
      long position = modelPositions.take(l.event());
      arrivalWatermark.put(position, l.watermark());
      modelLines.add(
          Lines.late(
              l.key(),
              l.event().getSchema().getName(),
              l.eventTime(),
              l.windowStart(),
              l.windowEnd(),
              position));
    }
    Lines.Positions positions = new Lines.Positions(scenario.items);
    List<String> beamLines = new ArrayList<>();
    List<Long> beamPositions = new ArrayList<>();
    for (LateEvent l : beam) {
      long position = positions.take(l.getEvent());
      beamPositions.add(position);
      beamLines.add(
          Lines.late(
              l.getKey(),
              l.getEventType(),
              l.getEventTime(),
              l.getWindowStart(),
              l.getWindowEnd(),
              position));
      long closing = l.getWindowEnd() - 1 + latenessMillis;
      Long actual = arrivalWatermark.get(position);
      if (l.getWatermark() <= closing
          || l.getLateByMs() != l.getWatermark() - closing
          || (actual != null && l.getWatermark() > actual)) {
        problems.add(
            "late event #"
                + position
                + " names watermark "
                + Lines.time(l.getWatermark())
                + " and late by "
                + l.getLateByMs()
                + " ms; its window closed at "
                + Lines.time(closing)
                + ", the watermark at its arrival was "
                + (actual == null ? "?" : Lines.time(actual)));
      }
    }
    same("late events", modelLines, beamLines);
    return beamPositions;
  }

  /** Compares the dead letters of undecodable records; returns their positions. */
  List<Long> corrupt(Ledger model, List<DeadLetter> beam) {
    List<String> modelLines = new ArrayList<>();
    for (long p : model.positions(Ledger.Destination.DEAD_LETTER)) {
      if (scenario.items.get((int) p).event() == null) {
        modelLines.add("#" + p);
      }
    }
    List<String> beamLines = new ArrayList<>();
    List<Long> positions = new ArrayList<>();
    for (DeadLetter d : beam) {
      beamLines.add("#" + d.getPosition());
      positions.add(d.getPosition());
      if (d.getReason().isBlank() || !d.getSource().equals("scenario")) {
        problems.add("dead letter without reason or source: #" + d.getPosition());
      }
    }
    same("dead letters (undecodable)", modelLines, beamLines);
    return positions;
  }

  /** Checks the model's own ledger against the pipeline's inputs. */
  void modelConserves(List<Long> inputs, Ledger ledger) {
    add(Conservation.ofLedger("the model", inputs, ledger).check());
  }

  /**
   * Compares the pipeline's own accounting counters (namespace {@code tidemark}, {@code
   * <pipeline>/<what>}) in this seed's branch with the expected values.
   */
  void counters(PipelineResult result, long seed, String pipeline, Map<String, Long> expected) {
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      long actual = counter(result, "Seed" + seed, pipeline + "/" + e.getKey());
      if (actual != e.getValue()) {
        problems.add(
            "counter "
                + pipeline
                + "/"
                + e.getKey()
                + " is "
                + actual
                + ", the model says "
                + e.getValue());
      }
    }
  }

  static long counter(PipelineResult result, String step, String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(Accounting.NAMESPACE, name))
                    .addStep(step)
                    .build())
            .getCounters()) {
      total += c.getCommitted();
    }
    return total;
  }

  /** The problems, with the scenario first, or an empty list. */
  List<String> result() {
    if (!problems.isEmpty()) {
      problems.add(0, scenario.toString());
    }
    return problems;
  }
}

package io.tidemark.pipelines.model;

import io.tidemark.pipelines.Accounting;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.LateEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The comparisons every pipeline's differential test makes, collecting problems as text.
 *
 * <p>When not {@code exact} (a runner whose watermark may lag the model's, such as Flink) an event
 * can only be less late there than in the model, so only what cannot depend on when the watermark
 * moves is compared with the model: the windows and join keys none of whose events the model saw
 * late ({@link #sameWhere}), and the dead letters. The late stream and the counters are not
 * compared; conservation is checked on the runner's own outputs.
 */
final class Checks {
  /** Lines compared in timing-free mode, over all seeds, and lines left out. */
  static final AtomicLong TIMING_FREE_COMPARED = new AtomicLong();

  static final AtomicLong TIMING_FREE_SKIPPED = new AtomicLong();

  private final EventScenario scenario;
  private final boolean exact;
  final List<String> problems = new ArrayList<>();

  Checks(EventScenario scenario, boolean exact) {
    this.scenario = scenario;
    this.exact = exact;
  }

  boolean exact() {
    return exact;
  }

  /** Records {@code problem} unless it is null. */
  void add(String problem) {
    if (problem != null) {
      problems.add(problem);
    }
  }

  /** Compares lines as multisets. */
  void same(String what, List<String> model, List<String> beam) {
    if (!exact) {
      TIMING_FREE_COMPARED.addAndGet(model.size());
    }
    add(Diff.of(what, model, beam));
  }

  /**
   * Compares lines as multisets; when not exact, only the lines {@code timingFree} accepts (those
   * of a window or key whose result cannot depend on when the watermark moves).
   */
  void sameWhere(String what, List<String> model, List<String> beam, Predicate<String> timingFree) {
    if (exact) {
      same(what, model, beam);
    } else {
      List<String> compared = model.stream().filter(timingFree).toList();
      TIMING_FREE_SKIPPED.addAndGet(model.size() - compared.size());
      same(what + " (timing-free)", compared, beam.stream().filter(timingFree).toList());
    }
  }

  /**
   * The lines of windows the model closed with one on-time pane and no late event: lines that start
   * with {@link Lines#window(WindowKey)} of such a window (keys may be blank, so exactly). A late
   * event makes the window of its key unstable; when {@code byBoundsOnly} (panes not keyed by the
   * late events' key) it makes every window with its bounds unstable, and lines may also start with
   * the bounds alone.
   */
  static <A> Predicate<String> stableWindows(
      Map<WindowKey, List<Pane<A>>> panes, List<? extends Late<?>> late, boolean byBoundsOnly) {
    Set<WindowKey> unstable = new HashSet<>();
    for (Late<?> l : late) {
      unstable.add(new WindowKey(byBoundsOnly ? "" : l.key(), l.windowStart(), l.windowEnd()));
    }
    Set<String> stable = new HashSet<>();
    panes.forEach(
        (w, list) -> {
          WindowKey bounds = byBoundsOnly ? new WindowKey("", w.start(), w.end()) : w;
          if (list.size() == 1
              && Pane.ON_TIME.equals(list.get(0).timing())
              && !unstable.contains(bounds)) {
            stable.add(Lines.window(w));
            if (byBoundsOnly) {
              stable.add(Lines.window(w.start(), w.end()));
            }
          }
        });
    return line -> {
      int end = line.indexOf(')');
      return end > 0 && stable.contains(line.substring(0, end + 1));
    };
  }

  /**
   * A key of ids that can be read back from a line split at spaces: the ids joined with {@code |},
   * or null if one is blank or holds whitespace (its lines could be mistaken for another key's).
   */
  static String token(String... ids) {
    for (String id : ids) {
      if (id.isEmpty() || id.chars().anyMatch(Character::isWhitespace)) {
        return null;
      }
    }
    return String.join("|", ids);
  }

  /**
   * The keys none of whose events (those {@code inKey} maps to a key; null for other events, and
   * for events whose key is no {@link #token}) the model saw arrive behind the watermark.
   */
  Set<String> onTimeKeys(Function<SpecificRecord, String> inKey) {
    Set<String> all = new HashSet<>();
    Set<String> late = new HashSet<>();
    for (EventScenario.Step s : scenario.steps) {
      if (s.items() == null) {
        continue;
      }
      for (EventScenario.Item i : s.items()) {
        String key = i.event() == null ? null : inKey.apply(i.event());
        if (key != null) {
          all.add(key);
          if (s.watermark() > i.timestamp()) {
            late.add(key);
          }
        }
      }
    }
    all.removeAll(late);
    return all;
  }

  /**
   * Compares the late stream (key, type, event time, window, which input), checks the watermark
   * each late record names (past the window's closing, not past the watermark at arrival), and
   * returns the positions of Beam's late events.
   */
  List<Long> late(List<Late<SpecificRecord>> model, List<LateEvent> beam, long latenessMillis) {
    if (!exact) {
      Lines.Positions positions = new Lines.Positions(scenario.items);
      return beam.stream().map(l -> positions.take(l.getEvent())).toList();
    }
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
    if (!exact) {
      return;
    }
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

  /** A counter's committed value, or its attempted one on a runner without committed metrics. */
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
      try {
        total += c.getCommitted();
      } catch (UnsupportedOperationException e) {
        total += c.getAttempted();
      }
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

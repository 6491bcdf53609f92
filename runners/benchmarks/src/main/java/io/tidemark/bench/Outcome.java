package io.tidemark.bench;

import io.tidemark.pipelines.model.EngagementModel;
import io.tidemark.pipelines.model.Late;
import io.tidemark.pipelines.model.WindowKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What an engine computed, in a form every engine can produce: the final engagement of each (user,
 * window), summed over its panes, and the ids of the events sent to the late stream.
 */
public final class Outcome {
  /** The final engagement of one user in one window. */
  public record Score(long score, long total, long views, long clicks, long purchases) {
    Score plus(Score o) {
      return new Score(
          score + o.score,
          total + o.total,
          views + o.views,
          clicks + o.clicks,
          purchases + o.purchases);
    }

    static Score of(Activity a) {
      int k = a.kind;
      return new Score(
          a.points(),
          1,
          k == Activity.VIEW ? 1 : 0,
          k == Activity.CLICK ? 1 : 0,
          k == Activity.PURCHASE ? 1 : 0);
    }
  }

  /** An engine's outcome compared with the reference: whether it is equal, and if not, why. */
  public record Verdict(boolean exact, boolean consistent, String explanation) {
    @Override
    public String toString() {
      return explanation;
    }
  }

  private final Map<String, Score> results = new TreeMap<>();
  private final List<String> late = new ArrayList<>();

  /** Adds a pane (or a restated final value, with {@link #put}) of {@code user}'s window. */
  public synchronized void add(String user, long windowStart, Score s) {
    results.merge(user + "@" + windowStart, s, Score::plus);
  }

  /** Sets the final value of {@code user}'s window, for engines that restate the whole window. */
  public synchronized void put(String user, long windowStart, Score s) {
    results.put(user + "@" + windowStart, s);
  }

  public synchronized void late(String eventId) {
    late.add(eventId);
  }

  public Map<String, Score> results() {
    return results;
  }

  public List<String> late() {
    return late;
  }

  /** The reference model's outcome. */
  public static Outcome of(EngagementModel.Output model) {
    Outcome o = new Outcome();
    for (Map.Entry<WindowKey, EngagementModel.Score> e : model.results().entrySet()) {
      EngagementModel.Score s = e.getValue();
      o.put(
          e.getKey().key(),
          e.getKey().start(),
          new Score(s.score(), s.totalEvents(), s.views(), s.clicks(), s.purchases()));
    }
    for (Late<SpecificRecord> l : model.late()) {
      o.late(Activity.of(l.event(), l.eventTime()).eventId);
    }
    return o;
  }

  /**
   * Compares with the reference model's outcome over {@code w}. Exact: the same results and the
   * same late events. Otherwise consistent if the engine's late events are a subset of the model's
   * (its watermark was never ahead of the model's) and its results are exactly the windows the
   * model computes from the events the engine did not call late: the difference is then only in
   * when the engine learned the watermark.
   */
  public Verdict compare(Outcome reference, Workload w, long windowMillis) {
    if (results.equals(reference.results) && sorted(late).equals(sorted(reference.late))) {
      return new Verdict(true, true, "equal");
    }
    Set<String> mine = new HashSet<>(late);
    Set<String> theirs = new HashSet<>(reference.late);
    if (mine.size() != late.size()) {
      return new Verdict(false, false, "DIFFERENT: an event is in the late stream twice");
    }
    Set<String> extra = new HashSet<>(mine);
    extra.removeAll(theirs);
    if (!extra.isEmpty()) {
      return new Verdict(
          false,
          false,
          "DIFFERENT: " + extra.size() + " late events the model keeps, e.g. " + first(extra));
    }
    Map<String, Score> expected = new TreeMap<>();
    for (Workload.Event e : w.events) {
      Activity a = Activity.of(e.event(), e.timestamp());
      if (a != null && !mine.contains(a.eventId)) {
        long start = a.timestamp - Math.floorMod(a.timestamp, windowMillis);
        expected.merge(a.user + "@" + start, Score.of(a), Score::plus);
      }
    }
    if (!expected.equals(results)) {
      return new Verdict(false, false, "DIFFERENT: " + firstDifference(expected, results));
    }
    return new Verdict(
        false,
        true,
        "equal given its late split: "
            + (theirs.size() - mine.size())
            + " of the model's "
            + theirs.size()
            + " late events reached it before its watermark did, so counted in their windows");
  }

  private static List<String> sorted(List<String> l) {
    List<String> s = new ArrayList<>(l);
    s.sort(null);
    return s;
  }

  private static String first(Set<String> s) {
    return s.stream().sorted().limit(3).toList().toString();
  }

  private static String firstDifference(Map<String, Score> expected, Map<String, Score> actual) {
    Set<String> keys = new HashSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    String k =
        keys.stream()
            .filter(x -> !java.util.Objects.equals(expected.get(x), actual.get(x)))
            .sorted()
            .findFirst()
            .orElse("?");
    return "window " + k + ": expected " + expected.get(k) + ", was " + actual.get(k);
  }
}

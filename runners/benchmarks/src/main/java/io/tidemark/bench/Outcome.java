package io.tidemark.bench;

import io.tidemark.pipelines.model.ConversionModel;
import io.tidemark.pipelines.model.EngagementModel;
import io.tidemark.pipelines.model.Late;
import io.tidemark.pipelines.model.WindowKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What an engine computed, in a form every engine can produce. Engagement: the final engagement of
 * each (user, window), summed over its panes, and the ids of the events sent to the late stream.
 * Conversion: the click each converted purchase is attributed to, by purchase event id.
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

  /** The click a purchase is attributed to. */
  public record Converted(String clickEventId, long clickTime, long purchaseTime) {}

  private final Map<String, Score> results = new TreeMap<>();
  private final List<String> late = new ArrayList<>();
  private final Map<String, Converted> conversions = new TreeMap<>();
  private int twice;

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

  /** Adds the conversion of {@code purchase}, for engines that decide each purchase once. */
  public synchronized void convert(String purchase, Converted c) {
    if (conversions.put(purchase, c) != null) {
      twice++;
    }
  }

  /** Sets the conversion of {@code purchase}, for engines that restate it as they learn more. */
  public synchronized void restate(String purchase, Converted c) {
    conversions.put(purchase, c);
  }

  public Map<String, Converted> conversions() {
    return conversions;
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

  /** The reference model's outcome of the conversion job. */
  public static Outcome of(ConversionModel.Output model) {
    Outcome o = new Outcome();
    for (ConversionModel.Conversion c : model.conversions()) {
      o.convert(
          c.purchaseEventId(), new Converted(c.clickEventId(), c.clickTime(), c.purchaseTime()));
    }
    return o;
  }

  /**
   * Compares conversions with the reference model's over {@code w}. Exact: the same purchases
   * attributed to the same clicks. Otherwise consistent if each purchase is converted at most once,
   * every conversion of the model is there, and each conversion is attributed to a click of the
   * purchase's user and product in the hour before it that is the model's click or later (by time,
   * then event id). That is what an engine computes when it decides a purchase later than the model
   * does, or holds clicks longer: it sees every click the model saw and maybe more, and attributes
   * the purchase to the latest.
   */
  public Verdict compareConversions(Outcome reference, Workload w) {
    if (twice == 0 && conversions.equals(reference.conversions)) {
      return new Verdict(true, true, "equal");
    }
    if (twice > 0) {
      return new Verdict(false, false, "DIFFERENT: " + twice + " purchases converted twice");
    }
    Set<String> missing = new HashSet<>(reference.conversions.keySet());
    missing.removeAll(conversions.keySet());
    if (!missing.isEmpty()) {
      return new Verdict(
          false,
          false,
          "DIFFERENT: "
              + missing.size()
              + " conversions of the model missing, e.g. "
              + first(missing));
    }
    Map<String, Activity> byId = new HashMap<>();
    for (Workload.Event e : w.events) {
      Activity a = Activity.of(e.event(), e.timestamp());
      if (a != null && a.kind != Activity.VIEW) {
        byId.put(a.eventId, a);
      }
    }
    int later = 0;
    int only = 0;
    for (Map.Entry<String, Converted> e : conversions.entrySet()) {
      Converted c = e.getValue();
      Activity p = byId.get(e.getKey());
      Activity k = byId.get(c.clickEventId());
      boolean valid =
          p != null
              && k != null
              && p.kind == Activity.PURCHASE
              && k.kind == Activity.CLICK
              && k.user.equals(p.user)
              && k.item.equals(p.item)
              && k.timestamp <= p.timestamp
              && k.timestamp >= p.timestamp - Job.ATTRIBUTION_MILLIS
              && c.clickTime() == k.timestamp
              && c.purchaseTime() == p.timestamp;
      if (!valid) {
        return new Verdict(
            false,
            false,
            "DIFFERENT: purchase "
                + e.getKey()
                + " attributed to "
                + c
                + ", not a click of its user and product in the hour before it");
      }
      Converted m = reference.conversions.get(e.getKey());
      if (m == null) {
        only++;
      } else if (!m.equals(c)) {
        boolean isLater =
            c.clickTime() > m.clickTime()
                || (c.clickTime() == m.clickTime()
                    && c.clickEventId().compareTo(m.clickEventId()) > 0);
        if (!isLater) {
          return new Verdict(
              false,
              false,
              "DIFFERENT: purchase " + e.getKey() + " attributed to " + c + ", the model to " + m);
        }
        later++;
      }
    }
    return new Verdict(
        false,
        true,
        "equal given its later decisions: "
            + (later + only)
            + " of its "
            + conversions.size()
            + " conversions attributed to a later click of the hour than the model's ("
            + only
            + " not converted by the model), one the model had not seen or no longer held when it"
            + " decided the purchase");
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

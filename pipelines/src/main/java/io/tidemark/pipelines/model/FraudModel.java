package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The fraud pipeline: each transaction over 1000 is joined with the same user's views, clicks and
 * purchases in {@code [txn - 5 min, txn + 5 min]} ({@link IntervalJoinModel}, with the allowed
 * lateness) and gives one alert, scored against the user's latest profile with an event time at or
 * before the transaction's (among the profiles that arrived before the alert is emitted):
 *
 * <ul>
 *   <li>amount over 5000: +30;
 *   <li>hour of day (UTC) before 6 or from 23: +20;
 *   <li>engagement score of the matched activity (views + clicks x 3 + purchases x 10) over 100:
 *       +15;
 *   <li>profile known and location other than its typical location: +25.
 * </ul>
 *
 * Its inputs are the transactions (activity and profiles are context): each is a result, an alert
 * or below the threshold. An alert is suspicious when its score is over 50. Without a profile,
 * typical location and tier are empty and the account age is -1 days.
 */
public final class FraudModel {
  public static final double LARGE = 1000;
  public static final double VERY_LARGE = 5000;
  public static final long WITHIN_MILLIS = 5 * 60_000L;

  /** One alert. */
  public record Alert(
      String transactionId,
      String userId,
      double amount,
      String currency,
      long transactionTime,
      String location,
      int riskScore,
      boolean suspicious,
      List<String> riskFactors,
      long activityEvents,
      long activityScore,
      boolean profileKnown,
      String typicalLocation,
      String tier,
      long accountAgeDays,
      long emittedAt) {}

  /** What the model computed. */
  public record Output(
      List<Alert> alerts,
      List<IntervalJoinModel.Unmatched<SpecificRecord>> unmatched,
      Ledger ledger) {}

  private FraudModel() {}

  /**
   * Which of two profiles is the later: by event time; at equal event times (the semantics leave it
   * open) by account creation time, typical location and tier, so the choice depends on the
   * profiles and not on the order they arrived in.
   */
  static final Comparator<UserProfile> LATER =
      Comparator.comparingLong(UserProfile::getEventTime)
          .thenComparingLong(UserProfile::getAccountCreatedTime)
          .thenComparing(UserProfile::getTypicalLocation)
          .thenComparing(UserProfile::getTier);

  /** The latest of a user's profiles with an event time at or before {@code time}, or null. */
  private static UserProfile asOf(List<UserProfile> profiles, long time) {
    UserProfile best = null;
    if (profiles != null) {
      for (UserProfile p : profiles) {
        if (p.getEventTime() <= time && (best == null || LATER.compare(p, best) > 0)) {
          best = p;
        }
      }
    }
    return best;
  }

  static Alert alert(
      Transaction t, long emittedAt, List<SpecificRecord> activity, UserProfile profile) {
    long views = 0;
    long clicks = 0;
    long purchases = 0;
    for (SpecificRecord a : activity) {
      if (a instanceof PageView) {
        views++;
      } else if (a instanceof Click) {
        clicks++;
      } else {
        purchases++;
      }
    }
    long activityScore = views + clicks * 3 + purchases * 10;
    int score = 0;
    List<String> factors = new ArrayList<>();
    if (t.getAmount() > VERY_LARGE) {
      score += 30;
      factors.add("amount");
    }
    int hour = ClickEnrichmentModel.hourOfDay(t.getEventTime());
    if (hour < 6 || hour >= 23) {
      score += 20;
      factors.add("hour");
    }
    if (activityScore > 100) {
      score += 15;
      factors.add("activity");
    }
    if (profile != null && !t.getLocation().equals(profile.getTypicalLocation())) {
      score += 25;
      factors.add("location");
    }
    return new Alert(
        t.getTransactionId(),
        t.getUserId(),
        t.getAmount(),
        t.getCurrency(),
        t.getEventTime(),
        t.getLocation(),
        score,
        score > 50,
        factors,
        activity.size(),
        activityScore,
        profile != null,
        profile == null ? "" : profile.getTypicalLocation(),
        profile == null ? "" : profile.getTier(),
        profile == null
            ? -1
            : Math.floorDiv(t.getEventTime() - profile.getAccountCreatedTime(), 86_400_000L),
        emittedAt);
  }

  public static Output run(Arrivals arrivals, long latenessMillis) {
    IntervalJoinModel<Transaction, SpecificRecord> join =
        new IntervalJoinModel<>(-WITHIN_MILLIS, WITHIN_MILLIS, latenessMillis);
    Map<String, List<UserProfile>> profiles = new HashMap<>();
    List<Alert> alerts = new ArrayList<>();
    join.listen(
        m -> {
          List<SpecificRecord> activity = new ArrayList<>(m.rights().size());
          m.rights().forEach(r -> activity.add(r.value()));
          alerts.add(
              alert(
                  m.left(),
                  m.emittedAt(),
                  activity,
                  asOf(profiles.get(m.key()), m.leftTimestamp())));
        },
        u -> {});
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            if (e instanceof Transaction t) {
              // Every transaction is a result: an alert, or below the threshold.
              ledger.record(position, Ledger.Destination.RESULT);
              if (t.getAmount() > LARGE) {
                join.left(t.getUserId(), timestamp, t);
              }
            } else if (e instanceof PageView v) {
              join.right(v.getUserId(), timestamp, e);
            } else if (e instanceof Click c) {
              join.right(c.getUserId(), timestamp, e);
            } else if (e instanceof Purchase p) {
              join.right(p.getUserId(), timestamp, e);
            } else if (e instanceof UserProfile p) {
              profiles.computeIfAbsent(p.getUserId(), k -> new ArrayList<>()).add(p);
            }
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {
            join.advanceTo(watermark);
          }
        });
    return new Output(alerts, join.unmatchedRight(), ledger);
  }
}

package io.tidemark.pipelines.fraud;

import io.tidemark.pipelines.Activity;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The risk score of a large transaction, the sum of the points of its risk factors: {@value
 * #HIGH_VALUE} (amount over {@value #HIGH_VALUE_AMOUNT}, {@value #HIGH_VALUE_POINTS} points),
 * {@value #UNUSUAL_HOUR} (before {@value #UNUSUAL_HOUR_END}:00 or from {@value
 * #UNUSUAL_HOUR_START}:00 in the configured zone, {@value #UNUSUAL_HOUR_POINTS}), {@value
 * #RAPID_ACTIVITY} (engagement score of the activity around it over {@value #RAPID_ACTIVITY_SCORE},
 * {@value #RAPID_ACTIVITY_POINTS}) and {@value #LOCATION_MISMATCH} (location other than the
 * profile's typical one, {@value #LOCATION_MISMATCH_POINTS}; no signal without a profile). A score
 * over {@value #SUSPICIOUS_ABOVE} is suspicious.
 */
public record RiskScore(int score, List<String> factors) {
  public static final String HIGH_VALUE = "high-value";
  public static final double HIGH_VALUE_AMOUNT = 5000;
  public static final int HIGH_VALUE_POINTS = 30;

  public static final String UNUSUAL_HOUR = "unusual-hour";
  public static final int UNUSUAL_HOUR_END = 6;
  public static final int UNUSUAL_HOUR_START = 23;
  public static final int UNUSUAL_HOUR_POINTS = 20;

  public static final String RAPID_ACTIVITY = "rapid-activity";
  public static final long RAPID_ACTIVITY_SCORE = 100;
  public static final int RAPID_ACTIVITY_POINTS = 15;

  public static final String LOCATION_MISMATCH = "location-mismatch";
  public static final int LOCATION_MISMATCH_POINTS = 25;

  public static final int SUSPICIOUS_ABOVE = 50;

  public RiskScore {
    factors = List.copyOf(factors);
  }

  /** Whether the score is over {@value #SUSPICIOUS_ABOVE}. */
  public boolean suspicious() {
    return score > SUSPICIOUS_ABOVE;
  }

  /**
   * Scores {@code t}, with the engagement score of the user's activity around it and the user's
   * profile as of its time ({@code null} when the user had none yet).
   */
  public static RiskScore of(
      Transaction t, long activityScore, @Nullable UserProfile profile, ZoneId zone) {
    int score = 0;
    List<String> factors = new ArrayList<>();
    if (t.getAmount() > HIGH_VALUE_AMOUNT) {
      score += HIGH_VALUE_POINTS;
      factors.add(HIGH_VALUE);
    }
    int hour = Instant.ofEpochMilli(t.getEventTime()).atZone(zone).getHour();
    if (hour < UNUSUAL_HOUR_END || hour >= UNUSUAL_HOUR_START) {
      score += UNUSUAL_HOUR_POINTS;
      factors.add(UNUSUAL_HOUR);
    }
    if (activityScore > RAPID_ACTIVITY_SCORE) {
      score += RAPID_ACTIVITY_POINTS;
      factors.add(RAPID_ACTIVITY);
    }
    if (profile != null && !t.getLocation().equals(profile.getTypicalLocation())) {
      score += LOCATION_MISMATCH_POINTS;
      factors.add(LOCATION_MISMATCH);
    }
    return new RiskScore(score, factors);
  }

  /** The activity score of a transaction: its activity's points, as engagement counts them. */
  public static long activityScore(List<Activity> activity) {
    long score = 0;
    for (Activity a : activity) {
      score += a.points();
    }
    return score;
  }
}

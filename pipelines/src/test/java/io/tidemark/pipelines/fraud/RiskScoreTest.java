package io.tidemark.pipelines.fraud;

import static io.tidemark.pipelines.Fixture.profile;
import static io.tidemark.pipelines.Fixture.transaction;
import static io.tidemark.pipelines.fraud.RiskScore.HIGH_VALUE;
import static io.tidemark.pipelines.fraud.RiskScore.LOCATION_MISMATCH;
import static io.tidemark.pipelines.fraud.RiskScore.RAPID_ACTIVITY;
import static io.tidemark.pipelines.fraud.RiskScore.UNUSUAL_HOUR;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Activity;
import io.tidemark.pipelines.Fixture;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.time.ZoneId;
import java.util.List;
import org.junit.Test;

/** Each risk factor alone, at its boundaries, and the over-50 rule. */
public class RiskScoreTest {
  static final ZoneId UTC = ZoneId.of("UTC");
  static final String HOME = "US";
  static final String ABROAD = "FR";
  static final double ORDINARY_AMOUNT = 2000;
  static final String ORDINARY_HOUR = "10:00";
  static final UserProfile AT_HOME = profile("u", HOME, "basic", "09:00");

  private static Transaction tx(double amount, String location, String time) {
    return transaction("t", "u", amount, location, time);
  }

  private static RiskScore score(Transaction t, long activityScore, UserProfile profile) {
    return RiskScore.of(t, activityScore, profile, UTC);
  }

  @Test
  public void anOrdinaryTransactionHasNoFactor() {
    RiskScore r = score(tx(ORDINARY_AMOUNT, HOME, ORDINARY_HOUR), 0, AT_HOME);
    assertEquals(new RiskScore(0, List.of()), r);
    assertFalse(r.suspicious());
  }

  @Test
  public void highValueIsAnAmountOver5000() {
    assertEquals(
        new RiskScore(30, List.of(HIGH_VALUE)),
        score(tx(5000.01, HOME, ORDINARY_HOUR), 0, AT_HOME));
    assertEquals(new RiskScore(0, List.of()), score(tx(5000, HOME, ORDINARY_HOUR), 0, AT_HOME));
  }

  @Test
  public void unusualHourIsBefore6OrFrom23InTheZone() {
    for (String time : List.of("00:00", "05:59:59", "23:00")) {
      assertEquals(
          time,
          new RiskScore(20, List.of(UNUSUAL_HOUR)),
          score(tx(ORDINARY_AMOUNT, HOME, time), 0, AT_HOME));
    }
    for (String time : List.of("06:00", "22:59:59")) {
      assertEquals(time, 0, score(tx(ORDINARY_AMOUNT, HOME, time), 0, AT_HOME).score());
    }
    // 20:30 UTC is 05:30 in Tokyo (UTC+9); 10:00 UTC is 19:00 there
    ZoneId tokyo = ZoneId.of("Asia/Tokyo");
    assertEquals(
        List.of(UNUSUAL_HOUR),
        RiskScore.of(tx(ORDINARY_AMOUNT, HOME, "20:30"), 0, AT_HOME, tokyo).factors());
    assertEquals(0, RiskScore.of(tx(ORDINARY_AMOUNT, HOME, "10:00"), 0, AT_HOME, tokyo).score());
  }

  @Test
  public void rapidActivityIsAnEngagementScoreOver100() {
    Transaction t = tx(ORDINARY_AMOUNT, HOME, ORDINARY_HOUR);
    assertEquals(new RiskScore(15, List.of(RAPID_ACTIVITY)), score(t, 101, AT_HOME));
    assertEquals(0, score(t, 100, AT_HOME).score());
  }

  @Test
  public void activityScoresViewsClicksAndPurchasesLikeEngagement() {
    assertEquals(
        1 + 3 + 10 + 10,
        RiskScore.activityScore(
            List.of(
                Activity.of(Fixture.view("u", "c", "10:00")),
                Activity.of(Fixture.click("u", "p", "10:01")),
                Activity.of(Fixture.purchase("u", "p", "10:02")),
                Activity.of(Fixture.purchase("u", "q", "10:03")))));
  }

  @Test
  public void locationMismatchNeedsAProfile() {
    Transaction abroad = tx(ORDINARY_AMOUNT, ABROAD, ORDINARY_HOUR);
    assertEquals(new RiskScore(25, List.of(LOCATION_MISMATCH)), score(abroad, 0, AT_HOME));
    assertEquals(new RiskScore(0, List.of()), score(abroad, 0, null));
  }

  @Test
  public void suspiciousIsAScoreOver50() {
    // 30 + 20 = 50: not over 50
    RiskScore fifty = score(tx(6000, HOME, "05:00"), 0, AT_HOME);
    assertEquals(new RiskScore(50, List.of(HIGH_VALUE, UNUSUAL_HOUR)), fifty);
    assertFalse(fifty.suspicious());
    // 30 + 25 = 55
    RiskScore abroad = score(tx(6000, ABROAD, ORDINARY_HOUR), 0, AT_HOME);
    assertEquals(new RiskScore(55, List.of(HIGH_VALUE, LOCATION_MISMATCH)), abroad);
    assertTrue(abroad.suspicious());
    // 20 + 15 = 35
    assertFalse(score(tx(ORDINARY_AMOUNT, HOME, "23:30"), 101, AT_HOME).suspicious());
    // every factor: 30 + 20 + 15 + 25 = 90
    RiskScore all = score(tx(6000, ABROAD, "23:30"), 101, AT_HOME);
    assertEquals(
        new RiskScore(90, List.of(HIGH_VALUE, UNUSUAL_HOUR, RAPID_ACTIVITY, LOCATION_MISMATCH)),
        all);
    assertTrue(all.suspicious());
  }
}

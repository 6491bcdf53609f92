package io.tidemark.pipelines.fraud;

import static io.tidemark.pipelines.Fixture.ACCOUNT_AGE_DAYS;
import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.options;
import static io.tidemark.pipelines.Fixture.profile;
import static io.tidemark.pipelines.Fixture.purchase;
import static io.tidemark.pipelines.Fixture.transaction;
import static io.tidemark.pipelines.Fixture.view;
import static io.tidemark.pipelines.fraud.FraudPipeline.NAME;
import static io.tidemark.pipelines.fraud.RiskScore.HIGH_VALUE;
import static io.tidemark.pipelines.fraud.RiskScore.LOCATION_MISMATCH;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.Activity;
import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.fraud.FraudPipeline.FraudOptions;
import io.tidemark.schemas.FraudAlert;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.transforms.IntervalMatch;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link FraudPipeline} on the DirectRunner with the default threshold ({@link #THRESHOLD}) and
 * {@link #LATENESS_MINUTES} of allowed lateness: a transaction at {@code t} joins activity in
 * {@code [t - 5, t + 5]} minutes and is scored when the watermark passes {@code t + 15}.
 */
public class FraudPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final double THRESHOLD = 1000;
  static final int LATENESS_MINUTES = 10;
  static final double LARGE = 1500;
  static final double HIGH_VALUE_AMOUNT = 6000;

  private static FraudAlert alert(
      Transaction t,
      List<String> factors,
      int score,
      List<? extends SpecificRecord> activity,
      long activityScore,
      @Nullable UserProfile asOf) {
    return FraudAlert.newBuilder()
        .setTransactionId(t.getTransactionId())
        .setUserId(t.getUserId())
        .setAmount(t.getAmount())
        .setCurrency(t.getCurrency())
        .setTransactionTime(t.getEventTime())
        .setLocation(t.getLocation())
        .setRiskScore(score)
        .setSuspicious(score > 50)
        .setRiskFactors(factors)
        .setActivityEvents(activity.size())
        .setActivityScore(activityScore)
        .setProfileKnown(asOf != null)
        .setTypicalLocation(asOf == null ? "" : asOf.getTypicalLocation())
        .setTier(asOf == null ? "" : asOf.getTier())
        // each fixture profile was created ACCOUNT_AGE_DAYS before its event, less than a day
        // before these transactions
        .setAccountAgeDays(asOf == null ? -1 : ACCOUNT_AGE_DAYS)
        .build();
  }

  @Test
  public void oneAlertPerLargeTransactionWithActivityAcrossWindowsLateRowsAndTheProfileAsOfIt() {
    UserProfile carolHome = profile("carol", "DE", "premium", "09:00");
    UserProfile aliceUs = profile("alice", "US", "basic", "09:30");
    UserProfile aliceMoved = profile("alice", "FR", "basic", "10:10"); // after alice's transactions
    UserProfile bobLater = profile("bob", "US", "basic", "10:25"); // on time, after bob's one
    // alice: a click at 10:06, in the 5-minute window after her transaction at 10:04, joins it and
    // her second transaction at 10:08; both are scored with her profile as of their time (US).
    Transaction alice = transaction("t1", "alice", HIGH_VALUE_AMOUNT, "FR", "10:04");
    Transaction alice2 = transaction("t2", "alice", 1100, "FR", "10:08");
    var aliceClick = click("alice", "p1", "10:06");
    Transaction atThreshold = transaction("t3", "bob", THRESHOLD, "US", "10:05"); // not large
    // bob has no profile yet at 10:20: no location signal
    Transaction bob = transaction("t4", "bob", HIGH_VALUE_AMOUNT, "FR", "10:20");
    // carol's activity arrives late (the watermark is at 10:50), before her bound at 10:55
    Transaction carol = transaction("t5", "carol", LARGE, "DE", "10:40");
    var carolView = view("carol", "c1", "10:38");
    var carolClick = click("carol", "p2", "10:42");
    // dave's transaction arrives late, before its bound at 10:57, and finds his held purchase
    var davePurchase = purchase("dave", "p3", "10:44");
    Transaction dave = transaction("t6", "dave", 1200, "US", "10:42");
    Scenario s =
        new Scenario()
            .add(carolHome, aliceUs)
            .watermark("10:00")
            .add(alice, aliceClick, alice2, aliceMoved, atThreshold, bob, bobLater)
            .add(carol, davePurchase)
            .watermark("10:50") // alice's (10:19, 10:23) and bob's (10:35) matches are out
            .add(carolView, carolClick) // late activity
            .add(dave); // late transaction
    FraudOptions o = options(FraudOptions.class);
    o.setAllowedLatenessMinutes(LATENESS_MINUTES);
    Output out = FraudPipeline.expand(s.in(p), o);

    PAssert.<FraudAlert>that(out.get("results"))
        .containsInAnyOrder(
            alert(
                alice, List.of(HIGH_VALUE, LOCATION_MISMATCH), 55, List.of(aliceClick), 3, aliceUs),
            alert(alice2, List.of(LOCATION_MISMATCH), 25, List.of(aliceClick), 3, aliceUs),
            alert(bob, List.of(HIGH_VALUE), 30, List.of(), 0, null),
            alert(carol, List.of(), 0, List.of(carolView, carolClick), 1 + 3, carolHome),
            alert(dave, List.of(), 0, List.of(davePurchase), 10, null));
    PAssert.that(out.get("late")).empty();

    PipelineResult result = p.run();
    long transactions = s.events().stream().filter(e -> e instanceof Transaction).count();
    assertEquals(transactions, counter(result, NAME, "in"));
    assertEquals(transactions, counter(result, NAME, "in-results"));
    assertEquals(transactions - 1, counter(result, NAME, "alerts"));
    assertEquals(1, counter(result, NAME, "suspicious"));
  }

  /**
   * Erin's profiles at 09:00 and 10:00 arrive on time; the watermark then passes 11:00, more than
   * the join's reach (15 minutes) past 10:00; a profile at 08:00 and her transactions at 09:30 and
   * 10:30 arrive after that, after their join bounds (09:45 and 10:45).
   */
  private Output lateErin(int retentionDays) {
    Scenario s =
        new Scenario()
            .add(ERIN_EARLY, ERIN_LATER, ERIN_FIRST)
            .watermark("11:00")
            .add(ERIN_OLDER)
            .add(ERIN_BEFORE, ERIN_AFTER);
    FraudOptions o = options(FraudOptions.class);
    o.setAllowedLatenessMinutes(LATENESS_MINUTES);
    o.setProfileRetentionDays(retentionDays);
    return FraudPipeline.expand(s.in(p), o);
  }

  static final UserProfile ERIN_EARLY = profile("erin", "DE", "basic", "09:00");
  static final UserProfile ERIN_LATER = profile("erin", "FR", "basic", "10:00");
  static final UserProfile ERIN_OLDER = profile("erin", "US", "basic", "08:00");
  static final Transaction ERIN_FIRST = transaction("t0", "erin", LARGE, "FR", "10:05");
  static final Transaction ERIN_BEFORE = transaction("t1", "erin", LARGE, "DE", "09:30");
  static final Transaction ERIN_AFTER = transaction("t2", "erin", LARGE, "DE", "10:30");

  @Test
  public void aTransactionWithinTheRetentionIsScoredWithItsProfileAsOfItHoweverLate() {
    Output out = lateErin(30);
    PAssert.<FraudAlert>that(out.get("results"))
        .containsInAnyOrder(
            alert(ERIN_FIRST, List.of(), 0, List.of(), 0, ERIN_LATER),
            alert(ERIN_BEFORE, List.of(), 0, List.of(), 0, ERIN_EARLY),
            alert(ERIN_AFTER, List.of(LOCATION_MISMATCH), 25, List.of(), 0, ERIN_LATER));
    p.run();
  }

  @Test
  public void aTransactionLaterThanTheRetentionIsScoredWithItsProfileAsOfItOrWithNone() {
    // Without retention, deciding t0 (at 10:05 + 5 min + lateness) prunes the 09:00 profile, so t1
    // is scored with none, never with the older profile that came late.
    Output out = lateErin(0);
    PAssert.<FraudAlert>that(out.get("results"))
        .containsInAnyOrder(
            alert(ERIN_FIRST, List.of(), 0, List.of(), 0, ERIN_LATER),
            alert(ERIN_BEFORE, List.of(), 0, List.of(), 0, null),
            alert(ERIN_AFTER, List.of(LOCATION_MISMATCH), 25, List.of(), 0, ERIN_LATER));
    p.run();
  }

  @Test
  public void profileOrMatchCoderRoundTrips() throws Exception {
    CoderProperties.coderDecodeEncodeEqual(
        ProfileOrMatch.ProfileOrMatchCoder.INSTANCE,
        ProfileOrMatch.profile(profile("alice", "US", "basic", "09:30")));
    Transaction t = transaction("t1", "alice", HIGH_VALUE_AMOUNT, "FR", "10:04");
    CoderProperties.coderDecodeEncodeEqual(
        ProfileOrMatch.ProfileOrMatchCoder.INSTANCE,
        ProfileOrMatch.match(
            IntervalMatch.of(
                "alice",
                t,
                new Instant(t.getEventTime()),
                List.of(
                    Activity.of(click("alice", "p1", "10:06")),
                    Activity.of(view("alice", "c", "10:07"))))));
  }
}

package io.tidemark.pipelines.fraud;

import io.tidemark.pipelines.Accounting;
import io.tidemark.pipelines.Activity;
import io.tidemark.schemas.FraudAlert;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.transforms.IntervalMatch;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Scores each large transaction with the user's profile as of the transaction's time, per user in
 * the global window: the profile stream is a table whose value at a time is the user's latest
 * profile with {@code eventTime} at or before it.
 *
 * <p>The user's profiles are held in a bag and read sorted by event time (ties broken by the other
 * fields, so every run picks the same). A join match is buffered and decided when an event-time
 * timer at the match's timestamp fires: the join emits a match when the watermark passes the
 * transaction time plus the join's reach, so by then every profile that arrived before the match
 * was emitted is here. The timer holds the output watermark at the earliest buffered match, and
 * each alert carries its match's timestamp, so alerts are on time downstream whenever their match
 * was.
 *
 * <p>Pruning: the latest decision time {@code d} is a lower bound of the watermark. Whenever a
 * match is decided, and whenever a profile arrives after a decision, every profile older than the
 * newest one at or before {@code d - keep} (and at or before every buffered transaction) is
 * dropped, where {@code keep} is the join's reach plus the retention. So a transaction whose match
 * arrives while the watermark is less than {@code keep} past its time finds its as-of profile,
 * whatever the order in which the runner delivers matches, profiles and timers. Pruning is driven
 * by decisions, not by a timer of its own: such a timer can fire while the join still has matches
 * to emit, as the DirectRunner showed when the watermark jumped to the end of time (all of a
 * stream's last decisions then raced it). The newest pruned profile is remembered, and a profile
 * that arrives after it was pruned and is not newer than it is dropped, so that a transaction later
 * than {@code keep} is scored with its as-of profile or with none, never with an older one. A user
 * with no large transaction keeps every profile until one is decided; profile updates are rare.
 */
final class ProfileAsOfFn extends DoFn<KV<String, ProfileOrMatch>, FraudAlert> {
  private static final long DAY_MILLIS = Duration.standardDays(1).getMillis();

  /** Event time, then the other fields, so that ties are broken the same way on every run. */
  static final Comparator<UserProfile> BY_EVENT_TIME =
      Comparator.comparingLong(UserProfile::getEventTime)
          .thenComparingLong(UserProfile::getAccountCreatedTime)
          .thenComparing(UserProfile::getTypicalLocation)
          .thenComparing(UserProfile::getTier);

  private final String pipeline;
  private final ZoneId zone;
  private final Duration keep;

  @StateId("profiles")
  private final StateSpec<BagState<UserProfile>> profilesSpec =
      StateSpecs.bag(AvroCoder.of(UserProfile.class));

  @StateId("pending")
  private final StateSpec<BagState<TimestampedValue<IntervalMatch<String, Transaction, Activity>>>>
      pendingSpec =
          StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(ProfileOrMatch.MATCH_CODER));

  @StateId("nextDecision")
  private final StateSpec<ValueState<Instant>> nextDecisionSpec =
      StateSpecs.value(InstantCoder.of());

  @StateId("lastDecision")
  private final StateSpec<ValueState<Instant>> lastDecisionSpec =
      StateSpecs.value(InstantCoder.of());

  @StateId("newestPruned")
  private final StateSpec<ValueState<UserProfile>> newestPrunedSpec =
      StateSpecs.value(AvroCoder.of(UserProfile.class));

  @TimerId("decide")
  private final TimerSpec decideSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /**
   * @param keep how long after a transaction its as-of profile is kept: the join's reach (its upper
   *     bound plus its allowed lateness, when the join emits the match) plus the retention
   */
  ProfileAsOfFn(String pipeline, ZoneId zone, Duration keep) {
    this.pipeline = pipeline;
    this.zone = zone;
    this.keep = keep;
  }

  @ProcessElement
  public void process(
      @Element KV<String, ProfileOrMatch> element,
      @Timestamp Instant timestamp,
      @StateId("profiles") BagState<UserProfile> profiles,
      @StateId("pending")
          BagState<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> pending,
      @StateId("nextDecision") ValueState<Instant> nextDecision,
      @StateId("lastDecision") ValueState<Instant> lastDecision,
      @StateId("newestPruned") ValueState<UserProfile> newestPruned,
      @TimerId("decide") Timer decide) {
    ProfileOrMatch value = element.getValue();
    if (value.isProfile()) {
      UserProfile pruned = newestPruned.read();
      if (pruned != null && BY_EVENT_TIME.compare(value.profile(), pruned) <= 0) {
        return; // older than a pruned profile: no transaction still to score needs it
      }
      profiles.add(value.profile());
      Instant decided = lastDecision.read();
      if (decided != null) {
        prune(profiles, newestPruned, sorted(profiles), horizon(decided, buffered(pending)));
      }
      return;
    }
    pending.add(TimestampedValue.of(value.match(), timestamp));
    Instant next = nextDecision.read();
    if (next == null || timestamp.isBefore(next)) {
      nextDecision.write(timestamp);
      decide.set(timestamp);
    }
  }

  @OnTimer("decide")
  public void onDecide(
      OnTimerContext context,
      @StateId("profiles") BagState<UserProfile> profiles,
      @StateId("pending")
          BagState<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> pending,
      @StateId("nextDecision") ValueState<Instant> nextDecision,
      @StateId("lastDecision") ValueState<Instant> lastDecision,
      @StateId("newestPruned") ValueState<UserProfile> newestPruned,
      @TimerId("decide") Timer decide,
      OutputReceiver<FraudAlert> out) {
    Instant now = context.fireTimestamp();
    lastDecision.write(now);
    List<UserProfile> sorted = sorted(profiles);
    List<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> kept = new ArrayList<>();
    Instant next = null;
    for (TimestampedValue<IntervalMatch<String, Transaction, Activity>> m : pending.read()) {
      if (m.getTimestamp().isAfter(now)) {
        kept.add(m);
        next = next == null || m.getTimestamp().isBefore(next) ? m.getTimestamp() : next;
      } else {
        out.outputWithTimestamp(alert(m.getValue(), sorted), now);
      }
    }
    pending.clear();
    kept.forEach(pending::add);
    if (next == null) {
      nextDecision.clear();
    } else {
      nextDecision.write(next);
      decide.set(next);
    }
    prune(profiles, newestPruned, sorted, horizon(now, kept));
  }

  private static List<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> buffered(
      BagState<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> pending) {
    List<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> buffered =
        new ArrayList<>();
    pending.read().forEach(buffered::add);
    return buffered;
  }

  /** The earliest transaction time a buffered or a future on-time match may have. */
  private Instant horizon(
      Instant watermark,
      List<TimestampedValue<IntervalMatch<String, Transaction, Activity>>> buffered) {
    Instant horizon = watermark.minus(keep);
    for (TimestampedValue<IntervalMatch<String, Transaction, Activity>> m : buffered) {
      if (m.getValue().leftTimestamp().isBefore(horizon)) {
        horizon = m.getValue().leftTimestamp();
      }
    }
    return horizon;
  }

  /**
   * Drops the profiles older than the newest one at or before {@code horizon}, and remembers the
   * newest it dropped.
   */
  private static void prune(
      BagState<UserProfile> profiles,
      ValueState<UserProfile> newestPruned,
      List<UserProfile> sorted,
      Instant horizon) {
    int newest = asOf(sorted, horizon.getMillis());
    if (newest > 0) {
      profiles.clear();
      sorted.subList(newest, sorted.size()).forEach(profiles::add);
      newestPruned.write(sorted.get(newest - 1));
    }
  }

  private static List<UserProfile> sorted(BagState<UserProfile> profiles) {
    List<UserProfile> sorted = new ArrayList<>();
    profiles.read().forEach(sorted::add);
    sorted.sort(BY_EVENT_TIME);
    return sorted;
  }

  /** The index of the last profile with event time at or before {@code time}, or -1. */
  static int asOf(List<UserProfile> sorted, long time) {
    int found = -1;
    for (int i = 0; i < sorted.size() && sorted.get(i).getEventTime() <= time; i++) {
      found = i;
    }
    return found;
  }

  private FraudAlert alert(
      IntervalMatch<String, Transaction, Activity> match, List<UserProfile> sorted) {
    Transaction t = match.left();
    int at = asOf(sorted, t.getEventTime());
    UserProfile profile = at < 0 ? null : sorted.get(at);
    long activityScore = RiskScore.activityScore(match.rights());
    RiskScore risk = RiskScore.of(t, activityScore, profile, zone);
    Accounting.counter(pipeline, "alerts").inc();
    Accounting.counter(pipeline, "in-results").inc();
    if (risk.suspicious()) {
      Accounting.counter(pipeline, "suspicious").inc();
    }
    return FraudAlert.newBuilder()
        .setTransactionId(t.getTransactionId())
        .setUserId(t.getUserId())
        .setAmount(t.getAmount())
        .setCurrency(t.getCurrency())
        .setTransactionTime(t.getEventTime())
        .setLocation(t.getLocation())
        .setRiskScore(risk.score())
        .setSuspicious(risk.suspicious())
        .setRiskFactors(risk.factors())
        .setActivityEvents(match.rights().size())
        .setActivityScore(activityScore)
        .setProfileKnown(profile != null)
        .setTypicalLocation(profile == null ? "" : profile.getTypicalLocation())
        .setTier(profile == null ? "" : profile.getTier())
        .setAccountAgeDays(
            profile == null
                ? -1
                : Math.max(
                    0,
                    Math.floorDiv(t.getEventTime() - profile.getAccountCreatedTime(), DAY_MILLIS)))
        .build();
  }
}

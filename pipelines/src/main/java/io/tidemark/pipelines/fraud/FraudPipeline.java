package io.tidemark.pipelines.fraud;

import io.tidemark.pipelines.Accounting;
import io.tidemark.pipelines.Activity;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.options.LatenessOptions;
import io.tidemark.pipelines.options.TimeZoneOptions;
import io.tidemark.schemas.FraudAlert;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.transforms.IntervalJoin;
import io.tidemark.transforms.IntervalMatch;
import java.time.ZoneId;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Scores every large transaction (amount over {@code --fraudThreshold}, 1000 by default) for fraud
 * risk, one {@link FraudAlert} each, with {@link RiskScore}'s factors: high value, unusual hour (in
 * {@code --timeZone}), rapid activity, and a location other than the user's typical one.
 *
 * <p><b>Join.</b> The user's page views, clicks and purchases from {@value #INTERVAL_MINUTES}
 * minutes before to {@value #INTERVAL_MINUTES} minutes after the transaction are its activity: an
 * {@link IntervalJoin} on state and timers, so activity across a window boundary still joins. A
 * transaction's match is emitted once the watermark passes its time + {@value #INTERVAL_MINUTES}
 * minutes + {@code --allowedLatenessMinutes}; activity that arrives late joins while that bound has
 * not passed. A transaction that arrives after its bound is still scored, at once, with the
 * activity still held. So there is exactly one alert per large transaction, whatever its lateness,
 * and nothing goes to {@code late/}, which stays empty.
 *
 * <p><b>Profile.</b> Each alert is enriched with the user's profile as of the transaction time: the
 * latest {@code UserProfile} with event time at or before it, among the profiles that arrived
 * before the alert is emitted ({@link ProfileAsOfFn}). A user without one has {@code
 * profileKnown=false}, empty location and tier, {@code accountAgeDays} -1 and no location signal.
 * Superseded profiles are kept for {@code --profileRetentionDays} (30) of event time beyond the
 * join's reach, so this holds for every transaction, on time or late, that arrives less than that
 * behind the watermark, whatever the runner's scheduling. A transaction that arrives later than
 * that is scored with the profiles still kept: with its as-of profile if it is still kept, and
 * otherwise with none, never with an older profile.
 *
 * <p><b>Delivery.</b> Alerts are in the global window, stamped with the time their match was
 * emitted (transaction time + {@value #INTERVAL_MINUTES} minutes + lateness). State and output
 * commit together, so each transaction is scored exactly once on runners with exactly-once state;
 * output is at-least-once to files.
 *
 * <p><b>Accounting</b> counts transactions only: {@code in} = every transaction = {@code
 * in-results} (alerts + transactions at or below the threshold); activity and profiles are context
 * here and are accounted in their own pipelines. Counters {@code fraud/alerts} and {@code
 * fraud/suspicious}.
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar fraud --fraudThreshold=1000 --timeZone=UTC
 * </pre>
 */
public final class FraudPipeline {
  public static final String NAME = "fraud";

  /** Activity from this many minutes before to this many after a transaction is joined. */
  public static final int INTERVAL_MINUTES = 5;

  /** Options of this pipeline. */
  public interface FraudOptions extends LatenessOptions, TimeZoneOptions {
    @Description("Transactions with an amount over this are scored for fraud risk.")
    @Default.Double(1000)
    double getFraudThreshold();

    void setFraudThreshold(double value);

    @Description(
        "Days of event time for which a user's superseded profiles are kept, so that a"
            + " transaction that arrives up to this late is still scored with its profile as of"
            + " its time. 0 keeps only what on-time transactions need.")
    @Default.Integer(30)
    int getProfileRetentionDays();

    void setProfileRetentionDays(int value);
  }

  private FraudPipeline() {}

  /** Builds the graph: an alert per large transaction, and (no) late events. */
  public static Output expand(Events events, FraudOptions o) {
    double threshold = o.getFraudThreshold();
    Options.require(
        Double.isFinite(threshold) && threshold >= 0,
        "--fraudThreshold must be a finite amount >= 0, was %s",
        threshold);
    Options.checkLateness("allowedLatenessMinutes", o.getAllowedLatenessMinutes());
    int retentionDays = o.getProfileRetentionDays();
    Options.require(
        retentionDays >= 0 && retentionDays <= 36_500,
        "--profileRetentionDays must be in [0, 36500], was %s",
        retentionDays);
    ZoneId zone = Options.zone("timeZone", o.getTimeZone());
    Duration interval = Duration.standardMinutes(INTERVAL_MINUTES);
    Duration lateness = Duration.standardMinutes(o.getAllowedLatenessMinutes());

    PCollection<KV<String, Transaction>> large =
        events
            .transactions
            .apply("SelectLarge", ParDo.of(new SelectLargeFn(threshold)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Transaction.class)));
    IntervalJoin<String, Transaction, Activity> join =
        IntervalJoin.<String, Transaction, Activity>with(Activity.byUser(events))
            .within(interval.negated(), interval)
            .withAllowedLateness(lateness);
    IntervalJoin.Result<String, Transaction, Activity> joined = large.apply("JoinActivity", join);

    KvCoder<String, ProfileOrMatch> coder =
        KvCoder.of(StringUtf8Coder.of(), ProfileOrMatch.ProfileOrMatchCoder.INSTANCE);
    PCollection<KV<String, ProfileOrMatch>> profiles =
        events
            .profiles
            .apply("GlobalWindowProfiles", IntervalJoin.<UserProfile>globalWindow())
            .apply(
                "KeyProfiles",
                MapElements.into(kvs())
                    .via((UserProfile p) -> KV.of(p.getUserId(), ProfileOrMatch.profile(p))))
            .setCoder(coder);
    PCollection<KV<String, ProfileOrMatch>> matches =
        joined
            .matches()
            .apply(
                "KeyMatches",
                MapElements.into(kvs())
                    .via(
                        (IntervalMatch<String, Transaction, Activity> m) ->
                            KV.of(m.key(), ProfileOrMatch.match(m))))
            .setCoder(coder);
    PCollection<FraudAlert> alerts =
        PCollectionList.of(profiles)
            .and(matches)
            .apply("ProfilesAndMatches", Flatten.pCollections())
            .apply(
                "ScoreAsOfProfile",
                ParDo.of(
                    new ProfileAsOfFn(
                        NAME, zone, join.leftReach().plus(Duration.standardDays(retentionDays)))))
            .setCoder(AvroCoder.of(FraudAlert.class));
    PCollection<LateEvent> late =
        events
            .transactions
            .getPipeline()
            .apply("NoLateEvents", Create.empty(AvroCoder.of(LateEvent.class)));
    return new Output().with("results", alerts).with("late", late);
  }

  private static TypeDescriptor<KV<String, ProfileOrMatch>> kvs() {
    return TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(ProfileOrMatch.class));
  }

  /** Keys transactions over the threshold by user; counts every transaction. */
  static final class SelectLargeFn extends DoFn<Transaction, KV<String, Transaction>> {
    private final double threshold;

    SelectLargeFn(double threshold) {
      this.threshold = threshold;
    }

    @ProcessElement
    public void process(@Element Transaction t, OutputReceiver<KV<String, Transaction>> out) {
      Accounting.counter(NAME, "in").inc();
      if (t.getAmount() > threshold) {
        out.output(KV.of(t.getUserId(), t));
      } else {
        Accounting.counter(NAME, "in-results").inc();
      }
    }
  }
}

package io.tidemark.pipelines.conversion;

import io.tidemark.pipelines.Accounting;
import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Keys;
import io.tidemark.pipelines.Options;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.Windowed;
import io.tidemark.pipelines.options.LateRoutingOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.Conversion;
import io.tidemark.schemas.ConversionRate;
import io.tidemark.schemas.LateEvent;
import io.tidemark.schemas.Purchase;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.IntervalJoin;
import io.tidemark.transforms.IntervalMatch;
import io.tidemark.transforms.Joined;
import io.tidemark.transforms.LateEvents;
import io.tidemark.transforms.WindowedJoin;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunctions;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Click-to-purchase conversions: a purchase with at least one click on the same product by the same
 * user at most {@value #ATTRIBUTION_MINUTES} minutes before it is one {@link Conversion},
 * attributed to the latest such click ({@code timeToPurchaseMs = purchase - click}). Extra output
 * {@code rates}: one {@link ConversionRate} per product, hour and pane.
 *
 * <p><b>Join.</b> Purchases (left) and clicks (right) keyed by {@code userId|productId} meet in an
 * {@link IntervalJoin} with the interval {@code [-1 h, 0]}, on state and timers, so a click at
 * 10:50 converts a purchase at 11:10 across the hour boundary. A purchase is decided once the
 * watermark passes its time + {@code --conversionLatenessMinutes} (0 by default); a late click
 * still joins until then. A purchase that arrives after that is decided at once with the clicks
 * still held. So each purchase is decided exactly once; conversions are in the global window,
 * stamped with the time they were decided (purchase time + lateness for an on-time purchase).
 *
 * <p><b>Rates.</b> Clicks per product counted in fixed one-hour windows of click time, and
 * conversions per product counted in fixed one-hour windows of their own timestamp (so of purchase
 * time with the default lateness of 0), joined with a full outer {@link WindowedJoin}: {@code rate
 * = conversions / clicks}, 0 without clicks. Each hour's on-time pane fires when the watermark
 * passes its end; a late pane per late row within {@code --conversionLatenessMinutes}; panes are
 * discarding, so a late pane counts only its late rows. Clicks and conversions that arrive after
 * their hour closed go to {@code late/} as {@code LateEvent}s (counter {@code rates-late}).
 *
 * <p><b>Accounting</b> counts purchases: {@code in} = every purchase = {@code in-results}
 * (conversions + purchases without a click); nothing of them is late. Counter {@code
 * conversion/conversions}; the pane counters count rate rows. Output is at-least-once to files
 * (exactly-once processing within the runner).
 *
 * <pre>
 * java -jar runners/direct/target/tidemark-direct.jar conversion --conversionLatenessMinutes=0
 * </pre>
 */
public final class ConversionPipeline {
  public static final String NAME = "conversion";

  /** A click at most this long before a purchase converts it. */
  public static final int ATTRIBUTION_MINUTES = 60;

  /** Rates are per product and hour. */
  public static final Duration RATE_WINDOW = Duration.standardHours(1);

  /** Options of this pipeline. */
  public interface ConversionOptions extends LateRoutingOptions {
    @Description(
        "Minutes after a purchase's time during which late clicks still convert it, and the"
            + " allowed lateness of the hourly rates.")
    @Default.Integer(0)
    int getConversionLatenessMinutes();

    void setConversionLatenessMinutes(int value);
  }

  private ConversionPipeline() {}

  /** Builds the graph: conversions, hourly rates and the late rows of the rates. */
  public static Output expand(Events events, ConversionOptions o) {
    Options.checkLateness("conversionLatenessMinutes", o.getConversionLatenessMinutes());
    Options.checkLateRouting(o);
    Duration lateness = Duration.standardMinutes(o.getConversionLatenessMinutes());

    PCollection<Conversion> conversions = conversions(events, lateness);

    LateEvents.Result<KV<String, Click>> clickRows =
        Keys.by("KeyByProductClicks", events.clicks, Click::getProductId)
            .apply("LateClicks", Options.lateEvents(hourly(lateness), o));
    LateEvents.Result<KV<String, Conversion>> conversionRows =
        Keys.by("KeyByProductConversions", conversions, Conversion::getProductId)
            .apply("LateConversions", Options.lateEvents(hourly(lateness), o));
    PCollection<KV<String, Long>> conversionCounts =
        conversionRows.windowed().apply("CountConversions", Count.perKey());
    PCollection<ConversionRate> rates =
        clickRows
            .windowed()
            .apply("CountClicks", Count.perKey())
            .apply("JoinCounts", WindowedJoin.<String, Long, Long>fullOuter(conversionCounts))
            .apply("ToRate", ParDo.of(new ToRateFn()))
            .setCoder(AvroCoder.of(ConversionRate.class));
    PCollection<LateEvent> late =
        PCollectionList.of(
                clickRows
                    .late()
                    .apply(
                        "LateClickEvents",
                        Windowed.toLateEvents(
                            NAME, "rates-late", SerializableFunctions.<Click>identity())))
            .and(
                conversionRows
                    .late()
                    .apply(
                        "LateConversionEvents",
                        Windowed.toLateEvents(
                            NAME, "rates-late", SerializableFunctions.<Conversion>identity())))
            .apply("LateRows", Flatten.pCollections());
    return new Output().with("results", conversions).with("late", late).with("rates", rates);
  }

  /**
   * The join step alone: one {@link Conversion} per purchase with a click of the same user and
   * product in the hour before it, decided once the watermark passes the purchase's time + {@code
   * lateness} (at once for a purchase that arrives after that). The hourly rates are built on it.
   */
  public static PCollection<Conversion> conversions(Events events, Duration lateness) {
    PCollection<KV<String, Purchase>> purchases =
        events
            .purchases
            .apply("KeyPurchases", ParDo.of(new KeyPurchaseFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Purchase.class)));
    PCollection<KV<String, Click>> clicks =
        events
            .clicks
            .apply(
                "KeyClicks",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(Click.class)))
                    .via((Click c) -> KV.of(key(c.getUserId(), c.getProductId()), c)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(Click.class)));
    IntervalJoin.Result<String, Purchase, Click> joined =
        purchases.apply(
            "JoinClicks",
            IntervalJoin.<String, Purchase, Click>with(clicks)
                .within(Duration.standardMinutes(-ATTRIBUTION_MINUTES), Duration.ZERO)
                .withAllowedLateness(lateness));
    return joined
        .matches()
        .apply("Attribute", ParDo.of(new AttributeFn()))
        .setCoder(AvroCoder.of(Conversion.class));
  }

  /** The join key of a user and a product. */
  static String key(String userId, String productId) {
    return userId + "|" + productId;
  }

  /** The hourly windows of the rates, rows keyed by product. */
  private static <T> EventWindows<KV<String, T>> hourly(Duration lateness) {
    return EventWindows.<KV<String, T>>fixed(RATE_WINDOW).withAllowedLateness(lateness);
  }

  /** Keys purchases by user and product; counts every purchase. */
  static final class KeyPurchaseFn extends DoFn<Purchase, KV<String, Purchase>> {
    @ProcessElement
    public void process(@Element Purchase p, OutputReceiver<KV<String, Purchase>> out) {
      Accounting.counter(NAME, "in").inc();
      out.output(KV.of(key(p.getUserId(), p.getProductId()), p));
    }
  }

  /** One conversion per purchase with a click; every purchase is a result. */
  static final class AttributeFn extends DoFn<IntervalMatch<String, Purchase, Click>, Conversion> {
    @ProcessElement
    public void process(
        @Element IntervalMatch<String, Purchase, Click> match, OutputReceiver<Conversion> out) {
      Accounting.counter(NAME, "in-results").inc();
      Attribution.of(match.left(), match.rights())
          .ifPresent(
              c -> {
                Accounting.counter(NAME, "conversions").inc();
                out.output(c);
              });
    }
  }

  static final class ToRateFn extends DoFn<Joined<String, Long, Long>, ConversionRate> {
    @ProcessElement
    public void process(
        @Element Joined<String, Long, Long> row,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<ConversionRate> out) {
      long clicks = row.left() == null ? 0 : row.left();
      long conversions = row.right() == null ? 0 : row.right();
      Accounting.paneCounter(NAME, pane).inc();
      out.output(
          ConversionRate.newBuilder()
              .setProductId(row.key())
              .setWindowStart(window.start().getMillis())
              .setWindowEnd(window.end().getMillis())
              .setClicks(clicks)
              .setConversions(conversions)
              .setRate(clicks == 0 ? 0 : (double) conversions / clicks)
              .setTiming(pane.getTiming().name())
              .setPaneIndex(pane.getIndex())
              .build());
    }
  }
}

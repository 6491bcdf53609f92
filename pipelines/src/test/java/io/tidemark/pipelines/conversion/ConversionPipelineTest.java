package io.tidemark.pipelines.conversion;

import static io.tidemark.pipelines.Fixture.click;
import static io.tidemark.pipelines.Fixture.counter;
import static io.tidemark.pipelines.Fixture.describe;
import static io.tidemark.pipelines.Fixture.late;
import static io.tidemark.pipelines.Fixture.purchase;
import static io.tidemark.pipelines.Fixture.routedOptions;
import static io.tidemark.pipelines.Fixture.window;
import static io.tidemark.pipelines.conversion.ConversionPipeline.NAME;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.Fixture.Scenario;
import io.tidemark.pipelines.Output;
import io.tidemark.pipelines.conversion.ConversionPipeline.ConversionOptions;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.Conversion;
import io.tidemark.schemas.ConversionRate;
import io.tidemark.schemas.Purchase;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo.Timing;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * {@link ConversionPipeline} on the DirectRunner: a click converts a purchase of the same product
 * by the same user at most an hour later; rates per product in {@link #HOUR} windows.
 */
public class ConversionPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  static final int HOUR = 60;
  static final int LATENESS_MINUTES = 10;
  static final IntervalWindow H9 = window("09:00", HOUR);
  static final IntervalWindow H10 = window("10:00", HOUR);
  static final IntervalWindow H11 = window("11:00", HOUR);

  private static Conversion conversion(Click c, Purchase p) {
    return Conversion.newBuilder()
        .setUserId(p.getUserId())
        .setProductId(p.getProductId())
        .setClickEventId(c.getEventId())
        .setPurchaseEventId(p.getEventId())
        .setClickTime(c.getEventTime())
        .setPurchaseTime(p.getEventTime())
        .setTimeToPurchaseMs(p.getEventTime() - c.getEventTime())
        .build();
  }

  private static ConversionRate rate(
      String product,
      IntervalWindow w,
      long clicks,
      long conversions,
      double rate,
      Timing timing,
      long paneIndex) {
    return ConversionRate.newBuilder()
        .setProductId(product)
        .setWindowStart(w.start().getMillis())
        .setWindowEnd(w.end().getMillis())
        .setClicks(clicks)
        .setConversions(conversions)
        .setRate(rate)
        .setTiming(timing.name())
        .setPaneIndex(paneIndex)
        .build();
  }

  private static ConversionOptions opts(int latenessMinutes) {
    ConversionOptions o = routedOptions(ConversionOptions.class);
    o.setConversionLatenessMinutes(latenessMinutes);
    return o;
  }

  @Test
  public void attributesToTheLatestClickWithinTheHourAcrossTheHourBoundaryAndRatesPerHour() {
    Click carolClick = click("carol", "p2", "09:00");
    Click aliceEarly = click("alice", "p1", "10:20");
    Click aliceLatest = click("alice", "p1", "10:40");
    Purchase alicePurchase = purchase("alice", "p1", "10:55");
    Click bobClick = click("bob", "p1", "10:50"); // the next hour's purchase
    Purchase bobPurchase = purchase("bob", "p1", "11:10");
    Purchase carolPurchase = purchase("carol", "p2", "10:30"); // 90 minutes after her click
    Purchase davePurchase = purchase("dave", "p1", "10:30");
    Click daveClick = click("dave", "p1", "10:35"); // after his purchase
    Scenario s =
        new Scenario()
            .add(carolClick)
            .add(aliceEarly, davePurchase, carolPurchase, daveClick, aliceLatest, bobClick)
            .add(alicePurchase, bobPurchase);
    Output out = ConversionPipeline.expand(s.in(p), opts(0));

    PAssert.<Conversion>that(out.get("results"))
        .containsInAnyOrder(
            conversion(aliceLatest, alicePurchase), conversion(bobClick, bobPurchase));
    // conversions count in the hour of their timestamp: the purchase time, with no lateness
    PCollection<ConversionRate> rates = out.get("rates");
    PAssert.that(rates)
        .inOnTimePane(H10)
        .containsInAnyOrder(rate("p1", H10, 4, 1, 1 / 4.0, Timing.ON_TIME, 0));
    PAssert.that(rates)
        .inOnTimePane(H11)
        .containsInAnyOrder(rate("p1", H11, 0, 1, 0, Timing.ON_TIME, 0));
    PAssert.that(rates)
        .inOnTimePane(H9)
        .containsInAnyOrder(rate("p2", H9, 1, 0, 0, Timing.ON_TIME, 0));
    PAssert.that(out.get("late")).empty();

    PipelineResult result = p.run();
    long purchases = s.events().stream().filter(e -> e instanceof Purchase).count();
    assertEquals(purchases, counter(result, NAME, "in"));
    assertEquals(purchases, counter(result, NAME, "in-results"));
    assertEquals(2, counter(result, NAME, "conversions"));
  }

  @Test
  public void lateClicksAndPurchasesJoinWithinTheLatenessAndLateRateRowsArePanedOrRouted() {
    Purchase ginaPurchase = purchase("gina", "p4", "10:05"); // decided at 10:15
    Click frankClick = click("frank", "p3", "10:20");
    Purchase erinPurchase = purchase("erin", "p3", "10:30"); // decided at 10:40
    Click erinLateClick = click("erin", "p3", "10:10");
    Purchase frankLatePurchase = purchase("frank", "p3", "10:28"); // decided at 10:38
    Click ginaLateClick = click("gina", "p4", "10:00"); // after gina's purchase was decided
    Click hinaClick = click("hina", "p3", "10:50");
    Click ivanClick = click("ivan", "p3", "10:45");
    Scenario s =
        new Scenario()
            .add(ginaPurchase, frankClick, erinPurchase)
            .watermark("10:35")
            .add(erinLateClick) // late click, before erin's purchase is decided
            .add(frankLatePurchase) // late purchase, before it is decided
            .add(ginaLateClick) // too late to convert; H10 is still open for the rates
            .watermark("11:05") // H10's on-time rates
            .add(hinaClick) // observably late for the rates: a late pane
            .watermark("11:30") // H10 closed for the rates at 11:10
            .add(ivanClick); // droppably late for the rates: late/
    Output out = ConversionPipeline.expand(s.in(p), opts(LATENESS_MINUTES));

    PAssert.<Conversion>that(out.get("results"))
        .containsInAnyOrder(
            conversion(erinLateClick, erinPurchase), conversion(frankClick, frankLatePurchase));
    // erin's and frank's conversions are stamped 10:40 and 10:38, in H10
    PCollection<ConversionRate> rates = out.get("rates");
    PAssert.that(rates)
        .inOnTimePane(H10)
        .containsInAnyOrder(
            rate("p3", H10, 2, 2, 1.0, Timing.ON_TIME, 0),
            rate("p4", H10, 1, 0, 0, Timing.ON_TIME, 0));
    PAssert.that(rates)
        .inLatePane(H10)
        .containsInAnyOrder(rate("p3", H10, 1, 0, 0, Timing.LATE, 1));
    PAssert.that(describe(out.get("late"))).containsInAnyOrder(late(ivanClick, "p3", H10));

    PipelineResult result = p.run();
    long purchases = s.events().stream().filter(e -> e instanceof Purchase).count();
    assertEquals(purchases, counter(result, NAME, "in"));
    assertEquals(purchases, counter(result, NAME, "in-results"));
    assertEquals(2, counter(result, NAME, "conversions"));
    assertEquals(1, counter(result, NAME, "rates-late"));
    assertEquals(0, counter(result, NAME, "late"));
  }
}

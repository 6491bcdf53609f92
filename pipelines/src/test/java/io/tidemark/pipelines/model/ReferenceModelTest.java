package io.tidemark.pipelines.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.InteractionType;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/** The reference model on hand-made inputs, checked against the stated semantics. */
public class ReferenceModelTest {
  private static final long M = 60_000L;

  @Test
  public void generatorArrivalsPutEveryInputInExactlyOnePlace() {
    GeneratorConfig config =
        new GeneratorConfig(
            7,
            3000,
            1,
            20,
            50,
            5,
            Duration.standardSeconds(20),
            0.05,
            Duration.standardMinutes(2),
            Duration.standardMinutes(20),
            0.02,
            true,
            Instant.parse("2026-01-05T08:00:00Z"));
    Arrivals arrivals = GeneratorArrivals.of(new EventGenerator(config), 3000, M);
    List<Long> inputs = new ArrayList<>();
    long watermark = Arrivals.MIN;
    for (Arrivals.Step step : arrivals.steps()) {
      if (step instanceof Arrivals.Arrival a) {
        Object e = a.event();
        if (e == null || e instanceof PageView || e instanceof Click || e instanceof Purchase) {
          inputs.add(a.position());
        }
      } else {
        long w = ((Arrivals.Advance) step).watermark();
        assertTrue("the watermark advances to whole minutes", w > watermark && w % M == 0);
        watermark = w;
      }
    }
    EngagementModel.Output out = EngagementModel.run(arrivals, 10 * M);
    Conservation.ofLedger("engagement", inputs, out.ledger()).verify();
    long inWindows = 0;
    for (EngagementModel.Score s : out.results().values()) {
      inWindows += s.totalEvents();
    }
    assertEquals(out.ledger().count(Ledger.Destination.RESULT), inWindows);
    assertEquals(out.ledger().count(Ledger.Destination.LATE), out.late().size());
    assertTrue("the generator's late events reach the late stream", out.late().size() > 0);
    assertTrue(out.ledger().count(Ledger.Destination.DEAD_LETTER) > 0);
  }

  @Test
  public void latenessCategoriesFollowTheWatermarkAgainstWindowEndAndLateness() {
    Windowing w = Windowing.minutes(10, 10); // [0, 10) closes at 19:59.999
    assertEquals(Lateness.ON_TIME, w.classify(5 * M, 5 * M));
    assertEquals(Lateness.UNOBSERVABLY_LATE, w.classify(5 * M, 5 * M + 1));
    assertEquals(Lateness.UNOBSERVABLY_LATE, w.classify(5 * M, 10 * M - 1));
    assertEquals(Lateness.OBSERVABLY_LATE, w.classify(5 * M, 10 * M));
    assertEquals(Lateness.OBSERVABLY_LATE, w.classify(5 * M, 20 * M - 1));
    assertEquals(Lateness.DROPPABLY_LATE, w.classify(5 * M, 20 * M));
    assertEquals(-10 * M, w.start(-1));
    assertEquals(Lateness.DROPPABLY_LATE, Windowing.minutes(10, 0).classify(5 * M, 10 * M));
  }

  @Test
  public void panesAreOnTimeThenOneLatePanePerLateEventAndLateEventsLeave() {
    WindowedModel<String, StringBuilder> m =
        new WindowedModel<>(
            Windowing.minutes(10, 10),
            new WindowedModel.Aggregate<>() {
              @Override
              public StringBuilder create() {
                return new StringBuilder();
              }

              @Override
              public void add(StringBuilder pane, String e) {
                pane.append(e);
              }
            });
    m.add("k", M, "a", 0);
    m.add("k", 2 * M, "b", 6 * M); // unobservably late
    m.add("k", 3 * M, "c", 12 * M); // observably late
    m.add("k", 4 * M, "d", 15 * M); // observably late
    m.add("k", 5 * M, "e", 25 * M); // droppably late
    List<Pane<StringBuilder>> panes = m.panes().get(new WindowKey("k", 0, 10 * M));
    assertEquals(3, panes.size());
    assertEquals(Pane.ON_TIME + " 0 ab", describe(panes.get(0)));
    assertEquals(Pane.LATE + " 1 c", describe(panes.get(1)));
    assertEquals(Pane.LATE + " 2 d", describe(panes.get(2)));
    assertEquals(1, m.late().size());
    assertEquals("e", m.late().get(0).event());
    Map<WindowKey, String> results = m.results(StringBuilder::toString, String::concat);
    assertEquals("abcd", results.get(new WindowKey("k", 0, 10 * M)));
  }

  private static String describe(Pane<StringBuilder> p) {
    return p.timing() + " " + p.index() + " " + p.value();
  }

  @Test
  public void intervalJoinBoundsAreInclusiveAndEmittedAtTheirBounds() {
    IntervalJoinModel<String, String> j = new IntervalJoinModel<>(-2 * M, 5 * M, 10 * M);
    j.advanceTo(0);
    j.left("k", 10 * M, "L");
    j.right("k", 8 * M, "R-edge-low");
    j.right("k", 15 * M, "R-edge-high");
    j.right("k", 15 * M + 1, "R-out");
    j.right("x", 10 * M, "R-other-key");
    j.advanceTo(25 * M); // the left's bound is 25:00: not yet passed
    assertTrue(j.matches().isEmpty());
    j.advanceTo(25 * M + 1);
    assertEquals(1, j.matches().size());
    IntervalJoinModel.Match<String, String> m = j.matches().get(0);
    assertEquals(
        List.of("R-edge-low", "R-edge-high"), m.rights().stream().map(r -> r.value()).toList());
    assertEquals(25 * M, m.emittedAt());
    j.advanceTo(Arrivals.MAX);
    assertEquals(
        List.of("R-other-key", "R-out"),
        j.unmatchedRight().stream().map(IntervalJoinModel.Unmatched::right).sorted().toList());
  }

  @Test
  public void tooLateEventsOfAnIntervalJoinAreHandledAtOnce() {
    IntervalJoinModel<String, String> j = new IntervalJoinModel<>(0, 5 * M, 0);
    j.advanceTo(0);
    j.right("k", 3 * M, "R1"); // bound 3 + 5 = 8:00
    j.advanceTo(9 * M);
    assertEquals(1, j.unmatchedRight().size());
    j.right("k", 6 * M + 1, "R2"); // bound 11:00.001: held
    j.left("k", M, "L1"); // bound 6:00 passed: emitted at once; R1 is gone, R2 out of [1, 6]
    assertEquals(1, j.matches().size());
    assertTrue(j.matches().get(0).rights().isEmpty());
    j.left("k", 2 * M, "L2"); // bound 7:00 passed too: at once, with R2 in [2, 7]
    assertEquals(List.of("R2"), j.matches().get(1).rights().stream().map(r -> r.value()).toList());
    assertEquals(7 * M, j.matches().get(1).emittedAt());
    j.right("k", 3 * M, "R3"); // bound 8:00 passed: unmatched at once
    assertEquals("R3", j.unmatchedRight().get(1).right());
    j.advanceTo(Arrivals.MAX);
    assertEquals(2, j.unmatchedRight().size()); // R2 matched L2
  }

  @Test
  public void userAgentsAreLabelledAndUnknownOnesRefused() {
    assertEquals("bot", UserAgents.of("curl/8.4.0").device());
    assertEquals("Android", UserAgents.of(UserAgents.all().get(1)).operatingSystem());
    assertThrows(IllegalArgumentException.class, () -> UserAgents.of("Mozilla/4.0"));
    assertEquals(23, ClickEnrichmentModel.hourOfDay(-1));
    assertEquals(0, ClickEnrichmentModel.hourOfDay(86_400_000L));
  }

  @Test
  public void trendingRanksByScoreThenCategory() {
    Arrivals a = new Arrivals().advanceTo(0);
    long p = 0;
    // cat-b: 1 share by u1 -> weighted 3, unique 1, trending 3
    a.arrive(p++, M, interaction("u1", "cat-b", InteractionType.SHARE));
    // cat-a: like by u1, like by u2, comment by u2 -> weighted 4, unique 2, 3 interactions: 8/3
    a.arrive(p++, M, interaction("u1", "cat-a", InteractionType.LIKE));
    a.arrive(p++, M, interaction("u2", "cat-a", InteractionType.LIKE));
    a.arrive(p++, M, interaction("u2", "cat-a", InteractionType.COMMENT));
    // cat-c: 1 share by u3 -> 3, ties with cat-b, ranks after it
    a.arrive(p++, M, interaction("u3", "cat-c", InteractionType.SHARE));
    TrendingModel.Output out = TrendingModel.run(a, 0);
    List<TrendingModel.Category> top = out.panes().get(new WindowKey("", 0, 10 * M)).get(0).value();
    assertEquals(List.of("cat-b", "cat-c", "cat-a"), top.stream().map(c -> c.category()).toList());
    assertEquals(8.0 / 3, top.get(2).trendingScore(), 1e-12);
    assertEquals(3, top.get(2).rank());
  }

  @Test
  public void fraudScoresAmountHourActivityAndLocation() {
    Arrivals a = new Arrivals().advanceTo(0);
    long t = 23 * 60 * M; // 23:00 UTC
    a.arrive(0, t - 2 * M, profile("u1", "GB", t - 2 * M));
    a.arrive(1, t + 1, profile("u1", "FR", t + 1)); // after the transaction: not used
    for (int i = 0; i < 11; i++) {
      a.arrive(2 + i, t - 5 * M + i, purchase("u1", "e" + i)); // 11 purchases: 110 points
    }
    a.arrive(20, t, transaction("u1", 6000, "US", t));
    a.arrive(21, t, transaction("u1", 1000, "US", t)); // not over 1000: no alert
    FraudModel.Output out = FraudModel.run(a, 0);
    assertEquals(1, out.alerts().size());
    FraudModel.Alert alert = out.alerts().get(0);
    assertEquals(30 + 20 + 15 + 25, alert.riskScore());
    assertTrue(alert.suspicious());
    assertEquals("GB", alert.typicalLocation());
    assertEquals(11, alert.activityEvents());
    assertEquals(110, alert.activityScore());
  }

  @Test
  public void conversionIsAttributedToTheLatestClickWithinTheHour() {
    Arrivals a = new Arrivals().advanceTo(0);
    long t = 120 * M;
    a.arrive(0, t - 61 * M, click("u1", "p1", "c-old"));
    a.arrive(1, t - 60 * M, click("u1", "p1", "c-edge"));
    a.arrive(2, t - 10 * M, click("u1", "p1", "c-latest"));
    a.arrive(3, t + 1, click("u1", "p1", "c-after"));
    a.arrive(4, t - 5 * M, click("u1", "p2", "c-other-product"));
    a.arrive(5, t, purchase("u1", "buy"));
    ConversionModel.Output out = ConversionModel.run(a, 0);
    assertEquals(1, out.conversions().size());
    assertEquals("c-latest", out.conversions().get(0).clickEventId());
    assertEquals(10 * M, out.conversions().get(0).timeToPurchaseMs());
    assertEquals(6, out.ledger().total());
    assertFalse(out.unmatchedClicks().isEmpty());
  }

  private static ContentInteraction interaction(String user, String cat, InteractionType type) {
    return ContentInteraction.newBuilder()
        .setEventId("i")
        .setUserId(user)
        .setContentId("c")
        .setCategory(cat)
        .setInteraction(type)
        .setEventTime(M)
        .build();
  }

  private static UserProfile profile(String user, String location, long time) {
    return UserProfile.newBuilder()
        .setUserId(user)
        .setTypicalLocation(location)
        .setTier("basic")
        .setAccountCreatedTime(0)
        .setEventTime(time)
        .build();
  }

  private static Purchase purchase(String user, String id) {
    return Purchase.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setProductId("p1")
        .setAmount(1)
        .setEventTime(0)
        .build();
  }

  private static Transaction transaction(String user, double amount, String location, long t) {
    return Transaction.newBuilder()
        .setEventId("t")
        .setTransactionId("t" + amount)
        .setUserId(user)
        .setAmount(amount)
        .setLocation(location)
        .setMerchant("m")
        .setEventTime(t)
        .setCurrency("USD")
        .build();
  }

  private static Click click(String user, String product, String id) {
    return Click.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setProductId(product)
        .setPageUrl("u")
        .setUserAgent("ua")
        .setLocation("US")
        .setEventTime(0)
        .build();
  }
}

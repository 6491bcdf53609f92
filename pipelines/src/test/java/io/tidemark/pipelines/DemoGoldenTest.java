package io.tidemark.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.Transaction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The demo on a fixed seed, all pipelines at once. The expected numbers are computed here from the
 * generator's events with plain loops, not copied from a run. Without late events every number is
 * deterministic; with them the accounting must still balance.
 */
public class DemoGoldenTest {
  static final long FIVE_MINUTES = 5 * 60_000;
  static final long HOUR = 3_600_000;

  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  Summary runDemo(String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--seed=7",
                "--generatorEvents=3000",
                "--users=10",
                "--outputDir=" + folder.newFolder().getAbsolutePath()));
    args.addAll(List.of(extra));
    JobOptions o = Tidemark.options(Tidemark.PIPELINES, args.toArray(new String[0]));
    Job job = Job.build(Tidemark.PIPELINES, o);
    PipelineResult result = job.pipeline().run();
    result.waitUntilFinish();
    return new Summary(result, Tidemark.PIPELINES.stream().map(PipelineDef::name).toList());
  }

  static List<EventGenerator.Generated> generate(String... extra) {
    JobOptions o =
        Tidemark.options(
            Tidemark.PIPELINES,
            concat(new String[] {"--seed=7", "--generatorEvents=3000", "--users=10"}, extra));
    GeneratorConfig config = Sources.generatorConfig(o);
    EventGenerator g = new EventGenerator(config);
    List<EventGenerator.Generated> all = new ArrayList<>();
    for (long i = 0; i < config.maxEvents(); i++) {
      all.add(g.generate(i));
    }
    return all;
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static long count(List<EventGenerator.Generated> all, Class<?>... types) {
    return all.stream()
        .filter(g -> g.event() != null)
        .filter(g -> List.of(types).stream().anyMatch(t -> t.isInstance(g.event())))
        .count();
  }

  @Test
  public void withoutLateEventsEveryNumberIsExact() throws Exception {
    Summary s = runDemo("--lateFraction=0");
    List<EventGenerator.Generated> all = generate("--lateFraction=0");

    assertEquals(3000, s.get("source", "records"));
    assertEquals(
        all.stream().filter(g -> g.event() == null).count(), s.get("source", "dead-letters"));
    assertEquals(count(all, Click.class), s.get("clicks-per-user", "in"));
    assertEquals(count(all, Click.class), s.get("click-enrichment", "in"));
    assertEquals(
        count(all, PageView.class, Click.class, Purchase.class), s.get("engagement", "in"));
    assertEquals(count(all, ContentInteraction.class), s.get("trending", "in"));
    assertEquals(count(all, Transaction.class), s.get("fraud", "in"));
    assertEquals(count(all, Purchase.class), s.get("conversion", "in"));

    // One on-time pane per user and 5-minute window that has clicks.
    Set<String> userWindows = new HashSet<>();
    // One alert per transaction over 1000.
    long large = 0;
    List<Click> clicks = new ArrayList<>();
    List<Purchase> purchases = new ArrayList<>();
    for (EventGenerator.Generated g : all) {
      SpecificRecord e = g.event();
      if (e instanceof Click c) {
        userWindows.add(c.getUserId() + "@" + Math.floorDiv(c.getEventTime(), FIVE_MINUTES));
        clicks.add(c);
      } else if (e instanceof Transaction t && t.getAmount() > 1000) {
        large++;
      } else if (e instanceof Purchase p) {
        purchases.add(p);
      }
    }
    // A purchase converts when the same user clicked the same product in the hour before it.
    long conversions =
        purchases.stream()
            .filter(
                p ->
                    clicks.stream()
                        .anyMatch(
                            c ->
                                c.getUserId().equals(p.getUserId())
                                    && c.getProductId().equals(p.getProductId())
                                    && c.getEventTime() <= p.getEventTime()
                                    && c.getEventTime() >= p.getEventTime() - HOUR))
            .count();
    assertEquals(userWindows.size(), s.get("clicks-per-user", "panes-on-time"));
    assertEquals(large, s.get("fraud", "alerts"));
    assertEquals(conversions, s.get("conversion", "conversions"));
    for (String p : List.of("clicks-per-user", "engagement", "trending")) {
      assertEquals(p + " routed late", 0, s.get(p, "late"));
      assertEquals(p + " late panes", 0, s.get(p, "panes-late"));
    }
    assertTrue("accounting", s.balanced());
  }

  @Test
  public void withLateAndCorruptEventsTheAccountingBalances() throws Exception {
    String[] args = {
      "--eventsPerSecond=1",
      "--lateFraction=0.05",
      "--lateMinMinutes=3",
      "--lateMaxMinutes=12",
      "--corruptFraction=0.05"
    };
    Summary s = runDemo(args);
    List<EventGenerator.Generated> all = generate(args);
    assertEquals(
        all.stream().filter(g -> g.event() == null).count(), s.get("source", "dead-letters"));
    long late = 0;
    for (String p : List.of("clicks-per-user", "engagement", "trending")) {
      late += s.get(p, "late") + s.get(p, "panes-late");
    }
    assertTrue("some events are seen late", late > 0);
    assertTrue("accounting", s.balanced());

    assertEquals(
        s.get("source", "dead-letters"),
        s.deadLettersByReason().values().stream().mapToLong(Long::longValue).sum());
    assertTrue("join pairs counted", s.metric("join-matches") > 0);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    s.print(new PrintStream(printed, true, StandardCharsets.UTF_8), 1);
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text, text.contains("event-time lag      mean "));
    assertTrue(
        text,
        text.contains("join pairs          " + String.format("%,d", s.metric("join-matches"))));
  }
}

package io.tidemark.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.OutputFolder;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.KafkaSinkOptions;
import io.tidemark.pipelines.report.RunReport.Accounts;
import io.tidemark.pipelines.report.RunReport.PipelineAccount;
import io.tidemark.pipelines.report.RunReport.Windows;
import io.tidemark.pipelines.report.Scatter.Kind;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The run report: its sampling, its size at a million events, and its accounting. */
public class ReportTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  static final long START = Instant.parse("2026-01-05T08:00:00Z").getMillis();
  static final int MILLION = 1_000_000;

  @Test
  public void theSampleKeepsAtMostItsCapOfEachKindAndCountsEveryEvent() {
    Scatter s = new Scatter(100, 50, 7);
    for (int i = 0; i < 10_000; i++) {
      s.add(i, i, Kind.ON_TIME);
      s.watermark(i, i - 20);
    }
    for (int i = 0; i < 60; i++) {
      s.add(i, i, Kind.TOO_LATE);
    }
    assertEquals(10_000, s.count(Kind.ON_TIME));
    assertEquals(100, s.sample(Kind.ON_TIME).size());
    assertEquals("all too-late points under the cap are kept", 60, s.sample(Kind.TOO_LATE).size());
    assertEquals(0, s.sample(Kind.DEAD_LETTER).size());
    assertThat(s.line().size(), lessThanOrEqualTo(50));
    assertThat(s.line().size(), greaterThan(25));
    assertEquals("the line starts at the first arrival", 0, s.line().get(0).arrival());
    // Uniform: about as many sampled points in each half of the arrivals.
    long firstHalf = s.sample(Kind.ON_TIME).stream().filter(p -> p.arrival() < 5_000).count();
    assertTrue("sampled from the first half: " + firstHalf, firstHalf > 25 && firstHalf < 75);
  }

  @Test
  public void aReportOfAMillionEventsStaysUnderTwoMegabytes() {
    RunReport report = millionEventReport();
    String html = ReportPage.render(report);
    long bytes = html.getBytes(StandardCharsets.UTF_8).length;
    System.out.printf("report of %,d events: %,d bytes%n", MILLION, bytes);
    assertThat(bytes, lessThan(2L * 1024 * 1024));
    long circles = count(html, "<circle ");
    assertThat(circles, lessThanOrEqualTo((long) Kind.values().length * Scatter.DEFAULT_CAP));
    assertThat(count(html, "class=\"bar\""), greaterThan(0L));
    assertThat(html, containsString("on time 960,000 (2,500 shown)"));
    assertThat(html, containsString("dead letter 10,000 (2,500 shown)"));
    assertThat(html, containsString("each bar sums"));
    assertTrue("no reference to anything outside the page", !html.contains("src="));
    assertTrue(!html.contains("href="));
  }

  @Test
  public void theReplayTellsEachRecordsFateFromTheRunsOutput() throws Exception {
    GeneratorConfig config = config(8_000, 0.1, 0.02); // late records come after 40 minutes
    EventGenerator generator = new EventGenerator(config);
    int lateIndex = -1;
    int corrupt = 0;
    for (int i = 0; i < config.maxEvents(); i++) {
      EventGenerator.Generated g = generator.generate(i);
      EventGenerator.Stamp stamp = generator.stamp(i);
      assertEquals("the replay's stamp of record " + i, g.timestamp(), stamp.timestamp());
      assertEquals(g.event() == null, stamp.corrupt());
      assertEquals(g.late(), stamp.late());
      corrupt += g.event() == null ? 1 : 0;
      if (lateIndex < 0 && g.late() && g.event() != null && i > 100) {
        lateIndex = i;
      }
    }
    assertTrue(lateIndex > 0 && corrupt > 0);
    Path out = tmp.newFolder("out").toPath();
    Files.createDirectories(out.resolve("engagement/late"));
    Files.writeString(
        out.resolve("engagement/late/part-0.jsonl"),
        "{\"type\":\"LateEvent\",\"version\":1,\"event\":{\"pipeline\":\"engagement\",\"event\":"
            + "\"{\\\"eventId\\\":\\\"e"
            + lateIndex
            + "\\\",\\\"userId\\\":\\\"u1\\\"}\"}}\n");
    Files.createDirectories(out.resolve("dead-letters"));
    Files.writeString(
        out.resolve("dead-letters/part-0.jsonl"),
        "{\"type\":\"DeadLetter\",\"version\":1,\"event\":{\"payload\":\"x\",\"reason\":\"oversized\","
            + "\"step\":\"decode\",\"source\":\"generator\",\"position\":150}}\n");
    Files.createDirectories(out.resolve("engagement/results"));
    Files.writeString(
        out.resolve("engagement/results/part-0.jsonl"),
        "{\"event\":{\"windowStart\":1767600000000,\"timing\":\"ON_TIME\"}}\n"
            + "{\"event\":{\"windowStart\":1767600000000,\"timing\":\"LATE\"}}\n"
            + "{\"event\":{\"windowStart\":1767600300000,\"timing\":\"ON_TIME\"}}\n");
    Accounts accounts = new Accounts(8_000, 7_000, 1_000, List.of(account("engagement", 0, 0)));
    Scatter s = new Scatter();
    RunReport r = RunReport.collect("t", accounts, out, config, 60, s);

    assertEquals(1, s.count(Kind.TOO_LATE));
    assertEquals(config.arrival(lateIndex).getMillis(), s.sample(Kind.TOO_LATE).get(0).arrival());
    assertEquals(corrupt + 1, s.count(Kind.DEAD_LETTER));
    assertTrue("late records the run kept", s.count(Kind.LATE_KEPT) > 0);
    assertEquals(config.maxEvents(), s.total());
    Windows w = r.windows.get(0);
    assertTrue(w.windowed());
    assertEquals(3, w.total());
    assertEquals(1, w.counts().get(1767600000000L)[RunReport.TIMINGS.indexOf("LATE")]);
  }

  @Test
  public void aRunWritesTheReportWithItsOwnAccounting() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("out");
    Path report = tmp.getRoot().toPath().resolve("reports/run.html");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            new String[] {
              "clicks-per-user",
              "--generatorEvents=600",
              "--lateFraction=0.2",
              "--flushSeconds=1",
              "--outputDir=" + out,
              "--report=" + report
            },
            new PrintStream(log, true, StandardCharsets.UTF_8));
    String printed = log.toString(StandardCharsets.UTF_8);
    assertTrue(printed, balanced);
    assertThat(printed, containsString("report: " + report));
    String html = Files.readString(report);
    Matcher m =
        Pattern.compile("<script type=\"application/json\" id=\"accounting\">(.*?)</script>")
            .matcher(html);
    assertTrue(m.find());
    JsonNode page = new ObjectMapper().readTree(m.group(1));
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("_SUCCESS.json").toFile());
    assertEquals(600, page.get("records").asLong());
    assertEquals(manifest.at("/source/records").asLong(), page.get("records").asLong());
    assertEquals(manifest.at("/source/parsed").asLong(), page.get("parsed").asLong());
    assertEquals(manifest.at("/source/dead-letters").asLong(), page.get("deadLetters").asLong());
    JsonNode p = page.get("pipelines").get(0);
    assertEquals("clicks-per-user", p.get("name").asText());
    for (String[] term :
        new String[][] {{"in", "in"}, {"inResults", "in-results"}, {"late", "late"}}) {
      assertEquals(
          term[0],
          manifest.at("/pipelines/clicks-per-user/" + term[1]).asLong(),
          p.get(term[0]).asLong());
    }
    assertThat(html, containsString("records in <b>600</b>"));
    assertThat(count(html, "<circle "), greaterThan(500L));
    assertThat(count(html, "class=\"bar\""), greaterThan(0L));
    assertTrue(
        "a single run writes no report into its output", !Files.exists(out.resolve("report.html")));
  }

  @Test
  public void aReportThatIsNotALocalFileIsRefusedBeforeTheRun() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Tidemark.execute(
            new String[] {
              "engagement",
              "--outputDir=" + tmp.getRoot().toPath().resolve("o"),
              "--report=gs://bucket/report.html"
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("--report must be a file"));
  }

  @Test
  public void theDemoWritesItsReportIntoItsOutputWhichANewRunReplacesOnlyWithOverwrite()
      throws Exception {
    Path out = tmp.newFolder("demo").toPath();
    JobOptions o = Tidemark.options(Tidemark.PIPELINES, "--outputDir=" + out);
    Path report = Reports.target(o.as(JobOptions.class), true);
    assertEquals(out.resolve(Reports.DEMO_REPORT), report);
    assertEquals("a single pipeline writes none unless asked", null, Reports.target(o, false));
    o.setSink(KafkaSinkOptions.Sink.KAFKA);
    assertEquals("no report folder for the Kafka sink", null, Reports.target(o, true));

    Files.writeString(report, "<html></html>");
    OutputFolder.checkWithoutCreating(out.toString(), true);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputFolder.checkWithoutCreating(out.toString(), false));
    assertThat(e.getMessage(), containsString("earlier run's output (report.html)"));
  }

  @Test
  public void withoutLocalOutputOrTheGeneratorTheReportSaysWhatItCannotShow() {
    Accounts a = new Accounts(10, 10, 0, List.of(account("engagement", 10, 0)));
    RunReport r = RunReport.collect("t", a, null, null, 1, new Scatter());
    String html = ReportPage.render(r);
    assertEquals(null, r.scatter);
    assertEquals(2, r.notes.size());
    assertThat(html, containsString("No scatter for this source."));
    assertThat(html, containsString("not on this machine"));
    assertThat(html, containsString("records in <b>10</b>"));
  }

  /** A report of a million generated-like events: 6 days, 2% late, 1% too late, 1% dead. */
  static RunReport millionEventReport() {
    SplittableRandom rnd = new SplittableRandom(3);
    Scatter s = new Scatter();
    long perEvent = 500; // two events per second of event time
    for (long i = 0; i < MILLION; i++) {
      long arrival = START + i * perEvent;
      int r = (int) (i % 100);
      Kind kind =
          r == 0
              ? Kind.DEAD_LETTER
              : r == 1 ? Kind.TOO_LATE : r < 4 ? Kind.LATE_KEPT : Kind.ON_TIME;
      long behind =
          kind == Kind.ON_TIME ? rnd.nextLong(20_000) : 20_000 + rnd.nextLong(40 * 60_000L);
      s.add(arrival, arrival - behind, kind);
      s.watermark(arrival, arrival - 20_000);
    }
    List<Windows> windows = new ArrayList<>();
    for (String p : List.of("clicks-per-user", "engagement", "trending", "fraud")) {
      Windows w = new Windows(p);
      for (long i = 0; i < MILLION / 4; i++) {
        long t = START + i * 4 * perEvent;
        w.add(t - Math.floorMod(t, 300_000L), i % 50 == 0 ? "LATE" : "ON_TIME");
      }
      windows.add(w);
    }
    Accounts a =
        new Accounts(
            MILLION,
            MILLION - 10_000,
            10_000,
            List.of(
                account("clicks-per-user", 250_000, 2_500), account("engagement", 700_000, 7_000)));
    return new RunReport("Tidemark run: demo", a, windows, s, List.of());
  }

  static PipelineAccount account(String name, long in, long late) {
    return new PipelineAccount(name, in, in - late, late, 0, 0, 10, 1);
  }

  static GeneratorConfig config(long events, double lateFraction, double corruptFraction) {
    return new GeneratorConfig(
        42,
        events,
        2,
        20,
        200,
        12,
        Duration.standardSeconds(20),
        lateFraction,
        Duration.standardMinutes(2),
        Duration.standardMinutes(40),
        corruptFraction,
        true,
        Instant.parse("2026-01-05T08:00:00Z"));
  }

  static long count(String s, String what) {
    long n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}

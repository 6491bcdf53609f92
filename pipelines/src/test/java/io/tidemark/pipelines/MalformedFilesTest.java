package io.tidemark.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
import io.tidemark.schemas.Click;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.Engagement;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserClicks;
import io.tidemark.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Malformed files through the bundled CLI's file source: each bad record is a dead letter with its
 * original bytes, reason, file and line; the valid records around it are still processed; every
 * line Tidemark writes reads back with its own decoder; and the run's accounting balances.
 */
public class MalformedFilesTest {
  private static final long T0 = 1_767_600_000_000L; // 2026-01-05T08:00:00Z

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static PageView view(String id, long time) {
    return PageView.newBuilder()
        .setEventId(id)
        .setUserId("u1")
        .setContentId("c1")
        .setCategory("news")
        .setPageUrl("/c1")
        .setUserAgent("ua")
        .setDurationMs(5)
        .setEventTime(time)
        .build();
  }

  static Click click(String id, String user, String userAgent) {
    return Click.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setProductId("p1")
        .setPageUrl("/p1")
        .setUserAgent(userAgent)
        .setLocation("DE")
        .setEventTime(T0)
        .build();
  }

  static Transaction transaction(String id, double amount) {
    return Transaction.newBuilder()
        .setEventId(id)
        .setTransactionId("t" + id)
        .setUserId("u1")
        .setAmount(amount)
        .setLocation("DE")
        .setMerchant("acme")
        .setEventTime(T0)
        .setCurrency("EUR")
        .build();
  }

  static byte[] json(SpecificRecord r) {
    return WireFormat.toJson(r).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void eventTimesOutsideBeamsRangeAreDeadLettersAndTheJobGoesOn() throws Exception {
    String ok = WireFormat.toJson(view("e1", T0));
    String time = "\"eventTime\":" + T0;
    Run run =
        run(
            "engagement",
            "JSON",
            ok.getBytes(StandardCharsets.UTF_8),
            ok.replace(time, "\"eventTime\":9e18").getBytes(StandardCharsets.UTF_8),
            ok.replace(time, "\"eventTime\":9000000000000000000").getBytes(StandardCharsets.UTF_8),
            ok.replace(time, "\"eventTime\":" + Long.MIN_VALUE).getBytes(StandardCharsets.UTF_8),
            ok.replace(time, "\"eventTime\":-1").getBytes(StandardCharsets.UTF_8),
            json(view("e6", T0 + 1000)));
    assertEquals(
        List.of(
            "2 event-time-out-of-range",
            "3 event-time-out-of-range",
            "4 event-time-out-of-range",
            "5 event-time-out-of-range"),
        run.deadLetterReasons());
    assertEquals(2, run.resultEvents());
  }

  @Test
  public void eventTimesOutsideBeamsRangeInAvroAreDeadLetters() throws Exception {
    Run run =
        run(
            "engagement",
            "AVRO",
            base64(view("e1", T0)),
            base64(view("e2", Long.MAX_VALUE)),
            base64(view("e3", Long.MIN_VALUE)),
            base64(view("e4", Events.MAX_EVENT_TIME)));
    assertEquals(
        List.of("2 event-time-out-of-range", "3 event-time-out-of-range"), run.deadLetterReasons());
    assertEquals(2, run.resultEvents());
  }

  @Test
  public void invalidUtf8IsADeadLetterNamingFileAndLine() throws Exception {
    byte[] bad = json(view("e2", T0));
    int at = new String(bad, StandardCharsets.UTF_8).indexOf("news");
    bad[at] = (byte) 0xFF;
    Run run =
        run(
            "engagement",
            "JSON",
            json(view("e1", T0)),
            new byte[] {(byte) 0xFF},
            bad,
            json(view("e4", T0)));
    assertEquals(List.of("2 invalid-utf8", "3 invalid-utf8"), run.deadLetterReasons());
    for (DeadLetter d : run.deadLetters) {
      assertThat(d.getSource(), containsString("input.txt"));
    }
    assertTrue(Arrays.equals(bad, run.payload(3)));
    assertThat(run.deadLetters.get(1).getError(), containsString("byte " + at));
    assertEquals(2, run.resultEvents());
  }

  @Test
  public void aLeadingByteOrderMarkIsIgnored() throws Exception {
    byte[] first = json(view("e1", T0));
    byte[] withBom = new byte[first.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(first, 0, withBom, 3, first.length);
    Run run = run("engagement", "JSON", withBom, json(view("e2", T0)));
    assertEquals(List.of(), run.deadLetterReasons());
    assertEquals(2, run.resultEvents());
  }

  @Test
  public void missingFieldsWithDefaultsAreFilledIn() throws Exception {
    String tx = WireFormat.toJson(transaction("e1", 2000)).replace(",\"currency\":\"EUR\"", "");
    String click =
        WireFormat.toJson(
                io.tidemark.schemas.Click.newBuilder()
                    .setEventId("e2")
                    .setUserId("u1")
                    .setProductId("p1")
                    .setPageUrl("/p1")
                    .setUserAgent("ua")
                    .setLocation("DE")
                    .setEventTime(T0)
                    .setReferrer("search")
                    .build())
            .replace(",\"referrer\":\"search\"", "");
    assertThat(tx, containsString("\"version\":2"));
    Run run =
        run(
            "demo",
            "JSON",
            tx.getBytes(StandardCharsets.UTF_8),
            click.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(), run.deadLetterReasons());
    assertEquals(1, run.lines("fraud/results").size()); // the transaction over 1000 is alerted
    assertEquals(1, run.lines("click-enrichment/results").size());
  }

  @Test
  public void nonFiniteAmountsAreDeadLettersAndEveryAlertReadsBack() throws Exception {
    Run run =
        run(
            "fraud",
            "AVRO",
            base64(transaction("e1", 2000)),
            base64(transaction("e2", Double.NaN)),
            base64(transaction("e3", Double.POSITIVE_INFINITY)),
            base64(transaction("e4", Double.NEGATIVE_INFINITY)),
            base64(transaction("e5", 1e308)));
    assertEquals(
        List.of("2 invalid-amount", "3 invalid-amount", "4 invalid-amount"),
        run.deadLetterReasons());
    assertEquals(2, run.lines("fraud/results").size()); // e1 and e5, both read back
  }

  /**
   * An invalid click is a dead letter in the one dead-letter output with its line's original bytes,
   * file and line, as an undecodable line is; the other pipelines still take the click.
   */
  @Test
  public void invalidClicksAreDeadLettersWithTheirFileAndLine() throws Exception {
    Click ok = click("c1", "u1", "Mozilla/5.0 (X11; Linux x86_64)");
    Click noAgent = click("c2", "u1", " ");
    Click noUser = click("c3", "", "Mozilla/5.0 (X11; Linux x86_64)");
    Run run = run("demo", "AVRO", base64(ok), base64(noAgent), new byte[0], base64(noUser));
    assertEquals(List.of("2 invalid-click", "3 empty", "4 invalid-click"), run.deadLetterReasons());
    assertEquals(
        List.of(ClickEnrichmentPipeline.STEP, "decode", ClickEnrichmentPipeline.STEP),
        run.deadLetters.stream().map(DeadLetter::getStep).toList());
    assertEquals(
        List.of("empty userAgent", "empty line", "empty userId"),
        run.deadLetters.stream().map(DeadLetter::getError).toList());
    for (DeadLetter d : run.deadLetters) {
      assertThat(d.getSource(), containsString(run.in.getFileName().toString()));
    }
    assertArrayEquals(WireFormat.encode(noAgent), run.payload(2));
    assertArrayEquals(WireFormat.encode(noUser), run.payload(4));
    assertEquals(1, run.lines("click-enrichment/results").size());
    assertFalse(Files.exists(run.out.resolve("click-enrichment").resolve("dead-letters")));
    long counted = 0; // the other pipelines still take the invalid clicks
    for (String l : run.lines("clicks-per-user/results")) {
      counted += ((UserClicks) WireFormat.shipped().decodeJson(l)).getClicks();
    }
    assertEquals(3, counted);
  }

  // ---- helpers -------------------------------------------------------------------------------

  static byte[] base64(SpecificRecord r) {
    return Base64.getEncoder().encode(WireFormat.encode(r));
  }

  /** One CLI run over a file of {@code lines}: its decoded outputs. */
  final class Run {
    final Path in;
    final Path out;
    final List<DeadLetter> deadLetters = new ArrayList<>();

    Run(Path in, Path out) throws IOException, DecodeException {
      this.in = in;
      this.out = out;
      for (String l : lines("dead-letters")) {
        deadLetters.add((DeadLetter) WireFormat.shipped().decodeJson(l));
      }
      deadLetters.sort((a, b) -> Long.compare(a.getPosition(), b.getPosition()));
    }

    List<String> deadLetterReasons() {
      return deadLetters.stream().map(d -> d.getPosition() + " " + d.getReason()).toList();
    }

    byte[] payload(long position) {
      ByteBuffer b =
          deadLetters.stream()
              .filter(d -> d.getPosition() == position)
              .findFirst()
              .orElseThrow()
              .getPayload()
              .duplicate();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    }

    /** Events in engagement results (summed over panes). */
    long resultEvents() throws IOException, DecodeException {
      long n = 0;
      for (String l : lines("engagement/results")) {
        n += ((Engagement) WireFormat.shipped().decodeJson(l)).getTotalEvents();
      }
      return n;
    }

    /** The lines under {@code dir}; each must decode with Tidemark's own decoder. */
    List<String> lines(String dir) throws IOException {
      Path d = out.resolve(dir);
      List<String> all = new ArrayList<>();
      if (!Files.isDirectory(d)) {
        return all;
      }
      try (Stream<Path> files = Files.walk(d)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          if (f.getFileName().toString().endsWith(".jsonl")) {
            all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
          }
        }
      }
      for (String l : all) {
        try {
          WireFormat.shipped().decodeJson(l);
        } catch (DecodeException e) {
          throw new AssertionError(dir + " has a line Tidemark cannot read back: " + l, e);
        }
      }
      return all;
    }
  }

  Run run(String pipeline, String format, byte[]... lines) throws Exception {
    Path in = tmp.newFolder().toPath().resolve("input.txt");
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (byte[] l : lines) {
      file.write(l);
      file.write('\n');
    }
    Files.write(in, file.toByteArray());
    Path out = tmp.newFolder().toPath();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            new String[] {
              pipeline,
              "--source=FILE",
              "--format=" + format,
              "--inputFiles=" + in,
              "--outputDir=" + out,
              "--flushSeconds=1"
            },
            new PrintStream(log, true, StandardCharsets.UTF_8));
    assertTrue("accounting: " + log, balanced);
    assertThat(log.toString(StandardCharsets.UTF_8), containsString("records in " + lines.length));
    return new Run(in, out);
  }
}

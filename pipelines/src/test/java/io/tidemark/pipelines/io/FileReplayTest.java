package io.tidemark.pipelines.io;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.Parsed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The streaming replay of captured files: its reader, and late routing through the CLI. */
public class FileReplayTest {
  private static final long T0 = 1_767_600_000_000L; // 2026-01-05T08:00:00Z
  private static final long BOUND = 20_000;
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  static byte[] view(String id, long time) {
    return WireFormat.toJson(
            PageView.newBuilder()
                .setEventId(id)
                .setUserId("u1")
                .setContentId("c1")
                .setCategory("news")
                .setPageUrl("/c1")
                .setUserAgent("ua")
                .setDurationMs(5)
                .setEventTime(time)
                .build())
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String eventId(Parsed<SpecificRecord> decoded) {
    return ((PageView) decoded.value()).getEventId();
  }

  private static byte[] payload(DeadLetter d) {
    ByteBuffer b = d.getPayload().duplicate();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  private Path file(String name, List<String> lines) throws IOException {
    Path f = tmp.getRoot().toPath().resolve(name);
    Files.write(f, lines, StandardCharsets.UTF_8);
    return f;
  }

  private static FileReplay.ReplayReader reader(Path file, FileReplay.Position from)
      throws IOException {
    List<FileReplay.Source> splits =
        new FileReplay.Source(file.toString(), null, BOUND).split(1, OPTIONS);
    assertEquals(1, splits.size());
    return splits.get(0).createReader(OPTIONS, from);
  }

  @Test
  public void eachRecordHasItsCapturedTimeAndTheWatermarkIsTheKafkaOne() throws IOException {
    Path f =
        file(
            "p0.tsv",
            List.of(
                FileReplay.line(T0, view("a", T0)),
                FileReplay.line(T0 + 30_000, view("b", T0 + 30_000)),
                FileReplay.line(T0 + 15_000, view("c", T0 + 15_000)), // within the bound
                FileReplay.line(T0 - 600_000, view("d", T0 - 600_000)), // late
                "not a captured line",
                FileReplay.line(T0 + 40_000, new byte[0])));
    FileReplay.ReplayReader r = reader(f, null);
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, r.getWatermark());
    List<Long> times = new ArrayList<>();
    List<Long> watermarks = new ArrayList<>();
    for (boolean more = r.start(); more; more = r.advance()) {
      times.add(r.getCurrentTimestamp().getMillis());
      watermarks.add(r.getWatermark().getMillis());
    }
    assertEquals(
        List.of(T0, T0 + 30_000, T0 + 15_000, T0 - 600_000, T0 + 30_000, T0 + 40_000), times);
    long w = T0 + 30_000 - BOUND; // the greatest event time minus the bound; never goes back
    assertEquals(List.of(T0 - BOUND, w, w, w, w, T0 + 40_000 - BOUND), watermarks);
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, r.getWatermark()); // end of file
    r.close();
  }

  /**
   * As from Kafka: an event is stamped with its own event time, whatever record timestamp its
   * producer gave it, and the watermark follows the event times; an undecodable record keeps its
   * captured record timestamp.
   */
  @Test
  public void anEventIsStampedWithItsEventTimeNotItsCapturedRecordTimestamp() throws IOException {
    Path f =
        file(
            "p0.tsv",
            List.of(
                FileReplay.line(T0 + 3_600_000, view("a", T0)), // its producer an hour ahead
                FileReplay.line(T0 - 86_400_000, view("b", T0 + 30_000)), // a day behind
                FileReplay.line(T0 + 600_000, new byte[0])));
    FileReplay.ReplayReader r = reader(f, null);
    List<Long> times = new ArrayList<>();
    List<Long> watermarks = new ArrayList<>();
    for (boolean more = r.start(); more; more = r.advance()) {
      times.add(r.getCurrentTimestamp().getMillis());
      watermarks.add(r.getWatermark().getMillis());
    }
    assertEquals(List.of(T0, T0 + 30_000, T0 + 600_000), times);
    assertEquals(List.of(T0 - BOUND, T0 + 30_000 - BOUND, T0 + 600_000 - BOUND), watermarks);
    r.close();
  }

  @Test
  public void aBadLineReachesTheDecoderAsItIsWithItsFileAndLine() throws IOException {
    Path f = file("p0.tsv", List.of(FileReplay.line(T0, view("a", T0)), "12\tnot base64!"));
    FileReplay.ReplayReader r = reader(f, null);
    assertTrue(r.start());
    assertEquals("a", eventId(r.getCurrent()));
    assertTrue(r.advance());
    DeadLetter bad = r.getCurrent().deadLetter();
    assertArrayEquals("12\tnot base64!".getBytes(StandardCharsets.UTF_8), payload(bad));
    assertEquals(2, bad.getPosition());
    assertTrue(bad.getSource().endsWith("p0.tsv"));
    assertEquals(new Instant(T0), r.getCurrentTimestamp()); // moves no watermark
    assertFalse(r.advance());
  }

  @Test
  public void aRestoredReaderResumesAtTheNextLineWithItsWatermark() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t = T0 + (i == 2 ? 0 : i * 60_000L);
      lines.add(FileReplay.line(t, view("e" + i, t)));
    }
    Path f = file("p0.tsv", lines);
    FileReplay.ReplayReader first = reader(f, null);
    first.start();
    first.advance();
    FileReplay.Position checkpoint = first.getCheckpointMark();
    Instant watermark = first.getWatermark();
    first.close();
    FileReplay.ReplayReader restored = reader(f, checkpoint);
    assertEquals(watermark, restored.getWatermark());
    assertTrue(restored.start());
    assertEquals("e2", eventId(restored.getCurrent())); // line 3
    assertEquals(new Instant(T0), restored.getCurrentTimestamp());
    assertEquals(watermark, restored.getWatermark()); // line 3 is behind: no step back
    restored.close();
  }

  @Test
  public void eachFileIsAPartitionInNameOrder() throws IOException {
    file("b.tsv", List.of(FileReplay.line(T0, view("b", T0))));
    file("a.tsv", List.of(FileReplay.line(T0, view("a", T0))));
    List<FileReplay.Source> splits =
        new FileReplay.Source(tmp.getRoot() + "/*.tsv", null, BOUND).split(1, OPTIONS);
    assertEquals(2, splits.size());
    assertTrue(splits.get(0).createReader(OPTIONS, null).start());
    FileReplay.ReplayReader b = splits.get(1).createReader(OPTIONS, null);
    assertTrue(b.start());
    assertEquals("b", eventId(b.getCurrent()));
  }

  @Test
  public void badOptionsFailNamingTheOptionAndValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> FileReplay.of("x", Duration.standardSeconds(-5)));
    assertEquals("--outOfOrderSeconds must not be negative, was -5", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FileReplay.of(" ", Duration.ZERO));
    assertTrue(e.getMessage(), e.getMessage().contains("--inputFiles"));
  }

  @Test
  public void aFileThatIsNoCaptureFailsBeforeTheRun() throws IOException {
    Path plain = file("plain.jsonl", List.of(new String(view("a", T0), StandardCharsets.UTF_8)));
    file("empty.tsv", List.of()); // an empty partition's capture is fine
    FileReplay.checkCaptured(tmp.getRoot() + "/empty.tsv");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> FileReplay.checkCaptured(tmp.getRoot() + "/*"));
    assertTrue(e.getMessage(), e.getMessage().contains("line 1 of " + plain));
    assertTrue(e.getMessage(), e.getMessage().startsWith("--fileReplay=STREAM reads lines"));
  }

  @Test
  public void aStreamReplayOfAnotherSourceFailsNamingBoth() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Tidemark.execute(
            new String[] {
              "engagement", "--fileReplay=STREAM", "--outputDir=" + tmp.getRoot() + "/out"
            },
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertEquals(
        "tidemark: --fileReplay=STREAM replays files and needs --source=FILE, was"
            + " --source=GENERATOR\n",
        err.toString(StandardCharsets.UTF_8));
  }

  /**
   * A view 25 minutes behind the stream, after an hour of on-time views: replayed as a stream its
   * window (5 minutes, 1 minute of allowed lateness) closed long before, so it goes to the late
   * stream, as it would from Kafka; read as a batch, nothing is late and it is counted.
   */
  @Test
  public void aVeryLateRecordIsLateInAStreamReplayOnlyAndEveryRecordIsAccountedFor()
      throws Exception {
    List<String> captured = new ArrayList<>();
    List<String> plain = new ArrayList<>();
    for (int i = 0; i <= 160; i++) {
      long t = T0 + i * 30_000L;
      String id = "v" + i;
      if (i == 140) { // arrives at 70 min, its event time 45 min: window [45, 50) closed at 51
        t = T0 + 45 * 60_000L;
        id = "late";
      }
      captured.add(FileReplay.line(t, view(id, t)));
      plain.add(new String(view(id, t), StandardCharsets.UTF_8));
    }
    Path stream = runEngagement("STREAM", file("capture.tsv", captured));
    Path batch = runEngagement("BATCH", file("plain.jsonl", plain));
    List<String> lateInStream = lines(stream.resolve("engagement/late"));
    assertEquals(lateInStream.toString(), 1, lateInStream.size());
    assertTrue(lateInStream.get(0), lateInStream.get(0).contains("\\\"eventId\\\":\\\"late\\\""));
    assertEquals(160, resultEvents(stream));
    assertEquals(List.of(), lines(batch.resolve("engagement/late")));
    assertEquals(161, resultEvents(batch));
  }

  private Path runEngagement(String replay, Path input) throws IOException {
    Path out = tmp.newFolder().toPath();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            new String[] {
              "engagement",
              "--source=FILE",
              "--fileReplay=" + replay,
              "--inputFiles=" + input,
              "--outputDir=" + out,
              "--outOfOrderSeconds=20",
              "--allowedLatenessMinutes=1",
              "--flushSeconds=1"
            },
            new PrintStream(log, true, StandardCharsets.UTF_8));
    assertTrue("accounting: " + log, balanced);
    return out;
  }

  private static long resultEvents(Path out) throws IOException {
    long n = 0;
    for (String l : lines(out.resolve("engagement/results"))) {
      int at = l.indexOf("\"totalEvents\":") + "\"totalEvents\":".length();
      int end = at;
      while (Character.isDigit(l.charAt(end))) {
        end++;
      }
      n += Long.parseLong(l.substring(at, end));
    }
    return n;
  }

  private static List<String> lines(Path dir) throws IOException {
    List<String> all = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return all;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        if (f.getFileName().toString().endsWith(".jsonl")) {
          all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
        }
      }
    }
    return all;
  }
}

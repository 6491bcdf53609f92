package io.tidemark.pipelines;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Progress lines: their format, and on the DirectRunner a last line with the finished job's events
 * and late events, the same as the summary's. (On a remote Flink cluster, {@code
 * FlinkClusterSystemTest} checks the lines read from the cluster's REST API while the job runs.)
 */
public class ProgressTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aLineShowsEventsRateWatermarkAndLateEvents() {
    String line =
        Progress.line("progress", new Progress.Snapshot(12_345, 7L, 1_767_600_000_000L), 3_100.4);
    assertEquals(
        "  progress 12,345 events, 3,100 events/s, watermark 2026-01-05T08:00:00Z, 7 late", line);
    assertEquals(
        "  progress 5 events, 0 events/s, watermark -, - late",
        Progress.line("progress", new Progress.Snapshot(5, null, null), 0));
    assertEquals("end", Progress.watermark(Long.MAX_VALUE));
    assertEquals("end", Progress.watermark(Long.MAX_VALUE / 1000 - 86_400_000L));
    assertEquals("start", Progress.watermark(Long.MIN_VALUE / 1000));
  }

  @Test
  public void flinkMetricIdsAndBeamCounterPayloadsAreRead() {
    assertEquals(
        "source/records",
        FlinkRestSource.tidemarkName("SplitByType/ParMultiDo(Split).tidemark_source/records"));
    assertEquals("engagement/late", FlinkRestSource.tidemarkName("Route.tidemark.engagement/late"));
    assertNull(FlinkRestSource.tidemarkName("Score.currentInputWatermark"));
    assertNull(FlinkRestSource.tidemarkName("Route.io.tidemark"));
    assertEquals(3000, FlinkRestSource.varint(new byte[] {(byte) 0xb8, 0x17}));
    assertEquals(4, FlinkRestSource.varint(new byte[] {0x04}));
  }

  @Test
  public void theLastLineHoldsTheFinishedJobsFigures() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String[] args = {
      "engagement",
      "--generatorEvents=2000",
      "--flushSeconds=1",
      "--outputDir=" + tmp.getRoot().toPath().resolve("out")
    };
    assertTrue(Tidemark.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    List<long[]> done = lines(printed, "done");
    assertEquals(printed, 1, done.size());
    assertEquals(printed, 2000, done.get(0)[0]);
    Matcher routed = Pattern.compile("late events routed +([0-9,]+)").matcher(printed);
    assertTrue(printed, routed.find());
    assertEquals(printed, number(routed.group(1)), done.get(0)[1]);
    for (long[] during : lines(printed, "progress")) {
      assertTrue(printed, during[0] <= 2000 && during[1] <= done.get(0)[1]);
    }
  }

  /** Events and late events of each line that starts with {@code what}. */
  static List<long[]> lines(String printed, String what) {
    List<long[]> found = new ArrayList<>();
    Matcher m =
        Pattern.compile("(?m)^  " + what + " +([0-9,]+) events, .*, ([0-9,]+) late$")
            .matcher(printed);
    while (m.find()) {
      found.add(new long[] {number(m.group(1)), number(m.group(2))});
    }
    return found;
  }

  private static long number(String digits) {
    return Long.parseLong(digits.replace(",", ""));
  }

  /**
   * Embedded Flink gets a configuration directory of its own: the user's files copied, with a free
   * REST port added, or the port the user's configuration already names.
   */
  @Test
  public void embeddedFlinkIsGivenARestPortInACopyOfTheUsersConfiguration() throws Exception {
    Path user = tmp.newFolder("conf").toPath();
    Files.writeString(user.resolve("config.yaml"), "parallelism.default: 3");
    FlinkRestSource.FlinkClientOptions o =
        PipelineOptionsFactory.as(FlinkRestSource.FlinkClientOptions.class);
    o.setFlinkConfDir(user.toString());
    int port = EmbeddedRest.configure(o);
    Path copy = Path.of(o.getFlinkConfDir(), "config.yaml");
    assertTrue(o.getFlinkConfDir(), !copy.getParent().equals(user) && port > 0);
    String text = Files.readString(copy);
    assertTrue(text, text.startsWith("parallelism.default: 3\nrest.bind-port: " + port + "\n"));
    assertEquals(
        "the user's file is left alone",
        "parallelism.default: 3",
        Files.readString(user.resolve("config.yaml")));

    Files.writeString(user.resolve("config.yaml"), "rest.port: 18123\n");
    o.setFlinkConfDir(user.toString());
    assertEquals(18123, EmbeddedRest.configure(o));
    Files.writeString(user.resolve("config.yaml"), "rest.bind-port: 50100-50200\n");
    o.setFlinkConfDir(user.toString());
    assertEquals("a range is not read", -1, EmbeddedRest.configure(o));
  }
}

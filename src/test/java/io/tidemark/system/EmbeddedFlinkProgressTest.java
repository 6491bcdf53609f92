package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Tidemark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Progress of a job on embedded Flink, whose runner gives no result until the job ends: the lines
 * printed while it runs come from the job's own metrics, read through the REST API of the Flink
 * mini cluster in this JVM, so they show the late events so far (a number, not {@code -}) besides
 * the events read, and never more events than the job read in all.
 */
public class EmbeddedFlinkProgressTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final int EVENTS = 100_000;
  private static final Pattern LINE =
      Pattern.compile(
          "(?m)^  (progress|done) +([0-9,]+) events, .*, watermark (\\S+), (\\S+) late$");

  @Test
  public void progressLinesComeFromTheJobsMetricsWhileItRuns() {
    String[] args = {
      "engagement",
      "--runner=FlinkRunner",
      "--flinkMaster=[local]",
      "--parallelism=2",
      "--streaming",
      "--generatorEvents=" + EVENTS,
      "--outputDir=" + tmp.getRoot().toPath().resolve("out")
    };
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertTrue(
        "accounting balanced",
        Tidemark.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    List<Long> during = new ArrayList<>();
    List<Long> done = new ArrayList<>();
    Matcher m = LINE.matcher(printed);
    while (m.find()) {
      long events = Long.parseLong(m.group(2).replace(",", ""));
      if (m.group(1).equals("done")) {
        done.add(events);
      } else {
        assertTrue("a late count read while running\n" + printed, m.group(4).matches("[0-9,]+"));
        during.add(events);
      }
    }
    assertTrue("progress lines while the job ran\n" + printed, !during.isEmpty());
    assertTrue("events read while running\n" + printed, during.stream().anyMatch(n -> n > 0));
    assertTrue(
        "never more than the job read\n" + printed, during.stream().allMatch(n -> n <= EVENTS));
    assertEquals("one final line with every record\n" + printed, List.of((long) EVENTS), done);
  }
}

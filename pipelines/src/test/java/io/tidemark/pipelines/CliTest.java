package io.tidemark.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.options.JobOptions;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The command line as a user meets it, through {@link Tidemark#execute}: what it refuses before the
 * job starts (one line on stderr, exit code 2, nothing run), and output a user can trust (no stale
 * files, a manifest written last, no temporary folders left).
 */
public class CliTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A small engagement run: a few seconds. */
  private static final List<String> SMALL =
      List.of("engagement", "--generatorEvents=300", "--flushSeconds=1");

  /** What one execute() printed and returned. */
  record Result(int code, String out, String err) {
    void failsBeforeRunningWith(String... parts) {
      assertEquals("exit code; stderr: " + err, 2, code);
      assertEquals("one line on stderr: " + err, 1, err.lines().count());
      assertThat(err, not(containsString("\tat ")));
      assertThat("nothing ran", out, not(containsString("Running")));
      for (String part : parts) {
        assertThat(err, containsString(part));
      }
    }
  }

  /** Runs the command line; in a folder of the test's own when the arguments name none. */
  Result execute(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    if (all.stream().noneMatch(a -> a.startsWith("--outputDir"))) {
      all.add("--outputDir=" + tmp.getRoot().toPath().resolve("default-out"));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Tidemark.execute(
            all.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * The failure drill: the first run throws once, after the given records, and leaves its marker;
   * the same command again (the marker there) runs through. A drill without a marker is refused.
   */
  @Test
  public void theFailureDrillThrowsOnceThenRunsThrough() {
    execute(SMALL, "--failOnceAfterRecords=100")
        .failsBeforeRunningWith("--failOnceAfterRecords=100 needs --failOnceMarker");
    Path marker = tmp.getRoot().toPath().resolve("drill-marker");
    List<String> drill =
        List.of("--failOnceAfterRecords=100", "--failOnceMarker=" + marker, "--overwrite");
    Result failed = execute(SMALL, drill.toArray(new String[0]));
    assertEquals(failed.err(), 1, failed.code());
    assertThat(failed.err(), containsString("failure drill: a task throws once after 100 records"));
    assertTrue("the drill left its marker", Files.exists(marker));
    Result again = execute(SMALL, drill.toArray(new String[0]));
    assertEquals(again.err(), 0, again.code());
  }

  @Test
  public void anEmptyOrBlankOutputDirIsRejected() {
    execute(SMALL, "--outputDir=").failsBeforeRunningWith("--outputDir must name a folder");
    execute(SMALL, "--outputDir=  ").failsBeforeRunningWith("--outputDir must name a folder");
  }

  @Test
  public void aSecondRunRefusesTheFirstRunsOutputUnlessToldToReplaceIt() throws IOException {
    Path out = tmp.getRoot().toPath().resolve("out");
    Result first =
        execute(
            List.of("engagement", "--generatorEvents=600", "--flushSeconds=1"),
            "--outputDir=" + out,
            "--seed=1");
    assertEquals(first.err(), 0, first.code());
    List<String> before = files(out);

    execute(SMALL, "--outputDir=" + out)
        .failsBeforeRunningWith("holds an earlier run's output", "--overwrite");
    assertEquals("the refused run changed nothing", before, files(out));

    Result second = execute(SMALL, "--outputDir=" + out, "--seed=2", "--overwrite");
    assertEquals(second.err(), 0, second.code());
    assertOnlyThisRunsOutput(out);
    assertEquals(2, manifest(out).path("options").path("seed").asLong());
  }

  @Test
  public void aKilledRunLeavesNoManifestAndTheNextRunReplacesItsOutput() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("out");
    Process run =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty(
                    "surefire.test.class.path", System.getProperty("java.class.path")),
                Tidemark.class.getName(),
                "engagement",
                "--generatorEvents=5000000",
                "--flushSeconds=1",
                "--outputDir=" + out)
            .redirectErrorStream(true)
            .redirectOutput(tmp.newFile("killed-run.log"))
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (partFilesWhileWritten(out).isEmpty()) {
        assertFalse("the run ended before writing a pane", run.waitFor(100, TimeUnit.MILLISECONDS));
        assertTrue("a pane file within 120 s", System.nanoTime() < deadline);
      }
    } finally {
      run.destroyForcibly().waitFor();
    }
    assertFalse("panes were written", partFiles(out).isEmpty());
    assertFalse("no manifest", Files.exists(out.resolve(OutputFolder.MANIFEST)));

    execute(SMALL, "--outputDir=" + out)
        .failsBeforeRunningWith("holds an earlier run's output", "--overwrite");
    Result next = execute(SMALL, "--outputDir=" + out, "--overwrite");
    assertEquals(next.err(), 0, next.code());
    assertOnlyThisRunsOutput(out);
  }

  @Test
  public void aFinishedRunWritesItsManifestLastAndLeavesNoTemporaryFolders() throws IOException {
    Path out = tmp.getRoot().toPath().resolve("out");
    Result r = execute(SMALL, "--outputDir=" + out);
    assertEquals(r.err(), 0, r.code());
    assertThat(r.out(), containsString("_SUCCESS.json written last"));
    JsonNode m = manifest(out);
    assertEquals("engagement", m.path("command").asText());
    assertTrue(m.path("start").asText().compareTo(m.path("end").asText()) <= 0);
    assertEquals(300, m.path("options").path("generatorEvents").asLong());
    assertEquals(300, m.path("source").path("records").asLong());
    assertFalse(Files.exists(out.resolve(OutputFolder.MANIFEST + ".tmp")));
    for (String f : files(out)) {
      assertThat(f, not(containsString(".temp-beam")));
      assertTrue(
          "written before the manifest: " + f,
          modified(out.resolve(f)) <= modified(out.resolve(OutputFolder.MANIFEST)));
    }
    assertOnlyThisRunsOutput(out);
  }

  @Test
  public void foreignFilesAreNeverDeletedEvenWithOverwrite() throws IOException {
    Path out = tmp.newFolder("mine").toPath();
    Files.writeString(out.resolve("notes.txt"), "mine");
    execute(SMALL, "--outputDir=" + out, "--overwrite")
        .failsBeforeRunningWith("holds files Tidemark did not write (notes.txt)");
    Path earlier = tmp.getRoot().toPath().resolve("earlier");
    assertEquals(0, execute(SMALL, "--outputDir=" + earlier).code());
    Files.writeString(earlier.resolve("engagement/results/notes.txt"), "mine");
    List<String> before = files(earlier);
    execute(SMALL, "--outputDir=" + earlier, "--overwrite")
        .failsBeforeRunningWith("engagement/results/notes.txt");
    assertEquals(before, files(earlier));
  }

  @Test
  public void aValueThatIsNotANumberNamesItsOption() {
    execute(SMALL, "--engagementWindowMinutes=abc")
        .failsBeforeRunningWith("--engagementWindowMinutes must be a whole number, was 'abc'");
    execute(SMALL, "--engagementWindowMinutes")
        .failsBeforeRunningWith("--engagementWindowMinutes needs a value");
    execute(SMALL, "--lateFraction=lots")
        .failsBeforeRunningWith("--lateFraction must be a number, was 'lots'");
    execute(SMALL, "--generatorEvents=600")
        .failsBeforeRunningWith("--generatorEvents is given more than once: 300, 600");
  }

  /** An option that is not one of the run's, another pipeline's included, fails naming it. */
  @Test
  public void anOptionThatIsNotTheRunsFailsNamingIt() {
    execute(SMALL, "--topN=3")
        .failsBeforeRunningWith("tidemark: --topN is no option of this run (--help lists them).");
    execute(SMALL, "--engagementWindowMinute=5")
        .failsBeforeRunningWith("--engagementWindowMinute is no option of this run");
  }

  @Test
  public void anInputGlobThatMatchesNothingFailsBeforeTheJobStarts() throws IOException {
    String out = "--outputDir=" + tmp.getRoot().toPath().resolve("out");
    String glob = tmp.newFolder("in").toPath().resolve("events-*.jsonl").toString();
    execute(SMALL, out, "--source=FILE", "--inputFiles=" + glob)
        .failsBeforeRunningWith("--inputFiles matches no file, was '" + glob + "'");
    execute(SMALL, out, "--source=FILE").failsBeforeRunningWith("--source=FILE needs --inputFiles");
  }

  @Test
  public void anOutputDirThatCannotBeWrittenFailsBeforeTheJobStarts() throws IOException {
    File file = tmp.newFile("a-file");
    execute(SMALL, "--outputDir=" + file)
        .failsBeforeRunningWith("--outputDir must be a folder", "which is a file");
    execute(SMALL, "--outputDir=" + file + "/out")
        .failsBeforeRunningWith("--outputDir cannot be written", file + " is a file");
  }

  @Test
  public void onlyLocalPathsAreChecked() {
    JobOptions o = PipelineOptionsFactory.as(JobOptions.class);
    o.setOutputDir("gs://bucket/tidemark");
    o.setInputFiles("gs://bucket/none-*.jsonl");
    o.setSource(JobOptions.Source.FILE);
    assertNull(Preflight.check(o, true));
  }

  /**
   * The run's files are its own: the engagement results' event counts add up to the manifest's
   * count of events in results, which stale files from another run would exceed.
   */
  private static void assertOnlyThisRunsOutput(Path out) throws IOException {
    JsonNode m = manifest(out);
    long events = 0;
    for (Path f : partFiles(out.resolve("engagement/results"))) {
      for (String line : Files.readAllLines(f)) {
        events += JSON.readTree(line).path("event").path("totalEvents").asLong();
      }
    }
    assertTrue("some results", events > 0);
    assertEquals(m.path("pipelines").path("engagement").path("in-results").asLong(), events);
    for (String f : files(out)) {
      assertTrue("Tidemark's own: " + f, OutputFolder.isOurs(out, out.resolve(f)));
    }
  }

  private static JsonNode manifest(Path out) throws IOException {
    return JSON.readTree(out.resolve(OutputFolder.MANIFEST).toFile());
  }

  private static long modified(Path p) throws IOException {
    return Files.getLastModifiedTime(p).toMillis();
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> !p.equals(dir))
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  /** The pane files so far of a running job, whose temporary files come and go. */
  private static List<Path> partFilesWhileWritten(Path dir) {
    try {
      return partFiles(dir);
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of();
    }
  }

  private static List<Path> partFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.getFileName().toString().startsWith("part"))
          .filter(p -> !p.toString().contains(OutputFolder.TEMP_PREFIX))
          .toList();
    }
  }
}

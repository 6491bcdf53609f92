package io.tidemark.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.model.GeneratorArrivals;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every consumer of the registry ({@link Tidemark#PIPELINES}) lists exactly its pipelines, in its
 * order: {@code --help}, the demo, the lines a run starts with, the summary, and the reference
 * models. The benchmark's rows are checked against the registry by {@code PipelineBenchmarkTest},
 * the Flex Template's {@code pipeline} parameter by {@code FlexTemplateTest} (runners/dataflow).
 */
public class RegistryTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static List<String> registry() {
    return Tidemark.PIPELINES.stream().map(PipelineDef::name).toList();
  }

  private static String execute(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Tidemark.execute(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals("exit code; stderr: " + err.toString(StandardCharsets.UTF_8), 0, code);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The lines of {@code text} after the first that starts with {@code header}, to a blank one. */
  private static List<String> block(String text, String header) {
    List<String> lines = text.lines().toList();
    int start = 0;
    while (start < lines.size() && !lines.get(start).startsWith(header)) {
      start++;
    }
    assertTrue("no line starting with '" + header + "' in:\n" + text, start < lines.size());
    List<String> block = new ArrayList<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
      block.add(lines.get(i));
    }
    return block;
  }

  /** Each line's first word, mapped to the rest of the line. */
  private static Map<String, String> byFirstWord(List<String> lines) {
    Map<String, String> rows = new LinkedHashMap<>();
    for (String line : lines) {
      String[] parts = line.trim().split("\\s+", 2);
      rows.put(parts[0], parts.length > 1 ? parts[1] : "");
    }
    return rows;
  }

  @Test
  public void helpListsTheDemoAndEveryPipelineOfTheRegistryWithItsDescription() {
    Map<String, String> listed = byFirstWord(block(execute("--help"), "pipelines:"));

    assertEquals(
        Stream.concat(Stream.of(Tidemark.DEMO), registry().stream()).toList(),
        List.copyOf(listed.keySet()));
    for (PipelineDef def : Tidemark.PIPELINES) {
      assertEquals(def.name(), def.description(), listed.get(def.name()));
    }
  }

  /**
   * A pipeline's {@code --help} lists the job's options and its own, each group (the options one
   * interface declares) once, and no other pipeline's; the demo's lists every pipeline's.
   */
  @Test
  public void helpOfAPipelineListsTheJobsOptionsAndItsOwnOnly() {
    String engagement = execute("engagement", "--help");
    List<String> groups =
        engagement
            .lines()
            .filter(l -> !l.isEmpty() && !Character.isWhitespace(l.charAt(0)))
            .toList();
    assertEquals(groups.toString(), groups.size(), Set.copyOf(groups).size());
    for (String option :
        List.of(
            "--source=",
            "--outputDir=",
            "--engagementWindowMinutes=",
            "--allowedLatenessMinutes=")) {
      assertThat(engagement, containsString(option));
    }
    assertThat(engagement, not(containsString("--topN=")));
    assertThat(engagement, not(containsString("--timeZone=")));
    String demo = execute("demo", "--help");
    for (String option : List.of("--engagementWindowMinutes=", "--topN=", "--timeZone=")) {
      assertThat(demo, containsString(option));
    }
  }

  @Test
  public void theDemoIsTheRegistryAndEachPipelineAloneIsItsEntry() {
    assertEquals(Tidemark.PIPELINES, Tidemark.select(Tidemark.DEMO));
    for (PipelineDef def : Tidemark.PIPELINES) {
      assertEquals(List.of(def), Tidemark.select(def.name()));
    }
  }

  /**
   * A small demo through the CLI, over a file of a few generated events: its opening lines and its
   * summary name the registry's pipelines.
   */
  @Test
  public void aDemoRunStartsWithAndSummarisesEveryPipelineOfTheRegistry() throws IOException {
    EventGenerator generator =
        new EventGenerator(
            Sources.generatorConfig(Tidemark.options(Tidemark.PIPELINES, "--seed=3")));
    List<String> lines = new ArrayList<>();
    for (long i = 0; lines.size() < 40; i++) {
      SpecificRecord event = generator.generate(i).event();
      if (event != null) {
        lines.add(WireFormat.toJson(event));
      }
    }
    Path in = Files.write(tmp.newFile("in.jsonl").toPath(), lines);
    String out =
        execute(
            "demo",
            "--source=FILE",
            "--format=JSON",
            "--inputFiles=" + in,
            "--flushSeconds=1",
            "--outputDir=" + tmp.getRoot().toPath().resolve("out"));

    Map<String, String> started =
        byFirstWord(
            block(out, "Running demo ").stream()
                .takeWhile(l -> !l.startsWith("  progress ") && !l.startsWith("  done "))
                .toList());
    assertEquals(registry(), List.copyOf(started.keySet()));
    for (PipelineDef def : Tidemark.PIPELINES) {
      assertEquals(def.name(), def.description(), started.get(def.name()));
    }
    Map<String, String> summarised = byFirstWord(block(out, "pipeline "));
    assertEquals(registry(), List.copyOf(summarised.keySet()));
    summarised.forEach((name, row) -> assertThat(name, row, containsString("OK")));
    for (PipelineDef def : Tidemark.PIPELINES) {
      for (PipelineDef.Figure f : def.figures()) {
        assertTrue(
            def.name() + " figure '" + f.label() + "' in:\n" + out,
            out.lines()
                .anyMatch(
                    l -> l.matches(Pattern.quote(String.format("%-19s", f.label())) + " [0-9,]+")));
      }
    }
  }

  /**
   * Every entry has a model, and it runs: over a small generator stream with the demo's options, it
   * places some of the inputs, and no more than all of them, in a result. (The benchmark test
   * checks the number against the pipeline's own.)
   */
  @Test
  public void everyPipelineOfTheRegistryHasAModelThatPlacesInputsInResults() {
    JobOptions o =
        Tidemark.options(Tidemark.PIPELINES, "--generatorEvents=600", "--users=5", "--seed=3");
    GeneratorConfig config = Sources.generatorConfig(o);
    Arrivals arrivals = GeneratorArrivals.of(new EventGenerator(config), config.maxEvents(), 1);

    for (PipelineDef def : Tidemark.PIPELINES) {
      long placed = def.model().inResults(arrivals, o);
      assertThat(def.name(), placed, greaterThan(0L));
      assertThat(def.name(), placed, lessThanOrEqualTo(config.maxEvents()));
    }
  }

  /**
   * A windowed pipeline's model takes its window size from the options, as the pipeline does: with
   * no allowed lateness, two-hour windows take in events that five- or ten-minute windows drop as
   * too late.
   */
  @Test
  public void theModelsOfWindowedPipelinesUseTheWindowSizeOfTheOptions() {
    Map<String, String> windowOption =
        Map.of(
            "clicks-per-user", "--clicksWindowMinutes",
            "engagement", "--engagementWindowMinutes",
            "trending", "--trendingWindowMinutes");
    List<String> base =
        List.of(
            "--generatorEvents=3000",
            "--users=5",
            "--seed=3",
            "--lateFraction=0.1",
            "--lateMinMinutes=10",
            "--lateMaxMinutes=20",
            "--allowedLatenessMinutes=0");
    JobOptions defaults = demoOptions(base);
    GeneratorConfig config = Sources.generatorConfig(defaults);
    Arrivals arrivals = GeneratorArrivals.of(new EventGenerator(config), config.maxEvents(), 1);
    for (PipelineDef def : Tidemark.PIPELINES) {
      String option = windowOption.get(def.name());
      if (option == null) {
        continue;
      }
      List<String> wide = new ArrayList<>(base);
      wide.add(option + "=120");
      assertThat(
          def.name() + " with " + option + "=120",
          def.model().inResults(arrivals, demoOptions(wide)),
          greaterThan(def.model().inResults(arrivals, defaults)));
    }
  }

  private static JobOptions demoOptions(List<String> args) {
    return Tidemark.options(Tidemark.PIPELINES, args.toArray(new String[0]));
  }

  @Test
  public void anEntryWithoutAModelIsRejected() {
    PipelineDef def = Tidemark.PIPELINES.get(0);
    NullPointerException e =
        assertThrows(
            NullPointerException.class,
            () ->
                new PipelineDef(
                    def.name(), def.options(), def.describe(), def.graph(), null, def.figures()));
    assertThat(e.getMessage(), containsString(def.name() + ": model"));
  }
}

package io.tidemark.runners.dataflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Job;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.options.JobOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.runners.dataflow.DataflowRunner;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.storage.NoopPathValidator;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The real DataflowRunner writes the engagement pipeline's streaming job spec to a local file,
 * staging through {@link LocalStager}: no network, no credentials.
 */
public class DataflowJobSpecTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String TEMP = "gs://tidemark-test/tmp";
  private static Path specFile;
  private static Path stagingDir;
  private static JsonNode spec;

  @BeforeClass
  public static void writeSpec() throws IOException {
    specFile = TMP.getRoot().toPath().resolve("engagement-job.json");
    stagingDir = TMP.getRoot().toPath().resolve("staging");
    DataflowPipelineOptions options =
        Tidemark.options(
                Tidemark.select("engagement"),
                "--runner=DataflowRunner",
                "--generatorEvents=5000",
                "--outputDir=gs://tidemark-test/out")
            .as(DataflowPipelineOptions.class);
    options.setRunner(DataflowRunner.class);
    options.setStreaming(true);
    options.setProject("tidemark-test");
    options.setRegion("europe-west1");
    options.setGcpTempLocation(TEMP);
    options.setTemplateLocation(specFile.toString());
    options.setStagerClass(LocalStager.class);
    options.setCredentialFactoryClass(NoopCredentialFactory.class);
    options.setPathValidatorClass(NoopPathValidator.class);
    options.setFilesToStage(List.of(smallJar().toString())); // not the whole test classpath
    options.as(LocalStagerOptions.class).setLocalStagingDir(stagingDir.toString());

    Job.build(Tidemark.select("engagement"), options.as(JobOptions.class)).pipeline().run();

    spec = new ObjectMapper().readTree(specFile.toFile());
  }

  @Test
  public void specIsAStreamingJob() {
    assertEquals("JOB_TYPE_STREAMING", spec.path("type").asText());
    JsonNode o = spec.path("environment").path("sdkPipelineOptions").path("options");
    assertTrue("streaming option in the spec", o.path("streaming").asBoolean());
    assertEquals("tidemark-test", o.path("project").asText());
    assertEquals(5000, o.path("generatorEvents").asLong());
  }

  @Test
  public void specWindowsTheEngagementActivityIntoFiveMinuteWindowsWithLateness() {
    JsonNode window = step("Bucket", "engagement/LateEvents/Window/Window.Into()/Window.Assign");
    assertThat(
        displayData(window, "windowFn"),
        is(Optional.of("org.apache.beam.sdk.transforms.windowing.FixedWindows")));
    assertThat(displayData(window, "size"), is(Optional.of("300000")));
    assertThat(displayData(window, "allowedLateness"), is(Optional.of("600000")));
  }

  @Test
  public void specGroupsAndCombinesPerUser() {
    JsonNode gbk = step("GroupByKey", "engagement/Score/GroupByKey");
    JsonNode combine = step("CombineValues", "engagement/Score/Combine.GroupedValues");
    assertEquals(
        name(gbk), combine.path("properties").path("parallel_input").path("step_name").asText());
    assertThat(combine.toString(), containsString("EngagementFn$AccCoder"));
  }

  @Test
  public void specHasTheStatefulLateEventsRouter() {
    JsonNode route = step("ParallelDo", "engagement/LateEvents/Route");
    assertThat(text(route, "uses_keyed_state"), equalTo("true"));
    assertThat(text(route, "user_fn"), equalTo("io.tidemark.transforms.LateRouteFn"));
  }

  @Test
  public void packagesAndPipelineAreStagedLocallyAndNamedUnderTheStagingLocation()
      throws IOException {
    JsonNode o = spec.path("environment").path("sdkPipelineOptions").path("options");
    assertEquals(TEMP + "/staging/pipeline.pb", o.path("pipelineUrl").asText());
    assertTrue(Files.size(stagingDir.resolve("pipeline.pb")) > 0);
    List<String> manifest = Files.readAllLines(stagingDir.resolve(LocalStager.MANIFEST));
    List<String> locations = new ArrayList<>();
    for (String line : manifest) {
      String[] f = line.split("\t");
      assertTrue(line, Files.isRegularFile(Path.of(f[1])));
      locations.add(f[0]);
    }
    assertThat(locations, hasItem(TEMP + "/staging/pipeline.pb"));
    assertTrue(
        locations.toString(),
        locations.stream().anyMatch(l -> l.matches(".*/staging/small-.*\\.jar")));
  }

  /** The CLI path: relative --templateLocation, exit status and the line saying where it went. */
  @Test
  public void cliWritesTheSpecAndSaysWhere() throws IOException {
    String relative = "target/cli-spec-test/engagement-job.json";
    Path cliSpec = Path.of(relative).toAbsolutePath();
    Files.deleteIfExists(cliSpec);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean ok =
        Tidemark.run(
            new String[] {
              "engagement",
              "--runner=DataflowRunner",
              "--streaming",
              "--project=tidemark-test",
              "--region=europe-west1",
              "--gcpTempLocation=" + TEMP,
              "--stagerClass=" + LocalStager.class.getName(),
              "--credentialFactoryClass=" + NoopCredentialFactory.class.getName(),
              "--pathValidatorClass=" + NoopPathValidator.class.getName(),
              "--filesToStage=" + smallJar(),
              "--templateLocation=" + relative
            },
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(printed, ok);
    assertThat(printed, containsString("job spec of engagement to " + cliSpec));
    assertEquals(
        "JOB_TYPE_STREAMING", new ObjectMapper().readTree(cliSpec.toFile()).path("type").asText());
    assertTrue(Files.isRegularFile(cliSpec.getParent().resolve("staging/pipeline.pb")));
  }

  private static JsonNode step(String kind, String userName) {
    List<String> seen = new ArrayList<>();
    for (JsonNode s : spec.path("steps")) {
      String name = text(s, "user_name");
      seen.add(s.path("kind").asText() + " " + name);
      if (name.equals(userName)) {
        assertEquals("kind of " + userName, kind, s.path("kind").asText());
        return s;
      }
    }
    throw new AssertionError("no step " + userName + " in " + seen);
  }

  private static String name(JsonNode step) {
    return step.path("name").asText();
  }

  private static String text(JsonNode step, String property) {
    return step.path("properties").path(property).path("value").asText();
  }

  private static Optional<String> displayData(JsonNode step, String key) {
    for (JsonNode d : step.path("properties").path("display_data")) {
      if (d.path("key").asText().equals(key)) {
        return Optional.of(d.path("value").asText());
      }
    }
    return Optional.empty();
  }

  private static Path smallJar() throws IOException {
    Path jar = TMP.getRoot().toPath().resolve("small.jar");
    if (!Files.exists(jar)) {
      try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new java.util.jar.JarEntry("tidemark.txt"));
        out.write("staged by the test".getBytes(StandardCharsets.UTF_8));
      }
    }
    return jar;
  }
}

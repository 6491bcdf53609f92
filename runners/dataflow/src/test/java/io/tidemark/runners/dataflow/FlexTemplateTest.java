package io.tidemark.runners.dataflow;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Tidemark;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.Test;

/** The Flex Template's metadata and main class agree with the CLI. */
public class FlexTemplateTest {
  private static final File METADATA = new File("flex-template/metadata.json");

  @Test
  public void everyParameterIsAPipelineOptionOrThePipelineName() throws IOException {
    Set<String> options = new TreeSet<>(); // the demo's: the job's and every pipeline's
    for (Class<?> i : Tidemark.optionsInterfaces(Tidemark.PIPELINES)) {
      for (Method m : i.getMethods()) {
        String n = m.getName();
        if (m.getParameterCount() == 0 && (n.startsWith("get") || n.startsWith("is"))) {
          String p = n.substring(n.startsWith("get") ? 3 : 2);
          options.add(Character.toLowerCase(p.charAt(0)) + p.substring(1));
        }
      }
    }
    JsonNode params = new ObjectMapper().readTree(METADATA).path("parameters");
    assertTrue("parameters listed", params.size() > 5);
    for (JsonNode p : params) {
      String name = p.path("name").asText();
      assertTrue(
          name + " is neither 'pipeline' nor one of " + options,
          name.equals("pipeline") || options.contains(name));
      assertTrue(name + " has help text", !p.path("helpText").asText().isBlank());
      for (JsonNode r : p.path("regexes")) {
        Pattern.compile(r.asText()); // a bad regex would reject every launch
      }
    }
  }

  /**
   * The {@code pipeline} parameter names no pipeline, so adding one needs no edit of the metadata:
   * its regex accepts every name of the registry (and {@code demo}), the metadata's texts name none
   * but the default (a list there would go stale), and the job itself fails at once on any other
   * name, listing the known ones. The registry's other consumers are checked in the pipelines
   * module, by {@code RegistryTest}.
   */
  @Test
  public void thePipelineParameterAcceptsEveryPipelineOfTheRegistryAndTheJobRejectsOthers()
      throws IOException {
    List<String> registry = new ArrayList<>(List.of("demo"));
    Tidemark.PIPELINES.forEach(d -> registry.add(d.name()));
    JsonNode metadata = new ObjectMapper().readTree(METADATA);
    JsonNode pipeline = null;
    for (JsonNode p : metadata.path("parameters")) {
      if (p.path("name").asText().equals("pipeline")) {
        pipeline = p;
      }
    }
    assertNotNull("no 'pipeline' parameter in " + METADATA, pipeline);
    assertTrue("the pipeline parameter has a regex", pipeline.path("regexes").size() > 0);
    for (JsonNode r : pipeline.path("regexes")) {
      for (String name : registry) {
        assertTrue(name + " matches " + r.asText(), Pattern.matches(r.asText(), name));
      }
    }
    String texts = metadata.path("description").asText() + " " + pipeline.path("helpText").asText();
    for (String name : registry) {
      if (!name.equals("demo") && !name.equals(FlexTemplateMain.DEFAULT_PIPELINE)) {
        assertFalse(name + " named in the metadata: " + texts, texts.contains(name));
      }
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Tidemark.execute(
            FlexTemplateMain.cliArgs(new String[] {"--pipeline=sessions", "--outputDir=gs://b/o"}),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals("exit code of an unknown pipeline; stderr: " + message, 2, code);
    assertTrue(message, message.startsWith("tidemark: unknown pipeline 'sessions'"));
    for (String name : registry) {
      assertTrue(name + " listed in: " + message, message.contains(name));
    }
  }

  @Test
  public void parameterRegexesAcceptTheDefaults() throws IOException {
    JsonNode params = new ObjectMapper().readTree(METADATA).path("parameters");
    String[][] samples = {
      {"pipeline", "engagement"}, {"source", "GENERATOR"}, {"lateFraction", "0.02"},
      {"corruptFraction", "0"}, {"accumulating", "false"}, {"outputDir", "gs://b/tidemark/out"}
    };
    for (String[] s : samples) {
      for (JsonNode p : params) {
        if (p.path("name").asText().equals(s[0])) {
          for (JsonNode r : p.path("regexes")) {
            assertTrue(s[0] + "=" + s[1], Pattern.matches(r.asText(), s[1]));
          }
        }
      }
    }
  }

  @Test
  public void mainTakesThePipelineFromItsParameterOrDefaultsToEngagement() {
    assertArrayEquals(
        new String[] {"demo", "--seed=7", "--streaming"},
        FlexTemplateMain.cliArgs(new String[] {"--seed=7", "--pipeline=demo", "--streaming"}));
    assertArrayEquals(
        new String[] {"engagement", "--outputDir=gs://b/o", "--streaming"},
        FlexTemplateMain.cliArgs(new String[] {"--outputDir=gs://b/o"}));
    assertArrayEquals(
        new String[] {"engagement", "--streaming=false"},
        FlexTemplateMain.cliArgs(new String[] {"--streaming=false"}));
  }
}

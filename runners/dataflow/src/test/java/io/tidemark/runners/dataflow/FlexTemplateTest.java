package io.tidemark.runners.dataflow;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidemark.pipelines.Tidemark;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
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
    Set<String> options = new TreeSet<>();
    for (Method m : Tidemark.DemoOptions.class.getMethods()) {
      String n = m.getName();
      if (m.getParameterCount() == 0 && (n.startsWith("get") || n.startsWith("is"))) {
        String p = n.substring(n.startsWith("get") ? 3 : 2);
        options.add(Character.toLowerCase(p.charAt(0)) + p.substring(1));
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
   * The registry's other consumers are checked in the pipelines module, by {@code RegistryTest}.
   */
  @Test
  public void thePipelineParameterListsEveryPipelineOfTheRegistry() throws IOException {
    Set<String> registry = new TreeSet<>(Set.of("demo"));
    Tidemark.PIPELINES.forEach(d -> registry.add(d.name()));
    for (JsonNode p : new ObjectMapper().readTree(METADATA).path("parameters")) {
      if (p.path("name").asText().equals("pipeline")) {
        String regex = p.path("regexes").get(0).asText();
        Set<String> listed =
            new TreeSet<>(List.of(regex.replaceAll("^\\^\\(|\\)\\$$", "").split("\\|")));
        assertEquals(regex, registry, listed);
        for (String name : registry) {
          assertTrue(name + " in the help text", p.path("helpText").asText().contains(name));
        }
        return;
      }
    }
    throw new AssertionError("no 'pipeline' parameter in " + METADATA);
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

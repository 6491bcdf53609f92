package io.tidemark.pipelines.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The reference model is independent of what it checks: its sources name no project package but its
 * own and the Avro event types ({@code io.tidemark.schemas}), and no library but the JDK and Avro.
 * A model that shared the generator or a pipeline's code could share its bugs.
 */
public class ModelIndependenceTest {
  private static final Path SOURCES = Path.of("src/main/java/io/tidemark/pipelines/model");
  private static final Pattern NAME = Pattern.compile("\\b(io\\.tidemark\\.[a-z.]+|org\\.[a-z.]+)");

  @Test
  public void theModelNamesOnlyTheJdkAvroAndTheEventTypes() throws IOException {
    List<String> offending = new ArrayList<>();
    int files = 0;
    try (Stream<Path> paths = Files.list(SOURCES)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        files++;
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = NAME.matcher(lines.get(i));
          while (m.find()) {
            String name = m.group(1);
            if (!name.startsWith("io.tidemark.schemas.")
                && !name.startsWith("io.tidemark.pipelines.model")
                && !name.startsWith("org.apache.avro.")) {
              offending.add(p.getFileName() + ":" + (i + 1) + " " + name);
            }
          }
        }
      }
    }
    assertTrue("no model sources found under " + SOURCES.toAbsolutePath(), files > 10);
    assertEquals("the model must not depend on the code it checks", List.of(), offending);
  }
}

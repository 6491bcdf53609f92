package io.tidemark.pipelines.io.kafka;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tidemark capture} writes only into a new or empty local folder, and says so at once. */
public class CaptureTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aNewOrEmptyFolderIsTaken() throws Exception {
    Path fresh = tmp.getRoot().toPath().resolve("a/b");
    assertEquals(fresh, Capture.folder(fresh.toString()));
    assertTrue(Files.isDirectory(fresh));
    assertEquals(fresh, Capture.folder(fresh.toString())); // still empty
  }

  @Test
  public void anythingElseFailsNamingTheOptionAndValue() throws Exception {
    Path full = tmp.newFolder("full").toPath();
    Files.writeString(full.resolve("p-0.tsv"), "1\t\n");
    Path file = tmp.newFile("file").toPath();
    String[][] cases = {
      {full.toString(), "--captureTo must be a new or empty folder, was '" + full + "'"},
      {file.toString(), "--captureTo must be a folder, is a file, was '" + file + "'"},
      {"", "--captureTo must name a local folder, was ''"},
      {"gs://bucket/capture", "--captureTo must name a local folder, was 'gs://bucket/capture'"}
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Capture.folder(c[0]));
      assertEquals(c[1], e.getMessage());
    }
  }
}

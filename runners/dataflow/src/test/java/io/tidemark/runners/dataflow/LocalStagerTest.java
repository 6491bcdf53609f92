package io.tidemark.runners.dataflow;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.api.services.dataflow.model.DataflowPackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.beam.runners.dataflow.util.PackageUtil.StagedFile;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LocalStagerTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void copiesEachFileUnderItsDestinationAndNamesItUnderTheStagingLocation()
      throws IOException {
    Path a = file("a.jar", "aaa");
    Path b = file("b.jar", "bbbb");
    Path dir = tmp.getRoot().toPath().resolve("staging");
    LocalStager stager = new LocalStager(dir, "gs://bucket/staging/");

    List<DataflowPackage> staged =
        stager.stageFiles(
            List.of(
                StagedFile.of(a.toString(), "sha-a", "a-123.jar"),
                StagedFile.of(b.toString(), "sha-b", "b-456.jar")));

    assertEquals(2, staged.size());
    assertEquals("a-123.jar", staged.get(0).getName());
    assertEquals("gs://bucket/staging/a-123.jar", staged.get(0).getLocation());
    assertEquals("gs://bucket/staging/b-456.jar", staged.get(1).getLocation());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(dir.resolve("a-123.jar")));
    assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(dir.resolve("b-456.jar")));
    assertEquals(
        List.of(
            "gs://bucket/staging/a-123.jar\t" + dir.resolve("a-123.jar") + "\tsha-a",
            "gs://bucket/staging/b-456.jar\t" + dir.resolve("b-456.jar") + "\tsha-b"),
        Files.readAllLines(dir.resolve(LocalStager.MANIFEST)));
  }

  @Test
  public void aFileAlreadyStagedIsNotCopiedAgain() throws IOException {
    Path a = file("a.jar", "aaa");
    Path dir = tmp.getRoot().toPath().resolve("staging");
    LocalStager stager = new LocalStager(dir, "gs://bucket/staging");
    StagedFile f = StagedFile.of(a.toString(), "sha-a", "a-123.jar");
    stager.stageFiles(List.of(f));
    FileTime old = FileTime.fromMillis(1_000_000);
    Files.setLastModifiedTime(dir.resolve("a-123.jar"), old);

    stager.stageFiles(List.of(f));

    assertEquals(old, Files.getLastModifiedTime(dir.resolve("a-123.jar")));
  }

  @Test
  public void stageToFileWritesTheBytesAndAddsThemToTheManifest() throws IOException {
    Path dir = tmp.getRoot().toPath().resolve("staging");
    LocalStager stager = new LocalStager(dir, "gs://bucket/staging");
    stager.stageFiles(List.of(StagedFile.of(file("a.jar", "a").toString(), "sha-a", "a.jar")));

    DataflowPackage p = stager.stageToFile(new byte[] {1, 2, 3}, "pipeline.pb");

    assertEquals("gs://bucket/staging/pipeline.pb", p.getLocation());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("pipeline.pb")));
    assertEquals(2, Files.readAllLines(dir.resolve(LocalStager.MANIFEST)).size());
  }

  @Test
  public void refusesNamesThatLeaveTheFolderAndSourcesThatAreNotFiles() {
    LocalStager stager = new LocalStager(tmp.getRoot().toPath().resolve("s"), "gs://b/s");
    assertThrows(IllegalArgumentException.class, () -> stager.stageToFile(new byte[0], "../x"));
    assertThrows(
        IllegalArgumentException.class,
        () -> stager.stageFiles(List.of(StagedFile.of(tmp.getRoot().toString(), "h", "d.jar"))));
  }

  private Path file(String name, String content) throws IOException {
    Path p = tmp.getRoot().toPath().resolve(name);
    Files.write(p, content.getBytes(StandardCharsets.UTF_8));
    return p;
  }
}

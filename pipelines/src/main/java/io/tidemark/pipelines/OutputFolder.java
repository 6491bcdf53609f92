package io.tidemark.pipelines;

import io.tidemark.pipelines.report.Reports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The local folder a run writes to, checked before the pipeline is built so that a run never mixes
 * its files with an earlier run's, never writes beside files it does not own, and fails at once
 * when it cannot write.
 *
 * <p>Tidemark's own output is {@code _SUCCESS.json} (and its temporary file), the demo's {@code
 * report.html}, {@code dead-letters/} and one folder per pipeline, each holding only output folders
 * of {@code part*.jsonl} files and the sinks' {@code .temp-beam*} folders. A folder holding
 * anything else is refused, even with {@code --overwrite}, so that nothing unrelated is ever
 * deleted.
 */
public final class OutputFolder {
  /** Written last by a run that finished: its absence marks output as incomplete. */
  public static final String MANIFEST = "_SUCCESS.json";

  static final String TEMP_PREFIX = ".temp-beam";

  /** The file that shows that the folder can be written, deleted at once. */
  private static final String PROBE = ".tidemark-probe";

  private final Path dir;

  private OutputFolder(Path dir) {
    this.dir = dir;
  }

  public Path path() {
    return dir;
  }

  /** True when {@code outputDir} is a path on this machine rather than a URL such as gs://. */
  public static boolean isLocal(String outputDir) {
    return !outputDir.contains("://") || outputDir.startsWith("file://");
  }

  /**
   * Checks, without changing anything on disk, that {@code outputDir} is a folder or can be created
   * as one, and can be written.
   *
   * @throws IllegalArgumentException naming {@code --outputDir}, its value and what is wrong
   */
  public static Path checkWritable(String outputDir) {
    Path dir = Paths.get(outputDir.replaceFirst("^file://", "")).toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--outputDir must be a folder, was '" + outputDir + "', which is a file");
    }
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
      throw new IllegalArgumentException(
          "--outputDir cannot be written, was '"
              + outputDir
              + "': "
              + existing
              + (existing != null && !Files.isDirectory(existing)
                  ? " is a file"
                  : " is not writable"));
    }
    return dir;
  }

  /**
   * Checks that {@code outputDir} can take a new run: it can be created and written, and holds
   * nothing, or (with {@code overwrite}) only an earlier run's output. Changes nothing on disk
   * except creating the folder.
   *
   * @throws IllegalArgumentException naming {@code --outputDir}, its value and what is wrong
   */
  public static OutputFolder check(String outputDir, boolean overwrite) {
    Path dir = checkWritable(outputDir);
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, PROBE, ""));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--outputDir cannot be written, was '" + outputDir + "': " + reason(e));
    }
    OutputFolder folder = new OutputFolder(dir);
    folder.checkContents(outputDir, overwrite);
    return folder;
  }

  /**
   * {@link #check} without creating anything: the folder can be written, and, if it exists, holds
   * nothing or (with {@code overwrite}) only an earlier run's output.
   */
  public static void checkWithoutCreating(String outputDir, boolean overwrite) {
    Path dir = checkWritable(outputDir);
    if (Files.isDirectory(dir)) {
      new OutputFolder(dir).checkContents(outputDir, overwrite);
    }
  }

  private void checkContents(String outputDir, boolean overwrite) {
    List<String> foreign = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    for (Path p : entries()) {
      Path rel = dir.relativize(p);
      if (!isOurs(dir, p)) {
        foreign.add(rel.toString());
      } else if (rel.getNameCount() == 1) {
        ours.add(rel.toString());
      }
    }
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(
          "--outputDir '"
              + outputDir
              + "' holds files Tidemark did not write ("
              + sample(foreign)
              + "); choose a new or empty folder");
    }
    if (!ours.isEmpty() && !overwrite) {
      throw new IllegalArgumentException(
          "--outputDir '"
              + outputDir
              + "' holds an earlier run's output ("
              + sample(ours)
              + "); pass --overwrite to replace it, or choose a new or empty folder");
    }
  }

  /**
   * Deletes an earlier run's output, and nothing else: its manifest first, so that no half-deleted
   * run looks complete; then its files, then its folders once empty.
   */
  public void clear() {
    delete(dir.resolve(MANIFEST));
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir) && isOurs(dir, p)) {
          delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the sinks' temporary folders that are empty, as they are after a finished run. */
  public void removeEmptyTempFolders() {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p) && inTempFolder(dir.relativize(p)) && isEmpty(p)) {
          delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file and folder below the folder, for the check. */
  private List<Path> entries() {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> !p.equals(dir)).sorted().toList();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--outputDir cannot be read, was '" + dir + "': " + reason(e));
    }
  }

  /** Whether {@code p} is one of the files and folders a run writes. */
  static boolean isOurs(Path dir, Path p) {
    Path rel = dir.relativize(p);
    String first = rel.getName(0).toString();
    if (rel.getNameCount() == 1
        && (first.equals(MANIFEST)
            || first.equals(MANIFEST + ".tmp")
            || first.equals(Reports.DEMO_REPORT)
            || first.equals(Reports.DEMO_REPORT + ".tmp")
            || first.startsWith(PROBE))) {
      return Files.isRegularFile(p);
    }
    if (inTempFolder(rel)) {
      return true;
    }
    boolean deadLetters = first.equals("dead-letters");
    if (!deadLetters && !pipelineNames().contains(first)) {
      return false;
    }
    int depth = rel.getNameCount();
    int filesAt = deadLetters ? 2 : 3; // dead-letters/part*, <pipeline>/<output>/part*
    if (depth < filesAt) {
      return Files.isDirectory(p);
    }
    String name = rel.getFileName().toString();
    return depth == filesAt
        && Files.isRegularFile(p)
        && name.startsWith("part")
        && name.endsWith(".jsonl");
  }

  private static boolean inTempFolder(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(TEMP_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> pipelineNames() {
    return Tidemark.PIPELINES.stream().map(PipelineDef::name).collect(Collectors.toSet());
  }

  private static String sample(List<String> paths) {
    int shown = Math.min(3, paths.size());
    String s = String.join(", ", paths.subList(0, shown));
    return paths.size() > shown ? s + " and " + (paths.size() - shown) + " more" : s;
  }

  private static boolean isEmpty(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.findAny().isEmpty();
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      return f.getFile()
          + (f.getReason() != null
              ? ": " + f.getReason()
              : " cannot be created (" + e.getClass().getSimpleName() + ")");
    }
    return e.getClass().getSimpleName() + " " + e.getMessage();
  }
}

package io.tidemark.pipelines;

import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.SinkOptions;
import io.tidemark.pipelines.options.SourceOptions.Source;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.Default;

/**
 * Checks of the input and output made before the pipeline is built, so that a run that cannot read
 * or write fails at once with one line rather than a stack trace once the job has started. Only
 * local paths are checked: URLs such as {@code gs://} are for the runner to reach.
 */
final class Preflight {
  private Preflight() {}

  /**
   * The quick checks, on the arguments as given, before Beam parses them (which takes seconds on a
   * cold JVM): the output folder is named, can be written and holds nothing it must not (see {@link
   * OutputFolder#check}), and a FILE source's glob matches a file. Changes nothing on disk.
   *
   * @throws IllegalArgumentException naming the option and value at fault
   */
  static void checkArgs(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      if (arg.startsWith("--")) {
        int eq = arg.indexOf('=');
        given.put(
            arg.substring(2, eq < 0 ? arg.length() : eq), eq < 0 ? "true" : arg.substring(eq + 1));
      }
    }
    if (!given.getOrDefault("templateLocation", "").isBlank()) {
      return; // only a job spec is written now; the job reads and writes later
    }
    String report = given.getOrDefault("report", "");
    Options.require(
        report.isBlank() || OutputFolder.isLocal(report),
        "--report must be a file on this machine, was '%s'",
        report);
    String outputDir = given.getOrDefault("outputDir", defaultOutputDir());
    requireOutputDir(outputDir);
    if (Source.FILE.name().equals(given.get("source"))) {
      checkInput(given.getOrDefault("inputFiles", ""));
    }
    if (OutputFolder.isLocal(outputDir)) {
      OutputFolder.checkWithoutCreating(
          outputDir, given.getOrDefault("overwrite", "false").equalsIgnoreCase("true"));
    }
  }

  private static String defaultOutputDir() {
    try {
      return SinkOptions.class
          .getMethod("getOutputDir")
          .getAnnotation(Default.String.class)
          .value();
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requireOutputDir(String outputDir) {
    Options.require(
        outputDir != null && !outputDir.isBlank(),
        "--outputDir must name a folder, was '%s'",
        outputDir);
  }

  /**
   * Checks the options' input files and output folder, creating the folder.
   *
   * @param writes whether this command writes output here and now (false when it only writes a job
   *     spec to run later)
   * @return the output folder to write, or null when it is not local or nothing is written now
   * @throws IllegalArgumentException naming the option and value at fault
   */
  static OutputFolder check(JobOptions o, boolean writes) {
    String outputDir = o.getOutputDir();
    requireOutputDir(outputDir);
    if (!writes) {
      return null;
    }
    if (o.getSource() == Source.FILE) {
      checkInput(o.getInputFiles());
    }
    return OutputFolder.isLocal(outputDir) ? OutputFolder.check(outputDir, o.getOverwrite()) : null;
  }

  /** Fails unless the local glob {@code inputFiles} matches at least one file. */
  static void checkInput(String inputFiles) {
    Options.require(
        inputFiles != null && !inputFiles.isBlank(),
        "--source=FILE needs --inputFiles, was '%s'",
        inputFiles);
    if (!OutputFolder.isLocal(inputFiles)) {
      return;
    }
    boolean none;
    try {
      MatchResult match = FileSystems.match(List.of(inputFiles)).get(0);
      none = match.status() != MatchResult.Status.OK || match.metadata().isEmpty();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format("--inputFiles cannot be read, was '%s': %s", inputFiles, e.getMessage()));
    }
    Options.require(!none, "--inputFiles matches no file, was '%s'", inputFiles);
  }
}

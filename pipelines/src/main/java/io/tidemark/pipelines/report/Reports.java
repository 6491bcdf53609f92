package io.tidemark.pipelines.report;

import io.tidemark.pipelines.OutputFolder;
import io.tidemark.pipelines.Summary;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.KafkaSinkOptions;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Where a run's report goes, and writing it once the run has finished. */
public final class Reports {
  /** The report the demo writes into its output folder. */
  public static final String DEMO_REPORT = "report.html";

  private Reports() {}

  /**
   * The file {@code --report} names; for the demo without it, {@code <outputDir>/report.html} when
   * the output is local files; else null (no report).
   *
   * @throws IllegalArgumentException when {@code --report} is not a local file
   */
  public static Path target(JobOptions o, boolean demo) {
    String report = o.getReport();
    if (report != null && !report.isBlank()) {
      if (!OutputFolder.isLocal(report)) {
        throw new IllegalArgumentException(
            "--report must be a file on this machine, was '" + report + "'");
      }
      Path file = Paths.get(report.replaceFirst("^file://", "")).toAbsolutePath().normalize();
      if (Files.isDirectory(file)) {
        throw new IllegalArgumentException(
            "--report must be a file, was '" + report + "', which is a folder");
      }
      return file;
    }
    if (demo && localFiles(o)) {
      return Paths.get(o.getOutputDir().replaceFirst("^file://", "")).resolve(DEMO_REPORT);
    }
    return null;
  }

  private static boolean localFiles(JobOptions o) {
    return o.getSink() == KafkaSinkOptions.Sink.FILE && OutputFolder.isLocal(o.getOutputDir());
  }

  /** Gathers the report of a finished run and writes it to {@code file}; returns its size. */
  public static long write(
      Path file, String title, Summary summary, List<String> pipelines, JobOptions o) {
    Path outputDir =
        localFiles(o) ? Paths.get(o.getOutputDir().replaceFirst("^file://", "")) : null;
    GeneratorConfig generator = null;
    long perStep = 1;
    if (o.getSource() == SourceOptions.Source.GENERATOR) {
      generator = Sources.generatorConfig(o);
      perStep = Math.max(1, (long) o.getGeneratorStepSeconds() * generator.eventsPerSecond());
    }
    RunReport report =
        RunReport.collect(
            title,
            RunReport.Accounts.of(summary, pipelines),
            outputDir,
            generator,
            perStep,
            new Scatter());
    return ReportPage.write(report, file);
  }
}

package io.tidemark.pipelines;

import static io.tidemark.pipelines.OutputFolder.MANIFEST;
import static io.tidemark.pipelines.model.Ledger.Destination.RESULT;

import io.tidemark.pipelines.PipelineDef.Model;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline;
import io.tidemark.pipelines.clicks.ClicksPerUserPipeline.ClicksPerUserOptions;
import io.tidemark.pipelines.conversion.ConversionPipeline;
import io.tidemark.pipelines.conversion.ConversionPipeline.ConversionOptions;
import io.tidemark.pipelines.engagement.EngagementPipeline;
import io.tidemark.pipelines.engagement.EngagementPipeline.EngagementOptions;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline.ClickEnrichmentOptions;
import io.tidemark.pipelines.fraud.FraudPipeline;
import io.tidemark.pipelines.fraud.FraudPipeline.FraudOptions;
import io.tidemark.pipelines.io.kafka.Capture;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.model.ClickEnrichmentModel;
import io.tidemark.pipelines.model.ClicksPerUserModel;
import io.tidemark.pipelines.model.ConversionModel;
import io.tidemark.pipelines.model.EngagementModel;
import io.tidemark.pipelines.model.FraudModel;
import io.tidemark.pipelines.model.TrendingModel;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.report.Reports;
import io.tidemark.pipelines.trending.TrendingPipeline;
import io.tidemark.pipelines.trending.TrendingPipeline.TrendingOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The command line: {@code tidemark <pipeline> [--option=value ...]}, {@code tidemark --help} lists
 * the pipelines, {@code tidemark <pipeline> --help} lists that pipeline's options.
 *
 * <p>It is one class, longer than most, because it also holds the registry ({@link #PIPELINES}, one
 * entry per pipeline) beside the command line that reads it: besides its own package and its model,
 * adding a pipeline adds one entry here and changes nothing else. A run's options are the job's
 * ({@link JobOptions}) and its pipelines' own interfaces ({@link #options}); no interface combines
 * them.
 */
public final class Tidemark {

  /**
   * The DataflowRunner's {@code --templateLocation}, read without depending on that runner: when it
   * is set, running the pipeline only writes the job spec there, and the result can be neither
   * waited on nor asked for metrics.
   */
  public interface TemplateOptions extends PipelineOptions {
    @Description(
        "Where a runner that creates templates (Dataflow) writes the job spec instead of running it.")
    String getTemplateLocation();

    void setTemplateLocation(String value);
  }

  /**
   * Every pipeline, in the order the demo runs them: the one registry that the CLI, its help, the
   * demo, the summary and the benchmark read (and the Flex Template metadata is checked against).
   * Each entry also names its pipeline's reference model: the registry depends on the model, never
   * the model on a pipeline.
   */
  public static final List<PipelineDef> PIPELINES =
      List.of(
          new PipelineDef(
              ClickEnrichmentPipeline.NAME,
              ClickEnrichmentOptions.class,
              o ->
                  "each click with its device class (bot, tablet, mobile, desktop), operating"
                      + " system and browser, and hour of day in "
                      + o.as(ClickEnrichmentOptions.class).getTimeZone()
                      + "; invalid clicks to dead letters",
              (events, o) ->
                  ClickEnrichmentPipeline.expand(events, o.as(ClickEnrichmentOptions.class)),
              (arrivals, o) -> ClickEnrichmentModel.run(arrivals).ledger().count(RESULT),
              List.of()),
          new PipelineDef(
              ClicksPerUserPipeline.NAME,
              ClicksPerUserOptions.class,
              o ->
                  "clicks per user in "
                      + o.as(ClicksPerUserOptions.class).getClicksWindowMinutes()
                      + "-minute windows",
              (events, o) -> ClicksPerUserPipeline.expand(events, o.as(ClicksPerUserOptions.class)),
              (arrivals, o) ->
                  ClicksPerUserModel.run(
                          arrivals,
                          Model.windows(
                              o.as(ClicksPerUserOptions.class).getClicksWindowMinutes(), o))
                      .ledger()
                      .count(RESULT),
              List.of()),
          new PipelineDef(
              EngagementPipeline.NAME,
              EngagementOptions.class,
              o ->
                  "per-user engagement score in "
                      + o.as(EngagementOptions.class).getEngagementWindowMinutes()
                      + "-minute windows (view 1, click 3, purchase 10)",
              (events, o) -> EngagementPipeline.expand(events, o.as(EngagementOptions.class)),
              (arrivals, o) ->
                  EngagementModel.run(
                          arrivals,
                          Model.windows(
                              o.as(EngagementOptions.class).getEngagementWindowMinutes(), o))
                      .ledger()
                      .count(RESULT),
              List.of()),
          new PipelineDef(
              TrendingPipeline.NAME,
              TrendingOptions.class,
              o ->
                  "top "
                      + o.as(TrendingOptions.class).getTopN()
                      + " content categories per "
                      + o.as(TrendingOptions.class).getTrendingWindowMinutes()
                      + "-minute window by trending score",
              (events, o) -> TrendingPipeline.expand(events, o.as(TrendingOptions.class)),
              (arrivals, o) ->
                  TrendingModel.run(
                          arrivals,
                          Model.windows(o.as(TrendingOptions.class).getTrendingWindowMinutes(), o))
                      .ledger()
                      .count(RESULT),
              List.of()),
          new PipelineDef(
              FraudPipeline.NAME,
              FraudOptions.class,
              o ->
                  "a risk-scored alert per transaction over "
                      + String.valueOf(o.as(FraudOptions.class).getFraudThreshold())
                          .replaceAll("\\.0$", "")
                      + ", joined with the user's activity within "
                      + FraudPipeline.INTERVAL_MINUTES
                      + " minutes and profile as of the transaction",
              (events, o) -> FraudPipeline.expand(events, o.as(FraudOptions.class)),
              (arrivals, o) ->
                  FraudModel.run(arrivals, Model.latenessMillis(o)).ledger().count(RESULT),
              List.of(
                  new PipelineDef.Figure("alerts", "fraud alerts"),
                  new PipelineDef.Figure("suspicious", "  suspicious"))),
          new PipelineDef(
              ConversionPipeline.NAME,
              ConversionOptions.class,
              o ->
                  "purchases attributed to the user's latest click on the product within the hour"
                      + " before; hourly conversion rates per product",
              (events, o) -> ConversionPipeline.expand(events, o.as(ConversionOptions.class)),
              // the pipeline accounts for purchases (every one is a result); the model's ledger
              // also places the clicks
              (arrivals, o) ->
                  ConversionModel.run(
                          arrivals,
                          Model.minutes(
                              o.as(ConversionOptions.class).getConversionLatenessMinutes()))
                      .purchases()
                      .size(),
              List.of(new PipelineDef.Figure("conversions", "conversions"))));

  static final String DEMO = "demo";

  private Tidemark() {}

  public static void main(String[] args) {
    System.exit(execute(args, System.out, System.err));
  }

  /**
   * Runs the command line and returns its exit code: 0 when the run finished with balanced
   * accounting (or only printed help or wrote a job spec), 2 for bad usage (an option, the input or
   * the output folder at fault; nothing ran), 1 for a run that failed or did not balance. Errors go
   * to {@code err} as one line starting with {@code tidemark:}.
   */
  public static int execute(String[] args, PrintStream out, PrintStream err) {
    try {
      return run(args, out) ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("tidemark: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      err.println("tidemark: the run failed: " + root);
      e.printStackTrace(err);
      return 1;
    }
  }

  /**
   * Runs the command; returns whether the run's accounting balanced.
   *
   * @throws IllegalArgumentException before anything runs, for bad options, input or output
   */
  public static boolean run(String[] args, PrintStream out) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      usage(out);
      return true;
    }
    String name = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (name.equals(Produce.NAME)) {
      return Produce.run(rest, out);
    }
    if (name.equals(Capture.NAME)) {
      return Capture.run(rest, out);
    }
    List<PipelineDef> defs = select(name);
    List<Class<? extends PipelineOptions>> interfaces = optionsInterfaces(defs);
    if (Arrays.asList(rest).contains("--help")) {
      printHelp(out, interfaces);
      return true;
    }
    Preflight.checkArgs(rest); // before Beam's options, whose first use takes seconds
    JobOptions options = options(defs, withFlinkRunnerDefaults(withDirectRunnerDefaults(rest)));
    String template = options.as(TemplateOptions.class).getTemplateLocation();
    boolean templated = template != null && !template.isBlank();
    for (String warning : Guarantees.warnings(options)) {
      out.println("tidemark: warning: " + warning);
    }
    Path report = templated ? null : Reports.target(options, name.equals(DEMO));
    Job job = Job.build(defs, options);
    OutputFolder folder = Preflight.check(options, !templated);
    if (templated) {
      if (!template.contains("://")) { // Dataflow takes only absolute local paths
        template = Paths.get(template).toAbsolutePath().normalize().toString();
        options.as(TemplateOptions.class).setTemplateLocation(template);
      }
      job.pipeline().run();
      out.printf(
          "Wrote the %s job spec of %s to %s (nothing ran)%n",
          options.getRunner().getSimpleName(), name, template);
      return true;
    }
    if (folder != null) {
      folder.clear(); // only an earlier run's output, and only with --overwrite: checked above
    }
    out.printf(
        "Running %s on %s over %s ...%n",
        name, options.getRunner().getSimpleName(), options.getSource().name().toLowerCase());
    for (PipelineDef def : defs) {
      out.printf("  %-18s %s%n", def.name(), def.describe().of(options));
    }
    Instant started = Instant.now();
    long start = System.nanoTime();
    PipelineResult result;
    try {
      result = job.run(out);
    } catch (IllegalArgumentException e) { // the job started: not a usage error
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      if (folder != null) {
        folder.removeEmptyTempFolders();
      }
    }
    List<String> names = defs.stream().map(PipelineDef::name).toList();
    Summary summary = new Summary(result, names);
    summary.print(out, (System.nanoTime() - start) / 1e9);
    boolean balanced = summary.balanced();
    if (report != null) { // before the manifest, which is written last
      try {
        long bytes = Reports.write(report, "Tidemark run: " + name, summary, names, options);
        out.printf("report: %s (%,d KB)%n", report, (bytes + 1023) / 1024);
      } catch (RuntimeException e) { // the run's outcome stands; only its picture is missing
        out.printf("report: not written to %s: %s%n", report, e);
      }
    }
    if (folder != null && balanced) {
      Manifest.write(folder, name, summary, names, options, interfaces, started, Instant.now());
      out.printf("output: %s/ (complete: %s written last)%n", options.getOutputDir(), MANIFEST);
    } else {
      out.printf("output: %s/%n", options.getOutputDir());
    }
    if (!balanced) {
      out.printf("accounting did not balance: no %s, exit code 1%n", MANIFEST);
    }
    return balanced;
  }

  /**
   * On the DirectRunner, turn off its per-element encodability and immutability checks unless asked
   * for, as Nexmark does: they only catch pipeline bugs, which the tests look for with them on. And
   * let {@code run()} return while the job runs, so that progress can read its metrics.
   */
  static String[] withDirectRunnerDefaults(String[] args) {
    List<String> all = new java.util.ArrayList<>(Arrays.asList(args));
    boolean direct =
        all.stream().noneMatch(a -> a.startsWith("--runner="))
            || all.contains("--runner=DirectRunner");
    if (direct && isOnClasspath("org.apache.beam.runners.direct.DirectOptions")) {
      for (String flag :
          List.of("--enforceEncodability", "--enforceImmutability", "--blockOnRun")) {
        if (all.stream().noneMatch(a -> a.startsWith(flag))) {
          all.add(flag + "=false");
        }
      }
    }
    return all.toArray(new String[0]);
  }

  /**
   * On the FlinkRunner, have its file writes shard so that each parallel writer gets as many shards
   * ({@code --autoBalanceWriteFilesShardingEnabled=true}) unless asked otherwise: Flink places a
   * key on a writer by its hash, so with as many shards as writers some writers got two shards and
   * others none. The file sink states its destination coder, which that sharding needs.
   */
  public static String[] withFlinkRunnerDefaults(String[] args) {
    List<String> all = new java.util.ArrayList<>(Arrays.asList(args));
    // As Beam reads --runner: a class name, or a simple name in any case, "Runner" optional.
    boolean flink =
        all.stream()
            .filter(a -> a.startsWith("--runner="))
            .map(a -> a.substring(Math.max("--runner=".length(), a.lastIndexOf('.') + 1)))
            .map(r -> r.toLowerCase(java.util.Locale.ROOT))
            .anyMatch(r -> r.equals("flinkrunner") || r.equals("flink"));
    String flag = "--autoBalanceWriteFilesShardingEnabled";
    if (flink
        && isOnClasspath("org.apache.beam.runners.flink.FlinkPipelineOptions")
        && all.stream().noneMatch(a -> a.startsWith(flag))) {
      all.add(flag + "=true");
    }
    return all.toArray(new String[0]);
  }

  private static boolean isOnClasspath(String className) {
    try {
      Class.forName(className, false, Tidemark.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * The options interfaces of a run of {@code defs}: the job's ({@link JobOptions}) and each
   * pipeline's own ({@link PipelineDef#options}).
   */
  public static List<Class<? extends PipelineOptions>> optionsInterfaces(List<PipelineDef> defs) {
    List<Class<? extends PipelineOptions>> all = new ArrayList<>(List.of(JobOptions.class));
    for (PipelineDef def : defs) {
      if (!all.contains(def.options())) {
        all.add(def.options());
      }
    }
    return all;
  }

  /**
   * Parses {@code args} into the options of a run of {@code defs} as Beam does, strictly: the job's
   * options, the runners' and exactly those of the pipelines run ({@link #optionsInterfaces}); any
   * other, another pipeline's included, fails naming it ({@link Options#parse(String[], Class,
   * List, java.util.Collection)}).
   */
  public static JobOptions options(List<PipelineDef> defs, String... args) {
    List<Class<? extends PipelineOptions>> others =
        PIPELINES.stream()
            .filter(d -> !defs.contains(d))
            .<Class<? extends PipelineOptions>>map(PipelineDef::options)
            .toList();
    return Options.parse(args, JobOptions.class, optionsInterfaces(defs), others);
  }

  /**
   * Beam's help on {@code interfaces}, each group of options (the options one interface declares)
   * once, in the order the interfaces first name them.
   */
  static void printHelp(PrintStream out, List<Class<? extends PipelineOptions>> interfaces) {
    Set<String> printed = new HashSet<>();
    for (Class<? extends PipelineOptions> i : interfaces) {
      PipelineOptionsFactory.register(i);
      ByteArrayOutputStream help = new ByteArrayOutputStream();
      PipelineOptionsFactory.printHelp(new PrintStream(help, true, StandardCharsets.UTF_8), i);
      StringBuilder group = new StringBuilder();
      for (String line : (help.toString(StandardCharsets.UTF_8) + "x:\n").lines().toList()) {
        boolean header = !line.isEmpty() && !Character.isWhitespace(line.charAt(0));
        if (header && group.length() > 0) { // a group's first line names its interface
          if (printed.add(group.substring(0, group.indexOf("\n")))) {
            out.print(group);
          }
          group.setLength(0);
        }
        group.append(line).append('\n');
      }
    }
  }

  /** The pipelines a name selects: one, or all for {@code demo}. */
  public static List<PipelineDef> select(String name) {
    if (name.equals(DEMO)) {
      return PIPELINES;
    }
    return PIPELINES.stream()
        .filter(d -> d.name().equals(name))
        .map(List::of)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown pipeline '"
                        + name
                        + "'; pipelines are: "
                        + DEMO
                        + ", "
                        + PIPELINES.stream()
                            .map(PipelineDef::name)
                            .collect(Collectors.joining(", "))));
  }

  static void usage(PrintStream out) {
    out.println("usage: tidemark <pipeline> [--option=value ...]");
    out.println("       tidemark <pipeline> --help   lists the pipeline's options");
    out.println();
    out.println("pipelines:");
    out.printf("  %-18s %s%n", DEMO, "all pipelines at once over the built-in generator");
    for (PipelineDef d : PIPELINES) {
      out.printf("  %-18s %s%n", d.name(), d.description());
    }
    out.println();
    out.printf(
        "  %-18s %s%n", Produce.NAME, "write the generator's records to Kafka (--kafkaTopics)");
    out.printf(
        "  %-18s %s%n",
        Capture.NAME,
        "copy Kafka topics to files (--captureTo) for --source=FILE --fileReplay=STREAM");
  }
}

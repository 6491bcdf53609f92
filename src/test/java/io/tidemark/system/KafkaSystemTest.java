package io.tidemark.system;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tidemark.pipelines.Events;
import io.tidemark.pipelines.Tidemark;
import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.io.kafka.Produce;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import io.tidemark.schemas.DecodeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The pipelines on a real Kafka 3.9 KRaft broker ({@link KafkaBroker}), on the DirectRunner and on
 * the embedded FlinkRunner. The topic holds the generator's records ({@code tidemark produce}:
 * record timestamp = event time, record {@code i} in partition {@code i mod 3}) with out-of-order
 * and late events, and poison records. Allowed lateness exceeds the generator's greatest lateness,
 * so every decodable event must be in a window pane: the per-(user, window) totals must equal the
 * plain-Java reference over the same records, and the accounting must balance (records = parsed +
 * dead letters, events = in results + routed late).
 *
 * <p>The pause tests use a second scenario ({@link #LATE_SCENARIO}) whose late events are late by
 * minutes, so the late stream is not empty and is compared with the reference model's.
 */
public class KafkaSystemTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  static final int EVENTS = 900;
  static final int PARTITIONS = 3;
  static final int WINDOW_MINUTES = 5;
  static final List<String> SCENARIO = scenario(EVENTS, 1, 5);
  static final List<String> PIPELINE =
      List.of("--allowedLatenessMinutes=30", "--flushSeconds=1", "--kafkaCheckTimeoutSeconds=20");
  static final List<String> FLINK =
      List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--streaming");
  static final String EVENTS_TOPIC = "events";
  static final int END_SECONDS = 15;

  /**
   * A scenario with a late stream that cannot depend on when a runner delivers the watermark: late
   * events are 12 to 14 minutes (plus the 20 s bound) behind the stream, so each one's window (5
   * minutes) closed, with its allowed lateness of {@value #LATENESS_MINUTES} minute, at least 6
   * minutes of event time (360 records) before it arrives: more than 5 minutes before, with the
   * late-event router's one-minute tick. On-time events are at most the bound behind the greatest
   * event time and can never be late. Its late events begin after 14 minutes 20 s (record 860).
   */
  static final int LATE_EVENTS = 1500;

  static final int LATENESS_MINUTES = 1;
  static final List<String> LATE_SCENARIO = scenario(LATE_EVENTS, 12, 14);
  static final List<String> LATE_PIPELINE =
      concat(LATE_SCENARIO, List.of("--allowedLatenessMinutes=" + LATENESS_MINUTES));
  static final String LATE_TOPIC = "late";
  static final String END_IDLE = "--kafkaEndWhenIdleSeconds=3";
  static final long WINDOW_MILLIS = WINDOW_MINUTES * 60_000L;

  /** The late-event router's tick (the default {@code --lateTickMinutes}). */
  static final long TICK_MILLIS = 60_000L;

  private static final Pattern WINDOW_START = Pattern.compile("\"windowStart\"\\s*:\\s*(\\d+)");

  private static KafkaBroker broker;
  private static GeneratorConfig config;
  private static Map<String, EngagementTotals.Counts> reference;
  private static long poison;
  private static GeneratorConfig lateConfig;
  private static LateStream.Model lateModel;

  /** The generator's records: one a second, 5% of them late by the given minutes. */
  static List<String> scenario(int events, int lateMinMinutes, int lateMaxMinutes) {
    return List.of(
        "--seed=20260105",
        "--generatorEvents=" + events,
        "--eventsPerSecond=1",
        "--lateFraction=0.05",
        "--lateMinMinutes=" + lateMinMinutes,
        "--lateMaxMinutes=" + lateMaxMinutes);
  }

  @BeforeClass
  public static void startBrokerAndProduce() throws Exception {
    broker = KafkaBroker.start(TMP.getRoot().toPath().resolve("broker"));
    config =
        Sources.generatorConfig(
            PipelineOptionsFactory.fromArgs(SCENARIO.toArray(new String[0]))
                .as(SourceOptions.class));
    broker.createTopic(EVENTS_TOPIC, PARTITIONS);
    Produce.produce(config, broker.bootstrapServers(), EVENTS_TOPIC, PARTITIONS, 0, EVENTS);
    poison = producePoison(EVENTS_TOPIC);
    reference = EngagementTotals.reference(SCENARIO, WINDOW_MINUTES);
    long late = 0;
    EventGenerator g = new EventGenerator(config);
    for (long i = 0; i < EVENTS; i++) {
      late += g.generate(i).late() ? 1 : 0;
    }
    assertTrue("the scenario has late events: " + late, late >= 10);

    lateConfig = LateStream.config(LATE_SCENARIO);
    broker.createTopic(LATE_TOPIC, PARTITIONS);
    Produce.produce(lateConfig, broker.bootstrapServers(), LATE_TOPIC, PARTITIONS, 0, LATE_EVENTS);
    lateModel = LateStream.model(LATE_SCENARIO, WINDOW_MINUTES, LATENESS_MINUTES);
    // The margin: the model routes exactly the events the generator stamped late.
    assertEquals("the model's late events", LateStream.generated(LATE_SCENARIO), lateModel.late());
    assertTrue("the late scenario has late events", lateModel.late().size() >= 10);
  }

  @AfterClass
  public static void stopBroker() throws InterruptedException {
    if (broker != null) {
      broker.close();
    }
  }

  /** A filled topic is read whole, poison records to dead letters, on the DirectRunner. */
  @Test
  public void filledTopicIsReadWholeOnTheDirectRunner() throws IOException {
    Path out = run("direct", EVENTS_TOPIC, List.of("--kafkaEndWhenIdleSeconds=3"));
    EngagementTotals.assertSame("reference", reference, "DirectRunner", EngagementTotals.read(out));
    assertEquals("dead letters", deadLetters(i -> true) + poison, lines(out, "dead-letters"));
  }

  /**
   * The same on the embedded FlinkRunner, two source subtasks over three partitions. The job runs
   * on for {@value #IDLE_END_SECONDS} s after the last record, so the progress lines printed while
   * it runs, which on Flink come from the job's metrics through the mini cluster's REST API, must
   * reach every record read, with a late count, and never exceed it.
   */
  @Test
  public void filledTopicIsReadWholeOnEmbeddedFlink() throws IOException {
    Path out = TMP.getRoot().toPath().resolve("flink");
    String printed =
        runCli(
            out,
            EVENTS_TOPIC,
            concat(FLINK, List.of("--kafkaEndWhenIdleSeconds=" + IDLE_END_SECONDS)));
    EngagementTotals.assertSame("reference", reference, "FlinkRunner", EngagementTotals.read(out));
    assertEquals("dead letters", deadLetters(i -> true) + poison, lines(out, "dead-letters"));
    List<Long> during = new ArrayList<>();
    List<Long> done = new ArrayList<>();
    Matcher m = PROGRESS.matcher(printed);
    while (m.find()) {
      long records = Long.parseLong(m.group(2).replace(",", ""));
      (m.group(1).equals("done") ? done : during).add(records);
      assertTrue("a late count\n" + printed, m.group(3).matches("[0-9,]+"));
    }
    assertEquals("one final progress line\n" + printed, 1, done.size());
    assertTrue(
        "progress while running reached every record read, never more\n" + printed,
        during.contains(done.get(0)) && during.stream().allMatch(n -> n <= done.get(0)));
  }

  /** Seconds a Flink run goes on after its last record, in which progress must show them all. */
  static final int IDLE_END_SECONDS = 9;

  private static final Pattern PROGRESS =
      Pattern.compile("(?m)^  (progress|done) +([0-9,]+) events, .*, (\\S+) late$");

  /**
   * A replay from a timestamp reads, in each partition, from the first record at or after it: the
   * same totals as the reference over exactly those records, out-of-order ones included.
   */
  @Test
  public void replayFromATimestampReadsTheRestOfEachPartition() throws IOException {
    org.joda.time.Instant from = config.arrival(EVENTS / 2);
    long[] first = new long[PARTITIONS];
    java.util.Arrays.fill(first, Long.MAX_VALUE);
    EventGenerator g = new EventGenerator(config);
    for (long i = 0; i < EVENTS; i++) {
      int p = (int) (i % PARTITIONS);
      if (first[p] == Long.MAX_VALUE && !g.generate(i).timestamp().isBefore(from)) {
        first[p] = i;
      }
    }
    LongPredicate replayed = i -> i >= first[(int) (i % PARTITIONS)];
    Map<String, EngagementTotals.Counts> expected =
        EngagementTotals.reference(SCENARIO, WINDOW_MINUTES, replayed);
    assertTrue(
        "the replay is part of the topic",
        EngagementTotals.events(expected) < EngagementTotals.events(reference) * 2 / 3);
    Path out =
        run(
            "replay",
            EVENTS_TOPIC,
            concat(FLINK, List.of("--kafkaEndWhenIdleSeconds=3", "--kafkaStartFrom=" + from)));
    EngagementTotals.assertSame("reference", expected, "replay", EngagementTotals.read(out));
  }

  /**
   * On the DirectRunner, a producer pause after the reader has caught up (the window before the
   * pause point written) changes nothing: the paused run and the run over the topic filled at once
   * give the totals and the late events (exact sets of ids, not empty) of the reference model, and
   * the same dead letters. The DirectRunner reads at most 10 records per bundle and updates the
   * watermark after each, so the router sees a watermark a few records behind the reader's, far
   * within the margin.
   */
  @Test
  public void aPauseChangesNeitherResultsNorLateEventsOnTheDirectRunner() throws Exception {
    Path atOnce = run("late-direct", LATE_TOPIC, concat(LATE_PIPELINE, List.of(END_IDLE)));
    Path paused = runPaused("late-direct-paused", List.of());
    Set<String> lateAtOnce = LateStream.read(atOnce);
    Set<String> latePaused = LateStream.read(paused);
    System.out.printf(
        "DirectRunner late events: %d at once, %d paused, %d in the model%n",
        lateAtOnce.size(), latePaused.size(), lateModel.late().size());
    assertFalse("late events", lateAtOnce.isEmpty());
    assertEquals("late events: at once vs the model", lateModel.late(), lateAtOnce);
    assertEquals("late events: paused vs at once", lateAtOnce, latePaused);
    Map<String, EngagementTotals.Counts> totals = EngagementTotals.read(atOnce);
    EngagementTotals.assertSame("model", lateModel.results(), "at once", totals);
    EngagementTotals.assertSame("at once", totals, "paused", EngagementTotals.read(paused));
    long deadLetters = deadLetters(lateConfig, i -> true);
    assertEquals("dead letters at once", deadLetters, lines(atOnce, "dead-letters"));
    assertEquals("dead letters paused", deadLetters, lines(paused, "dead-letters"));
  }

  /**
   * Record timestamps other than the event times change nothing: the late scenario written by a
   * producer whose record timestamps are a day after or before each event's time (alternately)
   * gives, on the DirectRunner, the reference model's totals and exactly its late events, as {@code
   * tidemark produce} (record timestamp = event time) does, because the source stamps each event
   * with its own {@code eventTime} and the watermark follows those. A record that does not decode
   * counts with its record timestamp, so here each of those is a day behind its generator stamp and
   * moves no watermark.
   */
  @Test
  public void recordTimestampsOtherThanTheEventTimesChangeNothingOnTheDirectRunner()
      throws Exception {
    String topic = "foreign-times";
    broker.createTopic(topic, PARTITIONS);
    long shifted = produceWithRecordTimesOffByADay(topic);
    assertTrue("events whose record timestamp is not their event time", shifted > 1000);
    Path out = run("foreign-times-direct", topic, concat(LATE_PIPELINE, List.of(END_IDLE)));
    Set<String> late = LateStream.read(out);
    assertFalse("late events", late.isEmpty());
    assertEquals("late events vs the model", lateModel.late(), late);
    EngagementTotals.assertSame(
        "model", lateModel.results(), "record times off by a day", EngagementTotals.read(out));
    assertEquals("dead letters", deadLetters(lateConfig, i -> true), lines(out, "dead-letters"));
  }

  /**
   * Writes the late scenario as {@link Produce} does (record {@code i} to partition {@code i mod
   * 3}, in order), but with record timestamps a day off the generator's: after the event for even
   * {@code i}, before it for odd {@code i} and for every record that does not decode. Returns the
   * events written.
   */
  private static long produceWithRecordTimesOffByADay(String topic) throws Exception {
    long day = 86_400_000L;
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("acks", "all");
    p.put("enable.idempotence", true);
    p.put("max.in.flight.requests.per.connection", 1);
    EventGenerator g = new EventGenerator(lateConfig);
    long events = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<?>> sent = new ArrayList<>();
      for (long i = 0; i < LATE_EVENTS; i++) {
        EventGenerator.Generated r = g.generate(i);
        boolean decodes;
        try {
          Events.decode(r.payload());
          decodes = true;
        } catch (DecodeException | RuntimeException e) {
          decodes = false;
        }
        long t = r.timestamp().getMillis() + (decodes && i % 2 == 0 ? day : -day);
        events += decodes ? 1 : 0;
        sent.add(
            producer.send(
                new ProducerRecord<>(topic, (int) (i % PARTITIONS), t, null, r.payload())));
      }
      producer.flush();
      for (Future<?> f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    return events;
  }

  /**
   * On embedded Flink only bounds hold, whatever the watermark's timing: the late events are among
   * the model's, and include every one that arrives after the pause in a window that had closed
   * before it (the pause lasts until the window before it has fired, so the router had the
   * watermark past it); every other decodable event is counted in its window (results plus late
   * events are all the events); the dead letters are exact. The model's other late events may be
   * counted in their windows instead: Beam's Flink operators pass the watermark on only between
   * bundles, so events read together are all judged against an earlier one (ARCHITECTURE.md,
   * "Runners").
   */
  @Test
  public void aPausedStreamOnEmbeddedFlinkRoutesOnlyLateEventsAndCountsTheRest() throws Exception {
    Path paused = runPaused("late-flink-paused", FLINK);
    Set<String> late = LateStream.read(paused);
    Set<String> certain = lateAfterThePause();
    System.out.printf(
        "embedded Flink late events: %d paused, %d certain, %d in the model%n",
        late.size(), certain.size(), lateModel.late().size());
    assertFalse("late events certain after the pause", certain.isEmpty());
    assertTrue(
        "late events outside the model's: " + minus(late, lateModel.late()),
        lateModel.late().containsAll(late));
    assertTrue(
        "certain late events counted in windows: " + minus(certain, late),
        late.containsAll(certain));
    EngagementTotals.assertSame(
        "reference without Flink's late events",
        LateStream.referenceWithout(LATE_SCENARIO, WINDOW_MINUTES, late),
        "paused on Flink",
        EngagementTotals.read(paused));
    assertEquals("dead letters", deadLetters(lateConfig, i -> true), lines(paused, "dead-letters"));
  }

  /**
   * Produces the first half of the late scenario to a new topic, runs the pipeline on it with
   * {@code args}, produces the second half once the window ending at {@link #pauseWindowEnd()} has
   * been written, and waits for the run to end.
   */
  private static Path runPaused(String topic, List<String> args) throws Exception {
    broker.createTopic(topic, PARTITIONS);
    Produce.produce(lateConfig, broker.bootstrapServers(), topic, PARTITIONS, 0, LATE_EVENTS / 2);
    Path out = TMP.getRoot().toPath().resolve(topic);
    List<String> all = concat(LATE_PIPELINE, concat(args, List.of("--kafkaEndWhenIdleSeconds=15")));
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<String> job = runner.submit(() -> runCli(out, topic, all));
      long windowStart = pauseWindowEnd() - WINDOW_MILLIS;
      awaitResults(out, job, 90, windowStart);
      Produce.produce(
          lateConfig, broker.bootstrapServers(), topic, PARTITIONS, LATE_EVENTS / 2, LATE_EVENTS);
      String printed = job.get(300, TimeUnit.SECONDS);
      assertTrue(printed, printed.contains("OK"));
    } finally {
      runner.shutdownNow();
    }
    return out;
  }

  /**
   * The end of the last window that the first half of the late scenario closes to the router: the
   * Kafka watermark after the first half (per partition the greatest event time minus the bound,
   * the minimum over the partitions), less one tick of the router, down to a window end.
   */
  private static long pauseWindowEnd() {
    long[] greatest = new long[PARTITIONS];
    java.util.Arrays.fill(greatest, Long.MIN_VALUE);
    EventGenerator g = new EventGenerator(lateConfig);
    for (long i = 0; i < LATE_EVENTS / 2; i++) {
      int p = (int) (i % PARTITIONS);
      greatest[p] = Math.max(greatest[p], g.generate(i).timestamp().getMillis());
    }
    long watermark =
        java.util.Arrays.stream(greatest).min().getAsLong()
            - lateConfig.outOfOrder().getMillis()
            - TICK_MILLIS;
    return Math.floorDiv(watermark, WINDOW_MILLIS) * WINDOW_MILLIS;
  }

  /**
   * The model's late events produced after the pause whose window, with its allowed lateness,
   * closed before {@link #pauseWindowEnd()}: the router knew a watermark at least that far when
   * they arrived, on any runner.
   */
  private static Set<String> lateAfterThePause() {
    long known = pauseWindowEnd();
    long lateness = LATENESS_MINUTES * 60_000L;
    Set<String> certain = new TreeSet<>();
    EventGenerator g = new EventGenerator(lateConfig);
    for (long i = LATE_EVENTS / 2; i < LATE_EVENTS; i++) {
      EventGenerator.Generated r = g.generate(i);
      long end =
          Math.floorDiv(r.timestamp().getMillis(), WINDOW_MILLIS) * WINDOW_MILLIS + WINDOW_MILLIS;
      String id = LateStream.engagementId(r.payload());
      if (id != null && lateModel.late().contains(id) && end + lateness < known) {
        certain.add(id);
      }
    }
    return certain;
  }

  /**
   * A partition without data holds every window open unless the idle timeout is on. Both runs end
   * {@value #END_SECONDS} s after their partitions' last records; the topic is filled before they
   * start, so the busy partition's records are all read within seconds. With the timeout (2 s),
   * windows fire soon after the reading, long before the end. Without it (the control), the empty
   * partition holds the watermark until its own end timeout, so no window fires until the run is
   * nearly over. Both runs still count every record. Measured from the end, not the start, so the
   * job's start-up time does not matter.
   */
  @Test
  public void anIdlePartitionStallsWindowsOnlyWithoutTheIdleTimeout() throws Exception {
    String topic = "skewed";
    broker.createTopic(topic, 2);
    Produce.produce(config, broker.bootstrapServers(), topic, 1, 0, EVENTS); // partition 0 only
    String end = "--kafkaEndWhenIdleSeconds=" + END_SECONDS;
    double withTimeout =
        secondsFromFirstResultsToEnd("idle-on", topic, List.of("--kafkaIdleTimeoutSeconds=2", end));
    double withoutTimeout =
        secondsFromFirstResultsToEnd(
            "idle-off", topic, List.of("--kafkaIdleTimeoutSeconds=0", end));
    System.out.printf(
        "first results %.1f s before the end with the idle timeout, %.1f s without%n",
        withTimeout, withoutTimeout);
    assertTrue(
        "with the idle timeout, windows fired only " + withTimeout + " s before the end",
        withTimeout > END_SECONDS / 2.0);
    assertTrue(
        "without it, windows fired " + withoutTimeout + " s before the end",
        withoutTimeout < END_SECONDS / 2.0);
  }

  /** An unreachable broker fails within the check's bound, with one line naming the servers. */
  @Test
  public void unreachableBrokerFailsFastWithOneLine() {
    String servers = "localhost:" + KafkaBroker.freePort();
    long start = System.nanoTime();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                runCli(
                    TMP.getRoot().toPath().resolve("unreachable"),
                    EVENTS_TOPIC,
                    List.of("--bootstrapServers=" + servers, "--kafkaCheckTimeoutSeconds=3")));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(e.getMessage(), e.getMessage().contains(servers));
    assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    assertTrue("failed after " + seconds + " s", seconds < 10);
  }

  /** A missing topic fails fast with one line naming it. */
  @Test
  public void missingTopicFailsFastWithOneLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> runCli(TMP.getRoot().toPath().resolve("missing"), "no-such-topic", List.of()));
    assertTrue(e.getMessage(), e.getMessage().contains("no-such-topic"));
    assertTrue(e.getMessage(), e.getMessage().contains(broker.bootstrapServers()));
    assertFalse(e.getMessage(), e.getMessage().contains("\n"));
  }

  /** Seconds from a Flink run's first results until it ends; checks its totals. */
  private static double secondsFromFirstResultsToEnd(String name, String topic, List<String> args)
      throws Exception {
    Path out = TMP.getRoot().toPath().resolve(name);
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<String> job = runner.submit(() -> runCli(out, topic, concat(FLINK, args)));
      long first = awaitResults(out, job, 120);
      String printed = job.get(300, TimeUnit.SECONDS);
      long end = System.nanoTime();
      assertTrue(printed, printed.contains("OK"));
      EngagementTotals.assertSame("reference", reference, name, EngagementTotals.read(out));
      return (end - first) / 1e9;
    } finally {
      runner.shutdownNow();
    }
  }

  /** Waits for the first non-empty results file; returns System.nanoTime() then. */
  private static long awaitResults(Path out, Future<?> job, int boundSeconds) throws Exception {
    return awaitResults(out, job, boundSeconds, Long.MIN_VALUE);
  }

  /**
   * Waits for a result of a window starting at or after {@code windowStart} (epoch millis): with no
   * early panes, the window's end has passed the watermark. Returns System.nanoTime() then.
   */
  private static long awaitResults(Path out, Future<?> job, int boundSeconds, long windowStart)
      throws Exception {
    Path results = out.resolve("engagement/results");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(boundSeconds);
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(results)) {
        try (Stream<Path> files = Files.list(results)) {
          for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
            Matcher m = WINDOW_START.matcher(Files.readString(f, StandardCharsets.UTF_8));
            while (m.find()) {
              if (Long.parseLong(m.group(1)) >= windowStart) {
                return System.nanoTime();
              }
            }
          }
        }
      }
      if (job.isDone()) {
        job.get(); // rethrows the job's failure
        throw new AssertionError("the job ended without the awaited results under " + results);
      }
      TimeUnit.MILLISECONDS.sleep(100); // polling a condition with a bound
    }
    throw new AssertionError(
        "no results from window "
            + windowStart
            + " on under "
            + results
            + " within "
            + boundSeconds
            + " s");
  }

  /** Runs the engagement pipeline on the topic; asserts its accounting balanced. */
  private static Path run(String name, String topic, List<String> args) {
    Path out = TMP.getRoot().toPath().resolve(name);
    runCli(out, topic, args);
    return out;
  }

  private static String runCli(Path out, String topic, List<String> args) {
    List<String> all = new ArrayList<>(List.of("engagement", "--source=KAFKA"));
    all.addAll(SCENARIO);
    all.addAll(PIPELINE);
    all.add("--bootstrapServers=" + broker.bootstrapServers());
    all.add("--kafkaTopics=" + topic);
    all.add("--outputDir=" + out);
    // An option in args replaces the default above (Beam rejects an option given twice).
    for (String a : args) {
      if (a.contains("=")) {
        String name = a.substring(0, a.indexOf('=') + 1);
        all.removeIf(x -> x.startsWith(name));
      }
    }
    all.addAll(args);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    boolean balanced =
        Tidemark.run(
            all.toArray(new String[0]), new PrintStream(printed, true, StandardCharsets.UTF_8));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(out + ": accounting balanced\n" + text, balanced);
    return text;
  }

  /** The generator records among {@code include} that do not decode. */
  private static long deadLetters(LongPredicate include) {
    return deadLetters(config, include);
  }

  /** The records of {@code generator} among {@code include} that do not decode. */
  private static long deadLetters(GeneratorConfig generator, LongPredicate include) {
    EventGenerator g = new EventGenerator(generator);
    long n = 0;
    for (long i = 0; i < generator.maxEvents(); i++) {
      if (!include.test(i)) {
        continue;
      }
      try {
        Events.decode(g.generate(i).payload());
      } catch (DecodeException | RuntimeException e) {
        n++;
      }
    }
    return n;
  }

  /**
   * Writes poison records with event-time timestamps: garbage bytes, an Avro single-object header
   * with an unknown schema fingerprint, a null value, an empty value, invalid UTF-8 JSON.
   */
  private static long producePoison(String topic) throws Exception {
    long t = config.arrival(EVENTS / 3).getMillis();
    List<byte[]> values = new ArrayList<>();
    values.add(new byte[] {0x00, (byte) 0xFF, 0x13, 0x37, 0x42});
    values.add(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x61});
    values.add(null);
    values.add(new byte[0]);
    byte[] json = "{\"type\":\"PageView\",\"userId\":\"u-XX\"}".getBytes(StandardCharsets.UTF_8);
    json[json.length - 4] = (byte) 0xC3;
    json[json.length - 3] = 0x28;
    values.add(json);
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      int i = 0;
      for (byte[] v : values) {
        producer
            .send(new ProducerRecord<>(topic, i++ % PARTITIONS, t, null, v))
            .get(30, TimeUnit.SECONDS);
      }
    }
    return values.size();
  }

  /** The lines of the JSON-lines files under {@code <out>/<dir>}. */
  private static long lines(Path out, String dir) throws IOException {
    long n = 0;
    try (Stream<Path> files = Files.list(out.resolve(dir))) {
      for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
        n += Files.readAllLines(f, StandardCharsets.UTF_8).size();
      }
    }
    return n;
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> d = new TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}

package io.tidemark.pipelines;

import io.tidemark.pipelines.io.Sources;
import io.tidemark.pipelines.options.JobOptions;
import io.tidemark.pipelines.options.SourceOptions;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Fuzzes every pipeline through the file source: valid records from the deterministic {@link
 * EventGenerator}, a share of them mutated at random (bit flips, truncation, inserted bytes, a
 * duplicated span, two records spliced, extreme event times and amounts), as JSON lines and as
 * base64 Avro lines. Each job must complete; every record must be accounted for (records in =
 * parsed + dead letters, and per pipeline events in = in results + late, from the accounting
 * counters of {@link Summary}); every dead letter must keep its line's bytes; and every line
 * Tidemark writes must read back with its own decoder.
 *
 * <p>System properties: {@code tidemark.fuzz.seed} runs one seed (to reproduce a failure); {@code
 * tidemark.fuzz.seeds} how many seeds from 1 (default 1); {@code tidemark.fuzz.records} records per
 * format and seed (default 1,500). The profile {@code -Pfuzz-long} runs more of both.
 */
public class FuzzTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void noRecordFailsAJobAndEveryRecordIsAccountedFor() throws Exception {
    int records = Integer.getInteger("tidemark.fuzz.records", 1_500);
    List<Long> seeds = seeds();
    List<String> failures = new ArrayList<>();
    for (long seed : seeds) {
      for (SourceOptions.Format format : SourceOptions.Format.values()) {
        long start = System.nanoTime();
        String problem;
        try {
          problem = fuzz(seed, format, records);
        } catch (RuntimeException | AssertionError | IOException e) {
          problem = "the job failed: " + e;
        }
        System.out.printf(
            "FuzzTest: seed %d, %s, %,d records in %.1f s: %s%n",
            seed,
            format,
            records,
            (System.nanoTime() - start) / 1e9,
            problem == null ? "OK" : "FAILED");
        if (problem != null) {
          failures.add(
              "seed "
                  + seed
                  + " "
                  + format
                  + ": "
                  + problem
                  + "\n  reproduce: mvn -B test -Dspotless.check.skip -pl pipelines -am"
                  + " -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false"
                  + " -Dtidemark.fuzz.records="
                  + records
                  + " -Dtidemark.fuzz.seed="
                  + seed);
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(String.join("\n\n", failures));
    }
  }

  static List<Long> seeds() {
    String one = System.getProperty("tidemark.fuzz.seed");
    if (one != null && !one.isBlank()) {
      return List.of(Long.parseLong(one.trim()));
    }
    List<Long> out = new ArrayList<>();
    for (long s = 1; s <= Integer.getInteger("tidemark.fuzz.seeds", 1); s++) {
      out.add(s);
    }
    return out;
  }

  /** One job over the fuzzed file of {@code seed}; null if all holds, else what does not. */
  String fuzz(long seed, SourceOptions.Format format, int records) throws IOException {
    boolean avro = format == SourceOptions.Format.AVRO;
    List<byte[]> lines = Mutations.lines(seed, records, avro);
    Path in = tmp.newFolder().toPath().resolve("fuzz-" + seed + "." + format);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (byte[] l : lines) {
      file.write(l);
      file.write('\n');
    }
    Files.write(in, file.toByteArray());
    Path out = tmp.newFolder().toPath();
    List<PipelineDef> defs = Tidemark.select(Tidemark.DEMO);
    JobOptions options =
        Tidemark.options(
            defs,
            Tidemark.withDirectRunnerDefaults( // as the CLI runs: no per-element coder checks
                new String[] {
                  "--source=FILE",
                  "--format=" + format,
                  "--inputFiles=" + in,
                  "--outputDir=" + out,
                  "--flushSeconds=1"
                }));
    PipelineResult result =
        Job.build(defs, options).run(new PrintStream(new ByteArrayOutputStream(), true));
    Summary summary = new Summary(result, defs.stream().map(PipelineDef::name).toList());

    List<String> problems = new ArrayList<>();
    long read = summary.get("source", "records");
    long parsed = summary.get("source", "parsed");
    long dead = summary.get("source", "dead-letters");
    if (read != lines.size()) {
      problems.add(lines.size() + " lines in the file but " + read + " records read");
    }
    if (!summary.balanced()) {
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      summary.print(new PrintStream(text, true, StandardCharsets.UTF_8), 0);
      problems.add("accounting does not balance:\n" + text.toString(StandardCharsets.UTF_8));
    }
    if (parsed < lines.size() / 2 || dead == 0) {
      problems.add("implausible split: " + parsed + " parsed, " + dead + " dead letters");
    }
    List<String> deadLines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        boolean isDead = out.relativize(f).startsWith("dead-letters");
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          try {
            WireFormat.shipped().decodeJson(l);
          } catch (DecodeException e) {
            problems.add(out.relativize(f) + " has a line Tidemark cannot read back: " + e);
          }
          if (isDead) {
            deadLines.add(l);
          }
        }
      }
    }
    // One dead-letter output: the undecodable records and the events a pipeline rejected.
    long rejected = defs.stream().mapToLong(d -> summary.get(d.name(), "dead-letters")).sum();
    if (deadLines.size() != dead + rejected) {
      problems.add(
          dead
              + " undecodable and "
              + rejected
              + " rejected records counted but "
              + deadLines.size()
              + " dead letters written");
    }
    for (String l : deadLines) {
      try {
        DeadLetter d = (DeadLetter) WireFormat.shipped().decodeJson(l);
        byte[] expected = Mutations.payloadOf(lines.get((int) d.getPosition() - 1), avro);
        ByteBuffer b = d.getPayload().duplicate();
        byte[] actual = new byte[b.remaining()];
        b.get(actual);
        if (!Arrays.equals(expected, actual)) {
          problems.add("dead letter of line " + d.getPosition() + " does not keep its bytes");
        }
      } catch (DecodeException | RuntimeException e) {
        problems.add("dead letter " + l + ": " + e);
      }
      if (problems.size() > 10) {
        break;
      }
    }
    return problems.isEmpty() ? null : String.join("\n  ", problems);
  }

  /** The fuzzed lines of a seed: generator records, a share of them mutated. */
  static final class Mutations {
    private static final long[] TIMES = {
      Long.MIN_VALUE,
      -1,
      0,
      Events.MAX_EVENT_TIME,
      Events.MAX_EVENT_TIME + 1,
      9_000_000_000_000_000_000L,
      Long.MAX_VALUE
    };
    private static final double[] AMOUNTS = {
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e308, -0.0, Double.MIN_VALUE
    };

    private Mutations() {}

    static List<byte[]> lines(long seed, int records, boolean avro) {
      SourceOptions o =
          PipelineOptionsFactory.fromArgs(
                  "--seed=" + seed,
                  "--generatorEvents=" + records,
                  "--format=" + (avro ? "AVRO" : "JSON"))
              .as(SourceOptions.class);
      EventGenerator gen = new EventGenerator(Sources.generatorConfig(o));
      List<byte[]> payloads = new ArrayList<>();
      List<Object> events = new ArrayList<>();
      for (long i = 0; i < records; i++) {
        EventGenerator.Generated g = gen.generate(i);
        payloads.add(g.payload());
        events.add(g.event());
      }
      SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (avro ? 1 : 0));
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        byte[] p = payloads.get(i);
        if (rnd.nextInt(100) < 40) {
          int n = 1 + rnd.nextInt(2);
          for (int k = 0; k < n; k++) {
            p = mutate(p, events.get(i), payloads.get(rnd.nextInt(records)), rnd, avro);
          }
        }
        byte[] line = avro ? Base64.getEncoder().encode(p) : p;
        if (avro && rnd.nextInt(100) < 3) {
          line = flip(line, rnd); // the base64 text itself
        }
        out.add(noLineBreaks(line));
      }
      return out;
    }

    /** The payload the file source makes of {@code line}, as a dead letter must keep it. */
    static byte[] payloadOf(byte[] line, boolean avro) {
      if (!avro) {
        return line;
      }
      try {
        return Base64.getDecoder().decode(new String(line, StandardCharsets.ISO_8859_1).trim());
      } catch (IllegalArgumentException e) {
        return line;
      }
    }

    static byte[] mutate(byte[] p, Object event, byte[] other, SplittableRandom rnd, boolean avro) {
      switch (rnd.nextInt(6)) {
        case 0:
          return flip(p, rnd);
        case 1: // truncate
          return Arrays.copyOf(p, p.length == 0 ? 0 : rnd.nextInt(p.length));
        case 2: // insert random bytes
          {
            byte[] ins = new byte[1 + rnd.nextInt(8)];
            rnd.nextBytes(ins);
            return insert(p, rnd.nextInt(p.length + 1), ins);
          }
        case 3: // duplicate a span
          {
            if (p.length == 0) {
              return p;
            }
            int from = rnd.nextInt(p.length);
            int to = from + 1 + rnd.nextInt(p.length - from);
            return insert(p, rnd.nextInt(p.length + 1), Arrays.copyOfRange(p, from, to));
          }
        case 4: // splice: the start of this record, the end of another
          {
            int a = rnd.nextInt(p.length + 1);
            int b = rnd.nextInt(other.length + 1);
            byte[] s = Arrays.copyOf(p, a + other.length - b);
            System.arraycopy(other, b, s, a, other.length - b);
            return s;
          }
        default:
          return extreme(p, event, rnd, avro);
      }
    }

    /** The same event with an extreme event time or amount, re-encoded. */
    static byte[] extreme(byte[] p, Object event, SplittableRandom rnd, boolean avro) {
      if (!(event instanceof org.apache.avro.specific.SpecificRecordBase e)) {
        return flip(p, rnd);
      }
      org.apache.avro.specific.SpecificRecordBase copy =
          org.apache.avro.specific.SpecificData.get().deepCopy(e.getSchema(), e);
      org.apache.avro.Schema.Field amount = copy.getSchema().getField("amount");
      if (amount != null && rnd.nextBoolean()) {
        copy.put(amount.pos(), AMOUNTS[rnd.nextInt(AMOUNTS.length)]);
      } else {
        copy.put(copy.getSchema().getField("eventTime").pos(), TIMES[rnd.nextInt(TIMES.length)]);
      }
      return avro
          ? WireFormat.encode(copy)
          : WireFormat.toJson(copy).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] flip(byte[] p, SplittableRandom rnd) {
      if (p.length == 0) {
        return p;
      }
      byte[] q = p.clone();
      for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
        q[rnd.nextInt(q.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      return q;
    }

    static byte[] insert(byte[] p, int at, byte[] ins) {
      byte[] q = new byte[p.length + ins.length];
      System.arraycopy(p, 0, q, 0, at);
      System.arraycopy(ins, 0, q, at, ins.length);
      System.arraycopy(p, at, q, at + ins.length, p.length - at);
      return q;
    }

    /** One record per line: a line break a mutation made becomes a space. */
    static byte[] noLineBreaks(byte[] line) {
      byte[] q = line;
      for (int i = 0; i < q.length; i++) {
        if (q[i] == '\n' || q[i] == '\r') {
          q = q == line ? line.clone() : q;
          q[i] = ' ';
        }
      }
      return q;
    }
  }
}

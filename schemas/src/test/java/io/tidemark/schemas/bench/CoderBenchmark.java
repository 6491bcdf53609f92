package io.tidemark.schemas.bench;

import io.tidemark.schemas.Click;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.schemas.utils.AvroUtils;

/**
 * Encode+decode speed of the coders a pipeline could use for {@link Click}, side by side in one
 * JVM. Not a test: run it by hand (see schemas/README.md):
 *
 * <pre>
 * mvn -o -q -pl schemas test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.tidemark.schemas.bench.CoderBenchmark [-Dexec.args=RESULT_FILE]
 * </pre>
 *
 * <p>Each round encodes every record into a reused buffer and decodes it again (nested context, as
 * inside a KV or a shuffle), for each coder in turn. Three warm-up rounds, then five measured
 * rounds; the median ns/record is reported with its ratio to AvroCoder.
 */
public final class CoderBenchmark {
  static final int RECORDS = 200_000;
  static final int WARMUP_ROUNDS = 3;
  static final int ROUNDS = 5;

  private CoderBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Click> clicks = clicks(RECORDS, 42);
    Map<String, Coder<Click>> coders = new LinkedHashMap<>();
    coders.put("AvroCoder.of(Click.class)", AvroCoder.of(Click.class));
    coders.put("AvroUtils.schemaCoder (SchemaCoder)", AvroUtils.schemaCoder(Click.class));
    coders.put("SerializableCoder.of(Click.class)", SerializableCoder.of(Click.class));
    coders.put("ClickCoder (hand-written)", ClickCoder.of());

    Map<String, Long> bytes = new LinkedHashMap<>();
    for (Map.Entry<String, Coder<Click>> c : coders.entrySet()) {
      bytes.put(c.getKey(), checkAndMeasureSize(c.getValue(), clicks));
    }
    Map<String, double[]> nsPerRecord = new LinkedHashMap<>();
    coders.keySet().forEach(k -> nsPerRecord.put(k, new double[ROUNDS]));
    long sink = 0;
    for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
      for (Map.Entry<String, Coder<Click>> c : coders.entrySet()) {
        System.gc();
        long start = System.nanoTime();
        sink += roundTrip(c.getValue(), clicks);
        long elapsed = System.nanoTime() - start;
        if (round >= 0) {
          nsPerRecord.get(c.getKey())[round] = (double) elapsed / clicks.size();
        }
      }
    }
    String report = report(nsPerRecord, bytes, sink);
    System.out.print(report);
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), report, StandardCharsets.UTF_8);
    }
  }

  /** Encodes and decodes every record; returns a checksum so the JIT cannot drop the work. */
  static long roundTrip(Coder<Click> coder, List<Click> clicks) throws IOException {
    Buffer buf = new Buffer();
    long sum = 0;
    for (Click c : clicks) {
      buf.reset();
      coder.encode(c, buf);
      Click back = coder.decode(buf.input());
      sum += back.getEventTime() + back.getReferrer().length();
    }
    return sum;
  }

  /** Checks that the coder round-trips the records; returns the mean encoded size in bytes. */
  private static long checkAndMeasureSize(Coder<Click> coder, List<Click> clicks)
      throws IOException {
    Buffer buf = new Buffer();
    long total = 0;
    for (Click c : clicks.subList(0, 1000)) {
      buf.reset();
      coder.encode(c, buf);
      total += buf.size();
      Click back = coder.decode(buf.input());
      if (!c.equals(back)) {
        throw new IllegalStateException(coder + " changed " + c + " into " + back);
      }
    }
    return Math.round(total / 1000.0);
  }

  private static String report(Map<String, double[]> ns, Map<String, Long> bytes, long sink) {
    double avro = median(ns.values().iterator().next());
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "Click encode+decode, %d records, %d warm-up + %d measured rounds, Java %s, %d cores,"
                + " load average %.1f at the end%n",
            RECORDS,
            WARMUP_ROUNDS,
            ROUNDS,
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    out.append(
        String.format(
            Locale.ROOT,
            "| %-36s | %14s | %15s | %13s | %12s |%n",
            "coder",
            "median ns/rec",
            "min..max ns/rec",
            "x AvroCoder",
            "bytes/rec"));
    out.append(
        String.format(
            "|%s|%s|%s|%s|%s|%n",
            "-".repeat(38), "-".repeat(16), "-".repeat(17), "-".repeat(15), "-".repeat(14)));
    for (Map.Entry<String, double[]> e : ns.entrySet()) {
      double[] r = e.getValue().clone();
      Arrays.sort(r);
      out.append(
          String.format(
              Locale.ROOT,
              "| %-36s | %14.0f | %7.0f..%-7.0f | %13.2f | %12d |%n",
              e.getKey(),
              median(r),
              r[0],
              r[r.length - 1],
              median(r) / avro,
              bytes.get(e.getKey())));
    }
    out.append("(checksum ").append(sink).append(")\n");
    return out.toString();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Realistic clicks: a deterministic function of {@code seed}. */
  static List<Click> clicks(int n, long seed) {
    Random rnd = new Random(seed);
    String[] agents = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    };
    String[] locations = {"US", "DE", "FR", "GB", "JP", "BR", "IN"};
    List<Click> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int product = rnd.nextInt(5000);
      out.add(
          Click.newBuilder()
              .setEventId(Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong()))
              .setUserId("user-" + rnd.nextInt(100_000))
              .setProductId("product-" + product)
              .setPageUrl("https://shop.example.com/products/" + product + "?ref=list")
              .setUserAgent(agents[rnd.nextInt(agents.length)])
              .setLocation(locations[rnd.nextInt(locations.length)])
              .setEventTime(1_700_000_000_000L + rnd.nextInt(86_400_000))
              .setReferrer(rnd.nextInt(3) == 0 ? "" : "https://search.example.com/?q=" + product)
              .build());
    }
    return out;
  }

  /** A ByteArrayOutputStream whose content is read back without copying. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(512);
    }

    ByteArrayInputStream input() {
      return new ByteArrayInputStream(buf, 0, count);
    }
  }
}

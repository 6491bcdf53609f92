package io.tidemark.pipelines.model;

import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * One randomized stream of encoded events for a pipeline under test, as a Beam {@link TestStream}
 * of raw records and as the model's {@link Arrivals}: the same records, timestamps and watermark
 * advances. Events are JSON lines or single-object Avro at random; a fraction is corrupt.
 */
final class EventScenario {
  /** What a test's streams look like. */
  record Config(
      long[] windowMinutes,
      long[] latenessMinutes,
      int[] weights,
      EventMaker.Type[] primary,
      EventMaker.Type[][] pairs,
      double corruptRate,
      double emptyFieldRate,
      double largeAmountRate,
      Plan.Shape shape) {}

  /** One input record. */
  record Item(long position, long timestamp, SpecificRecord event, byte[] payload) {}

  /** A step: records arriving together, or a watermark advance (items == null). */
  record Step(long watermark, List<Item> items) {}

  final long seed;
  final long latenessMinutes;
  final Plan plan;
  final List<Step> steps = new ArrayList<>();
  final List<Item> items = new ArrayList<>();

  private EventScenario(long seed, long latenessMinutes, Plan plan) {
    this.seed = seed;
    this.latenessMinutes = latenessMinutes;
    this.plan = plan;
  }

  static EventScenario of(long seed, Config c) {
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 12345);
    long lateness = c.latenessMinutes()[rnd.nextInt(c.latenessMinutes().length)];
    Windowing[] windowings = new Windowing[c.windowMinutes().length];
    for (int i = 0; i < windowings.length; i++) {
      windowings[i] = Windowing.minutes(c.windowMinutes()[i], lateness);
    }
    Plan plan = Plan.random(seed, Plan.Margins.windowed(windowings), c.shape(), rnd);
    EventScenario s = new EventScenario(seed, lateness, plan);
    EventMaker maker =
        new EventMaker(rnd, c.weights(), c.primary(), c.emptyFieldRate(), c.largeAmountRate());
    long position = 0;
    for (Plan.Step step : plan.steps) {
      if (step instanceof Plan.Advance a) {
        s.steps.add(new Step(a.watermark(), null));
        continue;
      }
      Plan.Batch b = (Plan.Batch) step;
      List<Item> batch = new ArrayList<>();
      long[] ts = b.timestamps();
      if (b.pair()) {
        EventMaker.Type[] kinds = c.pairs()[rnd.nextInt(c.pairs().length)];
        String user = maker.user();
        String product = maker.product();
        for (int i = 0; i < 2; i++) {
          long p = position++;
          batch.add(item(rnd, p, ts[i], maker.make(kinds[i], "e" + p, ts[i], user, product)));
        }
      } else {
        for (int i = 0; i < ts.length; i++) {
          long p = position++;
          SpecificRecordBase e =
              i == 0 && ts[0] >= b.watermark()
                  ? maker.primary("e" + p, ts[i])
                  : maker.any("e" + p, ts[i]);
          batch.add(item(rnd, p, ts[i], e));
          if (ts[0] >= b.watermark() && rnd.nextDouble() < c.corruptRate()) {
            long q = position++;
            batch.add(new Item(q, ts[i], null, Corrupt.payload(rnd)));
          }
        }
      }
      s.steps.add(new Step(b.watermark(), batch));
      s.items.addAll(batch);
    }
    return s;
  }

  private static Item item(SplittableRandom rnd, long position, long ts, SpecificRecordBase e) {
    byte[] payload =
        rnd.nextBoolean()
            ? WireFormat.encode(e)
            : WireFormat.toJson(e).getBytes(StandardCharsets.UTF_8);
    return new Item(position, ts, e, payload);
  }

  /** The records as a TestStream, ending with the watermark at infinity. */
  TestStream<RawRecord> testStream() {
    TestStream.Builder<RawRecord> b = TestStream.create(RawRecord.coder());
    for (Step s : steps) {
      if (s.items() == null) {
        b = b.advanceWatermarkTo(new Instant(s.watermark()));
      } else {
        List<TimestampedValue<RawRecord>> values = new ArrayList<>();
        for (Item i : s.items()) {
          values.add(
              TimestampedValue.of(
                  new RawRecord(i.payload(), "scenario", i.position()),
                  new Instant(i.timestamp())));
        }
        b =
            b.addElements(
                values.get(0), values.subList(1, values.size()).toArray(TimestampedValue[]::new));
      }
    }
    return b.advanceWatermarkToInfinity();
  }

  /** The same records for the model. */
  Arrivals arrivals() {
    Arrivals a = new Arrivals();
    for (Step s : steps) {
      if (s.items() == null) {
        a.advanceTo(s.watermark());
      } else {
        for (Item i : s.items()) {
          if (i.event() == null) {
            a.corrupt(i.position(), i.timestamp());
          } else {
            a.arrive(i.position(), i.timestamp(), i.event());
          }
        }
      }
    }
    return a;
  }

  /** The positions of the corrupt records and of the events {@code reads} accepts. */
  List<Long> inputs(Predicate<SpecificRecord> reads) {
    List<Long> out = new ArrayList<>();
    for (Item i : items) {
      if (i.event() == null || reads.test(i.event())) {
        out.add(i.position());
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return plan + " latenessMinutes=" + latenessMinutes + " records=" + items.size();
  }
}

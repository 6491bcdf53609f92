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
      Plan.Shape shape,
      Echo... echoes) {}

  /**
   * With probability {@code rate}, an on-time event of type {@code from} is followed, exactly
   * {@code offset} later (one of {@code offsetsMillis}), by an event of type {@code to} of the same
   * user and product: pairs on the exact edges of a join's interval. With {@code fresh}, both are
   * new events of a product of their own, so no other event of the key gets in between.
   */
  record Echo(
      EventMaker.Type from, EventMaker.Type to, long[] offsetsMillis, double rate, boolean fresh) {}

  private record Deferred(long timestamp, EventMaker.Type type, String user, String product) {}

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
    SplittableRandom rnd = Seeds.random(seed, 1);
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
    List<Deferred> deferred = new ArrayList<>();
    for (int index = 0; index < plan.steps.size(); index++) {
      Plan.Step step = plan.steps.get(index);
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
          if (ts[0] >= b.watermark()) {
            echo(c, rnd, e, ts[i], deferred);
          }
          if (ts[0] >= b.watermark() && rnd.nextDouble() < c.corruptRate()) {
            long q = position++;
            batch.add(new Item(q, ts[i], null, Corrupt.payload(rnd)));
          }
        }
      }
      if (ts[0] >= b.watermark() && !b.pair()) {
        // Echoes due before the next advance arrive with this batch, on time.
        long next = nextWatermark(plan, index);
        for (java.util.Iterator<Deferred> it = deferred.iterator(); it.hasNext(); ) {
          Deferred d = it.next();
          if (d.timestamp() >= b.watermark() && d.timestamp() < next) {
            it.remove();
            long p = position++;
            batch.add(
                item(
                    rnd,
                    p,
                    d.timestamp(),
                    maker.make(d.type(), "e" + p, d.timestamp(), d.user(), d.product())));
          }
        }
      }
      s.steps.add(new Step(b.watermark(), batch));
      s.items.addAll(batch);
    }
    return s;
  }

  private static void echo(
      Config c, SplittableRandom rnd, SpecificRecordBase e, long ts, List<Deferred> deferred) {
    for (Echo echo : c.echoes()) {
      if (EventMaker.typeOf(e) == echo.from() && rnd.nextDouble() < echo.rate()) {
        long offset = echo.offsetsMillis()[rnd.nextInt(echo.offsetsMillis().length)];
        String user = EventMaker.userOf(e);
        String product = EventMaker.productOf(e);
        if (echo.fresh()) {
          product = "q" + deferred.size() + "-" + ts;
          deferred.add(new Deferred(ts, echo.from(), user, product));
        }
        deferred.add(new Deferred(ts + offset, echo.to(), user, product));
      }
    }
  }

  private static long nextWatermark(Plan plan, int index) {
    for (int i = index + 1; i < plan.steps.size(); i++) {
      if (plan.steps.get(i) instanceof Plan.Advance a) {
        return a.watermark();
      }
    }
    return Long.MIN_VALUE;
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

package io.tidemark.pipelines.model;

import io.tidemark.pipelines.source.EventGenerator;

/** The generator's stream as a model input, so the model itself never depends on the generator. */
public final class GeneratorArrivals {
  private GeneratorArrivals() {}

  /**
   * The first {@code events} records of {@code generator} with its own watermark policy: after
   * event {@code i} the watermark is {@code watermarkAfter(i)}, rounded down to a whole {@code
   * tickMillis} (pass 1 for no rounding), and never moved back.
   */
  public static Arrivals of(EventGenerator generator, long events, long tickMillis) {
    if (tickMillis <= 0) {
      throw new IllegalArgumentException("tickMillis must be positive, was " + tickMillis);
    }
    Arrivals a = new Arrivals();
    long watermark = Arrivals.MIN;
    for (long i = 0; i < events; i++) {
      EventGenerator.Generated g = generator.generate(i);
      long ts = g.timestamp().getMillis();
      if (g.event() == null) {
        a.corrupt(i, ts);
      } else {
        a.arrive(i, ts, g.event());
      }
      long wm = generator.config().watermarkAfter(i).getMillis();
      watermark = Math.max(watermark, wm - Math.floorMod(wm, tickMillis));
      a.advanceTo(watermark);
    }
    return a;
  }
}

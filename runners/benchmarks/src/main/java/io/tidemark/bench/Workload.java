package io.tidemark.bench;

import static io.tidemark.transforms.Checks.checkArgument;

import io.tidemark.pipelines.model.Arrivals;
import io.tidemark.pipelines.source.EventGenerator;
import io.tidemark.pipelines.source.GeneratorConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The generator's events, decoded and held in memory before any engine is timed, in arrival order.
 * Corrupt records are left out (no engine here decodes bytes); other event types stay in, and each
 * engine skips them as the engagement job does.
 *
 * <p><b>Watermark.</b> Every engine follows one policy, bounded out-of-orderness: after an event
 * the watermark is the largest timestamp seen so far minus the generator's out-of-orderness bound.
 * {@link #arrivals} gives the reference model exactly that watermark at every event.
 *
 * <p>Workloads are registered by id so that sources running in this JVM (embedded Flink, the
 * DirectRunner) read them without serializing the events into the job graph.
 */
public final class Workload {
  /** One event and its event time. */
  public record Event(long timestamp, SpecificRecord event) {}

  private static final Map<String, Workload> REGISTERED = new ConcurrentHashMap<>();

  public final String id;
  public final GeneratorConfig config;
  public final long latenessMillis;
  public final List<Event> events;

  private Workload(String id, GeneratorConfig config, long latenessMillis, List<Event> events) {
    this.id = id;
    this.config = config;
    this.latenessMillis = latenessMillis;
    this.events = Collections.unmodifiableList(events);
  }

  /**
   * {@code count} generator records from {@code seed} (defaults of the generator: 2% late events 2
   * to 40 minutes behind, 20 s out of order) for {@code users} users at {@code eventsPerSecond},
   * with {@code latenessMinutes} of allowed lateness.
   */
  public static Workload generate(
      long seed, long count, int users, int eventsPerSecond, int latenessMinutes) {
    checkArgument(count > 0, "--events must be positive, was %s", count);
    checkArgument(
        latenessMinutes >= 0, "--latenessMinutes must not be negative, was %s", latenessMinutes);
    GeneratorConfig config =
        new GeneratorConfig(
            seed,
            count,
            eventsPerSecond,
            users,
            200,
            12,
            Duration.standardSeconds(20),
            0.02,
            Duration.standardMinutes(2),
            Duration.standardMinutes(40),
            0.01,
            false,
            new Instant(1_767_225_600_000L));
    EventGenerator generator = new EventGenerator(config);
    List<Event> events = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      EventGenerator.Generated g = generator.generate(i);
      if (g.event() != null) {
        events.add(new Event(g.timestamp().getMillis(), g.event()));
      }
    }
    String id = seed + "-" + count + "-" + System.nanoTime();
    Workload w = new Workload(id, config, latenessMinutes * 60_000L, events);
    REGISTERED.put(id, w);
    return w;
  }

  /** The registered workload {@code id}. */
  public static Workload get(String id) {
    Workload w = REGISTERED.get(id);
    if (w == null) {
      throw new IllegalStateException("no workload " + id + " in this JVM");
    }
    return w;
  }

  /** The out-of-orderness bound of the watermark. */
  public long outOfOrderMillis() {
    return config.outOfOrder().getMillis();
  }

  /** The events as the reference model's input, with the bounded out-of-orderness watermark. */
  public Arrivals arrivals() {
    Arrivals a = new Arrivals();
    long max = Long.MIN_VALUE;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      a.arrive(i, e.timestamp(), e.event());
      max = Math.max(max, e.timestamp());
      a.advanceTo(max - outOfOrderMillis());
    }
    return a;
  }
}

package io.tidemark.pipelines.source;

import static io.tidemark.transforms.Checks.checkArgument;

import java.io.Serializable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * What the built-in event generator produces. Event {@code i} arrives at {@code start + i /
 * eventsPerSecond} of event time; on-time events are stamped up to {@code outOfOrder} earlier, late
 * events a further {@code lateMin..lateMax} earlier, behind the watermark.
 */
public record GeneratorConfig(
    long seed,
    long maxEvents,
    int eventsPerSecond,
    int users,
    int products,
    int categories,
    Duration outOfOrder,
    double lateFraction,
    Duration lateMin,
    Duration lateMax,
    double corruptFraction,
    boolean json,
    Instant start)
    implements Serializable {

  public GeneratorConfig {
    checkArgument(maxEvents >= 0, "generatorEvents must not be negative, was %s", maxEvents);
    checkArgument(eventsPerSecond > 0, "eventsPerSecond must be positive, was %s", eventsPerSecond);
    checkArgument(users > 0, "users must be positive, was %s", users);
    checkArgument(products > 0, "products must be positive, was %s", products);
    checkArgument(categories > 0, "categories must be positive, was %s", categories);
    checkArgument(
        !outOfOrder.isShorterThan(Duration.ZERO),
        "outOfOrderSeconds must not be negative, was %s",
        outOfOrder.getStandardSeconds());
    checkArgument(
        lateFraction >= 0 && lateFraction <= 1,
        "lateFraction must be in [0, 1], was %s",
        lateFraction);
    checkArgument(
        corruptFraction >= 0 && corruptFraction <= 1,
        "corruptFraction must be in [0, 1], was %s",
        corruptFraction);
    checkArgument(
        !lateMin.isShorterThan(Duration.ZERO) && !lateMax.isShorterThan(lateMin),
        "late delay must satisfy 0 <= lateMinMinutes <= lateMaxMinutes, was %s..%s",
        lateMin.getStandardMinutes(),
        lateMax.getStandardMinutes());
  }

  /** The arrival time of event {@code index}: its position in event time. */
  public Instant arrival(long index) {
    return start.plus(index * 1000 / eventsPerSecond);
  }

  /**
   * Whether event {@code index} may be generated late: not the users' first profiles, and not in
   * the first {@code lateMax + outOfOrder} of event time, so that no late event is older than the
   * stream itself (the first elements of a stream are not yet covered by a late-events router).
   */
  public boolean mayBeLate(long index) {
    return index >= users && !arrival(index).isBefore(start.plus(lateMax).plus(outOfOrder));
  }

  /** The generator's watermark after it emitted event {@code index}. */
  public Instant watermarkAfter(long index) {
    return arrival(index).minus(outOfOrder);
  }
}

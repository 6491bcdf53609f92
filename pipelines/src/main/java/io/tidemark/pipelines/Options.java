package io.tidemark.pipelines;

import io.tidemark.pipelines.options.LateRoutingOptions;
import io.tidemark.pipelines.options.WindowOptions;
import io.tidemark.transforms.EventWindows;
import io.tidemark.transforms.LateEvents;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.joda.time.Duration;

/** Option checks that fail fast with a message naming the option and its value. */
public final class Options {
  /** One week: lateness beyond this keeps window state far longer than any user expects. */
  public static final int MAX_LATENESS_MINUTES = 7 * 24 * 60;

  private Options() {}

  static void checkWindow(WindowOptions o, String option, int windowMinutes) {
    require(windowMinutes > 0, "--%s must be positive, was %s", option, windowMinutes);
    checkLateness("allowedLatenessMinutes", o.getAllowedLatenessMinutes());
    require(
        o.getEarlyFiringSeconds() >= 0,
        "--earlyFiringSeconds must not be negative, was %s",
        o.getEarlyFiringSeconds());
    checkLateRouting(o);
  }

  /** Checks the options of the late-events router. */
  public static void checkLateRouting(LateRoutingOptions o) {
    require(
        o.getLateTickMinutes() > 0,
        "--lateTickMinutes must be positive, was %s",
        o.getLateTickMinutes());
    require(
        o.getLateMaxIdleTicks() >= 0,
        "--lateMaxIdleTicks must not be negative, was %s",
        o.getLateMaxIdleTicks());
    require(
        o.getLateShards() >= 0 && o.getLateShards() <= LateEvents.MAX_SHARDS,
        "--lateShards must be in [0, %s] (0: from the runner's parallelism), was %s",
        LateEvents.MAX_SHARDS,
        o.getLateShards());
  }

  /**
   * The late-events router of {@code policy} as the options configure it; its shards follow the
   * runner's parallelism ({@link LateEvents#defaultShards}) unless {@code --lateShards} is set.
   */
  public static <T> LateEvents<T> lateEvents(EventWindows<T> policy, LateRoutingOptions o) {
    checkLateRouting(o);
    LateEvents<T> router =
        LateEvents.of(policy)
            .withTick(Duration.standardMinutes(o.getLateTickMinutes()))
            .withMaxIdleTicks(o.getLateMaxIdleTicks());
    return o.getLateShards() > 0 ? router.withShards(o.getLateShards()) : router;
  }

  /** Checks a lateness option: in {@code [0, MAX_LATENESS_MINUTES]}. */
  public static void checkLateness(String option, int minutes) {
    require(
        minutes >= 0 && minutes <= MAX_LATENESS_MINUTES,
        "--%s must be in [0, %s], was %s",
        option,
        MAX_LATENESS_MINUTES,
        minutes);
  }

  /** The zone named by option {@code option}; fails naming the option and the value. */
  public static ZoneId zone(String option, String id) {
    try {
      return ZoneId.of(id);
    } catch (DateTimeException | NullPointerException e) {
      throw new IllegalArgumentException(
          String.format(
              "--%s must be a time zone id such as UTC, Europe/Paris or +02:00, was '%s'",
              option, id),
          e);
    }
  }

  /** Throws {@link IllegalArgumentException} with the formatted message unless {@code ok}. */
  public static void require(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }
}

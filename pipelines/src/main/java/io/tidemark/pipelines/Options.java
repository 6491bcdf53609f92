package io.tidemark.pipelines;

import io.tidemark.pipelines.options.WindowOptions;

/** Option checks that fail fast with a message naming the option and its value. */
public final class Options {
  /** One week: lateness beyond this keeps window state far longer than any user expects. */
  public static final int MAX_LATENESS_MINUTES = 7 * 24 * 60;

  private Options() {}

  static void checkWindow(WindowOptions o, String option, int windowMinutes) {
    require(windowMinutes > 0, "--%s must be positive, was %s", option, windowMinutes);
    require(
        o.getAllowedLatenessMinutes() >= 0 && o.getAllowedLatenessMinutes() <= MAX_LATENESS_MINUTES,
        "--allowedLatenessMinutes must be in [0, %s], was %s",
        MAX_LATENESS_MINUTES,
        o.getAllowedLatenessMinutes());
    require(
        o.getEarlyFiringSeconds() >= 0,
        "--earlyFiringSeconds must not be negative, was %s",
        o.getEarlyFiringSeconds());
    require(
        o.getLateTickMinutes() > 0,
        "--lateTickMinutes must be positive, was %s",
        o.getLateTickMinutes());
  }

  /** Throws {@link IllegalArgumentException} with the formatted message unless {@code ok}. */
  public static void require(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }
}

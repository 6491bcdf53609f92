package io.tidemark.transforms;

import org.joda.time.Duration;

/** Argument checks whose messages name the bad value. */
public final class Checks {
  private Checks() {}

  /** Throws {@link IllegalArgumentException} with {@code String.format(message, args)}. */
  public static void checkArgument(boolean ok, String message, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(message, args));
    }
  }

  /** Checks that {@code d} is positive; {@code what} names it in the message. */
  public static void checkPositive(String what, Duration d) {
    checkArgument(
        d != null && d.isLongerThan(Duration.ZERO), "%s must be positive, was %s", what, d);
  }
}

package io.tidemark.bench;

import java.util.Arrays;
import java.util.Locale;

/** A job every engine runs: the same semantics as one of Tidemark's pipelines and its model. */
public enum Job {
  /**
   * Engagement per user in 5-minute windows (view 1, click 3, purchase 10), the allowed lateness,
   * late events to a late stream; see {@code EngagementPipeline}.
   */
  ENGAGEMENT,
  /**
   * Click-to-purchase conversions: a purchase with a click of the same user and product in the hour
   * before it, attributed to the latest such click, decided once the watermark passes the purchase
   * plus the allowed lateness; see {@code ConversionPipeline.conversions} (its join step, without
   * the hourly rates built on it).
   */
  CONVERSION;

  /** The engagement job's window. */
  public static final long WINDOW_MILLIS = 5 * 60_000L;

  /** A click at most this long before a purchase converts it. */
  public static final long ATTRIBUTION_MILLIS = 60 * 60_000L;

  /** The name in options and headings. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The job named {@code label}. */
  public static Job of(String label) {
    for (Job j : values()) {
      if (j.label().equals(label.trim())) {
        return j;
      }
    }
    throw new IllegalArgumentException(
        "no job " + label + "; jobs are " + Arrays.stream(values()).map(Job::label).toList());
  }

  /** What an engine computed compared with the reference model's outcome over {@code w}. */
  public Outcome.Verdict compare(Outcome actual, Outcome reference, Workload w) {
    return this == ENGAGEMENT
        ? actual.compare(reference, w, WINDOW_MILLIS)
        : actual.compareConversions(reference, w);
  }
}

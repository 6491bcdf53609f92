package io.tidemark.pipelines.conversion;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.Conversion;
import io.tidemark.schemas.Purchase;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Attributes a purchase to the latest of its clicks at or before it. */
final class Attribution {
  /** Latest first by event time; ties go to the larger event id, so every run picks the same. */
  static final Comparator<Click> LATEST =
      Comparator.comparingLong(Click::getEventTime).thenComparing(Click::getEventId);

  private Attribution() {}

  /**
   * The conversion of {@code purchase}, or empty when none of {@code clicks} is at or before it.
   */
  static Optional<Conversion> of(Purchase purchase, List<Click> clicks) {
    return clicks.stream()
        .filter(c -> c.getEventTime() <= purchase.getEventTime())
        .max(LATEST)
        .map(
            click ->
                Conversion.newBuilder()
                    .setUserId(purchase.getUserId())
                    .setProductId(purchase.getProductId())
                    .setClickEventId(click.getEventId())
                    .setPurchaseEventId(purchase.getEventId())
                    .setClickTime(click.getEventTime())
                    .setPurchaseTime(purchase.getEventTime())
                    .setTimeToPurchaseMs(purchase.getEventTime() - click.getEventTime())
                    .build());
  }
}

package io.tidemark.pipelines;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import org.apache.avro.specific.SpecificRecord;

/**
 * The points a user's activity is worth, shared by engagement (its score) and fraud (the activity
 * score of a transaction): a view 1, a click 3, a purchase 10.
 */
public final class ActivityPoints {
  public static final int VIEW = 1;
  public static final int CLICK = 3;
  public static final int PURCHASE = 10;

  private ActivityPoints() {}

  /** The points of one view, click or purchase; fails for any other event. */
  public static int of(SpecificRecord event) {
    if (event instanceof PageView) {
      return VIEW;
    }
    if (event instanceof Click) {
      return CLICK;
    }
    if (event instanceof Purchase) {
      return PURCHASE;
    }
    throw new IllegalArgumentException("not an activity event: " + event.getSchema().getName());
  }

  /** The points of views, clicks and purchases counted separately. */
  public static long of(long views, long clicks, long purchases) {
    return views * VIEW + clicks * CLICK + purchases * PURCHASE;
  }
}

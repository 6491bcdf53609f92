package io.tidemark.pipelines;

/**
 * The points a user's activity is worth, shared by engagement (its score) and fraud (the activity
 * score of a transaction): a view 1, a click 3, a purchase 10.
 */
public final class ActivityPoints {
  public static final int VIEW = 1;
  public static final int CLICK = 3;
  public static final int PURCHASE = 10;

  private ActivityPoints() {}

  /** The points of one view, click or purchase. */
  public static int of(Activity.Kind kind) {
    return switch (kind) {
      case VIEW -> VIEW;
      case CLICK -> CLICK;
      case PURCHASE -> PURCHASE;
    };
  }

  /** The points of views, clicks and purchases counted separately. */
  public static long of(long views, long clicks, long purchases) {
    return views * VIEW + clicks * CLICK + purchases * PURCHASE;
  }
}

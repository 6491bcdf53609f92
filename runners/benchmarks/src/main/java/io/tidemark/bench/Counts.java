package io.tidemark.bench;

import java.util.HashSet;

/**
 * The running engagement of one user in one window for the native engines: the same work as the
 * Beam pipeline's accumulator, including the set of distinct items.
 */
public class Counts {
  public long views;
  public long clicks;
  public long purchases;
  public HashSet<String> items = new HashSet<>();

  public Counts() {}

  /** Adds {@code a}; returns this. */
  public Counts add(Activity a) {
    if (a.kind == Activity.VIEW) {
      views++;
    } else if (a.kind == Activity.CLICK) {
      clicks++;
    } else {
      purchases++;
    }
    items.add(a.item);
    return this;
  }

  /** Adds {@code o}; returns this. */
  public Counts merge(Counts o) {
    views += o.views;
    clicks += o.clicks;
    purchases += o.purchases;
    items.addAll(o.items);
    return this;
  }

  public Outcome.Score score() {
    return new Outcome.Score(
        views + clicks * 3 + purchases * 10, views + clicks + purchases, views, clicks, purchases);
  }
}

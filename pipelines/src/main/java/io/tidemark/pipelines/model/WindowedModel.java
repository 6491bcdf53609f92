package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * Keyed fixed event-time windows with allowed lateness, discarding panes and a late-events stream:
 * the semantics of {@code LateEvents} over {@code EventWindows.fixed(..)} with its defaults, and of
 * every windowed pipeline.
 *
 * <ul>
 *   <li>An event arriving before the watermark passes the end of its window (on time or
 *       unobservably late) is in the window's on-time pane.
 *   <li>An observably late event gets a late pane of its own.
 *   <li>A droppably late event goes to the late stream and to no window.
 * </ul>
 *
 * Panes are discarding, so each holds only its own events; a window's final result is the sum of
 * its panes. Pane indexes count the window's panes in the order they fire, from 0.
 *
 * @param <E> the events
 * @param <A> the value of a pane, built by an {@link Aggregate}
 */
public final class WindowedModel<E, A> {
  /** Builds the value of a pane from its events. */
  public interface Aggregate<E, A> {
    A create();

    void add(A pane, E event);
  }

  private final Windowing windowing;
  private final Aggregate<E, A> aggregate;
  private final Map<WindowKey, List<Pane<A>>> panes = new HashMap<>();
  private final List<Late<E>> late = new ArrayList<>();

  public WindowedModel(Windowing windowing, Aggregate<E, A> aggregate) {
    this.windowing = windowing;
    this.aggregate = aggregate;
  }

  public Windowing windowing() {
    return windowing;
  }

  /**
   * Routes {@code event} of {@code key} at {@code timestamp}, arriving when the watermark is {@code
   * watermark}, to a pane or to the late stream; returns its category.
   */
  public Lateness add(String key, long timestamp, E event, long watermark) {
    Lateness category = windowing.classify(timestamp, watermark);
    long start = windowing.start(timestamp);
    long end = start + windowing.sizeMillis();
    if (category == Lateness.DROPPABLY_LATE) {
      late.add(new Late<>(key, timestamp, start, end, watermark, event));
      return category;
    }
    WindowKey window = new WindowKey(key, start, end);
    List<Pane<A>> list = panes.get(window);
    if (list == null) {
      list = new ArrayList<>(2);
      panes.put(window, list);
    }
    Pane<A> pane;
    if (category == Lateness.OBSERVABLY_LATE) {
      pane = new Pane<>(Pane.LATE, list.size(), aggregate.create());
      list.add(pane);
    } else if (list.isEmpty()) {
      pane = new Pane<>(Pane.ON_TIME, 0, aggregate.create());
      list.add(pane);
    } else {
      pane = list.get(0);
      if (!Pane.ON_TIME.equals(pane.timing())) {
        throw new IllegalStateException(
            "an on-time event of " + window + " after its late panes: the watermark went back");
      }
    }
    aggregate.add(pane.value(), event);
    return category;
  }

  /** The panes of every window that has any, in firing order. */
  public Map<WindowKey, List<Pane<A>>> panes() {
    return Collections.unmodifiableMap(panes);
  }

  /** The panes of every window with each pane's value mapped by {@code finish}, in firing order. */
  public <R> Map<WindowKey, List<Pane<R>>> panes(Function<A, R> finish) {
    Map<WindowKey, List<Pane<R>>> mapped = new TreeMap<>();
    for (Map.Entry<WindowKey, List<Pane<A>>> e : panes.entrySet()) {
      List<Pane<R>> list = new ArrayList<>(e.getValue().size());
      for (Pane<A> p : e.getValue()) {
        list.add(new Pane<>(p.timing(), p.index(), finish.apply(p.value())));
      }
      mapped.put(e.getKey(), list);
    }
    return mapped;
  }

  /** The events that arrived after their window closed, in arrival order. */
  public List<Late<E>> late() {
    return Collections.unmodifiableList(late);
  }

  /** The final result of each window: {@code finish} of each pane, summed with {@code sum}. */
  public <R> Map<WindowKey, R> results(Function<A, R> finish, BinaryOperator<R> sum) {
    Map<WindowKey, R> results = new TreeMap<>();
    for (Map.Entry<WindowKey, List<Pane<A>>> e : panes.entrySet()) {
      R total = null;
      for (Pane<A> p : e.getValue()) {
        R r = finish.apply(p.value());
        total = total == null ? r : sum.apply(total, r);
      }
      results.put(e.getKey(), total);
    }
    return results;
  }
}

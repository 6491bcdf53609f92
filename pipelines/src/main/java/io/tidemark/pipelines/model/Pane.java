package io.tidemark.pipelines.model;

/**
 * One pane of a window: its timing ({@code ON_TIME} or {@code LATE}, the names of Beam's pane
 * timings), its index among the window's panes, and its value.
 */
public record Pane<A>(String timing, long index, A value) {
  public static final String ON_TIME = "ON_TIME";
  public static final String LATE = "LATE";
}

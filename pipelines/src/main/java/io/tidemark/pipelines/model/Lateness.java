package io.tidemark.pipelines.model;

/**
 * Where an event's timestamp stands against the watermark when it arrives (ARCHITECTURE.md,
 * "Lateness"). "The watermark has passed t" means {@code watermark > t}; a window {@code [start,
 * end)} ends at {@code end - 1}.
 */
public enum Lateness {
  /** The watermark has not passed the event's timestamp: in the on-time pane. */
  ON_TIME,
  /** Past the timestamp, not the end of the window: still in the on-time pane. */
  UNOBSERVABLY_LATE,
  /** Past the end of the window, not its end plus the allowed lateness: one late pane. */
  OBSERVABLY_LATE,
  /** Past the end of the window plus the allowed lateness: the late-events stream. */
  DROPPABLY_LATE;

  /** Whether the event still counts in its window (in a pane), as opposed to the late stream. */
  public boolean inWindow() {
    return this != DROPPABLY_LATE;
  }
}

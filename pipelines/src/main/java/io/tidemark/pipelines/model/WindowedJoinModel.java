package io.tidemark.pipelines.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A window-by-window join of two keyed streams in the same fixed windows, with the lateness routing
 * of {@link WindowedModel}: each pane of a key and window pairs every left row with every right row
 * of that pane; an outer join emits a side without partners in the pane with a null other side.
 * Panes are discarding, so a late row meets only the rows of its own pane.
 */
public final class WindowedJoinModel<L, R> {
  /** The kinds of join. */
  public enum Kind {
    INNER,
    LEFT_OUTER,
    FULL_OUTER
  }

  /** An event of one side. */
  public record Side(boolean left, Object value) {}

  /** One output row of a pane; in an outer join one side may be null. */
  public record Row<L, R>(WindowKey window, String timing, long paneIndex, L left, R right) {}

  /** The rows of one pane. */
  static final class Rows {
    final List<Object> lefts = new ArrayList<>();
    final List<Object> rights = new ArrayList<>();
  }

  private final WindowedModel<Side, Rows> windows;

  public WindowedJoinModel(Windowing windowing) {
    this.windows =
        new WindowedModel<>(
            windowing,
            new WindowedModel.Aggregate<>() {
              @Override
              public Rows create() {
                return new Rows();
              }

              @Override
              public void add(Rows rows, Side side) {
                (side.left() ? rows.lefts : rows.rights).add(side.value());
              }
            });
  }

  /** A left row arrives when the watermark is {@code watermark}. */
  public Lateness left(String key, long timestamp, L value, long watermark) {
    return windows.add(key, timestamp, new Side(true, value), watermark);
  }

  /** A right row arrives when the watermark is {@code watermark}. */
  public Lateness right(String key, long timestamp, R value, long watermark) {
    return windows.add(key, timestamp, new Side(false, value), watermark);
  }

  /** The rows that arrived after their window closed. */
  public List<Late<Side>> late() {
    return windows.late();
  }

  /** Every row the join emits, pane by pane. */
  @SuppressWarnings("unchecked")
  public List<Row<L, R>> rows(Kind kind) {
    List<Row<L, R>> out = new ArrayList<>();
    for (Map.Entry<WindowKey, List<Pane<Rows>>> e : windows.panes().entrySet()) {
      for (Pane<Rows> pane : e.getValue()) {
        Rows rows = pane.value();
        boolean hasLeft = !rows.lefts.isEmpty();
        boolean hasRight = !rows.rights.isEmpty();
        if (hasLeft && hasRight) {
          for (Object l : rows.lefts) {
            for (Object r : rows.rights) {
              out.add(new Row<>(e.getKey(), pane.timing(), pane.index(), (L) l, (R) r));
            }
          }
        } else if (hasLeft && kind != Kind.INNER) {
          for (Object l : rows.lefts) {
            out.add(new Row<>(e.getKey(), pane.timing(), pane.index(), (L) l, null));
          }
        } else if (hasRight && kind == Kind.FULL_OUTER) {
          for (Object r : rows.rights) {
            out.add(new Row<>(e.getKey(), pane.timing(), pane.index(), null, (R) r));
          }
        }
      }
    }
    return out;
  }
}

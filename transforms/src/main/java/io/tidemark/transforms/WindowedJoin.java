package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;

import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IncompatibleWindowException;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Joins two keyed collections window by window: inner, left outer or full outer, on {@link
 * CoGroupByKey}. The input this transform is applied to is the left side.
 *
 * <p><b>Rows.</b> For each key, window and pane: every left row is paired with every right row (the
 * cross product, so many rows on a side give many results); in a left outer join a key without
 * right rows gives one {@link Joined} per left row with a {@code null} right; a full outer join
 * also gives one per right row of a key without left rows. A side with zero rows never fails the
 * join. Values must not be {@code null}.
 *
 * <p><b>Windowing.</b> Both inputs must already be windowed the same way (same window function and
 * trigger, for example by the same {@link EventWindows}); the result stays in those windows, with
 * the timestamp the windowing strategy's timestamp combiner gives. Only rows in the same window
 * meet: a pair that straddles a window boundary is never joined; use {@link IntervalJoin} for a
 * time-bounded join.
 *
 * <p><b>Triggers and lateness.</b> Each pane of the grouping gives the rows of that pane. With
 * accumulating panes every pane restates the whole window's join. With discarding panes a late row
 * only meets the rows of its own pane, so an outer join may then emit it with a {@code null} side
 * although the window had a match in an earlier pane. Rows that arrive after the window closed are
 * dropped by the runner; apply {@link LateEvents} to each side first to keep them.
 *
 * <pre>{@code
 * EventWindows<KV<String, Click>> w = EventWindows.fixed(Duration.standardMinutes(5));
 * PCollection<Joined<String, Click, Purchase>> rows =
 *     clicks.apply("WindowClicks", w)
 *         .apply(WindowedJoin.<String, Click, Purchase>leftOuter(
 *             purchases.apply("WindowPurchases", EventWindows.fixed(Duration.standardMinutes(5)))));
 * }</pre>
 *
 * <p>Metrics: counters {@code join-matches}, the number of (left, right) pairs emitted, and {@code
 * join-left-misses} and {@code join-right-misses}, the rows of a pane that found no other side
 * (counted whatever the kind of join emits of them).
 */
public final class WindowedJoin<K, L, R>
    extends PTransform<PCollection<KV<K, L>>, PCollection<Joined<K, L, R>>> {

  /** The kind of join. */
  public enum Kind {
    /** Only pairs. */
    INNER,
    /** Pairs, and left rows without a right row. */
    LEFT_OUTER,
    /** Pairs, and rows of either side without a partner. */
    FULL_OUTER
  }

  private final Kind kind;
  private final transient PCollection<KV<K, R>> right;

  private WindowedJoin(Kind kind, PCollection<KV<K, R>> right) {
    checkArgument(right != null, "the right input of a %s join must not be null", kind);
    this.kind = kind;
    this.right = right;
  }

  /** Pairs only. */
  public static <K, L, R> WindowedJoin<K, L, R> inner(PCollection<KV<K, R>> right) {
    return new WindowedJoin<>(Kind.INNER, right);
  }

  /**
   * Pairs, plus each left row of a key and window without right rows, with a {@code null} right.
   */
  public static <K, L, R> WindowedJoin<K, L, R> leftOuter(PCollection<KV<K, R>> right) {
    return new WindowedJoin<>(Kind.LEFT_OUTER, right);
  }

  /** Pairs, plus the rows of either side without a partner in their window, the other side null. */
  public static <K, L, R> WindowedJoin<K, L, R> fullOuter(PCollection<KV<K, R>> right) {
    return new WindowedJoin<>(Kind.FULL_OUTER, right);
  }

  /** The kind of this join. */
  public Kind kind() {
    return kind;
  }

  @Override
  public Map<TupleTag<?>, PValue> getAdditionalInputs() {
    return Map.of(new TupleTag<KV<K, R>>("right"), right);
  }

  @Override
  public PCollection<Joined<K, L, R>> expand(PCollection<KV<K, L>> left) {
    KvCoder<K, L> leftCoder = KvInputs.kvCoder("left", left);
    KvCoder<K, R> rightCoder = KvInputs.kvCoder("right", right);
    Coder<K> keyCoder = KvInputs.sameKeyCoder(leftCoder, rightCoder);
    checkSameWindowing(left.getWindowingStrategy(), right.getWindowingStrategy());
    TupleTag<L> leftTag = new TupleTag<>("left");
    TupleTag<R> rightTag = new TupleTag<>("right");
    return KeyedPCollectionTuple.of(leftTag, left)
        .and(rightTag, right)
        .apply("CoGroupByKey", CoGroupByKey.create())
        .apply("Rows", ParDo.of(new RowsFn<>(kind, leftTag, rightTag)))
        .setCoder(Joined.coder(keyCoder, leftCoder.getValueCoder(), rightCoder.getValueCoder()));
  }

  private static void checkSameWindowing(
      WindowingStrategy<?, ?> left, WindowingStrategy<?, ?> right) {
    try {
      left.getWindowFn().verifyCompatibility(right.getWindowFn());
    } catch (IncompatibleWindowException e) {
      throw new IllegalArgumentException(
          String.format(
              "both inputs must be windowed the same way, left has %s and right has %s",
              describe(left.getWindowFn()), describe(right.getWindowFn())),
          e);
    }
    checkArgument(
        left.getTrigger().isCompatible(right.getTrigger()),
        "both inputs must have the same trigger, left has %s and right has %s",
        left.getTrigger(),
        right.getTrigger());
  }

  private static String describe(WindowFn<?, ?> windowFn) {
    if (windowFn instanceof FixedWindows f) {
      return "FixedWindows(" + f.getSize() + ")";
    } else if (windowFn instanceof SlidingWindows s) {
      return "SlidingWindows(" + s.getSize() + " every " + s.getPeriod() + ")";
    } else if (windowFn instanceof Sessions s) {
      return "Sessions(" + s.getGapDuration() + ")";
    }
    return windowFn.getClass().getSimpleName();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("join", kind.toString()))
        .add(DisplayData.item("right", right.getName()));
  }

  static final class RowsFn<K, L, R> extends DoFn<KV<K, CoGbkResult>, Joined<K, L, R>> {
    private final Counter matches = Metrics.counter(WindowedJoin.class, "join-matches");
    private final Counter leftMisses = Metrics.counter(WindowedJoin.class, "join-left-misses");
    private final Counter rightMisses = Metrics.counter(WindowedJoin.class, "join-right-misses");
    private final Kind kind;
    private final TupleTag<L> leftTag;
    private final TupleTag<R> rightTag;

    RowsFn(Kind kind, TupleTag<L> leftTag, TupleTag<R> rightTag) {
      this.kind = kind;
      this.leftTag = leftTag;
      this.rightTag = rightTag;
    }

    @ProcessElement
    public void process(@Element KV<K, CoGbkResult> group, OutputReceiver<Joined<K, L, R>> out) {
      K key = group.getKey();
      Iterable<L> lefts = group.getValue().getAll(leftTag);
      Iterable<R> rights = group.getValue().getAll(rightTag);
      boolean hasLeft = lefts.iterator().hasNext();
      boolean hasRight = rights.iterator().hasNext();
      if (hasLeft && hasRight) {
        long pairs = 0;
        for (L l : lefts) {
          for (R r : rights) {
            out.output(Joined.of(key, l, r));
            pairs++;
          }
        }
        matches.inc(pairs);
      } else if (hasLeft) {
        for (L l : lefts) {
          leftMisses.inc();
          if (kind != Kind.INNER) {
            out.output(Joined.of(key, l, null));
          }
        }
      } else if (hasRight) {
        for (R r : rights) {
          rightMisses.inc();
          if (kind == Kind.FULL_OUTER) {
            out.output(Joined.of(key, null, r));
          }
        }
      }
    }
  }
}

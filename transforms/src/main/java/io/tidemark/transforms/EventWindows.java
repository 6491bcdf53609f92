package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;
import static io.tidemark.transforms.Checks.checkPositive;

import com.google.auto.value.AutoValue;
import javax.annotation.Nullable;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.AfterEach;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Sessions;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * A windowing policy: event-time windows, trigger, allowed lateness, pane accumulation and output
 * timestamp, configured in one place and applied with {@link Window#into}.
 *
 * <p><b>Windows</b>: {@link #fixed}, {@link #sliding} or {@link #sessions}. <b>Trigger</b>: the
 * on-time pane fires when the watermark passes the end of the window, if the window received data
 * since its previous pane (so with discarding panes a window whose data all went out in early panes
 * has no on-time pane). Optionally, early (speculative) panes fire every {@link
 * #withEarlyFiringsEvery} of processing time after the first element of a pane, or after {@link
 * #withEarlyFiringsAfterCount} elements, whichever comes first. Late panes fire for data that
 * arrives within the allowed lateness: one per late element ({@link LateFirings#PER_ELEMENT}, the
 * default) or batched by processing time ({@link #withLateFiringsBatched}). <b>Lateness</b>: data
 * whose window closed (watermark past window end plus {@link #withAllowedLateness}) is dropped by
 * the runner; apply {@link LateEvents} instead of this transform to route such data to a
 * late-events stream. <b>Accumulation</b>: discarding by default, so each element is counted in
 * exactly one pane; {@link #accumulating()} makes each pane restate the window.
 *
 * <pre>{@code
 * events.apply(EventWindows.<Click>fixed(Duration.standardMinutes(5))
 *     .withEarlyFiringsEvery(Duration.standardSeconds(30))
 *     .withAllowedLateness(Duration.standardMinutes(10)));
 * }</pre>
 */
@AutoValue
public abstract class EventWindows<T> extends PTransform<PCollection<T>, PCollection<T>> {

  /** How panes for late data (within the allowed lateness) fire. */
  public enum LateFirings {
    /** One late pane per late element. */
    PER_ELEMENT,
    /** Late elements are batched for a delay of processing time. */
    BATCHED
  }

  /** The kind of window. */
  public enum Kind {
    FIXED,
    SLIDING,
    SESSIONS
  }

  abstract Kind kind();

  /** Window size, or the gap for sessions. */
  abstract Duration size();

  @Nullable
  abstract Duration period();

  @Nullable
  abstract Duration earlyFiringInterval();

  abstract int earlyFiringCount();

  abstract LateFirings lateFirings();

  abstract Duration lateFiringDelay();

  abstract Duration allowedLateness();

  abstract boolean accumulatingPanes();

  abstract TimestampCombiner timestampCombiner();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setKind(Kind kind);

    abstract Builder<T> setSize(Duration size);

    abstract Builder<T> setPeriod(@Nullable Duration period);

    abstract Builder<T> setEarlyFiringInterval(@Nullable Duration interval);

    abstract Builder<T> setEarlyFiringCount(int count);

    abstract Builder<T> setLateFirings(LateFirings lateFirings);

    abstract Builder<T> setLateFiringDelay(Duration delay);

    abstract Builder<T> setAllowedLateness(Duration lateness);

    abstract Builder<T> setAccumulatingPanes(boolean accumulating);

    abstract Builder<T> setTimestampCombiner(TimestampCombiner combiner);

    abstract EventWindows<T> build();
  }

  /** Fixed (tumbling) windows of {@code size}. */
  public static <T> EventWindows<T> fixed(Duration size) {
    checkPositive("window size", size);
    return defaults(Kind.FIXED, size, null);
  }

  /** Sliding windows of {@code size}, starting every {@code period}. */
  public static <T> EventWindows<T> sliding(Duration size, Duration period) {
    checkPositive("window size", size);
    checkPositive("window period", period);
    checkArgument(
        !period.isLongerThan(size),
        "window period %s must not be longer than the window size %s",
        period,
        size);
    return defaults(Kind.SLIDING, size, period);
  }

  /** Session windows that close after {@code gap} without data for a key. */
  public static <T> EventWindows<T> sessions(Duration gap) {
    checkPositive("session gap", gap);
    return defaults(Kind.SESSIONS, gap, null);
  }

  private static <T> EventWindows<T> defaults(Kind kind, Duration size, Duration period) {
    return new AutoValue_EventWindows.Builder<T>()
        .setKind(kind)
        .setSize(size)
        .setPeriod(period)
        .setEarlyFiringInterval(null)
        .setEarlyFiringCount(0)
        .setLateFirings(LateFirings.PER_ELEMENT)
        .setLateFiringDelay(Duration.ZERO)
        .setAllowedLateness(Duration.ZERO)
        .setAccumulatingPanes(false)
        .setTimestampCombiner(TimestampCombiner.END_OF_WINDOW)
        .build();
  }

  /** Speculative panes every {@code interval} of processing time after a pane's first element. */
  public EventWindows<T> withEarlyFiringsEvery(Duration interval) {
    checkPositive("early firing interval", interval);
    return toBuilder().setEarlyFiringInterval(interval).build();
  }

  /**
   * Speculative panes after {@code count} elements. It must be combined with {@link
   * #withEarlyFiringsEvery}: a count-only trigger never fires for a key that goes quiet.
   */
  public EventWindows<T> withEarlyFiringsAfterCount(int count) {
    checkArgument(count > 0, "early firing count must be positive, was %s", count);
    return toBuilder().setEarlyFiringCount(count).build();
  }

  /** One late pane per late element (the default). */
  public EventWindows<T> withLateFiringsPerElement() {
    return toBuilder()
        .setLateFirings(LateFirings.PER_ELEMENT)
        .setLateFiringDelay(Duration.ZERO)
        .build();
  }

  /** Late panes batched for {@code delay} of processing time after the first late element. */
  public EventWindows<T> withLateFiringsBatched(Duration delay) {
    checkPositive("late firing delay", delay);
    return toBuilder().setLateFirings(LateFirings.BATCHED).setLateFiringDelay(delay).build();
  }

  /** How long after the end of a window its late data is still accepted. */
  public EventWindows<T> withAllowedLateness(Duration lateness) {
    checkArgument(
        lateness != null && !lateness.isShorterThan(Duration.ZERO),
        "allowed lateness must not be negative, was %s",
        lateness);
    return toBuilder().setAllowedLateness(lateness).build();
  }

  /** Each pane restates the whole window so far. */
  public EventWindows<T> accumulating() {
    return toBuilder().setAccumulatingPanes(true).build();
  }

  /** Each pane holds only the elements since the previous pane (the default). */
  public EventWindows<T> discarding() {
    return toBuilder().setAccumulatingPanes(false).build();
  }

  /** The timestamp of each pane's output; end of window by default. */
  public EventWindows<T> withTimestampCombiner(TimestampCombiner combiner) {
    checkArgument(combiner != null, "timestamp combiner must not be null");
    return toBuilder().setTimestampCombiner(combiner).build();
  }

  /** The allowed lateness of this policy. */
  public Duration getAllowedLateness() {
    return allowedLateness();
  }

  /** The window function of this policy. */
  @SuppressWarnings("unchecked")
  public WindowFn<Object, ? extends BoundedWindow> windowFn() {
    switch (kind()) {
      case FIXED:
        return (WindowFn) FixedWindows.of(size());
      case SLIDING:
        return (WindowFn) SlidingWindows.of(size()).every(period());
      default:
        return (WindowFn) Sessions.withGapDuration(size());
    }
  }

  /**
   * The trigger of this policy: on time at the end of the window, early and late firings as
   * configured. Late firings always exist, so no data within the allowed lateness is dropped.
   */
  public Trigger trigger() {
    Trigger.OnceTrigger late =
        lateFirings() == LateFirings.PER_ELEMENT
            ? AfterPane.elementCountAtLeast(1)
            : AfterProcessingTime.pastFirstElementInPane().plusDelayOf(lateFiringDelay());
    if (earlyFiringInterval() == null) {
      return AfterWatermark.pastEndOfWindow().withLateFirings(late);
    }
    Trigger.OnceTrigger early =
        AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringInterval());
    if (earlyFiringCount() > 0) {
      // Not withEarlyFirings(AfterFirst.of(..)): after an early pane the runners' trigger state
      // machine (runners-core AfterWatermarkStateMachine) only clears the early trigger and unsets
      // its own finished bit; the finished count child stays finished, so AfterFirst would then
      // fire an early pane for every element. Repeatedly resets the whole sub-tree after a firing.
      return AfterEach.inOrder(
          Repeatedly.forever(
                  AfterFirst.of(early, AfterPane.elementCountAtLeast(earlyFiringCount())))
              .orFinally(AfterWatermark.pastEndOfWindow()),
          Repeatedly.forever(late));
    }
    return AfterWatermark.pastEndOfWindow().withEarlyFirings(early).withLateFirings(late);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    checkArgument(
        earlyFiringCount() == 0 || earlyFiringInterval() != null,
        "early firings after %s elements need a time bound too (withEarlyFiringsEvery):"
            + " a count-only trigger never fires for a key that goes quiet",
        earlyFiringCount());
    Window<T> window =
        Window.<T>into(windowFn())
            .triggering(trigger())
            .withAllowedLateness(allowedLateness(), Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
            .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
            .withTimestampCombiner(timestampCombiner());
    return input.apply(
        accumulatingPanes() ? window.accumulatingFiredPanes() : window.discardingFiredPanes());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("windows", kind().toString()))
        .add(DisplayData.item("size", size()))
        .addIfNotNull(DisplayData.item("period", period()))
        .addIfNotNull(DisplayData.item("earlyFiringsEvery", earlyFiringInterval()))
        .add(DisplayData.item("lateFirings", lateFirings().toString()))
        .add(DisplayData.item("allowedLateness", allowedLateness()))
        .add(DisplayData.item("accumulating", accumulatingPanes()))
        .add(DisplayData.item("timestampCombiner", timestampCombiner().toString()));
  }
}

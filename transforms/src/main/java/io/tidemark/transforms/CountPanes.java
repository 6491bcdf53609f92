package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Passes every element through unchanged (value, timestamp, window and pane) and counts it by the
 * timing of the pane it belongs to, in counters {@code panes-early}, {@code panes-on-time} and
 * {@code panes-late} of the given metrics namespace; elements not produced by a trigger (pane
 * timing {@code UNKNOWN}) count in {@code panes-unknown}.
 *
 * <p>The counters count output records, not panes: a pane that holds several records (several keys
 * of one window, or several rows of a join) adds one per record. Apply it right after the
 * aggregation whose panes you want to observe. Counts are those of the runner's metrics: committed
 * counts are exact where the runner supports them (Direct, Flink, Dataflow).
 *
 * <pre>{@code
 * sums.apply(CountPanes.of("clicks-per-user"))
 *     .apply(sink);
 * }</pre>
 */
@AutoValue
public abstract class CountPanes<T> extends PTransform<PCollection<T>, PCollection<T>> {

  /** Counter of records in early (speculative) panes. */
  public static final String EARLY = "panes-early";

  /** Counter of records in on-time panes. */
  public static final String ON_TIME = "panes-on-time";

  /** Counter of records in late panes. */
  public static final String LATE = "panes-late";

  /** Counter of records without a pane timing (not produced by a trigger). */
  public static final String UNKNOWN = "panes-unknown";

  abstract String namespace();

  /** Counts into counters of {@code namespace}. */
  public static <T> CountPanes<T> of(String namespace) {
    checkArgument(
        namespace != null && !namespace.isBlank(),
        "metrics namespace must not be blank, was '%s'",
        namespace);
    return new AutoValue_CountPanes<>(namespace);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply("Count", ParDo.of(new CountFn<T>(namespace()))).setCoder(input.getCoder());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("namespace", namespace()));
  }

  static final class CountFn<T> extends DoFn<T, T> {
    private final Counter early;
    private final Counter onTime;
    private final Counter late;
    private final Counter unknown;

    CountFn(String namespace) {
      this.early = Metrics.counter(namespace, EARLY);
      this.onTime = Metrics.counter(namespace, ON_TIME);
      this.late = Metrics.counter(namespace, LATE);
      this.unknown = Metrics.counter(namespace, UNKNOWN);
    }

    @ProcessElement
    public void process(@Element T element, PaneInfo pane, OutputReceiver<T> out) {
      switch (pane.getTiming()) {
        case EARLY:
          early.inc();
          break;
        case ON_TIME:
          onTime.inc();
          break;
        case LATE:
          late.inc();
          break;
        default:
          unknown.inc();
      }
      out.output(element);
    }
  }
}

package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** The clicks-per-user pipeline: the number of clicks per user per fixed window (5 minutes). */
public final class ClicksPerUserModel {
  public static final int WINDOW_MINUTES = 5;

  /** What the model computed: clicks per pane and per window. */
  public record Output(
      Map<WindowKey, List<Pane<Long>>> panes,
      Map<WindowKey, Long> results,
      List<Late<SpecificRecord>> late,
      Ledger ledger) {}

  private ClicksPerUserModel() {}

  public static Output run(Arrivals arrivals, long latenessMillis) {
    return run(arrivals, new Windowing(WINDOW_MINUTES * 60_000L, latenessMillis));
  }

  public static Output run(Arrivals arrivals, Windowing windowing) {
    WindowedModel<SpecificRecord, long[]> model =
        new WindowedModel<>(
            windowing,
            new WindowedModel.Aggregate<>() {
              @Override
              public long[] create() {
                return new long[1];
              }

              @Override
              public void add(long[] count, SpecificRecord e) {
                count[0]++;
              }
            });
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            if (e instanceof Click c) {
              Lateness l = model.add(c.getUserId(), timestamp, e, watermark);
              ledger.record(
                  position, l.inWindow() ? Ledger.Destination.RESULT : Ledger.Destination.LATE);
            }
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {}
        });
    return new Output(
        model.panes(c -> c[0]), model.results(c -> c[0], Long::sum), model.late(), ledger);
  }
}

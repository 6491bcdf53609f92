package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.Purchase;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The conversion pipeline: a purchase with at least one click of the same user and product in
 * {@code [purchase - 1 h, purchase]} is a conversion, attributed to the latest such click (at equal
 * times, the one with the greater event id, so the choice does not depend on arrival order);
 * timeToPurchaseMs = purchase time - click time. It is the {@link IntervalJoinModel} of purchases
 * (left) with clicks (right) keyed by user and product, interval {@code [-1 h, 0]}, with the
 * allowed lateness.
 */
public final class ConversionModel {
  public static final long WINDOW_MILLIS = 3_600_000L;

  /** One conversion. */
  public record Conversion(
      String userId,
      String productId,
      String clickEventId,
      String purchaseEventId,
      long clickTime,
      long purchaseTime,
      long timeToPurchaseMs,
      long emittedAt) {}

  /** What the model computed. */
  public record Output(
      List<Conversion> conversions,
      List<IntervalJoinModel.Match<Purchase, Click>> purchases,
      List<IntervalJoinModel.Unmatched<Click>> unmatchedClicks,
      Ledger ledger) {}

  private ConversionModel() {}

  static String key(String user, String product) {
    return user + "\u0000" + product;
  }

  public static Output run(Arrivals arrivals, long latenessMillis) {
    IntervalJoinModel<Purchase, Click> join =
        new IntervalJoinModel<>(-WINDOW_MILLIS, 0, latenessMillis);
    List<Conversion> conversions = new ArrayList<>();
    join.listen(
        m -> {
          if (m.rights().isEmpty()) {
            return;
          }
          IntervalJoinModel.Timestamped<Click> last = null;
          for (IntervalJoinModel.Timestamped<Click> r : m.rights()) {
            if (last == null
                || r.timestamp() > last.timestamp()
                || (r.timestamp() == last.timestamp()
                    && r.value().getEventId().compareTo(last.value().getEventId()) > 0)) {
              last = r;
            }
          }
          Purchase p = m.left();
          Click c = last.value();
          conversions.add(
              new Conversion(
                  p.getUserId(),
                  p.getProductId(),
                  c.getEventId(),
                  p.getEventId(),
                  last.timestamp(),
                  m.leftTimestamp(),
                  m.leftTimestamp() - last.timestamp(),
                  m.emittedAt()));
        },
        u -> {});
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            if (e instanceof Purchase p) {
              join.left(key(p.getUserId(), p.getProductId()), timestamp, p);
            } else if (e instanceof Click c) {
              join.right(key(c.getUserId(), c.getProductId()), timestamp, c);
            } else {
              return;
            }
            ledger.record(position, Ledger.Destination.RESULT);
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {
            join.advanceTo(watermark);
          }
        });
    return new Output(conversions, join.matches(), join.unmatchedRight(), ledger);
  }
}

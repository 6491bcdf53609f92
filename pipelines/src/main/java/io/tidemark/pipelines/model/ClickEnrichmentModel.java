package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;

/**
 * The click-enrichment pipeline: stateless. Each click gets a device class from its user agent and
 * the hour of day (UTC) of its event time; a click with an empty user id or user agent is a dead
 * letter, and so is one whose user id or user agent is only whitespace (the stated semantics say
 * "empty"; a blank id names no user, and the pipeline documents "empty or blank"). Other event
 * types are not its input.
 */
public final class ClickEnrichmentModel {
  /** One enriched click. */
  public record Enriched(Click click, String device, int hourOfDay) {}

  /** A click that cannot be enriched, with why. */
  public record Rejected(long position, Click click, String reason) {}

  /** What the model computed. */
  public record Output(List<Enriched> enriched, List<Rejected> rejected, Ledger ledger) {}

  private ClickEnrichmentModel() {}

  /**
   * The device class of a user agent, case-insensitively: bot, crawler or spider: {@code bot}; else
   * ipad or tablet, or android without mobile: {@code tablet}; else mobile, iphone or android:
   * {@code mobile}; else {@code desktop}.
   */
  public static String device(String userAgent) {
    String ua = userAgent.toLowerCase(Locale.ROOT);
    if (ua.contains("bot") || ua.contains("crawler") || ua.contains("spider")) {
      return "bot";
    }
    boolean android = ua.contains("android");
    boolean mobile = ua.contains("mobile");
    if (ua.contains("ipad") || ua.contains("tablet") || (android && !mobile)) {
      return "tablet";
    }
    if (mobile || ua.contains("iphone") || android) {
      return "mobile";
    }
    return "desktop";
  }

  /** The hour of day, UTC, of {@code millis}. */
  public static int hourOfDay(long millis) {
    return (int) Math.floorMod(millis, 86_400_000L) / 3_600_000;
  }

  public static Output run(Arrivals arrivals) {
    List<Enriched> enriched = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    Ledger ledger = new Ledger();
    arrivals.replay(
        new Arrivals.Listener() {
          @Override
          public void event(long position, long timestamp, SpecificRecord e, long watermark) {
            if (!(e instanceof Click c)) {
              return;
            }
            if (c.getUserId().isBlank() || c.getUserAgent().isBlank()) {
              rejected.add(
                  new Rejected(
                      position, c, c.getUserId().isBlank() ? "empty userId" : "empty userAgent"));
              ledger.record(position, Ledger.Destination.DEAD_LETTER);
              return;
            }
            enriched.add(new Enriched(c, device(c.getUserAgent()), hourOfDay(c.getEventTime())));
            ledger.record(position, Ledger.Destination.RESULT);
          }

          @Override
          public void corrupt(long position, long timestamp, long watermark) {
            ledger.record(position, Ledger.Destination.DEAD_LETTER);
          }

          @Override
          public void watermark(long watermark) {}
        });
    return new Output(enriched, rejected, ledger);
  }
}

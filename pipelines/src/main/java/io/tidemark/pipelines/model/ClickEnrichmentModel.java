package io.tidemark.pipelines.model;

import io.tidemark.schemas.Click;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The click-enrichment pipeline: stateless. Each click gets the device class, operating system and
 * browser of its user agent ({@link UserAgents}, labelled by hand) and the hour of day (UTC) of its
 * event time; a click with an empty user id or user agent is a dead letter, and so is one whose
 * user id or user agent is only whitespace (the stated semantics say "empty"; a blank id names no
 * user, and the pipeline documents "empty or blank"). Other event types are not its input.
 */
public final class ClickEnrichmentModel {
  /** One enriched click. */
  public record Enriched(Click click, UserAgents.Label agent, int hourOfDay) {}

  /** A click that cannot be enriched, with why. */
  public record Rejected(long position, Click click, String reason) {}

  /** What the model computed. */
  public record Output(List<Enriched> enriched, List<Rejected> rejected, Ledger ledger) {}

  private ClickEnrichmentModel() {}

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
            enriched.add(
                new Enriched(c, UserAgents.of(c.getUserAgent()), hourOfDay(c.getEventTime())));
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

package io.tidemark.pipelines;

import io.tidemark.schemas.Click;
import io.tidemark.schemas.ContentInteraction;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import io.tidemark.schemas.EventCoder;
import io.tidemark.schemas.PageView;
import io.tidemark.schemas.Purchase;
import io.tidemark.schemas.SchemaHistory;
import io.tidemark.schemas.Transaction;
import io.tidemark.schemas.UserProfile;
import io.tidemark.schemas.WireFormat;
import io.tidemark.transforms.ParseWithDeadLetters;
import io.tidemark.transforms.RawRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The decoded event streams, one typed {@link PCollection} per event type, each element stamped
 * with its own event time, plus the dead letters of records that could not be decoded.
 */
public final class Events {
  static final TupleTag<Click> CLICKS = new TupleTag<>("clicks");
  static final TupleTag<PageView> VIEWS = new TupleTag<>("views");
  static final TupleTag<Purchase> PURCHASES = new TupleTag<>("purchases");
  static final TupleTag<Transaction> TRANSACTIONS = new TupleTag<>("transactions");
  static final TupleTag<ContentInteraction> INTERACTIONS = new TupleTag<>("interactions");
  static final TupleTag<UserProfile> PROFILES = new TupleTag<>("profiles");

  public final PCollection<Click> clicks;
  public final PCollection<PageView> views;
  public final PCollection<Purchase> purchases;
  public final PCollection<Transaction> transactions;
  public final PCollection<ContentInteraction> interactions;
  public final PCollection<UserProfile> profiles;
  public final PCollection<DeadLetter> deadLetters;

  private Events(PCollectionTuple typed, PCollection<DeadLetter> deadLetters) {
    this.clicks = typed.get(CLICKS).setCoder(AvroCoder.of(Click.class));
    this.views = typed.get(VIEWS).setCoder(AvroCoder.of(PageView.class));
    this.purchases = typed.get(PURCHASES).setCoder(AvroCoder.of(Purchase.class));
    this.transactions = typed.get(TRANSACTIONS).setCoder(AvroCoder.of(Transaction.class));
    this.interactions = typed.get(INTERACTIONS).setCoder(AvroCoder.of(ContentInteraction.class));
    this.profiles = typed.get(PROFILES).setCoder(AvroCoder.of(UserProfile.class));
    this.deadLetters = deadLetters;
  }

  /** The earliest event time accepted: 1970-01-01T00:00:00Z. */
  public static final long MIN_EVENT_TIME = 0L;

  /** The latest event time accepted: 9999-12-31T23:59:59.999Z, well inside Beam's range. */
  public static final long MAX_EVENT_TIME = 253_402_300_799_999L;

  /**
   * Decodes JSON lines (UTF-8) or single-object-encoded Avro, whichever each record is, into an
   * event that every pipeline can take: besides the wire format's reasons, a record is a dead
   * letter {@code not-an-event} if it is no event type, {@code event-time-out-of-range} if its
   * event time is outside {@link #MIN_EVENT_TIME}..{@link #MAX_EVENT_TIME}, and {@code
   * invalid-amount} if its amount is NaN or infinite (no threshold or sum has a meaning for them).
   */
  public static SpecificRecord decode(byte[] payload) throws DecodeException {
    SpecificRecord record =
        payload.length > 0 && payload[0] == (byte) 0xC3
            ? WireFormat.shipped().decode(payload)
            : WireFormat.shipped().decodeJson(payload);
    String type = record.getSchema().getName();
    if (!SchemaHistory.EVENT_TYPES.contains(record.getClass())) {
      throw new DecodeException("not-an-event", type + " is not an event type");
    }
    long time = eventTime(record);
    if (time < MIN_EVENT_TIME || time > MAX_EVENT_TIME) {
      throw new DecodeException(
          "event-time-out-of-range",
          type
              + " eventTime "
              + time
              + " is outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59.999Z ("
              + MIN_EVENT_TIME
              + ".."
              + MAX_EVENT_TIME
              + ")");
    }
    double amount =
        record instanceof Transaction t
            ? t.getAmount()
            : record instanceof Purchase pu ? pu.getAmount() : 0;
    if (!Double.isFinite(amount)) {
      throw new DecodeException("invalid-amount", type + " amount " + amount + " is not finite");
    }
    return record;
  }

  /** The {@code eventTime} of any event type. */
  static long eventTime(SpecificRecord event) {
    return (Long) event.get(event.getSchema().getField("eventTime").pos());
  }

  /** Decodes raw records into typed event streams and dead letters. */
  public static Events decode(PCollection<RawRecord> raw) {
    ParseWithDeadLetters.Result<SpecificRecord> parsed =
        raw.apply("Decode", ParseWithDeadLetters.of("decode", Events::decode, EventCoder.of()));
    return new Events(split(parsed.parsed()), parsed.deadLetters());
  }

  /**
   * Typed streams of already decoded events, without dead letters: for tests, which build events
   * with the Avro builders and feed them from a {@code TestStream} or {@code Create}.
   */
  public static Events of(PCollection<SpecificRecord> events) {
    PCollection<DeadLetter> none =
        events.getPipeline().apply("NoDeadLetters", Create.empty(AvroCoder.of(DeadLetter.class)));
    return new Events(split(events.setCoder(EventCoder.of())), none);
  }

  private static PCollectionTuple split(PCollection<SpecificRecord> events) {
    return events.apply(
        "SplitByType",
        ParDo.of(new SplitFn())
            .withOutputTags(
                CLICKS,
                TupleTagList.of(VIEWS)
                    .and(PURCHASES)
                    .and(TRANSACTIONS)
                    .and(INTERACTIONS)
                    .and(PROFILES)));
  }

  /** Routes each event to its type's output, stamped with its own event time. */
  static final class SplitFn extends DoFn<SpecificRecord, Click> {
    private final Distribution lag = Accounting.distribution("source", "event-time-lag-ms");
    // The latest lag as a number: Flink's metric reporters cannot export a distribution.
    private final Gauge lagLatest = Accounting.gauge("source", "event-time-lag-ms-latest");

    @ProcessElement
    public void process(@Element SpecificRecord event, MultiOutputReceiver out) {
      Accounting.counter("source", "parsed").inc();
      Instant time = new Instant(eventTime(event));
      long lagMs = System.currentTimeMillis() - time.getMillis();
      lag.update(lagMs);
      lagLatest.set(lagMs);
      if (event instanceof Click e) {
        out.get(CLICKS).outputWithTimestamp(e, time);
      } else if (event instanceof PageView e) {
        out.get(VIEWS).outputWithTimestamp(e, time);
      } else if (event instanceof Purchase e) {
        out.get(PURCHASES).outputWithTimestamp(e, time);
      } else if (event instanceof Transaction e) {
        out.get(TRANSACTIONS).outputWithTimestamp(e, time);
      } else if (event instanceof ContentInteraction e) {
        out.get(INTERACTIONS).outputWithTimestamp(e, time);
      } else if (event instanceof UserProfile e) {
        out.get(PROFILES).outputWithTimestamp(e, time);
      } else {
        throw new IllegalArgumentException("not an event type: " + event.getSchema().getName());
      }
    }

    /** Sources stamp arrival or creation time; events move to their own, possibly earlier, time. */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }
}

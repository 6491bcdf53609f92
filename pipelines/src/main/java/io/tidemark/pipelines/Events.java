package io.tidemark.pipelines;

import io.tidemark.pipelines.enrichment.ClickEnrichmentPipeline;
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
import io.tidemark.transforms.Parsed;
import io.tidemark.transforms.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Instant;

/**
 * The decoded event streams, one typed {@link PCollection} per event type, each element stamped
 * with its own event time, plus the dead letters of records that could not be decoded.
 *
 * <p>Event time is set once, where a record is decoded: each source decodes each record once
 * ({@link #decode(RawRecord)}) and stamps an event with its {@code eventTime} (the Kafka source in
 * its deserializer and timestamp policy, the streaming file replay in its reader, the generator and
 * batch file reads in {@link #decodeRecords}). The streams here keep those timestamps.
 *
 * <p>Every dead letter keeps its record's original bytes and position, whichever step rejects the
 * record. Decoding is the one place that has them, so a click that click-enrichment rejects ({@link
 * ClickEnrichmentPipeline#invalidBecause}) is decoded with the dead letter that pipeline writes for
 * it ({@link Parsed#ifRejected}): the click goes to {@link #clicks} like any other, for the
 * pipelines that take it, and its dead letter to {@link #invalidClicks}.
 */
public final class Events {
  static final TupleTag<Click> CLICKS = new TupleTag<>("clicks");
  static final TupleTag<PageView> VIEWS = new TupleTag<>("views");
  static final TupleTag<Purchase> PURCHASES = new TupleTag<>("purchases");
  static final TupleTag<Transaction> TRANSACTIONS = new TupleTag<>("transactions");
  static final TupleTag<ContentInteraction> INTERACTIONS = new TupleTag<>("interactions");
  static final TupleTag<UserProfile> PROFILES = new TupleTag<>("profiles");
  static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
  static final TupleTag<DeadLetter> INVALID_CLICKS = new TupleTag<>("invalidClicks");

  /** Decodes one record: the events' decoder, dead letters as step {@code decode}. */
  private static final ParseWithDeadLetters<SpecificRecord> DECODE =
      ParseWithDeadLetters.of("decode", Events::decode, EventCoder.of());

  public final PCollection<Click> clicks;
  public final PCollection<PageView> views;
  public final PCollection<Purchase> purchases;
  public final PCollection<Transaction> transactions;
  public final PCollection<ContentInteraction> interactions;
  public final PCollection<UserProfile> profiles;

  /** The records that could not be decoded. */
  public final PCollection<DeadLetter> deadLetters;

  /**
   * The dead letters of the clicks click-enrichment rejects, with their records' original bytes and
   * positions; each of those clicks is in {@link #clicks} too.
   */
  public final PCollection<DeadLetter> invalidClicks;

  private Events(PCollectionTuple typed, PCollection<DeadLetter> deadLetters) {
    this.clicks = typed.get(CLICKS).setCoder(AvroCoder.of(Click.class));
    this.views = typed.get(VIEWS).setCoder(AvroCoder.of(PageView.class));
    this.purchases = typed.get(PURCHASES).setCoder(AvroCoder.of(Purchase.class));
    this.transactions = typed.get(TRANSACTIONS).setCoder(AvroCoder.of(Transaction.class));
    this.interactions = typed.get(INTERACTIONS).setCoder(AvroCoder.of(ContentInteraction.class));
    this.profiles = typed.get(PROFILES).setCoder(AvroCoder.of(UserProfile.class));
    this.deadLetters = deadLetters;
    this.invalidClicks = typed.get(INVALID_CLICKS).setCoder(AvroCoder.of(DeadLetter.class));
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
  public static long eventTime(SpecificRecord event) {
    return (Long) event.get(event.getSchema().getField("eventTime").pos());
  }

  /**
   * Decodes {@code record} once, where a source reads it: its event ({@link #decode(byte[])}), or
   * its dead letter with the original bytes, the reason, step {@code decode} and the record's
   * source and position; over 1 MiB it is a dead letter {@code oversized}. The source stamps an
   * event with its {@link #eventTime}. A click that click-enrichment rejects carries that
   * pipeline's dead letter, with the same bytes, source and position ({@link Parsed#ifRejected}).
   */
  public static Parsed<SpecificRecord> decode(RawRecord record) {
    Parsed<SpecificRecord> parsed = DECODE.parse(record);
    return parsed.ok() ? decoded(parsed.value(), () -> record) : parsed;
  }

  /**
   * {@code event}, decoded from {@code record}: with click-enrichment's dead letter if it is a
   * click that pipeline rejects (the record is made only then).
   */
  private static Parsed<SpecificRecord> decoded(SpecificRecord event, Supplier<RawRecord> record) {
    if (event instanceof Click click) {
      String invalid = ClickEnrichmentPipeline.invalidBecause(click);
      if (invalid != null) {
        return Parsed.value(
            event,
            ParseWithDeadLetters.deadLetter(
                record.get(),
                ClickEnrichmentPipeline.STEP,
                ClickEnrichmentPipeline.INVALID,
                invalid));
      }
    }
    return Parsed.value(event);
  }

  /** The coder of decoded records. */
  public static Coder<Parsed<SpecificRecord>> decodedCoder() {
    return Parsed.coder(EventCoder.of());
  }

  /**
   * Decodes raw records, each once ({@link #decode(RawRecord)}), and stamps each event with its
   * event time; a dead letter keeps its record's timestamp. For the sources of raw records (the
   * generator, files read as a batch) and tests. A step can move a timestamp only forward, so a raw
   * record must not be stamped after its event time: the generator stamps its event time, a batch
   * read of files the beginning of time, and a test may stamp either.
   */
  public static PCollection<Parsed<SpecificRecord>> decodeRecords(PCollection<RawRecord> raw) {
    return raw.apply("Decode", ParDo.of(new DecodeFn())).setCoder(decodedCoder());
  }

  /** Decodes raw records ({@link #decodeRecords}) into typed event streams and dead letters. */
  public static Events decode(PCollection<RawRecord> raw) {
    return from(decodeRecords(raw));
  }

  /**
   * Typed streams and dead letters of decoded records. Each event must already be stamped with its
   * own event time, where its source decoded it; the streams keep the timestamps.
   *
   * @throws IllegalArgumentException (when the pipeline runs) for an event stamped otherwise
   */
  public static Events from(PCollection<Parsed<SpecificRecord>> decoded) {
    PCollectionTuple split =
        decoded.apply(
            "SplitByType",
            ParDo.of(new SplitFn())
                .withOutputTags(
                    CLICKS,
                    TupleTagList.of(VIEWS)
                        .and(PURCHASES)
                        .and(TRANSACTIONS)
                        .and(INTERACTIONS)
                        .and(PROFILES)
                        .and(DEAD_LETTERS)
                        .and(INVALID_CLICKS)));
    return new Events(split, split.get(DEAD_LETTERS).setCoder(AvroCoder.of(DeadLetter.class)));
  }

  /**
   * Typed streams of already decoded events, without dead letters: for tests, which build events
   * with the Avro builders and feed them from a {@code TestStream} or {@code Create}. Each element
   * must be stamped with its own event time, as a source stamps it ({@code
   * TimestampedValue.of(event, new Instant(eventTime))}); see {@link #from}. Having no records, an
   * invalid click's dead letter holds the click as JSON, source {@value #TEST_SOURCE}, position -1.
   */
  public static Events of(PCollection<SpecificRecord> events) {
    return from(
        events
            .setCoder(EventCoder.of())
            .apply(
                "AsDecoded",
                MapElements.into(new TypeDescriptor<Parsed<SpecificRecord>>() {})
                    .via(
                        (SpecificRecord e) ->
                            decoded(
                                e,
                                () ->
                                    new RawRecord(
                                        WireFormat.toJson(e).getBytes(StandardCharsets.UTF_8),
                                        TEST_SOURCE,
                                        -1))))
            .setCoder(decodedCoder()));
  }

  /** The source of the dead letters of events given as such ({@link #of}), without records. */
  public static final String TEST_SOURCE = "events";

  /** Decodes each raw record once; an event moves to its event time, a dead letter stays. */
  static final class DecodeFn extends DoFn<RawRecord, Parsed<SpecificRecord>> {
    @ProcessElement
    public void process(@Element RawRecord record, OutputReceiver<Parsed<SpecificRecord>> out) {
      Parsed<SpecificRecord> decoded = decode(record);
      if (decoded.ok()) {
        out.outputWithTimestamp(decoded, new Instant(eventTime(decoded.value())));
      } else {
        out.output(decoded);
      }
    }
  }

  /**
   * Counts every record ({@code source/records}) and routes each event to its type's output and
   * each dead letter to the dead letters, with the timestamps they have: an event's is its event
   * time, stamped where it was decoded. A click that click-enrichment rejects goes to the clicks
   * and its dead letter to the invalid clicks.
   */
  static final class SplitFn extends DoFn<Parsed<SpecificRecord>, Click> {
    private final Distribution lag = Accounting.distribution("source", "event-time-lag-ms");
    // The latest lag as a number: Flink's metric reporters cannot export a distribution.
    private final Gauge lagLatest = Accounting.gauge("source", "event-time-lag-ms-latest");

    @ProcessElement
    public void process(
        @Element Parsed<SpecificRecord> decoded,
        @Timestamp Instant timestamp,
        MultiOutputReceiver out) {
      // Counted here, in the step every record passes, rather than in a step of its own, which
      // on Flink would copy every decoded event once more.
      Accounting.counter("source", "records").inc();
      if (!decoded.ok()) {
        ParseWithDeadLetters.count(decoded.deadLetter());
        out.get(DEAD_LETTERS).output(decoded.deadLetter());
        return;
      }
      SpecificRecord event = decoded.value();
      long time = eventTime(event);
      if (timestamp.getMillis() != time) {
        throw new IllegalArgumentException(
            String.format(
                "%s is stamped %s, not with its event time %s: a source stamps each event with its"
                    + " eventTime where it decodes it",
                event.getSchema().getName(), timestamp, new Instant(time)));
      }
      Accounting.counter("source", "parsed").inc();
      long lagMs = System.currentTimeMillis() - time;
      lag.update(lagMs);
      lagLatest.set(lagMs);
      if (event instanceof Click e) {
        out.get(CLICKS).output(e);
        if (decoded.ifRejected() != null) {
          out.get(INVALID_CLICKS).output(decoded.ifRejected());
        }
      } else if (event instanceof PageView e) {
        out.get(VIEWS).output(e);
      } else if (event instanceof Purchase e) {
        out.get(PURCHASES).output(e);
      } else if (event instanceof Transaction e) {
        out.get(TRANSACTIONS).output(e);
      } else if (event instanceof ContentInteraction e) {
        out.get(INTERACTIONS).output(e);
      } else if (event instanceof UserProfile e) {
        out.get(PROFILES).output(e);
      } else {
        throw new IllegalArgumentException("not an event type: " + event.getSchema().getName());
      }
    }
  }
}

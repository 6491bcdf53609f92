package io.tidemark.transforms;

import static io.tidemark.transforms.Checks.checkArgument;

import com.google.auto.value.AutoValue;
import io.tidemark.schemas.DeadLetter;
import io.tidemark.schemas.DecodeException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Decodes {@link RawRecord}s into typed values. A record that cannot be decoded goes to a typed
 * dead-letter output that keeps its original bytes, the reason and error, this step's name and the
 * record's source and position. Nothing is logged per record and nothing is dropped: records in =
 * parsed + dead letters.
 *
 * <p>Stateless and element-wise: no windowing, triggers or lateness apply; timestamps pass through
 * unchanged. Delivery is that of the runner (exactly-once processing on Direct, Flink and
 * Dataflow).
 *
 * <pre>{@code
 * ParseWithDeadLetters.Result<Click> r = raw.apply(
 *     ParseWithDeadLetters.of("parse-clicks", bytes -> decodeClick(bytes), clickCoder));
 * r.parsed();       // PCollection<Click>
 * r.deadLetters();  // PCollection<DeadLetter>
 * }</pre>
 *
 * <p>Metrics: counter {@code dead-letters/<reason>} per reason.
 *
 * <p>A source that must parse each record as it reads it (to stamp it with a time from its value)
 * calls {@link #parse(RawRecord)} instead, which gives the same value or dead letter as a {@link
 * Parsed}, and counts its dead letters with {@link #count} where it outputs them.
 */
@AutoValue
public abstract class ParseWithDeadLetters<T>
    extends PTransform<PCollection<RawRecord>, ParseWithDeadLetters.Result<T>> {

  /** Decodes one payload; a {@link DecodeException} carries the dead-letter reason. */
  @FunctionalInterface
  public interface Parser<T> extends Serializable {
    T parse(byte[] payload) throws Exception;
  }

  abstract String step();

  abstract Parser<T> parser();

  abstract Coder<T> coder();

  abstract int maxPayloadBytes();

  abstract Builder<T> toBuilder();

  @AutoValue.Builder
  abstract static class Builder<T> {
    abstract Builder<T> setStep(String step);

    abstract Builder<T> setParser(Parser<T> parser);

    abstract Builder<T> setCoder(Coder<T> coder);

    abstract Builder<T> setMaxPayloadBytes(int max);

    abstract ParseWithDeadLetters<T> build();
  }

  /** Parses with {@code parser}; payloads over 1 MiB are dead letters ({@code oversized}). */
  public static <T> ParseWithDeadLetters<T> of(String step, Parser<T> parser, Coder<T> coder) {
    checkArgument(step != null && !step.isBlank(), "step name must not be blank, was '%s'", step);
    checkArgument(parser != null, "parser must not be null");
    checkArgument(coder != null, "coder must not be null");
    return new AutoValue_ParseWithDeadLetters.Builder<T>()
        .setStep(step)
        .setParser(parser)
        .setCoder(coder)
        .setMaxPayloadBytes(1 << 20)
        .build();
  }

  /** Payloads longer than this are dead letters with reason {@code oversized}. */
  public ParseWithDeadLetters<T> withMaxPayloadBytes(int max) {
    checkArgument(max > 0, "max payload bytes must be positive, was %s", max);
    return toBuilder().setMaxPayloadBytes(max).build();
  }

  @Override
  public Result<T> expand(PCollection<RawRecord> input) {
    TupleTag<T> parsed = new TupleTag<>("parsed");
    TupleTag<DeadLetter> dead = new TupleTag<>("deadLetters");
    PCollectionTuple out =
        input.apply(
            "Parse",
            ParDo.of(new ParseFn<>(step(), parser(), maxPayloadBytes(), parsed, dead))
                .withOutputTags(parsed, TupleTagList.of(dead)));
    return new Result<>(
        out.get(parsed).setCoder(coder()), out.get(dead).setCoder(AvroCoder.of(DeadLetter.class)));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("step", step()))
        .add(DisplayData.item("maxPayloadBytes", maxPayloadBytes()));
  }

  /** The parsed values and the dead letters. */
  public static final class Result<T> extends Outputs {
    private final PCollection<T> parsed;
    private final PCollection<DeadLetter> deadLetters;

    Result(PCollection<T> parsed, PCollection<DeadLetter> deadLetters) {
      super(parsed, deadLetters);
      this.parsed = parsed;
      this.deadLetters = deadLetters;
    }

    public PCollection<T> parsed() {
      return parsed;
    }

    public PCollection<DeadLetter> deadLetters() {
      return deadLetters;
    }
  }

  /** Builds the dead letter for {@code record}. */
  public static DeadLetter deadLetter(RawRecord record, String step, String reason, String error) {
    return DeadLetter.newBuilder()
        .setPayload(ByteBuffer.wrap(record.payload()))
        .setReason(reason)
        .setError(error == null ? "" : error)
        .setStep(step)
        .setSource(record.source())
        .setPosition(record.position())
        .build();
  }

  /**
   * What this transform makes of {@code record}, without counting it: for a source that parses each
   * record as it reads it (to take its timestamp from the value), so that it is parsed once.
   * Whoever outputs the dead letters counts them with {@link #count}.
   */
  public Parsed<T> parse(RawRecord record) {
    return parse(step(), parser(), maxPayloadBytes(), record);
  }

  /** Counts {@code deadLetter} in the counter {@code dead-letters/<reason>} of this class. */
  public static void count(DeadLetter deadLetter) {
    Metrics.counter(ParseWithDeadLetters.class, "dead-letters/" + deadLetter.getReason()).inc();
  }

  private static <T> Parsed<T> parse(
      String step, Parser<T> parser, int maxPayloadBytes, RawRecord record) {
    String reason;
    String error;
    if (record.payload().length > maxPayloadBytes) {
      reason = "oversized";
      error = record.payload().length + " bytes exceed the limit of " + maxPayloadBytes;
    } else {
      try {
        T value = parser.parse(record.payload());
        if (value != null) {
          return Parsed.value(value);
        }
        reason = "empty";
        error = "parser returned no value";
      } catch (DecodeException e) {
        // A reason is required in a dead letter; without one the record would fail the step.
        reason = e.reason() == null || e.reason().isBlank() ? "parse-error" : e.reason();
        error = e.getMessage();
      } catch (Exception e) {
        reason = "parse-error";
        error = e.toString();
      }
    }
    return Parsed.deadLetter(deadLetter(record, step, reason, error));
  }

  static final class ParseFn<T> extends DoFn<RawRecord, T> {
    private final String step;
    private final Parser<T> parser;
    private final int maxPayloadBytes;
    private final TupleTag<T> parsed;
    private final TupleTag<DeadLetter> dead;

    ParseFn(
        String step,
        Parser<T> parser,
        int maxPayloadBytes,
        TupleTag<T> parsed,
        TupleTag<DeadLetter> dead) {
      this.parsed = parsed;
      this.step = step;
      this.parser = parser;
      this.maxPayloadBytes = maxPayloadBytes;
      this.dead = dead;
    }

    @ProcessElement
    public void process(@Element RawRecord record, MultiOutputReceiver out) {
      Parsed<T> p = parse(step, parser, maxPayloadBytes, record);
      if (p.ok()) {
        out.get(parsed).output(p.value());
      } else {
        count(p.deadLetter());
        out.get(dead).output(p.deadLetter());
      }
    }
  }
}

package io.tidemark.transforms;

import io.tidemark.schemas.DeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * One record after {@link ParseWithDeadLetters#parse}: its value, or the dead letter of a record
 * that has none. A source that parses as it reads (to stamp each record with a time taken from its
 * value) yields these, so no record is parsed twice.
 *
 * <p>A value that a later step may reject can also carry the dead letter that step then writes
 * ({@link #ifRejected}), made here, where the record's original bytes and position are at hand:
 * every dead letter, whichever step rejects the record, keeps them.
 */
public final class Parsed<T> {
  private static final byte VALUE = 0;
  private static final byte DEAD_LETTER = 1;
  private static final byte VALUE_IF_REJECTED = 2;

  private final T value;
  private final DeadLetter deadLetter;

  private Parsed(T value, DeadLetter deadLetter) {
    this.value = value;
    this.deadLetter = deadLetter;
  }

  /** A record parsed into {@code value}. */
  public static <T> Parsed<T> value(T value) {
    return new Parsed<>(Objects.requireNonNull(value, "value"), null);
  }

  /**
   * A record parsed into {@code value} that a later step rejects, writing {@code ifRejected}: a
   * dead letter with the record's original bytes and position.
   */
  public static <T> Parsed<T> value(T value, DeadLetter ifRejected) {
    return new Parsed<>(
        Objects.requireNonNull(value, "value"), Objects.requireNonNull(ifRejected, "dead letter"));
  }

  /** A record that could not be parsed. */
  public static <T> Parsed<T> deadLetter(DeadLetter deadLetter) {
    return new Parsed<>(null, Objects.requireNonNull(deadLetter, "dead letter"));
  }

  /** Whether the record was parsed into a value. */
  public boolean ok() {
    return value != null;
  }

  /** The value; null for a dead letter. */
  public T value() {
    return value;
  }

  /** The dead letter; null for a value. */
  public DeadLetter deadLetter() {
    return ok() ? null : deadLetter;
  }

  /**
   * The dead letter a later step writes if it rejects the value ({@link #value(Object,
   * DeadLetter)}); null for a dead letter and for a value no step rejects.
   */
  public DeadLetter ifRejected() {
    return ok() ? deadLetter : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Parsed<?> p
        && Objects.equals(value, p.value)
        && Objects.equals(deadLetter, p.deadLetter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, deadLetter);
  }

  @Override
  public String toString() {
    if (!ok()) {
      return "DeadLetter(" + deadLetter + ")";
    }
    return deadLetter == null
        ? "Parsed(" + value + ")"
        : "Parsed(" + value + ", if rejected " + deadLetter + ")";
  }

  /** The coder of parsed records whose values {@code valueCoder} encodes. */
  public static <T> Coder<Parsed<T>> coder(Coder<T> valueCoder) {
    return new ParsedCoder<>(valueCoder);
  }

  static final class ParsedCoder<T> extends StructuredCoder<Parsed<T>> {
    private static final Coder<DeadLetter> DEAD_LETTERS = AvroCoder.of(DeadLetter.class);

    private final Coder<T> valueCoder;

    ParsedCoder(Coder<T> valueCoder) {
      this.valueCoder = valueCoder;
    }

    @Override
    public void encode(Parsed<T> parsed, OutputStream out) throws IOException {
      if (parsed.ok() && parsed.deadLetter == null) {
        ByteCoder.of().encode(VALUE, out);
        valueCoder.encode(parsed.value, out);
      } else if (parsed.ok()) {
        ByteCoder.of().encode(VALUE_IF_REJECTED, out);
        valueCoder.encode(parsed.value, out);
        DEAD_LETTERS.encode(parsed.deadLetter, out);
      } else {
        ByteCoder.of().encode(DEAD_LETTER, out);
        DEAD_LETTERS.encode(parsed.deadLetter, out);
      }
    }

    @Override
    public Parsed<T> decode(InputStream in) throws IOException {
      byte kind = ByteCoder.of().decode(in);
      switch (kind) {
        case VALUE:
          return new Parsed<>(valueCoder.decode(in), null);
        case DEAD_LETTER:
          return new Parsed<>(null, DEAD_LETTERS.decode(in));
        case VALUE_IF_REJECTED:
          return new Parsed<>(valueCoder.decode(in), DEAD_LETTERS.decode(in));
        default:
          throw new CoderException("unknown kind of parsed record " + kind);
      }
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(
          this, "the value and dead-letter coders must be deterministic", valueCoder, DEAD_LETTERS);
    }
  }
}

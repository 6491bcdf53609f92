package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.joda.time.Instant;

/** A right event held in {@link IntervalJoin} state, with whether a left event has matched it. */
final class HeldRight<R> {
  private final R value;
  private final Instant timestamp;
  private final boolean matched;

  HeldRight(R value, Instant timestamp, boolean matched) {
    this.value = value;
    this.timestamp = timestamp;
    this.matched = matched;
  }

  R value() {
    return value;
  }

  Instant timestamp() {
    return timestamp;
  }

  boolean matched() {
    return matched;
  }

  HeldRight<R> markMatched() {
    return matched ? this : new HeldRight<>(value, timestamp, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeldRight<?> h
        && matched == h.matched
        && Objects.equals(value, h.value)
        && timestamp.equals(h.timestamp);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, timestamp, matched);
  }

  @Override
  public String toString() {
    return value + " at " + timestamp + (matched ? " (matched)" : "");
  }

  static <R> Coder<HeldRight<R>> coder(Coder<R> valueCoder) {
    return new HeldRightCoder<>(valueCoder);
  }

  static final class HeldRightCoder<R> extends StructuredCoder<HeldRight<R>> {
    private final Coder<R> valueCoder;

    HeldRightCoder(Coder<R> valueCoder) {
      this.valueCoder = valueCoder;
    }

    @Override
    public void encode(HeldRight<R> held, OutputStream out) throws IOException {
      valueCoder.encode(held.value, out);
      InstantCoder.of().encode(held.timestamp, out);
      BooleanCoder.of().encode(held.matched, out);
    }

    @Override
    public HeldRight<R> decode(InputStream in) throws IOException {
      return new HeldRight<>(
          valueCoder.decode(in), InstantCoder.of().decode(in), BooleanCoder.of().decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(this, "value coder must be deterministic", valueCoder);
    }
  }
}

package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.joda.time.Instant;

/**
 * The result of an {@link IntervalJoin} for one left event: its key, value and timestamp, and every
 * right event of the same key whose timestamp fell in the left's interval, in timestamp order. An
 * empty list means the left event matched nothing (a left outer row).
 */
public final class IntervalMatch<K, L, R> {
  private final K key;
  private final L left;
  private final Instant leftTimestamp;
  private final List<R> rights;

  private IntervalMatch(K key, L left, Instant leftTimestamp, List<R> rights) {
    this.key = key;
    this.left = left;
    this.leftTimestamp = leftTimestamp;
    this.rights = rights;
  }

  /** A match; {@code rights} is copied. */
  public static <K, L, R> IntervalMatch<K, L, R> of(
      K key, L left, Instant leftTimestamp, List<R> rights) {
    Checks.checkArgument(leftTimestamp != null, "left timestamp must not be null");
    return new IntervalMatch<>(key, left, leftTimestamp, List.copyOf(rights));
  }

  public K key() {
    return key;
  }

  public L left() {
    return left;
  }

  /** The event time of the left event. */
  public Instant leftTimestamp() {
    return leftTimestamp;
  }

  /** The matching right values in timestamp order; empty when nothing matched. */
  public List<R> rights() {
    return rights;
  }

  /** Whether at least one right event matched. */
  public boolean matched() {
    return !rights.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntervalMatch<?, ?, ?> m
        && Objects.equals(key, m.key)
        && Objects.equals(left, m.left)
        && leftTimestamp.equals(m.leftTimestamp)
        && rights.equals(m.rights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, left, leftTimestamp, rights);
  }

  @Override
  public String toString() {
    return "IntervalMatch{" + key + ": " + left + " at " + leftTimestamp + " -> " + rights + "}";
  }

  /** A coder for matches. */
  public static <K, L, R> Coder<IntervalMatch<K, L, R>> coder(
      Coder<K> keyCoder, Coder<L> leftCoder, Coder<R> rightCoder) {
    return new IntervalMatchCoder<>(keyCoder, leftCoder, rightCoder);
  }

  static final class IntervalMatchCoder<K, L, R> extends StructuredCoder<IntervalMatch<K, L, R>> {
    private static final Coder<Instant> INSTANT = InstantCoder.of();
    private final Coder<K> keyCoder;
    private final Coder<L> leftCoder;
    private final ListCoder<R> rightsCoder;

    IntervalMatchCoder(Coder<K> keyCoder, Coder<L> leftCoder, Coder<R> rightCoder) {
      this.keyCoder = keyCoder;
      this.leftCoder = leftCoder;
      this.rightsCoder = ListCoder.of(rightCoder);
    }

    @Override
    public void encode(IntervalMatch<K, L, R> value, OutputStream out) throws IOException {
      keyCoder.encode(value.key, out);
      leftCoder.encode(value.left, out);
      INSTANT.encode(value.leftTimestamp, out);
      rightsCoder.encode(value.rights, out);
    }

    @Override
    public IntervalMatch<K, L, R> decode(InputStream in) throws IOException {
      return IntervalMatch.of(
          keyCoder.decode(in), leftCoder.decode(in), INSTANT.decode(in), rightsCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(keyCoder, leftCoder, rightsCoder.getElemCoder());
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(
          this,
          "key, left and right coders must be deterministic",
          keyCoder,
          leftCoder,
          rightsCoder);
    }
  }
}

package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StructuredCoder;

/**
 * One row of a {@link WindowedJoin}: a key with a left and a right value. In an outer join the
 * missing side is {@code null}; in an inner join both sides are present.
 */
public final class Joined<K, L, R> {
  private final K key;
  @Nullable private final L left;
  @Nullable private final R right;

  private Joined(K key, @Nullable L left, @Nullable R right) {
    this.key = key;
    this.left = left;
    this.right = right;
  }

  /** A row; at most one of {@code left} and {@code right} may be {@code null}. */
  public static <K, L, R> Joined<K, L, R> of(K key, @Nullable L left, @Nullable R right) {
    Checks.checkArgument(
        left != null || right != null, "a joined row needs a left or a right value, key %s", key);
    return new Joined<>(key, left, right);
  }

  public K key() {
    return key;
  }

  /** The left value, or {@code null} when the key has no left row (full outer join). */
  @Nullable
  public L left() {
    return left;
  }

  /** The right value, or {@code null} when the key has no right row (outer joins). */
  @Nullable
  public R right() {
    return right;
  }

  /** Whether both sides are present. */
  public boolean matched() {
    return left != null && right != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Joined<?, ?, ?> j
        && Objects.equals(key, j.key)
        && Objects.equals(left, j.left)
        && Objects.equals(right, j.right);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, left, right);
  }

  @Override
  public String toString() {
    return "Joined{" + key + ": " + left + " | " + right + "}";
  }

  /** A coder for rows; each side is wrapped in a {@link NullableCoder}. */
  public static <K, L, R> Coder<Joined<K, L, R>> coder(
      Coder<K> keyCoder, Coder<L> leftCoder, Coder<R> rightCoder) {
    return new JoinedCoder<>(keyCoder, leftCoder, rightCoder);
  }

  static final class JoinedCoder<K, L, R> extends StructuredCoder<Joined<K, L, R>> {
    private final Coder<K> keyCoder;
    private final Coder<L> leftCoder;
    private final Coder<R> rightCoder;

    JoinedCoder(Coder<K> keyCoder, Coder<L> leftCoder, Coder<R> rightCoder) {
      this.keyCoder = keyCoder;
      this.leftCoder = NullableCoder.of(leftCoder);
      this.rightCoder = NullableCoder.of(rightCoder);
    }

    @Override
    public void encode(Joined<K, L, R> value, OutputStream out) throws IOException {
      keyCoder.encode(value.key, out);
      leftCoder.encode(value.left, out);
      rightCoder.encode(value.right, out);
    }

    @Override
    public Joined<K, L, R> decode(InputStream in) throws IOException {
      return new Joined<>(keyCoder.decode(in), leftCoder.decode(in), rightCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(keyCoder, leftCoder, rightCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(
          this,
          "key, left and right coders must be deterministic",
          keyCoder,
          leftCoder,
          rightCoder);
    }
  }
}

package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.ByteCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.StructuredCoder;

/** An event of either side of an {@link IntervalJoin}, so both sides can share one keyed state. */
final class LeftOrRight<L, R> {
  private static final byte LEFT = 0;
  private static final byte RIGHT = 1;

  private final L left;
  private final R right;

  private LeftOrRight(L left, R right) {
    this.left = left;
    this.right = right;
  }

  static <L, R> LeftOrRight<L, R> left(L value) {
    return new LeftOrRight<>(Objects.requireNonNull(value, "left value"), null);
  }

  static <L, R> LeftOrRight<L, R> right(R value) {
    return new LeftOrRight<>(null, Objects.requireNonNull(value, "right value"));
  }

  boolean isLeft() {
    return left != null;
  }

  L left() {
    return left;
  }

  R right() {
    return right;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeftOrRight<?, ?> e
        && Objects.equals(left, e.left)
        && Objects.equals(right, e.right);
  }

  @Override
  public int hashCode() {
    return Objects.hash(left, right);
  }

  @Override
  public String toString() {
    return isLeft() ? "Left(" + left + ")" : "Right(" + right + ")";
  }

  static <L, R> Coder<LeftOrRight<L, R>> coder(Coder<L> leftCoder, Coder<R> rightCoder) {
    return new LeftOrRightCoder<>(leftCoder, rightCoder);
  }

  static final class LeftOrRightCoder<L, R> extends StructuredCoder<LeftOrRight<L, R>> {
    private final Coder<L> leftCoder;
    private final Coder<R> rightCoder;

    LeftOrRightCoder(Coder<L> leftCoder, Coder<R> rightCoder) {
      this.leftCoder = leftCoder;
      this.rightCoder = rightCoder;
    }

    @Override
    public void encode(LeftOrRight<L, R> value, OutputStream out) throws IOException {
      if (value.isLeft()) {
        ByteCoder.of().encode(LEFT, out);
        leftCoder.encode(value.left, out);
      } else {
        ByteCoder.of().encode(RIGHT, out);
        rightCoder.encode(value.right, out);
      }
    }

    @Override
    public LeftOrRight<L, R> decode(InputStream in) throws IOException {
      byte side = ByteCoder.of().decode(in);
      switch (side) {
        case LEFT:
          return new LeftOrRight<>(leftCoder.decode(in), null);
        case RIGHT:
          return new LeftOrRight<>(null, rightCoder.decode(in));
        default:
          throw new CoderException("unknown join side " + side);
      }
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(leftCoder, rightCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      verifyDeterministic(
          this, "left and right coders must be deterministic", leftCoder, rightCoder);
    }
  }
}

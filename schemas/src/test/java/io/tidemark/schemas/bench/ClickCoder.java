package io.tidemark.schemas.bench;

import io.tidemark.schemas.Click;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * A hand-written coder for the current {@link Click}: its fields in schema order, strings as
 * length-prefixed UTF-8, the time as a varint. Deterministic.
 *
 * <p>Benchmark only: it is not self-describing, so it has to be rewritten (and its old encoding
 * kept) whenever Click evolves, which {@code AvroCoder} does by itself.
 */
public final class ClickCoder extends CustomCoder<Click> {
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();

  public static ClickCoder of() {
    return new ClickCoder();
  }

  @Override
  public void encode(Click c, OutputStream out) throws IOException {
    STRING.encode(c.getEventId(), out);
    STRING.encode(c.getUserId(), out);
    STRING.encode(c.getProductId(), out);
    STRING.encode(c.getPageUrl(), out);
    STRING.encode(c.getUserAgent(), out);
    STRING.encode(c.getLocation(), out);
    LONG.encode(c.getEventTime(), out);
    STRING.encode(c.getReferrer(), out);
  }

  @Override
  public Click decode(InputStream in) throws IOException {
    return new Click(
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        STRING.decode(in),
        LONG.decode(in),
        STRING.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof ClickCoder;
  }

  @Override
  public int hashCode() {
    return ClickCoder.class.hashCode();
  }
}

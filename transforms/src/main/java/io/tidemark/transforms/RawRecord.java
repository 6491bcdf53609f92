package io.tidemark.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** A record as read from a source, before decoding: its bytes and where it came from. */
public final class RawRecord {
  private final byte[] payload;
  private final String source;
  private final long position;

  public RawRecord(byte[] payload, String source, long position) {
    this.payload = payload;
    this.source = source;
    this.position = position;
  }

  public byte[] payload() {
    return payload;
  }

  /** The source, for example {@code generator/3}, a file name or {@code kafka:topic/partition}. */
  public String source() {
    return source;
  }

  /** The offset of the record in its source. */
  public long position() {
    return position;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r
        && position == r.position
        && source.equals(r.source)
        && Arrays.equals(payload, r.payload);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(payload) + source.hashCode()) + Long.hashCode(position);
  }

  @Override
  public String toString() {
    return source + "@" + position + " (" + payload.length + " bytes)";
  }

  /** The coder of raw records. */
  public static Coder<RawRecord> coder() {
    return RawRecordCoder.INSTANCE;
  }

  static final class RawRecordCoder extends StructuredCoder<RawRecord> {
    static final RawRecordCoder INSTANCE = new RawRecordCoder();

    @Override
    public void encode(RawRecord value, OutputStream out) throws IOException {
      ByteArrayCoder.of().encode(value.payload, out);
      StringUtf8Coder.of().encode(value.source, out);
      VarLongCoder.of().encode(value.position, out);
    }

    @Override
    public RawRecord decode(InputStream in) throws IOException {
      return new RawRecord(
          ByteArrayCoder.of().decode(in),
          StringUtf8Coder.of().decode(in),
          VarLongCoder.of().decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() {}
  }
}

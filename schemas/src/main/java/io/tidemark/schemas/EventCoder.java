package io.tidemark.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * A coder for a stream that mixes Tidemark record types: each value is written in the single-object
 * wire format, so the header names its type. Deterministic: Avro binary encodes a record without
 * maps one way only.
 */
public final class EventCoder extends AtomicCoder<SpecificRecord> {
  private static final EventCoder INSTANCE = new EventCoder();

  public static EventCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(SpecificRecord value, OutputStream out) throws IOException {
    ByteArrayCoder.of().encode(WireFormat.encode(value), out);
  }

  @Override
  public SpecificRecord decode(InputStream in) throws IOException {
    try {
      return WireFormat.shipped().decode(ByteArrayCoder.of().decode(in));
    } catch (DecodeException e) {
      throw new CoderException(e.reason() + ": " + e.getMessage());
    }
  }

  @Override
  public void verifyDeterministic() {}
}

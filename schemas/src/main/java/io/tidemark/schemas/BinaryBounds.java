package io.tidemark.schemas;

import org.apache.avro.Schema;

/**
 * Walks an Avro binary body with its writer schema and checks every length, count and index against
 * the bytes actually there, without allocating anything.
 *
 * <p>Avro's decoder allocates a string, bytes or collection of the length the data claims before
 * reading it, so a few corrupt bytes claiming a 2 GB string make {@code BinaryDecoder} throw {@link
 * OutOfMemoryError}. After this check passes, every length Avro reads is bounded by the payload.
 * Arrays and maps may not claim more items than there are bytes left: only items that encode to
 * zero bytes (null, empty records) could legally do so, and no Tidemark schema has such a
 * collection.
 */
final class BinaryBounds {
  private final byte[] bytes;
  private final String what;
  private int pos;

  private BinaryBounds(byte[] bytes, int offset, String what) {
    this.bytes = bytes;
    this.pos = offset;
    this.what = what;
  }

  /**
   * The offset just after one datum of {@code writer} that starts at {@code offset}.
   *
   * @throws DecodeException {@code truncated} if the bytes end early, {@code corrupt} for a
   *     negative length, an out-of-range enum or union index, or an over-long varint
   */
  static int end(Schema writer, byte[] bytes, int offset, String what) throws DecodeException {
    BinaryBounds b = new BinaryBounds(bytes, offset, what);
    b.skip(writer);
    return b.pos;
  }

  private void skip(Schema s) throws DecodeException {
    switch (s.getType()) {
      case NULL -> {}
      case BOOLEAN -> advance(1);
      case INT -> varint(5);
      case LONG -> varint(10);
      case FLOAT -> advance(4);
      case DOUBLE -> advance(8);
      case STRING, BYTES -> advance(length("length"));
      case FIXED -> advance(s.getFixedSize());
      case ENUM -> index(s.getEnumSymbols().size(), "enum index");
      case UNION -> skip(s.getTypes().get(index(s.getTypes().size(), "union index")));
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          skip(f.schema());
        }
      }
      case ARRAY -> blocks(s.getElementType(), false);
      case MAP -> blocks(s.getValueType(), true);
    }
  }

  /** Array and map blocks: a count (negative: followed by the block's byte size), then items. */
  private void blocks(Schema item, boolean map) throws DecodeException {
    for (long count = varint(10); count != 0; count = varint(10)) {
      if (count < 0) {
        count = -count;
        length("block size");
      }
      if (count < 0) {
        throw corrupt("collection claims " + count + " items");
      }
      if (count > bytes.length - pos) {
        throw new DecodeException(
            "truncated",
            what + ": collection claims " + count + " items in " + (bytes.length - pos) + " bytes");
      }
      for (long i = 0; i < count; i++) {
        if (map) {
          advance(length("key length"));
        }
        skip(item);
      }
    }
  }

  private int index(int size, String name) throws DecodeException {
    long i = varint(5);
    if (i < 0 || i >= size) {
      throw corrupt(name + " " + i + " out of range 0.." + (size - 1));
    }
    return (int) i;
  }

  /** A non-negative length that fits in the bytes left. */
  private int length(String name) throws DecodeException {
    long n = varint(10);
    if (n < 0) {
      throw corrupt("negative " + name + " " + n);
    }
    if (n > bytes.length - pos) {
      throw new DecodeException(
          "truncated",
          what + ": " + name + " " + n + " exceeds the " + (bytes.length - pos) + " bytes left");
    }
    return (int) n;
  }

  /** A zig-zag varint of at most {@code maxBytes} bytes. */
  private long varint(int maxBytes) throws DecodeException {
    long raw = 0;
    for (int i = 0; ; i++) {
      if (i == maxBytes) {
        throw corrupt("varint longer than " + maxBytes + " bytes");
      }
      if (pos >= bytes.length) {
        throw truncated();
      }
      int b = bytes[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
  }

  private void advance(long n) throws DecodeException {
    if (n > bytes.length - pos) {
      throw truncated();
    }
    pos += (int) n;
  }

  private DecodeException truncated() {
    return new DecodeException("truncated", what + " payload ended early");
  }

  private DecodeException corrupt(String message) {
    return new DecodeException("corrupt", what + ": " + message);
  }
}

package io.tidemark.pipelines.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a stream as bytes, without decoding them: a line that is not valid UTF-8 reaches the
 * decoder as it is, to become a dead letter naming its file and line, instead of failing the read
 * of the whole file. Lines end at {@code \n}, {@code \r\n} or {@code \r}, as {@link
 * java.io.BufferedReader#readLine} has them; a UTF-8 byte-order mark at the start of the stream is
 * dropped. Not thread-safe.
 */
final class ByteLines {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final InputStream in;
  private final byte[] buf = new byte[64 * 1024];
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private int pos;
  private int end;
  private boolean first = true;
  private boolean afterCr;

  ByteLines(InputStream in) {
    this.in = in;
  }

  /** The next line without its terminator, or null at the end of the stream. */
  byte[] next() throws IOException {
    line.reset();
    boolean any = false;
    while (true) {
      if (pos == end && !fill()) {
        return any ? finish() : null;
      }
      if (afterCr) {
        afterCr = false;
        if (buf[pos] == '\n') {
          pos++;
          continue;
        }
      }
      any = true;
      int start = pos;
      while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
        pos++;
      }
      line.write(buf, start, pos - start);
      if (pos < end) {
        afterCr = buf[pos] == '\r';
        pos++;
        return finish();
      }
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    while (n == 0) {
      n = in.read(buf);
    }
    pos = 0;
    end = Math.max(n, 0);
    return n > 0;
  }

  private byte[] finish() {
    byte[] bytes = line.toByteArray();
    if (first) {
      first = false;
      if (bytes.length >= BOM.length && Arrays.equals(bytes, 0, BOM.length, BOM, 0, BOM.length)) {
        return Arrays.copyOfRange(bytes, BOM.length, bytes.length);
      }
    }
    return bytes;
  }
}

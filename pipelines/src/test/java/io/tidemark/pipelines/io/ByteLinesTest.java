package io.tidemark.pipelines.io;

import static org.junit.Assert.assertEquals;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.Test;

/** Lines as bytes split exactly as {@link BufferedReader#readLine} splits text. */
public class ByteLinesTest {

  static List<String> lines(byte[] bytes, int chunk) throws IOException {
    InputStream in =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, chunk)); // short reads, as channels give
          }
        };
    ByteLines lines = new ByteLines(in);
    List<String> out = new ArrayList<>();
    for (byte[] l = lines.next(); l != null; l = lines.next()) {
      out.add(new String(l, StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  static List<String> readLine(byte[] bytes) throws IOException {
    BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1));
    List<String> out = new ArrayList<>();
    for (String l = r.readLine(); l != null; l = r.readLine()) {
      out.add(l);
    }
    return out;
  }

  @Test
  public void terminatorsAsReadLineHasThem() throws IOException {
    byte[] text = "a\nb\r\nc\rd\n\ne\r\r\nf".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(List.of("a", "b", "c", "d", "", "e", "", "f"), lines(text, 1));
    assertEquals(List.of(), lines(new byte[0], 4));
    assertEquals(List.of(""), lines("\n".getBytes(StandardCharsets.ISO_8859_1), 4));
    assertEquals(List.of("x"), lines("x\r\n".getBytes(StandardCharsets.ISO_8859_1), 1));
  }

  @Test
  public void randomBytesSplitAsReadLineSplitsThem() throws IOException {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] b = new byte[rnd.nextInt(40)];
      for (int k = 0; k < b.length; k++) {
        int r = rnd.nextInt(8);
        b[k] = r == 0 ? (byte) '\n' : r == 1 ? (byte) '\r' : (byte) (rnd.nextInt(256));
      }
      if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB) {
        continue; // a byte-order mark is dropped; tested below
      }
      assertEquals(readLine(b), lines(b, 1 + rnd.nextInt(7)));
    }
  }

  @Test
  public void byteOrderMarkOnlyAtTheStartOfTheStreamIsDropped() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    String b = new String(bom, StandardCharsets.ISO_8859_1);
    byte[] text = (b + "a\n" + b + "b\n").getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(List.of("a", b + "b"), lines(text, 2));
    assertEquals(List.of(""), lines(bom, 1));
  }
}

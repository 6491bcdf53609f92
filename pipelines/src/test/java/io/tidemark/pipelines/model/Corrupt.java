package io.tidemark.pipelines.model;

import io.tidemark.schemas.PageView;
import io.tidemark.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Payloads that cannot be decoded, of the kinds real sources see. */
final class Corrupt {
  private Corrupt() {}

  static byte[] payload(SplittableRandom rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return new byte[0];
      case 1:
        return "<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8);
      case 2:
        return "{\"type\":\"Click\",\"version\":2,\"event\":{\"eventId\":\"x\",\"userId\":\"u1\"}}"
            .getBytes(StandardCharsets.UTF_8);
      case 3:
        return ("{\"type\":\"Purchase\",\"version\":1,\"event\":{\"eventId\":\"x\",\"userId\":\"u1\","
                + "\"productId\":\"p1\",\"amount\":\"ten\",\"eventTime\":0}}")
            .getBytes(StandardCharsets.UTF_8);
      case 4:
        byte[] good =
            WireFormat.encode(
                PageView.newBuilder()
                    .setEventId("x")
                    .setUserId("u0")
                    .setContentId("c0")
                    .setCategory("cat0")
                    .setPageUrl("https://shop.example/c/0")
                    .setUserAgent("x")
                    .setDurationMs(1)
                    .setEventTime(0)
                    .build());
        return Arrays.copyOf(good, good.length / 2);
      default:
        byte[] noise = new byte[16 + rnd.nextInt(48)];
        rnd.nextBytes(noise);
        noise[0] = (byte) 0x7B; // '{': not the Avro magic, not valid JSON
        return noise;
    }
  }
}

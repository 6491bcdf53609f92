package io.tidemark.pipelines.enrichment;

import static io.tidemark.pipelines.enrichment.Devices.BOT;
import static io.tidemark.pipelines.enrichment.Devices.DESKTOP;
import static io.tidemark.pipelines.enrichment.Devices.MOBILE;
import static io.tidemark.pipelines.enrichment.Devices.TABLET;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** The device detection table, one row per rule and precedence. */
public class DevicesTest {
  private static final String[][] TABLE = {
    // bots win over everything, in any case
    {"Googlebot/2.1 (+http://www.google.com/bot.html)", BOT},
    {"Mozilla/5.0 (compatible; BINGBOT/2.0)", BOT},
    {"Some Crawler 1.0", BOT},
    {"Mozilla/5.0 (iPhone) spider", BOT},
    // tablets: ipad or tablet, or android without mobile
    {"Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148", TABLET},
    {"Mozilla/5.0 (Linux; Tablet; rv:109.0) Firefox/115.0", TABLET},
    {"Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120.0", TABLET},
    // mobiles: mobile, iphone, or android with mobile
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36", MOBILE},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", MOBILE},
    {"Opera/9.80 (J2ME/MIDP; Opera Mini) MOBILE", MOBILE},
    // everything else
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0", DESKTOP},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15", DESKTOP},
    {"curl/8.4.0", DESKTOP},
  };

  @Test
  public void detectsTheDeviceOfEveryRowOfTheTable() {
    for (String[] row : TABLE) {
      assertEquals(row[0], row[1], Devices.detect(row[0]));
    }
  }
}

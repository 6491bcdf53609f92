package io.tidemark.pipelines.enrichment;

import static io.tidemark.pipelines.enrichment.Devices.BOT;
import static io.tidemark.pipelines.enrichment.Devices.DESKTOP;
import static io.tidemark.pipelines.enrichment.Devices.MOBILE;
import static io.tidemark.pipelines.enrichment.Devices.TABLET;
import static org.junit.Assert.assertEquals;

import io.tidemark.pipelines.model.UserAgents;
import org.junit.Test;

/** Device detection with Yauaa, on real user agents of every class. */
public class DevicesTest {
  /** Real agents: agent, device class, operating system, browser. */
  private static final String[][] REAL = {
    {
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like"
          + " Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
      MOBILE,
      "iOS",
      "Safari"
    },
    {
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/124.0.0.0 Mobile Safari/537.36",
      MOBILE,
      "Android",
      "Chrome"
    },
    {
      "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
          + " Version/17.4 Mobile/15E148 Safari/604.1",
      TABLET,
      "iOS",
      "Safari"
    },
    {
      "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/123.0.0.0 Safari/537.36",
      TABLET,
      "Android",
      "Chrome"
    },
    {
      "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Silk/124.2.1 like Chrome/124.0.6367.179 Safari/537.36",
      TABLET,
      "FireOS",
      "Silk"
    },
    {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
      DESKTOP,
      "Windows NT",
      "Edge"
    },
    {
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
          + " Version/17.4 Safari/605.1.15",
      DESKTOP,
      "Mac OS",
      "Safari"
    },
    {
      "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
      DESKTOP,
      "Linux",
      "Firefox"
    },
    {
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      BOT,
      "Microsoft Cloud",
      "Bingbot"
    },
    {
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like"
          + " Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 (compatible; Googlebot/2.1;"
          + " +http://www.google.com/bot.html)",
      BOT,
      "Google Cloud",
      "Googlebot"
    },
    {"curl/8.4.0", BOT, "Cloud", "Curl"},
  };

  @Test
  public void detectsDeviceOperatingSystemAndBrowserOfRealAgents() {
    for (String[] row : REAL) {
      assertEquals(row[0], new Devices.Device(row[1], row[2], row[3]), Devices.detect(row[0]));
    }
  }

  @Test
  public void agreesWithEveryAgentTheReferenceModelLabels() {
    for (String agent : UserAgents.all()) {
      UserAgents.Label l = UserAgents.of(agent);
      assertEquals(
          agent,
          new Devices.Device(l.device(), l.operatingSystem(), l.browser()),
          Devices.detect(agent));
    }
  }

  @Test
  public void mapsYauaaClassesOntoTheFourDeviceClasses() {
    String[][] table = {
      {"Robot", "Robot", BOT},
      {"Robot Mobile", "Robot Mobile", BOT},
      {"Robot Imitator", "Robot", BOT},
      {"Desktop", "Cloud Application", BOT},
      {"Hacker", "Hacker", BOT},
      {"Phone", "Spy", BOT},
      {"Tablet", "Browser", TABLET},
      {"eReader", "Browser", TABLET},
      {"Phone", "Browser", MOBILE},
      {"Mobile", "Browser Webview", MOBILE},
      {"Watch", "Browser", MOBILE},
      {"Handheld Game Console", "Browser", MOBILE},
      {"Desktop", "Browser", DESKTOP},
      {"TV", "Browser", DESKTOP},
      {"Game Console", "Browser", DESKTOP},
      {"Anonymized", "Browser", DESKTOP},
      {"Unknown", "Unknown", DESKTOP},
    };
    for (String[] row : table) {
      assertEquals(row[0] + "/" + row[1], row[2], Devices.deviceClass(row[0], row[1]));
    }
  }
}

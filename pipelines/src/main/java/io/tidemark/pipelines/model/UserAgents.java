package io.tidemark.pipelines.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user agents the model knows, each labelled by hand with its device class, operating system
 * and browser: the oracle of click enrichment. The labels are what a maintained user-agent analyzer
 * should say of these agents (and what Yauaa 7.31 says, checked by the differential test); the
 * model does not parse agents itself. Streams given to the model use only these agents.
 */
public final class UserAgents {
  /** What a user agent is. */
  public record Label(String device, String operatingSystem, String browser) {}

  private static final Map<String, Label> LABELS = new LinkedHashMap<>();

  static {
    label(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
            + " Mobile/15E148",
        "mobile",
        "iOS",
        "UIWebView");
    label(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile"
            + " Safari/537.36",
        "mobile",
        "Android",
        "Chrome");
    label(
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4"
            + " Safari/604.1",
        "tablet",
        "iOS",
        "Safari");
    label(
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 Chrome/123.0 Safari/537.36",
        "tablet",
        "Android",
        "Chrome");
    label(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
        "desktop",
        "Windows NT",
        "Chrome");
    label(
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4"
            + " Safari/605.1.15",
        "desktop",
        "Mac OS",
        "Safari");
    label(
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "desktop",
        "Linux",
        "Firefox");
    label(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "bot",
        "Google Cloud",
        "Googlebot");
    label("Mozilla/5.0 (compatible; bingbot/2.0) Mobile", "bot", "Microsoft Cloud", "Bingbot");
    label("SomeCRAWLER/1.0 (android; tablet)", "bot", "Cloud", "SomeCRAWLER");
    label("Spider-Man Browser (iPad)", "bot", "Cloud", "Spider-Man Browser");
    label("Mozilla/5.0 (Linux; ANDROID 12; Tablet) MOBILE", "tablet", "Android", "ANDROID");
    label(
        "Mozilla/5.0 (Linux; Android 12; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/124.0.0.0 Safari/537.36",
        "tablet",
        "Android",
        "Chrome");
    label(
        "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Silk/124.2.1 like Chrome/124.0.6367.179 Safari/537.36",
        "tablet",
        "FireOS",
        "Silk");
    label("MOBILE-APP/3.2 (IPHONE)", "mobile", "iOS", "MOBILE-APP");
    label("curl/8.4.0", "bot", "Cloud", "Curl");
    label("x", "bot", "Hacker", "Hacker");
  }

  private UserAgents() {}

  private static void label(String agent, String device, String os, String browser) {
    LABELS.put(agent, new Label(device, os, browser));
  }

  /** Every labelled agent, in a fixed order. */
  public static List<String> all() {
    return List.copyOf(LABELS.keySet());
  }

  /** The label of {@code agent}; fails for an agent the model does not know. */
  public static Label of(String agent) {
    Label label = LABELS.get(agent);
    if (label == null) {
      throw new IllegalArgumentException(
          "the model has no label for the user agent '" + agent + "'");
    }
    return label;
  }
}

package io.tidemark.pipelines.enrichment;

import java.util.List;
import java.util.Locale;

/** Detects the kind of device from a user agent, case-insensitively. */
public final class Devices {
  public static final String BOT = "bot";
  public static final String TABLET = "tablet";
  public static final String MOBILE = "mobile";
  public static final String DESKTOP = "desktop";

  private static final List<String> BOT_MARKERS = List.of("bot", "crawler", "spider");
  private static final List<String> TABLET_MARKERS = List.of("ipad", "tablet");
  private static final List<String> MOBILE_MARKERS = List.of("mobile", "iphone", "android");

  private Devices() {}

  /**
   * {@code bot} if the agent contains bot, crawler or spider; else {@code tablet} if it contains
   * ipad or tablet, or android without mobile; else {@code mobile} if it contains mobile, iphone or
   * android; else {@code desktop}.
   */
  public static String detect(String userAgent) {
    String ua = userAgent.toLowerCase(Locale.ROOT);
    if (containsAny(ua, BOT_MARKERS)) {
      return BOT;
    }
    if (containsAny(ua, TABLET_MARKERS) || (ua.contains("android") && !ua.contains("mobile"))) {
      return TABLET;
    }
    if (containsAny(ua, MOBILE_MARKERS)) {
      return MOBILE;
    }
    return DESKTOP;
  }

  private static boolean containsAny(String ua, List<String> markers) {
    for (String m : markers) {
      if (ua.contains(m)) {
        return true;
      }
    }
    return false;
  }
}

package io.tidemark.pipelines.enrichment;

import java.util.Set;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * Detects the device, operating system and browser of a user agent with Yauaa, the maintained
 * user-agent analyzer, and maps Yauaa's {@code DeviceClass} and {@code AgentClass} onto the four
 * device classes of the pipeline's output:
 *
 * <ul>
 *   <li>{@code bot}: a robot, spy or hacker device, or an agent that is a robot, a cloud
 *       application, a spy or a hacker (for example Googlebot, curl, or an agent too short to be a
 *       browser);
 *   <li>{@code tablet}: a tablet or an e-reader;
 *   <li>{@code mobile}: a phone, a mobile device, a watch, a handheld game console or an augmented
 *       or virtual reality headset;
 *   <li>{@code desktop}: everything else (desktops, TVs, set-top boxes, game consoles, and agents
 *       Yauaa cannot classify).
 * </ul>
 *
 * <p>Building the analyzer loads Yauaa's rules and takes seconds, so it is built once per JVM (one
 * per worker), on first use, and shared by every thread: {@link UserAgentAnalyzer#parse} is
 * thread-safe, and its cache of recent agents makes repeated agents cheap.
 */
public final class Devices {
  public static final String BOT = "bot";
  public static final String TABLET = "tablet";
  public static final String MOBILE = "mobile";
  public static final String DESKTOP = "desktop";

  private static final Set<String> BOT_CLASSES =
      Set.of("Robot", "Robot Mobile", "Robot Imitator", "Cloud Application", "Spy", "Hacker");
  private static final Set<String> TABLET_CLASSES = Set.of("Tablet", "eReader");
  private static final Set<String> MOBILE_CLASSES =
      Set.of(
          "Phone",
          "Mobile",
          "Watch",
          "Handheld Game Console",
          "Augmented Reality",
          "Virtual Reality");

  private static final int CACHE_SIZE = 10_000;
  private static volatile UserAgentAnalyzer analyzer;

  /** What Yauaa tells of one user agent. */
  public record Device(String deviceClass, String operatingSystem, String browser) {}

  private Devices() {}

  /** The analyzer of this JVM, built on first use. */
  static UserAgentAnalyzer analyzer() {
    UserAgentAnalyzer a = analyzer;
    if (a == null) {
      synchronized (Devices.class) {
        a = analyzer;
        if (a == null) {
          a =
              UserAgentAnalyzer.newBuilder()
                  .hideMatcherLoadStats()
                  .withCache(CACHE_SIZE)
                  .withField(UserAgent.DEVICE_CLASS)
                  .withField(UserAgent.AGENT_CLASS)
                  .withField(UserAgent.OPERATING_SYSTEM_NAME)
                  .withField(UserAgent.AGENT_NAME)
                  .build();
          analyzer = a;
        }
      }
    }
    return a;
  }

  /** The device class, operating system and browser of {@code userAgent}. */
  public static Device detect(String userAgent) {
    UserAgent ua = analyzer().parse(userAgent);
    return new Device(
        deviceClass(ua.getValue(UserAgent.DEVICE_CLASS), ua.getValue(UserAgent.AGENT_CLASS)),
        ua.getValue(UserAgent.OPERATING_SYSTEM_NAME),
        ua.getValue(UserAgent.AGENT_NAME));
  }

  /** One of the four device classes, from Yauaa's device class and agent class. */
  static String deviceClass(String yauaaDeviceClass, String yauaaAgentClass) {
    if (BOT_CLASSES.contains(yauaaDeviceClass) || BOT_CLASSES.contains(yauaaAgentClass)) {
      return BOT;
    }
    if (TABLET_CLASSES.contains(yauaaDeviceClass)) {
      return TABLET;
    }
    if (MOBILE_CLASSES.contains(yauaaDeviceClass)) {
      return MOBILE;
    }
    return DESKTOP;
  }
}

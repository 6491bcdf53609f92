package io.tidemark.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The report as a person sees it: headless Chromium (Debian's package) loads a report of a million
 * events, and the test checks the rendered DOM, the page's own "rendered" mark, the console and a
 * screenshot. Chromium is installed by {@code .ci/install-chromium.sh} when it is missing; when it
 * cannot be, the test is skipped, saying why.
 */
public class ReportBrowserTest {
  static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  static final long INSTALL_MINUTES = 15;
  static final long RUN_SECONDS = 90;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static String unavailable;

  @BeforeClass
  public static void installChromium() throws Exception {
    if (Files.isExecutable(CHROMIUM)) {
      return;
    }
    Path script = findScript();
    if (script == null) {
      unavailable = "no .ci/install-chromium.sh above " + Paths.get("").toAbsolutePath();
      return;
    }
    Path log = Files.createTempFile("install-chromium", ".log");
    Process p =
        new ProcessBuilder("bash", script.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = p.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    if (!Files.isExecutable(CHROMIUM)) {
      List<String> lines = Files.readAllLines(log);
      unavailable =
          script
              + (ended ? " exited " + p.exitValue() : " did not end in " + INSTALL_MINUTES + " min")
              + " and "
              + CHROMIUM
              + " is missing: "
              + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
  }

  private static Path findScript() {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path s = d.resolve(".ci/install-chromium.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    return null;
  }

  /** The output of one headless Chromium run. */
  record Run(int exit, String out, String err) {}

  Run chromium(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(CHROMIUM.toString());
    cmd.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--user-data-dir=" + tmp.newFolder().getAbsolutePath()));
    cmd.addAll(List.of(args));
    File out = tmp.newFile();
    File err = tmp.newFile();
    Process p = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err).start();
    if (!p.waitFor(RUN_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not end in " + RUN_SECONDS + " s: " + cmd);
    }
    return new Run(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }

  @Test
  public void theReportRendersItsChartsWithoutErrors() throws Exception {
    assumeTrue("Chromium is not available: " + unavailable, unavailable == null);
    Path page = tmp.getRoot().toPath().resolve("report.html");
    ReportPage.write(ReportTest.millionEventReport(), page);
    String url = page.toUri().toString();

    Run dom = chromium("--dump-dom", url);
    assertEquals(dom.err(), 0, dom.exit());
    assertThat(
        "the page's script ran to its end", dom.out(), containsString("data-report=\"rendered\""));
    assertThat(ReportTest.count(dom.out(), "<circle "), greaterThan(1000L));
    assertThat(ReportTest.count(dom.out(), "class=\"bar\""), greaterThan(100L));
    assertThat(dom.out(), containsString("<polyline id=\"watermark\""));
    assertThat(dom.out(), containsString("records in <b>1,000,000</b>"));
    assertEquals("console errors: " + dom.err(), List.of(), consoleErrors(dom.err()));

    Path png = tmp.getRoot().toPath().resolve("report.png");
    Run shot = chromium("--hide-scrollbars", "--window-size=1000,1400", "--screenshot=" + png, url);
    assertEquals(shot.err(), 0, shot.exit());
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1000, image.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat("distinct colours in the screenshot", colours.size(), greaterThan(20));
    for (Scatter.Kind k : Scatter.Kind.values()) {
      assertTrue(
          k + " points are drawn", nearColour(image, Integer.parseInt(k.colour.substring(1), 16)));
    }
  }

  @Test
  public void aScriptErrorIsSeen() throws Exception {
    assumeTrue("Chromium is not available: " + unavailable, unavailable == null);
    Path page = tmp.getRoot().toPath().resolve("broken.html");
    Files.writeString(page, "<html><body><script>nope();</script></body></html>");
    Run dom = chromium("--dump-dom", page.toUri().toString());
    assertThat(consoleErrors(dom.err()).toString(), containsString("nope"));
  }

  /** The lines Chromium logs for the page's console errors and uncaught exceptions. */
  static List<String> consoleErrors(String log) {
    return log.lines()
        .filter(l -> l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect(Collectors.toList());
  }

  /** Whether some pixel is within a few levels of {@code rgb} in each channel. */
  static boolean nearColour(BufferedImage image, int rgb) {
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (Math.abs((p >> 16 & 255) - (rgb >> 16 & 255)) < 40
            && Math.abs((p >> 8 & 255) - (rgb >> 8 & 255)) < 40
            && Math.abs((p & 255) - (rgb & 255)) < 40) {
          return true;
        }
      }
    }
    return false;
  }
}

package io.tidemark.pipelines.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The SVG pieces the report's charts are drawn with: the plot frame that maps data to the page, its
 * time and count axes with their tick steps, and escaped text and line elements. What each chart
 * shows is {@link ReportPage}'s.
 */
final class Chart {
  static final int WIDTH = 920;
  static final int LEFT = 70;
  static final int RIGHT = 20;
  static final int TOP = 14;
  static final int BOTTOM = 36;

  static String svgOpen(String id, int height) {
    return "<svg id=\""
        + esc(id)
        + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\""
        + WIDTH
        + "\" height=\""
        + height
        + "\" viewBox=\"0 0 "
        + WIDTH
        + " "
        + height
        + "\">\n";
  }

  static String legend(String[] labels, String[] colours) {
    StringBuilder l = new StringBuilder("<p class=\"legend\">");
    for (int i = 0; i < labels.length; i++) {
      l.append("<span><i class=\"sw\" style=\"background:")
          .append(colours[i])
          .append("\"></i>")
          .append(esc(labels[i]))
          .append("</span>");
    }
    return l.append("</p>\n").toString();
  }

  /** Maps data to the plot area of a chart {@code height} high. */
  static final class Frame {
    final long minX;
    final long maxX;
    final long minY;
    final long maxY;
    final int height;

    Frame(long minX, long maxX, long minY, long maxY, int height) {
      this.minX = minX;
      this.maxX = maxX;
      this.minY = minY;
      this.maxY = maxY;
      this.height = height;
    }

    double x(long v) {
      return round(LEFT + (double) (v - minX) / (maxX - minX) * (WIDTH - LEFT - RIGHT));
    }

    double y(long v) {
      return round(height - BOTTOM - (double) (v - minY) / (maxY - minY) * (height - TOP - BOTTOM));
    }

    void timeAxes(StringBuilder h, String xLabel, String yLabel) {
      timeX(h, xLabel);
      long step = timeStep(maxY - minY);
      for (long t = ceil(minY, step); t <= maxY; t += step) {
        double y = y(t);
        h.append(line(LEFT, y, WIDTH - RIGHT, y, "grid"))
            .append(text(LEFT - 4, y + 4, "end", time(t, maxY - minY)));
      }
      h.append(line(LEFT, TOP, LEFT, height - BOTTOM, "axis"))
          .append(
              "<text transform=\"translate(12,"
                  + (height / 2)
                  + ") rotate(-90)\" text-anchor=\"middle\">"
                  + esc(yLabel)
                  + "</text>\n");
    }

    void timeX(StringBuilder h, String label) {
      long step = timeStep(maxX - minX);
      for (long t = ceil(minX, step); t <= maxX; t += step) {
        double x = x(t);
        h.append(line(x, TOP, x, height - BOTTOM, "grid"))
            .append(text(x, height - BOTTOM + 14, "middle", time(t, maxX - minX)));
      }
      h.append(line(LEFT, height - BOTTOM, WIDTH - RIGHT, height - BOTTOM, "axis"))
          .append(text((LEFT + WIDTH - RIGHT) / 2.0, height - 4, "middle", label + " (UTC)"));
    }

    void countY(StringBuilder h, String label) {
      long step = countStep(maxY);
      for (long v = 0; v <= maxY; v += step) {
        double y = y(v);
        h.append(line(LEFT, y, WIDTH - RIGHT, y, "grid"))
            .append(text(LEFT - 4, y + 4, "end", n(v)));
      }
      h.append(line(LEFT, TOP, LEFT, height - BOTTOM, "axis"))
          .append(
              "<text transform=\"translate(12,"
                  + (height / 2)
                  + ") rotate(-90)\" text-anchor=\"middle\">"
                  + esc(label)
                  + "</text>\n");
    }
  }

  private static final long[] TIME_STEPS = {
    60_000L,
    300_000L,
    600_000L,
    900_000L,
    1_800_000L,
    3_600_000L,
    7_200_000L,
    10_800_000L,
    21_600_000L,
    43_200_000L,
    86_400_000L,
    172_800_000L,
    604_800_000L,
    2_592_000_000L
  };

  static long timeStep(long span) {
    for (long s : TIME_STEPS) {
      if (span / s <= 8) {
        return s;
      }
    }
    return Math.max(1, span / 8);
  }

  /** A step of 1, 2 or 5 times a power of ten that cuts {@code [0, max]} into at most 5 parts. */
  static long countStep(long max) {
    for (long step = 1; ; step *= 10) {
      for (long m : new long[] {1, 2, 5}) {
        if (max / (step * m) <= 5) {
          return step * m;
        }
      }
    }
  }

  private static long ceil(long v, long step) {
    return Math.floorDiv(v + step - 1, step) * step;
  }

  private static String time(long millis, long span) {
    String pattern = span <= 86_400_000L ? "HH:mm" : "MM-dd HH:mm";
    return DateTimeFormatter.ofPattern(pattern, Locale.ROOT)
        .withZone(ZoneOffset.UTC)
        .format(Instant.ofEpochMilli(millis));
  }

  private static String line(double x1, double y1, double x2, double y2, String cls) {
    return "<line class=\""
        + cls
        + "\" x1=\""
        + round(x1)
        + "\" y1=\""
        + round(y1)
        + "\" x2=\""
        + round(x2)
        + "\" y2=\""
        + round(y2)
        + "\"/>";
  }

  private static String text(double x, double y, String anchor, String s) {
    return "<text x=\""
        + round(x)
        + "\" y=\""
        + round(y)
        + "\" text-anchor=\""
        + anchor
        + "\">"
        + esc(s)
        + "</text>\n";
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private Chart() {}
}

package io.tidemark.pipelines.report;

import static io.tidemark.pipelines.report.Chart.esc;
import static io.tidemark.pipelines.report.Chart.legend;
import static io.tidemark.pipelines.report.Chart.n;
import static io.tidemark.pipelines.report.Chart.round;
import static io.tidemark.pipelines.report.Chart.svgOpen;

import io.tidemark.pipelines.report.Chart.Frame;
import io.tidemark.pipelines.report.RunReport.Accounts;
import io.tidemark.pipelines.report.RunReport.PipelineAccount;
import io.tidemark.pipelines.report.RunReport.Windows;
import io.tidemark.pipelines.report.Scatter.Kind;
import io.tidemark.pipelines.report.Scatter.Mark;
import io.tidemark.pipelines.report.Scatter.Point;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The run report as one self-contained HTML page: inline CSS and SVG drawn here, and a few lines of
 * inline script that only mark the page as rendered ({@code data-report="rendered"} on the body) or
 * failed. Nothing is loaded from anywhere, so the file works offline.
 *
 * <p>The page's sections stay in this one class because they write one page, in order, under one
 * stylesheet; the SVG drawing they share is {@link Chart}.
 */
public final class ReportPage {
  /** The most bars a chart draws; windows beyond are merged into wider bars. */
  static final int MAX_BARS = 200;

  private static final String[] TIMING_COLOURS = {"#9ecae1", "#2b7bba", "#e69f00", "#7f7f7f"};
  private static final String[] TIMING_LABELS = {"early", "on time", "late pane", "no pane"};

  private ReportPage() {}

  /** Writes the page to {@code file} (its folder created if needed); returns its size in bytes. */
  public static long write(RunReport report, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      byte[] html = render(report).getBytes(StandardCharsets.UTF_8);
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, html);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      return html.length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String render(RunReport r) {
    StringBuilder h = new StringBuilder(256 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(r.title))
        .append("</title>\n<style>\n")
        .append(
            "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:960px}"
                + "h1{font-size:22px}h2{font-size:17px;margin-top:28px}"
                + "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:right;"
                + "border-bottom:1px solid #ddd}th:first-child,td:first-child{text-align:left}"
                + ".ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}"
                + "svg{background:#fff;border:1px solid #ccc}svg text{font:11px sans-serif;fill:#333}"
                + ".axis{stroke:#888}.grid{stroke:#eee}.legend span{display:inline-block;"
                + "margin-right:16px}.sw{display:inline-block;width:11px;height:11px;"
                + "margin-right:4px;vertical-align:-1px}.note{color:#555}\n")
        .append("</style></head>\n<body data-report=\"loading\">\n<h1>")
        .append(esc(r.title))
        .append("</h1>\n");
    accounting(h, r.accounts);
    scatter(h, r.scatter);
    h.append("<h2>Results per window of event time</h2>\n")
        .append("<p class=\"note\">Result records per window start, by the timing of their pane.")
        .append(" Results that name no window are counted per 5 minutes of their event time.</p>\n")
        .append(legend(TIMING_LABELS, TIMING_COLOURS));
    for (Windows w : r.windows) {
      bars(h, w);
    }
    for (String note : r.notes) {
      h.append("<p class=\"note\">").append(esc(note)).append("</p>\n");
    }
    h.append("<script type=\"application/json\" id=\"accounting\">")
        .append(json(r.accounts))
        .append("</script>\n")
        .append(
            "<script>(function(){var b=document.body;"
                + "window.addEventListener('error',function(){b.setAttribute('data-report','error');});"
                + "var n=document.querySelectorAll('svg circle,svg rect.bar').length;"
                + "var a=JSON.parse(document.getElementById('accounting').textContent);"
                + "b.setAttribute('data-report',n>0&&a.records>=0?'rendered':'empty');})();"
                + "</script>\n")
        .append("</body></html>\n");
    return h.toString();
  }

  private static void accounting(StringBuilder h, Accounts a) {
    h.append("<h2>Accounting</h2>\n<p>records in <b>")
        .append(n(a.records()))
        .append("</b> = parsed ")
        .append(n(a.parsed()))
        .append(" + dead letters ")
        .append(n(a.deadLetters()))
        .append(": ")
        .append(verdict(a.records() - a.parsed() - a.deadLetters()))
        .append("</p>\n<table id=\"accounts\"><tr><th>pipeline</th><th>events in</th>")
        .append("<th>in results</th><th>routed late</th><th>dead letters</th><th>early panes</th>")
        .append(
            "<th>on-time panes</th><th>late panes</th><th>in = results + late + dead</th></tr>\n");
    for (PipelineAccount p : a.pipelines()) {
      h.append("<tr><td>")
          .append(esc(p.name()))
          .append("</td><td>")
          .append(n(p.in()))
          .append("</td><td>")
          .append(n(p.inResults()))
          .append("</td><td>")
          .append(n(p.late()))
          .append("</td><td>")
          .append(n(p.deadLetters()))
          .append("</td><td>")
          .append(n(p.panesEarly()))
          .append("</td><td>")
          .append(n(p.panesOnTime()))
          .append("</td><td>")
          .append(n(p.panesLate()))
          .append("</td><td>")
          .append(verdict(p.difference()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static String verdict(long difference) {
    return difference == 0
        ? "<span class=\"ok\">OK</span>"
        : "<span class=\"bad\">DIFFERENCE " + n(difference) + "</span>";
  }

  private static void scatter(StringBuilder h, Scatter s) {
    h.append("<h2>Event time against arrival</h2>\n");
    if (s == null) {
      h.append("<p class=\"note\">No scatter for this source.</p>\n");
      return;
    }
    h.append("<p class=\"note\">Each point is an input record: across, when it arrived (its place")
        .append(" on the generator's clock); up, its event time. The black line is the source")
        .append(" watermark when each record was read: points below it arrived behind it. A record")
        .append(" routed to the late stream of any pipeline counts as too late. Sampled: at most ")
        .append(n(s.cap()))
        .append(" points of each kind, uniformly; the legend counts every record.</p>\n");
    Kind[] kinds = Kind.values();
    String[] labels = new String[kinds.length];
    String[] colours = new String[kinds.length];
    for (int i = 0; i < kinds.length; i++) {
      labels[i] =
          kinds[i].label
              + " "
              + n(s.count(kinds[i]))
              + (s.count(kinds[i]) > s.sample(kinds[i]).size()
                  ? " (" + n(s.sample(kinds[i]).size()) + " shown)"
                  : "");
      colours[i] = kinds[i].colour;
    }
    h.append(legend(labels, colours));
    long minX = Long.MAX_VALUE;
    long maxX = Long.MIN_VALUE;
    long minY = Long.MAX_VALUE;
    long maxY = Long.MIN_VALUE;
    for (Kind k : kinds) {
      for (Point p : s.sample(k)) {
        minX = Math.min(minX, p.arrival());
        maxX = Math.max(maxX, p.arrival());
        minY = Math.min(minY, p.eventTime());
        maxY = Math.max(maxY, p.eventTime());
      }
    }
    if (minX > maxX) {
      h.append("<p class=\"note\">No records.</p>\n");
      return;
    }
    minY = Math.min(minY, minX);
    maxY = Math.max(maxY, maxX);
    int height = 440;
    Frame f = new Frame(minX, Math.max(maxX, minX + 1), minY, Math.max(maxY, minY + 1), height);
    h.append(svgOpen("scatter", height));
    f.timeAxes(h, "arrival", "event time (UTC)");
    for (Kind k : kinds) {
      h.append("<g class=\"")
          .append(k.name().toLowerCase(Locale.ROOT))
          .append("\" fill=\"")
          .append(k.colour)
          .append("\" fill-opacity=\"0.75\">");
      int r = k == Kind.ON_TIME ? 2 : 3;
      for (Point p : s.sample(k)) {
        h.append("<circle cx=\"")
            .append(f.x(p.arrival()))
            .append("\" cy=\"")
            .append(f.y(p.eventTime()))
            .append("\" r=\"")
            .append(r)
            .append("\"/>");
      }
      h.append("</g>\n");
    }
    h.append(
        "<polyline id=\"watermark\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.2\" points=\"");
    for (Mark m : s.line()) {
      h.append(f.x(m.arrival())).append(',').append(f.y(m.watermark())).append(' ');
    }
    h.append("\"><title>source watermark</title></polyline>\n");
    h.append("</svg>\n");
  }

  private static void bars(StringBuilder h, Windows w) {
    h.append("<h3>").append(esc(w.pipeline)).append("</h3>\n");
    SortedMap<Long, long[]> counts = w.counts();
    if (counts.isEmpty()) {
      h.append("<p class=\"note\">No result records in the output.</p>\n");
      return;
    }
    long first = counts.firstKey();
    long last = counts.lastKey();
    long width = smallestGap(counts, w.windowed() ? 60_000L : Windows.BIN_MILLIS);
    long span = last - first + width;
    long merge = Math.max(1, (span / width + MAX_BARS - 1) / MAX_BARS);
    long barWidth = width * merge;
    SortedMap<Long, long[]> merged = new TreeMap<>();
    for (Map.Entry<Long, long[]> e : counts.entrySet()) {
      long key = first + (e.getKey() - first) / barWidth * barWidth;
      long[] sum = merged.computeIfAbsent(key, k -> new long[RunReport.TIMINGS.size()]);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += e.getValue()[i];
      }
    }
    long maxY = 1;
    for (long[] c : merged.values()) {
      long sum = 0;
      for (long v : c) {
        sum += v;
      }
      maxY = Math.max(maxY, sum);
    }
    h.append("<p class=\"note\">")
        .append(n(w.total()))
        .append(" result records")
        .append(
            merge > 1 ? "; each bar sums " + merge + " " + (w.windowed() ? "windows" : "bins") : "")
        .append(".</p>\n");
    int height = 200;
    Frame f = new Frame(first, first + barWidth * ((last - first) / barWidth + 1), 0, maxY, height);
    h.append(svgOpen("windows-" + w.pipeline, height));
    f.timeX(h, "window start, event time");
    f.countY(h, "result records");
    for (Map.Entry<Long, long[]> e : merged.entrySet()) {
      double x0 = f.x(e.getKey());
      double x1 = f.x(e.getKey() + barWidth);
      double bw = Math.max(0.5, round(x1 - x0 - (x1 - x0 > 3 ? 1 : 0)));
      long base = 0;
      for (int t = 0; t < TIMING_COLOURS.length; t++) {
        long v = e.getValue()[t];
        if (v == 0) {
          continue;
        }
        double yTop = f.y(base + v);
        double yBottom = f.y(base);
        h.append("<rect class=\"bar\" x=\"")
            .append(x0)
            .append("\" y=\"")
            .append(yTop)
            .append("\" width=\"")
            .append(bw)
            .append("\" height=\"")
            .append(round(yBottom - yTop))
            .append("\" fill=\"")
            .append(TIMING_COLOURS[t])
            .append("\"/>");
        base += v;
      }
    }
    h.append("\n</svg>\n");
  }

  /** The smallest distance between two window starts: the window size, for fixed windows. */
  private static long smallestGap(SortedMap<Long, long[]> counts, long fallback) {
    long gap = Long.MAX_VALUE;
    Long previous = null;
    for (long start : counts.keySet()) {
      if (previous != null) {
        gap = Math.min(gap, start - previous);
      }
      previous = start;
    }
    return gap == Long.MAX_VALUE ? fallback : gap;
  }

  /** The accounting as JSON, for tools and tests that read the page. */
  static String json(Accounts a) {
    StringBuilder j = new StringBuilder();
    j.append("{\"records\":")
        .append(a.records())
        .append(",\"parsed\":")
        .append(a.parsed())
        .append(",\"deadLetters\":")
        .append(a.deadLetters())
        .append(",\"balanced\":")
        .append(a.balanced())
        .append(",\"pipelines\":[");
    List<PipelineAccount> ps = a.pipelines();
    for (int i = 0; i < ps.size(); i++) {
      PipelineAccount p = ps.get(i);
      j.append(i == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(p.name().replace("\\", "\\\\").replace("\"", "\\\"").replace("<", "\\u003c"))
          .append("\",\"in\":")
          .append(p.in())
          .append(",\"inResults\":")
          .append(p.inResults())
          .append(",\"late\":")
          .append(p.late())
          .append(",\"deadLetters\":")
          .append(p.deadLetters())
          .append('}');
    }
    return j.append("]}").toString();
  }
}

package dev.batchfetch.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's chart as SVG, written by hand: one panel per workload and server, one bar per client
 * at its median time, a whisker from the fastest to the slowest run, and the median written beside
 * it. Each panel has its own linear scale from zero, so compare bars within a panel, not across
 * panels. Skipped clients are listed in their panel with the word "skipped".
 */
final class Chart {
  private static final int WIDTH = 960;
  private static final int LABEL = 330;
  private static final int BAR_AREA = 520;
  private static final int ROW = 20;
  private static final int PANEL_HEAD = 34;

  private Chart() {}

  static String svg(List<Row> rows, Map<String, String> titles, boolean quick) {
    Map<String, List<Row>> panels = new LinkedHashMap<>();
    for (Row row : rows) {
      panels.computeIfAbsent(row.workload() + " " + row.server(), k -> new ArrayList<>()).add(row);
    }
    int height = 40;
    for (List<Row> panel : panels.values()) {
      height += PANEL_HEAD + panel.size() * ROW + 16;
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0"
                + " %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            height,
            WIDTH,
            height));
    svg.append(
        String.format(
            Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(
        "<text x=\"10\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Time per configuration"
            + " (median; whisker: min to max; shorter is better)"
            + (quick ? " — quick run, not for choosing on" : "")
            + "</text>\n");
    int y = 40;
    for (Map.Entry<String, List<Row>> panel : panels.entrySet()) {
      List<Row> panelRows = panel.getValue();
      Row first = panelRows.get(0);
      String title =
          first.workload()
              + ": "
              + titles.getOrDefault(first.workload(), "")
              + " — "
              + first.server()
              + " server";
      svg.append(text(10, y + 20, title, "font-weight=\"bold\" font-size=\"13\""));
      y += PANEL_HEAD;
      double scale =
          panelRows.stream().filter(Row::measured).mapToDouble(Row::maxSeconds).max().orElse(1);
      for (Row row : panelRows) {
        svg.append(text(LABEL - 8, y + 14, row.label(), "text-anchor=\"end\""));
        if (row.measured()) {
          double median = row.medianSeconds();
          int barWidth = (int) Math.max(1, Math.round(median / scale * BAR_AREA));
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                  LABEL,
                  y + 3,
                  barWidth,
                  ROW - 6,
                  color(row.contender())));
          double x1 = LABEL + row.minSeconds() / scale * BAR_AREA;
          double x2 = LABEL + row.maxSeconds() / scale * BAR_AREA;
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                  x1,
                  y + ROW / 2,
                  x2,
                  y + ROW / 2));
          svg.append(
              text(
                  (int) Math.max(x2, LABEL + barWidth) + 6,
                  y + 14,
                  String.format(Locale.ROOT, "%s s", Report.seconds(median)),
                  ""));
        } else {
          svg.append(text(LABEL + 4, y + 14, "skipped", "fill=\"#888\" font-style=\"italic\""));
        }
        y += ROW;
      }
      y += 16;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String color(Contender c) {
    return switch (c.kind()) {
      case WRK -> "#999999";
      case PYTHON -> "#e39b2f";
      case JVM ->
          c.name().startsWith("BATCHFETCH")
              ? "#2a6fb0"
              : c == Contender.JDK_HTTPCLIENT ? "#7a52a6" : "#3c9a5f";
    };
  }

  private static String text(int x, int y, String content, String attributes) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" %s>%s</text>%n",
        x,
        y,
        attributes,
        content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
  }
}

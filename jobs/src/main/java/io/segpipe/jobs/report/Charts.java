package io.segpipe.jobs.report;

import static io.segpipe.jobs.report.Markup.coordinate;
import static io.segpipe.jobs.report.Markup.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * The report's charts as inline SVG, drawn from the figures alone: no script, font or image is
 * loaded. Every chart has a title, axis labels and a legend where it has more than one series or a
 * colour scale; every mark has a tooltip ({@code <title>}) with its exact figure.
 */
final class Charts {
  static final int WIDTH = 720;
  /** Categorical colours (colour-blind friendly), for series and bands. */
  static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac");
  private static final double CHAR_WIDTH = 6.6;
  private static final double[] LOW = {239, 243, 255};
  private static final double[] HIGH = {8, 48, 107};

  private Charts() {}

  /**
   * One series of bars: a value per category, the text written at the bar, the tooltip, and the
   * data-metric key under which the page exposes the exact value (null for none).
   */
  record Series(String name, String colour, double[] values, String[] labels, String[] metrics) {}

  /** Opens a chart: a responsive svg with its title; {@code height} is in viewBox units. */
  private static StringBuilder open(String id, String title, double height) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg id=\"").append(escape(id)).append("\" class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ')
        .append(coordinate(height)).append("\" role=\"img\" aria-labelledby=\"").append(escape(id)).append("-title\">");
    svg.append("<title id=\"").append(escape(id)).append("-title\">").append(escape(title)).append("</title>");
    text(svg, 0, 18, title, "chart-title", "start");
    return svg;
  }

  static void text(StringBuilder svg, double x, double y, String text, String cssClass, String anchor) {
    svg.append("<text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append("\" class=\"")
        .append(cssClass).append("\" text-anchor=\"").append(anchor).append("\">").append(escape(text)).append("</text>");
  }

  private static void metricText(StringBuilder svg, double x, double y, String text, String anchor, String metric,
      double value) {
    metricText(svg, x, y, text, "", anchor, metric, value);
  }

  /** A figure's text, marked with its metric, followed by {@code suffix} (e.g. its share) outside the mark. */
  private static void metricText(StringBuilder svg, double x, double y, String text, String suffix, String anchor,
      String metric, double value) {
    svg.append("<text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y))
        .append("\" class=\"value\" text-anchor=\"").append(anchor).append("\"><tspan");
    if (metric != null) {
      svg.append(" data-metric=\"").append(escape(metric)).append("\" data-value=\"").append(value).append('"');
    }
    svg.append('>').append(escape(text)).append("</tspan>").append(escape(suffix)).append("</text>");
  }

  private static void rect(StringBuilder svg, double x, double y, double w, double h, String fill, String tooltip,
      String extra) {
    svg.append("<rect x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append("\" width=\"")
        .append(coordinate(Math.max(0, w))).append("\" height=\"").append(coordinate(Math.max(0, h)))
        .append("\" fill=\"").append(fill).append('"').append(extra == null ? "" : " " + extra).append('>');
    if (tooltip != null) {
      svg.append("<title>").append(escape(tooltip)).append("</title>");
    }
    svg.append("</rect>");
  }

  private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String cssClass) {
    svg.append("<line x1=\"").append(coordinate(x1)).append("\" y1=\"").append(coordinate(y1)).append("\" x2=\"")
        .append(coordinate(x2)).append("\" y2=\"").append(coordinate(y2)).append("\" class=\"").append(cssClass)
        .append("\"/>");
  }

  /** A legend row of coloured swatches, from x at y; returns nothing, draws in place. */
  private static void legend(StringBuilder svg, double x, double y, List<String> names, List<String> colours) {
    svg.append("<g class=\"legend\">");
    double at = x;
    for (int i = 0; i < names.size(); i++) {
      rect(svg, at, y - 10, 12, 12, colours.get(i), null, null);
      text(svg, at + 17, y, names.get(i), "legend-label", "start");
      at += 17 + names.get(i).length() * CHAR_WIDTH + 18;
    }
    svg.append("</g>");
  }

  static double textWidth(String text) {
    return text.length() * CHAR_WIDTH;
  }

  /** The text cut to about {@code width} units with an ellipsis (the full text is in the mark's tooltip). */
  static String fit(String text, double width) {
    int chars = (int) Math.max(4, Math.floor(width / CHAR_WIDTH + 1e-9));
    return text.length() <= chars ? text : text.substring(0, chars - 1) + "…";
  }

  /** Round tick steps (1, 2, 2.5 or 5 times a power of ten) covering 0..max in about five steps. */
  static List<Double> ticks(double max) {
    if (!(max > 0) || !Double.isFinite(max)) {
      return List.of(0.0, 1.0);
    }
    double raw = max / 5;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = power;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * power >= raw) {
        step = m * power;
        break;
      }
    }
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; i * step < max + step * 0.999 && ticks.size() < 12; i++) {
      ticks.add(i * step);
    }
    return ticks;
  }

  /** A sequential colour from light (0) to dark blue (1). */
  static String shade(double t) {
    double c = Double.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
    int[] rgb = new int[3];
    for (int i = 0; i < 3; i++) {
      rgb[i] = (int) Math.round(LOW[i] + (HIGH[i] - LOW[i]) * c);
    }
    return String.format("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  }

  /**
   * Horizontal bars: one row per category, one bar per series in it. {@code reference} draws a dashed
   * line (e.g. 100 for an index against the population); NaN for none.
   */
  static String horizontalBars(String id, String title, String axisLabel, List<String> categories, List<Series> series,
      DoubleFunction<String> tickFormat, double reference) {
    double labelWidth = Math.min(230, 12 + categories.stream().mapToDouble(Charts::textWidth).max().orElse(40));
    double valueRoom = 90;
    double plotWidth = WIDTH - labelWidth - valueRoom;
    double barHeight = series.size() == 1 ? 18 : 13;
    double rowHeight = series.size() * barHeight + 10;
    double top = series.size() > 1 ? 48 : 32;
    double max = Double.isFinite(reference) ? reference : 0;
    for (Series s : series) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    List<Double> ticks = ticks(max);
    double scaleMax = ticks.get(ticks.size() - 1);
    double plotHeight = rowHeight * categories.size();
    double height = top + plotHeight + 46;
    StringBuilder svg = open(id, title, height);
    if (series.size() > 1) {
      legend(svg, 0, 38, series.stream().map(Series::name).toList(), series.stream().map(Series::colour).toList());
    }
    svg.append("<g class=\"grid\">");
    for (double t : ticks) {
      double x = labelWidth + plotWidth * t / scaleMax;
      line(svg, x, top, x, top + plotHeight, "gridline");
      text(svg, x, top + plotHeight + 14, tickFormat.apply(t), "tick", "middle");
    }
    svg.append("</g>");
    text(svg, labelWidth + plotWidth / 2, top + plotHeight + 36, axisLabel, "axis-label", "middle");
    svg.append("<g class=\"bars\">");
    for (int c = 0; c < categories.size(); c++) {
      double rowTop = top + c * rowHeight + 5;
      text(svg, labelWidth - 8, rowTop + rowHeight / 2 + 1, fit(categories.get(c), labelWidth - 12), "category", "end");
      for (int s = 0; s < series.size(); s++) {
        Series one = series.get(s);
        double v = one.values()[c];
        double w = Double.isFinite(v) ? plotWidth * Math.max(0, v) / scaleMax : 0;
        double y = rowTop + s * barHeight;
        rect(svg, labelWidth, y, w, barHeight - 2, one.colour(),
            categories.get(c) + (series.size() > 1 ? ", " + one.name() : "") + ": " + one.labels()[c], null);
        metricText(svg, labelWidth + w + 4, y + barHeight - 5, one.labels()[c], "start",
            one.metrics() == null ? null : one.metrics()[c], v);
      }
    }
    svg.append("</g>");
    line(svg, labelWidth, top, labelWidth, top + plotHeight, "axis");
    if (Double.isFinite(reference)) {
      double x = labelWidth + plotWidth * reference / scaleMax;
      line(svg, x, top - 4, x, top + plotHeight, "reference");
    }
    return svg.append("</svg>").toString();
  }

  /**
   * A heat map: a cell per (row, column) with its text, shaded by {@code shade} (0-1, NaN for an empty
   * cell); the legend maps the shade back to {@code legendLow}..{@code legendHigh}.
   */
  static String heatMap(String id, String title, String rowTitle, String columnTitle, List<String> rows,
      List<String> columns, double[][] shadeOf, String[][] cellText, String[][] tooltips, String[][] metrics,
      double[][] values, String legendTitle, String legendLow, String legendHigh) {
    double labelWidth = 22 + Math.min(170, rows.stream().mapToDouble(Charts::textWidth).max().orElse(20));
    double longest = columns.stream().mapToDouble(Charts::textWidth).max().orElse(20);
    boolean slanted = longest > (WIDTH - labelWidth - 10) / Math.max(1, columns.size()) - 6;
    double headRoom = slanted ? Math.min(140, longest * 0.72 + 14) : 22;
    double top = 34 + headRoom;
    double cell = Math.min(76, (WIDTH - labelWidth - (slanted ? 60 : 10)) / Math.max(1, columns.size()));
    double cellHeight = Math.min(34, Math.max(24, cell * 0.55));
    double plotHeight = cellHeight * rows.size();
    double height = top + plotHeight + 62;
    StringBuilder svg = open(id, title, height);
    String gradient = id + "-scale";
    svg.append("<defs><linearGradient id=\"").append(escape(gradient)).append("\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">")
        .append("<stop offset=\"0\" stop-color=\"").append(shade(0)).append("\"/>")
        .append("<stop offset=\"1\" stop-color=\"").append(shade(1)).append("\"/></linearGradient></defs>");
    for (int c = 0; c < columns.size(); c++) {
      double x = labelWidth + c * cell + cell / 2;
      if (slanted) {
        svg.append("<text class=\"category\" text-anchor=\"start\" transform=\"translate(").append(coordinate(x - 3))
            .append(',').append(coordinate(top - 6)).append(") rotate(-40)\">").append(escape(fit(columns.get(c), 190))).append("</text>");
      } else {
        text(svg, x, top - 8, fit(columns.get(c), cell), "category", "middle");
      }
    }
    svg.append("<g class=\"cells\">");
    for (int r = 0; r < rows.size(); r++) {
      double y = top + r * cellHeight;
      text(svg, labelWidth - 8, y + cellHeight / 2 + 4, fit(rows.get(r), labelWidth - 22), "category", "end");
      for (int c = 0; c < columns.size(); c++) {
        double x = labelWidth + c * cell;
        double t = shadeOf[r][c];
        boolean empty = !Double.isFinite(t);
        rect(svg, x + 1, y + 1, cell - 2, cellHeight - 2, empty ? "#f7f7f7" : shade(t), tooltips[r][c], null);
        if (cellText[r][c] != null) {
          svg.append("<text x=\"").append(coordinate(x + cell / 2)).append("\" y=\"")
              .append(coordinate(y + cellHeight / 2 + 4)).append("\" class=\"cell-value").append(!empty && t > 0.55 ? " on-dark" : "")
              .append("\" text-anchor=\"middle\"");
          if (metrics != null && metrics[r][c] != null) {
            svg.append(" data-metric=\"").append(escape(metrics[r][c])).append("\" data-value=\"").append(values[r][c]).append('"');
          }
          svg.append('>').append(escape(cellText[r][c])).append("</text>");
        }
      }
    }
    svg.append("</g>");
    svg.append("<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(10,")
        .append(coordinate(top + plotHeight / 2)).append(") rotate(-90)\">").append(escape(rowTitle)).append("</text>");
    double gridWidth = cell * columns.size();
    text(svg, labelWidth + gridWidth / 2, top + plotHeight + 18, columnTitle, "axis-label", "middle");
    double legendY = top + plotHeight + 34;
    double legendX = labelWidth;
    text(svg, legendX, legendY + 10, legendTitle, "legend-label", "start");
    double barX = legendX + textWidth(legendTitle) + 12;
    text(svg, barX, legendY + 10, legendLow, "tick", "start");
    double gradientX = barX + textWidth(legendLow) + 6;
    rect(svg, gradientX, legendY, 140, 12, "url(#" + escape(gradient) + ")", legendTitle, "class=\"scale\"");
    text(svg, gradientX + 146, legendY + 10, legendHigh, "tick", "start");
    return svg.append("</svg>").toString();
  }

  /** Vertical bars, each stacked from the series (e.g. risk bands), over labelled bins. */
  static String stackedColumns(String id, String title, String xLabel, String yLabel, List<String> bins,
      List<Series> stacks, DoubleFunction<String> tickFormat) {
    double left = 64;
    double top = 50;
    double plotWidth = WIDTH - left - 16;
    double plotHeight = 220;
    double max = 0;
    for (int b = 0; b < bins.size(); b++) {
      double sum = 0;
      for (Series s : stacks) {
        sum += Math.max(0, s.values()[b]);
      }
      max = Math.max(max, sum);
    }
    List<Double> ticks = ticks(max);
    double scaleMax = ticks.get(ticks.size() - 1);
    double height = top + plotHeight + 52;
    StringBuilder svg = open(id, title, height);
    legend(svg, left, 38, stacks.stream().map(Series::name).toList(), stacks.stream().map(Series::colour).toList());
    for (double t : ticks) {
      double y = top + plotHeight - plotHeight * t / scaleMax;
      line(svg, left, y, left + plotWidth, y, "gridline");
      text(svg, left - 6, y + 4, tickFormat.apply(t), "tick", "end");
    }
    double slot = plotWidth / Math.max(1, bins.size());
    svg.append("<g class=\"bars\">");
    for (int b = 0; b < bins.size(); b++) {
      double x = left + b * slot + slot * 0.1;
      double base = top + plotHeight;
      for (Series s : stacks) {
        double v = Math.max(0, s.values()[b]);
        if (v == 0) {
          continue;
        }
        double h = plotHeight * v / scaleMax;
        base -= h;
        rect(svg, x, base, slot * 0.8, h, s.colour(), bins.get(b) + ", " + s.name() + ": " + s.labels()[b], null);
      }
      text(svg, left + b * slot + slot / 2, top + plotHeight + 14, bins.get(b), "tick", "middle");
    }
    svg.append("</g>");
    line(svg, left, top + plotHeight, left + plotWidth, top + plotHeight, "axis");
    line(svg, left, top, left, top + plotHeight, "axis");
    text(svg, left + plotWidth / 2, top + plotHeight + 36, xLabel, "axis-label", "middle");
    svg.append("<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(14,")
        .append(coordinate(top + plotHeight / 2)).append(") rotate(-90)\">").append(escape(yLabel)).append("</text>");
    return svg.append("</svg>").toString();
  }

  /**
   * A funnel: one centred bar per stage, its width the customers in it; the previous snapshot, where
   * there is one, as a dashed outline around it.
   */
  static String funnel(String id, String title, String axisLabel, List<String> stages, long[] now, Long[] before,
      String[] labels, String[] suffixes, String[] metrics, String nowName, String beforeName) {
    double labelWidth = 12 + stages.stream().mapToDouble(Charts::textWidth).max().orElse(40);
    double valueRoom = 120;
    double plotWidth = WIDTH - labelWidth - valueRoom;
    double rowHeight = 30;
    double top = 48;
    double max = 1;
    for (int i = 0; i < stages.size(); i++) {
      max = Math.max(max, now[i]);
      if (before[i] != null) {
        max = Math.max(max, before[i]);
      }
    }
    double height = top + rowHeight * stages.size() + 30;
    StringBuilder svg = open(id, title, height);
    boolean hasBefore = java.util.Arrays.stream(before).anyMatch(b -> b != null);
    svg.append("<g class=\"legend\">");
    rect(svg, 0, 28, 12, 12, PALETTE.get(0), null, null);
    text(svg, 17, 38, nowName, "legend-label", "start");
    if (hasBefore) {
      double x = 17 + textWidth(nowName) + 18;
      rect(svg, x, 28, 12, 12, "none", null, "class=\"previous\"");
      text(svg, x + 17, 38, beforeName, "legend-label", "start");
    }
    svg.append("</g>");
    double centre = labelWidth + plotWidth / 2;
    svg.append("<g class=\"bars\">");
    for (int i = 0; i < stages.size(); i++) {
      double y = top + i * rowHeight;
      text(svg, labelWidth - 8, y + rowHeight / 2 + 4, stages.get(i), "category", "end");
      double w = plotWidth * now[i] / max;
      rect(svg, centre - w / 2, y + 4, w, rowHeight - 8, PALETTE.get(0), stages.get(i) + ": " + labels[i] + suffixes[i], null);
      if (before[i] != null) {
        double wb = plotWidth * before[i] / max;
        rect(svg, centre - wb / 2, y + 3, wb, rowHeight - 6, "none", beforeName + ", " + stages.get(i) + ": " + before[i],
            "class=\"previous\"");
      }
      metricText(svg, labelWidth + plotWidth + 8, y + rowHeight / 2 + 4, labels[i], suffixes[i], "start", metrics[i], now[i]);
    }
    svg.append("</g>");
    text(svg, centre, top + rowHeight * stages.size() + 20, axisLabel, "axis-label", "middle");
    return svg.append("</svg>").toString();
  }

  /**
   * Lines over ordered points (e.g. weeks): one polyline per series with a marker per point carrying
   * its tooltip; about eight of the x labels are written, the first and last always.
   */
  static String lines(String id, String title, String xLabel, String yLabel, List<String> points, List<Series> series,
      DoubleFunction<String> tickFormat) {
    double left = 64;
    double top = 50;
    double plotWidth = WIDTH - left - 24;
    double plotHeight = 220;
    double max = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    List<Double> ticks = ticks(max);
    double scaleMax = ticks.get(ticks.size() - 1);
    StringBuilder svg = open(id, title, top + plotHeight + 52);
    legend(svg, left, 38, series.stream().map(Series::name).toList(), series.stream().map(Series::colour).toList());
    for (double t : ticks) {
      double y = top + plotHeight - plotHeight * t / scaleMax;
      line(svg, left, y, left + plotWidth, y, "gridline");
      text(svg, left - 6, y + 4, tickFormat.apply(t), "tick", "end");
    }
    int n = points.size();
    double step = n > 1 ? plotWidth / (n - 1) : 0;
    int every = Math.max(1, (int) Math.ceil(n / 8.0));
    for (int i = 0; i < n; i++) {
      if (i % every == 0 && (n - 1 - i >= every / 2 || i == 0) || i == n - 1) {
        text(svg, left + i * step, top + plotHeight + 14, points.get(i), "tick", i == 0 ? "start" : i == n - 1 ? "end" : "middle");
      }
    }
    svg.append("<g class=\"lines\">");
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < n; i++) {
        double y = top + plotHeight - plotHeight * Math.max(0, s.values()[i]) / scaleMax;
        path.append(i == 0 ? "" : " ").append(coordinate(left + i * step)).append(',').append(coordinate(y));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"2\" points=\"")
          .append(path).append("\"/>");
      for (int i = 0; i < n; i++) {
        double y = top + plotHeight - plotHeight * Math.max(0, s.values()[i]) / scaleMax;
        svg.append("<circle cx=\"").append(coordinate(left + i * step)).append("\" cy=\"").append(coordinate(y))
            .append("\" r=\"2.5\" fill=\"").append(s.colour()).append('"');
        if (s.metrics() != null && s.metrics()[i] != null) {
          svg.append(" data-metric=\"").append(escape(s.metrics()[i])).append("\" data-value=\"").append(s.values()[i])
              .append('"');
        }
        svg.append("><title>").append(escape(points.get(i) + ", " + s.name() + ": " + s.labels()[i])).append("</title></circle>");
      }
    }
    svg.append("</g>");
    line(svg, left, top + plotHeight, left + plotWidth, top + plotHeight, "axis");
    line(svg, left, top, left, top + plotHeight, "axis");
    text(svg, left + plotWidth / 2, top + plotHeight + 36, xLabel, "axis-label", "middle");
    svg.append("<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(14,")
        .append(coordinate(top + plotHeight / 2)).append(") rotate(-90)\">").append(escape(yLabel)).append("</text>");
    return svg.append("</svg>").toString();
  }

  /**
   * One row of {@link #intervals}: the row's label and a note under it, the estimate with its interval
   * (NaN where there is none), the texts written right of the plot, the tooltip, the data-metric key of
   * the estimate (null for none), and whether the row is drawn muted (hollow and grey: not to be trusted).
   */
  record Interval(String label, String note, double value, double low, double high, String valueText,
      String intervalText, String tooltip, String metric, boolean muted) {}

  private static final String MUTED = "#9aa5b1";

  /**
   * Estimates with their intervals, one row each: a point on a horizontal line from the interval's low to
   * its high end, over an axis that always spans zero, drawn as a vertical line. Labels sit left of the
   * plot, each estimate's text right of it, the ticks under it; every text is kept inside the chart.
   * {@code mutedName} is the legend's name for muted rows (null when there is none).
   */
  static String intervals(String id, String title, String axisLabel, String pointName, String intervalName,
      String mutedName, List<Interval> rows, DoubleFunction<String> tickFormat) {
    double labelWidth = Math.max(110, Math.min(230, 12 + rows.stream()
        .mapToDouble(r -> Math.max(textWidth(r.label()), textWidth(r.note()))).max().orElse(40)));
    double valueRoom = Math.max(110, Math.min(170, 14 + rows.stream()
        .mapToDouble(r -> Math.max(textWidth(r.valueText()), textWidth(r.intervalText()))).max().orElse(40)));
    double plotLeft = labelWidth + 6;
    double plotWidth = WIDTH - plotLeft - valueRoom - 10;
    double rowHeight = 38;
    double top = 52;
    double plotHeight = rowHeight * Math.max(1, rows.size());
    double low = 0;
    double high = 0;
    for (Interval r : rows) {
      for (double v : new double[] {r.value(), r.low(), r.high()}) {
        if (Double.isFinite(v)) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
    }
    if (!(high > low)) {
      low = -0.1;
      high = 0.1;
    }
    double step = ticks(high - low).get(1);
    long first = (long) Math.floor(low / step + 1e-9);
    long last = (long) Math.ceil(high / step - 1e-9);
    if (last <= first) {
      last = first + 1;
    }
    double from = first * step;
    double to = last * step;
    java.util.function.DoubleUnaryOperator x = v -> plotLeft + plotWidth * (v - from) / (to - from);
    StringBuilder svg = open(id, title, top + plotHeight + 48);

    // The legend: the point, the interval line and, where a row is muted, the hollow point.
    svg.append("<g class=\"legend\">");
    double at = 0;
    svg.append("<circle cx=\"").append(coordinate(at + 6)).append("\" cy=\"34\" r=\"4.5\" fill=\"").append(PALETTE.get(0))
        .append("\"/>");
    text(svg, at + 17, 38, pointName, "legend-label", "start");
    at += 17 + textWidth(pointName) + 18;
    svg.append("<line x1=\"").append(coordinate(at)).append("\" y1=\"34\" x2=\"").append(coordinate(at + 20))
        .append("\" y2=\"34\" stroke=\"").append(PALETTE.get(0)).append("\" stroke-width=\"2\"/>");
    text(svg, at + 25, 38, intervalName, "legend-label", "start");
    at += 25 + textWidth(intervalName) + 18;
    if (mutedName != null) {
      svg.append("<circle cx=\"").append(coordinate(at + 6)).append("\" cy=\"34\" r=\"4.5\" fill=\"#fff\" stroke=\"")
          .append(MUTED).append("\" stroke-width=\"1.5\"/>");
      text(svg, at + 17, 38, fit(mutedName, WIDTH - at - 17), "legend-label", "start");
    }
    svg.append("</g>");

    // Grid and ticks: a label on every tick that has room, zero always among them.
    List<Double> ticks = new ArrayList<>();
    for (long k = first; k <= last; k++) {
      ticks.add(k * step);
    }
    double widest = ticks.stream().mapToDouble(t -> textWidth(tickFormat.apply(t))).max().orElse(20);
    double spacing = plotWidth / Math.max(1, ticks.size() - 1);
    int every = 1;
    while (spacing * every < widest + 8 && every < ticks.size()) {
      every++;
    }
    svg.append("<g class=\"grid\">");
    for (int i = 0; i < ticks.size(); i++) {
      double t = ticks.get(i);
      double tx = x.applyAsDouble(t);
      line(svg, tx, top, tx, top + plotHeight, "gridline");
      if (Math.floorMod(first + i, every) == 0) {
        text(svg, tx, top + plotHeight + 14, tickFormat.apply(Math.abs(t) < step * 1e-9 ? 0 : t), "tick", "middle");
      }
    }
    svg.append("</g>");
    line(svg, plotLeft, top + plotHeight, plotLeft + plotWidth, top + plotHeight, "axis");
    line(svg, x.applyAsDouble(0.0), top - 4, x.applyAsDouble(0.0), top + plotHeight, "axis");
    text(svg, plotLeft + plotWidth / 2, top + plotHeight + 34, fit(axisLabel, plotWidth + labelWidth), "axis-label", "middle");

    svg.append("<g class=\"intervals\">");
    for (int i = 0; i < rows.size(); i++) {
      Interval r = rows.get(i);
      double y = top + i * rowHeight + rowHeight / 2;
      String colour = r.muted() ? MUTED : PALETTE.get(0);
      text(svg, labelWidth - 8, y - 3, fit(r.label(), labelWidth - 12), "category", "end");
      text(svg, labelWidth - 8, y + 12, fit(r.note(), labelWidth - 12), "tick", "end");
      if (Double.isFinite(r.low()) && Double.isFinite(r.high())) {
        double x1 = x.applyAsDouble(r.low());
        double x2 = x.applyAsDouble(r.high());
        svg.append("<path d=\"M").append(coordinate(x1)).append(' ').append(coordinate(y - 5)).append("V")
            .append(coordinate(y + 5)).append("M").append(coordinate(x1)).append(' ').append(coordinate(y)).append("H")
            .append(coordinate(x2)).append("M").append(coordinate(x2)).append(' ').append(coordinate(y - 5)).append("V")
            .append(coordinate(y + 5)).append("\" fill=\"none\" stroke=\"").append(colour)
            .append("\" stroke-width=\"2\"><title>").append(escape(r.tooltip())).append("</title></path>");
      }
      if (Double.isFinite(r.value())) {
        svg.append("<circle cx=\"").append(coordinate(x.applyAsDouble(r.value()))).append("\" cy=\"").append(coordinate(y))
            .append("\" r=\"5\" fill=\"").append(r.muted() ? "#fff" : colour).append("\" stroke=\"").append(colour)
            .append("\" stroke-width=\"1.5\"><title>").append(escape(r.tooltip())).append("</title></circle>");
      } else {
        text(svg, x.applyAsDouble(0.0) + 6, y + 4, "no estimate", "tick", "start");
      }
      metricText(svg, WIDTH - valueRoom + 4, y - 3, fit(r.valueText(), valueRoom - 8), "start",
          Double.isFinite(r.value()) ? r.metric() : null, r.value());
      text(svg, WIDTH - valueRoom + 4, y + 12, fit(r.intervalText(), valueRoom - 8), "tick", "start");
    }
    svg.append("</g>");
    return svg.append("</svg>").toString();
  }
}

package io.segpipe.jobs.report;

import static io.segpipe.jobs.report.Markup.coordinate;
import static io.segpipe.jobs.report.Markup.escape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * The report's charts as inline SVG, drawn from the figures alone: no script, font or image is
 * loaded. Every chart has a title, axis labels and a legend where it has more than one series or a
 * colour scale; every mark has a tooltip ({@code <title>}) with its exact figure. Texts are
 * measured character by character (a Chinese character 1 em, Latin about 0.6 em, see {@link #em})
 * and the margins, label columns and rows sized from the measured texts and the fonts' line boxes,
 * so that no text leaves its chart or runs into another in any locale; a text longer than its room
 * is cut with an ellipsis (its mark's tooltip has it whole).
 */
final class Charts {
  static final int WIDTH = 720;

  /** Categorical colours (colour-blind friendly), for series and bands. */
  static final List<String> PALETTE =
      List.of(
          "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
          "#9c755f", "#bab0ac");

  /** Font sizes of the chart texts' classes in viewBox units, as segment-report.css sets them. */
  static final double TITLE = 15;

  static final double AXIS = 12;
  static final double TICK = 11;
  static final double CATEGORY = 12;
  static final double VALUE = 11;
  static final double LEGEND = 12;
  static final double CELL = 12;

  /**
   * A text's box above and below its baseline, in em: the tallest of the fonts the page may be
   * drawn in (Noto Sans CJK reaches 1.17 above and 0.27 below; Latin fonts less). Rows of text are
   * spaced by it.
   */
  static final double ASCENT = 1.2;

  static final double DESCENT = 0.3;

  /**
   * Left of a rotated axis title: its baseline sits at x = GUTTER - DESCENT, so its box starts at x
   * >= 0.
   */
  private static final double GUTTER = 22;

  private static final double[] LOW = {239, 243, 255};
  private static final double[] HIGH = {8, 48, 107};

  private final ReportWords words;

  Charts(ReportWords words) {
    this.words = words;
  }

  /**
   * One series of bars: a value per category, the text written at the bar, the tooltip, and the
   * data-metric key under which the page exposes the exact value (null for none).
   */
  record Series(String name, String colour, double[] values, String[] labels, String[] metrics) {}

  /** Opens a chart: a responsive svg with its title; {@code height} is in viewBox units. */
  private static StringBuilder open(String id, String title, double height) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg id=\"")
        .append(escape(id))
        .append("\" class=\"chart\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(coordinate(height))
        .append("\" role=\"img\" aria-labelledby=\"")
        .append(escape(id))
        .append("-title\">");
    svg.append("<title id=\"")
        .append(escape(id))
        .append("-title\">")
        .append(escape(title))
        .append("</title>");
    text(svg, 0, 18, fit(title, WIDTH - 2, TITLE * BOLD), "chart-title", "start");
    return svg;
  }

  static void text(
      StringBuilder svg, double x, double y, String text, String cssClass, String anchor) {
    svg.append("<text x=\"")
        .append(coordinate(x))
        .append("\" y=\"")
        .append(coordinate(y))
        .append("\" class=\"")
        .append(cssClass)
        .append("\" text-anchor=\"")
        .append(anchor)
        .append("\">")
        .append(escape(text))
        .append("</text>");
  }

  /**
   * A text centred at x, cut to what fits between x and the nearer edge of the chart on either
   * side.
   */
  private static void centred(
      StringBuilder svg, double x, double y, String text, String cssClass, double size) {
    text(svg, x, y, fit(text, 2 * Math.min(x, WIDTH - x) - 4, size), cssClass, "middle");
  }

  /** An axis title turned to read upwards, centred on y, in the chart's left gutter. */
  private static void verticalTitle(StringBuilder svg, double y, double length, String title) {
    svg.append("<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(")
        .append(coordinate(GUTTER - DESCENT * AXIS - 2))
        .append(',')
        .append(coordinate(y))
        .append(") rotate(-90)\">")
        .append(escape(fit(title, length, AXIS)))
        .append("</text>");
  }

  private static void metricText(
      StringBuilder svg,
      double x,
      double y,
      String text,
      String anchor,
      String metric,
      double value) {
    metricText(svg, x, y, text, "", anchor, metric, value);
  }

  /**
   * A figure's text, marked with its metric, followed by {@code suffix} (e.g. its share) outside
   * the mark.
   */
  private static void metricText(
      StringBuilder svg,
      double x,
      double y,
      String text,
      String suffix,
      String anchor,
      String metric,
      double value) {
    svg.append("<text x=\"")
        .append(coordinate(x))
        .append("\" y=\"")
        .append(coordinate(y))
        .append("\" class=\"value\" text-anchor=\"")
        .append(anchor)
        .append("\"><tspan");
    if (metric != null) {
      svg.append(" data-metric=\"")
          .append(escape(metric))
          .append("\" data-value=\"")
          .append(value)
          .append('"');
    }
    svg.append('>')
        .append(escape(text))
        .append("</tspan>")
        .append(escape(suffix))
        .append("</text>");
  }

  private static void rect(
      StringBuilder svg,
      double x,
      double y,
      double w,
      double h,
      String fill,
      String tooltip,
      String extra) {
    svg.append("<rect x=\"")
        .append(coordinate(x))
        .append("\" y=\"")
        .append(coordinate(y))
        .append("\" width=\"")
        .append(coordinate(Math.max(0, w)))
        .append("\" height=\"")
        .append(coordinate(Math.max(0, h)))
        .append("\" fill=\"")
        .append(fill)
        .append('"')
        .append(extra == null ? "" : " " + extra)
        .append('>');
    if (tooltip != null) {
      svg.append("<title>").append(escape(tooltip)).append("</title>");
    }
    svg.append("</rect>");
  }

  private static void line(
      StringBuilder svg, double x1, double y1, double x2, double y2, String cssClass) {
    svg.append("<line x1=\"")
        .append(coordinate(x1))
        .append("\" y1=\"")
        .append(coordinate(y1))
        .append("\" x2=\"")
        .append(coordinate(x2))
        .append("\" y2=\"")
        .append(coordinate(y2))
        .append("\" class=\"")
        .append(cssClass)
        .append("\"/>");
  }

  /**
   * A legend row of coloured swatches, from x at y; a name that would run past the chart is cut.
   */
  private static void legend(
      StringBuilder svg, double x, double y, List<String> names, List<String> colours) {
    svg.append("<g class=\"legend\">");
    double at = x;
    for (int i = 0; i < names.size() && at + 17 < WIDTH - 20; i++) {
      rect(svg, at, y - 10, 12, 12, colours.get(i), null, null);
      String name = fit(names.get(i), WIDTH - at - 19, LEGEND);
      text(svg, at + 17, y, name, "legend-label", "start");
      at += 17 + textWidth(name, LEGEND) + 18;
    }
    svg.append("</g>");
  }

  /**
   * A legend that starts a new row where the next name would pass the right edge (one row where
   * they fit, drawn as {@link #legend} draws it); draws into {@code svg} unless it is null. Returns
   * the rows used.
   */
  private static int wrappedLegend(
      StringBuilder svg, double x, double y, List<String> names, List<String> colours) {
    if (svg != null) {
      svg.append("<g class=\"legend\">");
    }
    double at = x;
    double row = y;
    int rows = 1;
    for (int i = 0; i < names.size(); i++) {
      String name = fit(names.get(i), WIDTH - x - 19, LEGEND);
      double width = 17 + textWidth(name, LEGEND);
      if (at > x && at + width > WIDTH - 2) {
        at = x;
        row += lineHeight(LEGEND);
        rows++;
      }
      if (svg != null) {
        rect(svg, at, row - 10, 12, 12, colours.get(i), null, null);
        text(svg, at + 17, row, name, "legend-label", "start");
      }
      at += width + 18;
    }
    if (svg != null) {
      svg.append("</g>");
    }
    return rows;
  }

  /** Bold text (the chart titles) is about an eighth wider than regular. */
  static final double BOLD = 1.15;

  private static final String NARROW = ".,:;'|!ilIj";
  private static final String SEMI_NARROW = " ()[]{}/-\"`frt";
  private static final String WIDE = "mwMW%@…—";
  private static final String SYMBOLS = "+−×÷=<>≤≥±~→←";

  /**
   * The width in em of one character, as wide as the widest of the fonts the page names draws it: a
   * Chinese, Japanese or Korean character or a full-width form 1 em; Latin letters and digits about
   * 0.6 em (capitals 0.74, i or l 0.32). Overestimating a little keeps labels inside their room.
   */
  static double em(int c) {
    if (c == '–') {
      return 0.5;
    }
    if (NARROW.indexOf(c) >= 0) {
      return 0.32;
    }
    if (SEMI_NARROW.indexOf(c) >= 0) {
      return 0.42;
    }
    if (WIDE.indexOf(c) >= 0) {
      return 1.0;
    }
    if (SYMBOLS.indexOf(c) >= 0) {
      return 0.84;
    }
    if (c >= 'A' && c <= 'Z') {
      return 0.74;
    }
    if (fullWidth(c)) {
      return 1.0;
    }
    return 0.64;
  }

  /**
   * East Asian wide characters: CJK ideographs, kana, hangul, CJK punctuation and full-width forms.
   */
  static boolean fullWidth(int c) {
    Character.UnicodeScript script = Character.UnicodeScript.of(c);
    if (script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA
        || script == Character.UnicodeScript.HANGUL
        || script == Character.UnicodeScript.BOPOMOFO) {
      return true;
    }
    return c >= 0x1100 && c <= 0x115F
        || c >= 0x2E80 && c <= 0x303E
        || c >= 0x3041 && c <= 0x33FF
        || c >= 0xAC00 && c <= 0xD7A3
        || c >= 0xF900 && c <= 0xFAFF
        || c >= 0xFE30 && c <= 0xFE4F
        || c >= 0xFF00 && c <= 0xFF60
        || c >= 0xFFE0 && c <= 0xFFE6
        || c >= 0x20000 && c <= 0x3FFFD;
  }

  /**
   * The width of a text at a font size (both in viewBox units), measured character by character.
   */
  static double textWidth(String text, double size) {
    if (text == null) {
      return 0;
    }
    return text.codePoints().mapToDouble(Charts::em).sum() * size;
  }

  /** The widest of the texts at a font size; 0 for none. */
  static double widest(List<String> texts, double size) {
    return texts.stream().mapToDouble(t -> textWidth(t, size)).max().orElse(0);
  }

  /** The height of a line of text at a font size: its box from ascent to descent. */
  static double lineHeight(double size) {
    return (ASCENT + DESCENT) * size;
  }

  /**
   * The text cut to at most {@code width} units at {@code size} with an ellipsis (the full text is
   * in the mark's tooltip).
   */
  static String fit(String text, double width, double size) {
    if (text == null || textWidth(text, size) <= width + 1e-6) {
      return text;
    }
    double room = width - em('…') * size;
    StringBuilder out = new StringBuilder();
    double used = 0;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      double w = em(c) * size;
      if (used + w > room && out.length() > 0) {
        break;
      }
      out.appendCodePoint(c);
      used += w;
      i += Character.charCount(c);
    }
    return out.toString().stripTrailing() + "…";
  }

  /**
   * Which of evenly spaced labels to write so that no two touch: every {@code k}-th from the first,
   * the last always, and a label too near the last left out.
   */
  static boolean[] thinned(List<String> labels, double spacing, double size) {
    int n = labels.size();
    double room = widest(labels, size) + 8;
    int every = spacing <= 0 ? n : Math.max(1, (int) Math.ceil(room / spacing - 1e-9));
    boolean[] shown = new boolean[n];
    for (int i = 0; i < n; i++) {
      shown[i] = i % every == 0 && (i == n - 1 || (n - 1 - i) * spacing >= room);
    }
    if (n > 0) {
      shown[n - 1] = true;
    }
    return shown;
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

  /** The tick labels of a value axis, and the widest of them. */
  private static List<String> tickLabels(List<Double> ticks, DoubleFunction<String> format) {
    return ticks.stream().map(format::apply).toList();
  }

  /** A value axis along the bottom of a plot: grid lines, and the tick labels that have room. */
  private static void bottomTicks(
      StringBuilder svg,
      List<Double> ticks,
      DoubleUnaryOperator x,
      double top,
      double bottom,
      List<String> labels) {
    boolean[] shown =
        thinned(
            labels,
            ticks.size() > 1 ? x.applyAsDouble(ticks.get(1)) - x.applyAsDouble(ticks.get(0)) : 0,
            TICK);
    svg.append("<g class=\"grid\">");
    for (int i = 0; i < ticks.size(); i++) {
      double tx = x.applyAsDouble(ticks.get(i));
      line(svg, tx, top, tx, bottom, "gridline");
      if (shown[i]) {
        text(svg, tx, bottom + 14, labels.get(i), "tick", "middle");
      }
    }
    svg.append("</g>");
  }

  /**
   * A value axis up the left of a plot: grid lines across it and the tick labels right-aligned
   * before it.
   */
  private static void leftTicks(
      StringBuilder svg,
      List<Double> ticks,
      double scaleMax,
      double left,
      double right,
      double top,
      double plotHeight,
      List<String> labels) {
    for (int i = 0; i < ticks.size(); i++) {
      double y = top + plotHeight - plotHeight * ticks.get(i) / scaleMax;
      line(svg, left, y, right, y, "gridline");
      text(svg, left - 6, y + 4, labels.get(i), "tick", "end");
    }
  }

  /**
   * The left margin of a plot with a vertical title and tick labels: room for both side by side.
   */
  private static double leftMargin(List<String> tickLabels) {
    return Math.max(48, GUTTER + 10 + widest(tickLabels, TICK));
  }

  /**
   * Horizontal bars: one row per category, one bar per series in it. {@code reference} draws a
   * dashed line (e.g. 100 for an index against the population); NaN for none. The category labels'
   * column is as wide as the longest label (up to two fifths of the chart; longer ones are cut),
   * the room right of the plot as wide as the longest value written at a bar.
   */
  String horizontalBars(
      String id,
      String title,
      String axisLabel,
      List<String> categories,
      List<Series> series,
      DoubleFunction<String> tickFormat,
      double reference) {
    double labelWidth = Math.max(60, Math.min(WIDTH * 0.4, 14 + widest(categories, CATEGORY)));
    double max = Double.isFinite(reference) ? reference : 0;
    double valueWidth = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
      valueWidth = Math.max(valueWidth, widest(List.of(s.labels()), VALUE));
    }
    List<Double> ticks = ticks(max);
    double scaleMax = ticks.get(ticks.size() - 1);
    List<String> tickLabels = tickLabels(ticks, tickFormat);
    double valueRoom = Math.max(Math.max(40, valueWidth + 10), widest(tickLabels, TICK) / 2 + 4);
    double plotWidth = WIDTH - labelWidth - valueRoom;
    double barHeight = series.size() == 1 ? 18 : Math.max(13, Math.ceil(lineHeight(VALUE)));
    double rowHeight = series.size() * barHeight + 10;
    double top = series.size() > 1 ? 48 : 32;
    double plotHeight = rowHeight * categories.size();
    double height = top + plotHeight + 46;
    StringBuilder svg = open(id, title, height);
    if (series.size() > 1) {
      legend(
          svg,
          0,
          38,
          series.stream().map(Series::name).toList(),
          series.stream().map(Series::colour).toList());
    }
    bottomTicks(
        svg, ticks, t -> labelWidth + plotWidth * t / scaleMax, top, top + plotHeight, tickLabels);
    centred(svg, labelWidth + plotWidth / 2, top + plotHeight + 36, axisLabel, "axis-label", AXIS);
    svg.append("<g class=\"bars\">");
    for (int c = 0; c < categories.size(); c++) {
      double rowTop = top + c * rowHeight + 5;
      text(
          svg,
          labelWidth - 8,
          rowTop + rowHeight / 2 + 1,
          fit(categories.get(c), labelWidth - 12, CATEGORY),
          "category",
          "end");
      for (int s = 0; s < series.size(); s++) {
        Series one = series.get(s);
        double v = one.values()[c];
        double w = Double.isFinite(v) ? plotWidth * Math.max(0, v) / scaleMax : 0;
        double y = rowTop + s * barHeight;
        rect(
            svg,
            labelWidth,
            y,
            w,
            barHeight - 2,
            one.colour(),
            words.pair(
                series.size() > 1
                    ? words.list(List.of(categories.get(c), one.name()))
                    : categories.get(c),
                one.labels()[c]),
            null);
        metricText(
            svg,
            labelWidth + w + 4,
            y + barHeight - 5,
            one.labels()[c],
            "start",
            one.metrics() == null ? null : one.metrics()[c],
            v);
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
   * A heat map: a cell per (row, column) with its text, shaded by {@code shade} (0-1, NaN for an
   * empty cell); the legend maps the shade back to {@code legendLow}..{@code legendHigh}. Column
   * labels too long for their cell are slanted, with the room above the grid and right of it that
   * they take.
   */
  String heatMap(
      String id,
      String title,
      String rowTitle,
      String columnTitle,
      List<String> rows,
      List<String> columns,
      double[][] shadeOf,
      String[][] cellText,
      String[][] tooltips,
      String[][] metrics,
      double[][] values,
      String legendTitle,
      String legendLow,
      String legendHigh) {
    // Left to right: the vertical row title in the gutter, the row labels right-aligned, the grid.
    double labelWidth = GUTTER + 16 + Math.min(190, widest(rows, CATEGORY));
    double longest = Math.min(170, widest(columns, CATEGORY));
    double flatCell = Math.min(76, (WIDTH - labelWidth - 10) / Math.max(1, columns.size()));
    boolean slanted = longest > flatCell - 6;
    double cos = Math.cos(Math.toRadians(40));
    double sin = Math.sin(Math.toRadians(40));
    // A slanted label rises to the right from under its cell's centre: the last one needs room
    // right of the grid.
    double cell =
        slanted
            ? Math.min(
                76, (WIDTH - labelWidth - cos * longest - 8) / Math.max(0.5, columns.size() - 0.5))
            : flatCell;
    double headRoom = slanted ? 12 + sin * longest : 22;
    double top = 34 + headRoom;
    double cellHeight = Math.min(34, Math.max(Math.ceil(lineHeight(CELL)) + 6, cell * 0.55));
    double plotHeight = cellHeight * rows.size();
    double height = top + plotHeight + 62;
    StringBuilder svg = open(id, title, height);
    String gradient = id + "-scale";
    svg.append("<defs><linearGradient id=\"")
        .append(escape(gradient))
        .append("\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">")
        .append("<stop offset=\"0\" stop-color=\"")
        .append(shade(0))
        .append("\"/>")
        .append("<stop offset=\"1\" stop-color=\"")
        .append(shade(1))
        .append("\"/></linearGradient></defs>");
    for (int c = 0; c < columns.size(); c++) {
      double x = labelWidth + c * cell + cell / 2;
      if (slanted) {
        svg.append("<text class=\"category\" text-anchor=\"start\" transform=\"translate(")
            .append(coordinate(x - 3))
            .append(',')
            .append(coordinate(top - 6))
            .append(") rotate(-40)\">")
            .append(escape(fit(columns.get(c), longest, CATEGORY)))
            .append("</text>");
      } else {
        text(svg, x, top - 8, fit(columns.get(c), cell - 4, CATEGORY), "category", "middle");
      }
    }
    svg.append("<g class=\"cells\">");
    for (int r = 0; r < rows.size(); r++) {
      double y = top + r * cellHeight;
      text(
          svg,
          labelWidth - 8,
          y + cellHeight / 2 + 4,
          fit(rows.get(r), labelWidth - GUTTER - 12, CATEGORY),
          "category",
          "end");
      for (int c = 0; c < columns.size(); c++) {
        double x = labelWidth + c * cell;
        double t = shadeOf[r][c];
        boolean empty = !Double.isFinite(t);
        rect(
            svg,
            x + 1,
            y + 1,
            cell - 2,
            cellHeight - 2,
            empty ? "#f7f7f7" : shade(t),
            tooltips[r][c],
            null);
        if (cellText[r][c] != null) {
          svg.append("<text x=\"")
              .append(coordinate(x + cell / 2))
              .append("\" y=\"")
              .append(coordinate(y + cellHeight / 2 + 4))
              .append("\" class=\"cell-value")
              .append(!empty && t > 0.55 ? " on-dark" : "")
              .append("\" text-anchor=\"middle\"");
          if (metrics != null && metrics[r][c] != null) {
            svg.append(" data-metric=\"")
                .append(escape(metrics[r][c]))
                .append("\" data-value=\"")
                .append(values[r][c])
                .append('"');
          }
          svg.append('>').append(escape(fit(cellText[r][c], cell - 4, CELL))).append("</text>");
        }
      }
    }
    svg.append("</g>");
    verticalTitle(svg, top + plotHeight / 2, plotHeight + headRoom - 8, rowTitle);
    double gridWidth = cell * columns.size();
    centred(
        svg, labelWidth + gridWidth / 2, top + plotHeight + 18, columnTitle, "axis-label", AXIS);
    // The legend: its title, the low end, the colour scale, the high end; moved left where it would
    // run over.
    double scale = 140;
    double legendWidth =
        textWidth(legendTitle, LEGEND)
            + 12
            + textWidth(legendLow, TICK)
            + 6
            + scale
            + 6
            + textWidth(legendHigh, TICK);
    double legendY = top + plotHeight + 34;
    double legendX = Math.max(2, Math.min(labelWidth, WIDTH - legendWidth - 4));
    text(svg, legendX, legendY + 10, legendTitle, "legend-label", "start");
    double barX = legendX + textWidth(legendTitle, LEGEND) + 12;
    text(svg, barX, legendY + 10, legendLow, "tick", "start");
    double gradientX = barX + textWidth(legendLow, TICK) + 6;
    rect(
        svg,
        gradientX,
        legendY,
        scale,
        12,
        "url(#" + escape(gradient) + ")",
        legendTitle,
        "class=\"scale\"");
    text(svg, gradientX + scale + 6, legendY + 10, legendHigh, "tick", "start");
    return svg.append("</svg>").toString();
  }

  /** Vertical bars, each stacked from the series (e.g. risk bands), over labelled bins. */
  String stackedColumns(
      String id,
      String title,
      String xLabel,
      String yLabel,
      List<String> bins,
      List<Series> stacks,
      DoubleFunction<String> tickFormat) {
    double top = 50;
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
    List<String> tickLabels = tickLabels(ticks, tickFormat);
    double left = leftMargin(tickLabels);
    double plotWidth = WIDTH - left - 16;
    double height = top + plotHeight + 52;
    StringBuilder svg = open(id, title, height);
    legend(
        svg,
        left,
        38,
        stacks.stream().map(Series::name).toList(),
        stacks.stream().map(Series::colour).toList());
    leftTicks(svg, ticks, scaleMax, left, left + plotWidth, top, plotHeight, tickLabels);
    double slot = plotWidth / Math.max(1, bins.size());
    boolean[] shown = thinned(bins, slot, TICK);
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
        rect(
            svg,
            x,
            base,
            slot * 0.8,
            h,
            s.colour(),
            words.pair(words.list(List.of(bins.get(b), s.name())), s.labels()[b]),
            null);
      }
      if (shown[b]) {
        centred(svg, left + b * slot + slot / 2, top + plotHeight + 14, bins.get(b), "tick", TICK);
      }
    }
    svg.append("</g>");
    line(svg, left, top + plotHeight, left + plotWidth, top + plotHeight, "axis");
    line(svg, left, top, left, top + plotHeight, "axis");
    centred(svg, left + plotWidth / 2, top + plotHeight + 36, xLabel, "axis-label", AXIS);
    verticalTitle(svg, top + plotHeight / 2, plotHeight, yLabel);
    return svg.append("</svg>").toString();
  }

  /**
   * A funnel: one centred bar per stage, its width the customers in it; the previous snapshot,
   * where there is one, as a dashed outline around it.
   */
  String funnel(
      String id,
      String title,
      String axisLabel,
      List<String> stages,
      long[] now,
      Long[] before,
      String[] labels,
      String[] suffixes,
      String[] metrics,
      String nowName,
      String beforeName) {
    double labelWidth = Math.max(60, Math.min(WIDTH * 0.35, 14 + widest(stages, CATEGORY)));
    double valueWidth = 0;
    for (int i = 0; i < stages.size(); i++) {
      valueWidth = Math.max(valueWidth, textWidth(labels[i] + suffixes[i], VALUE));
    }
    double valueRoom = Math.max(60, valueWidth + 14);
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
    boolean hasBefore = Arrays.stream(before).anyMatch(b -> b != null);
    svg.append("<g class=\"legend\">");
    rect(svg, 0, 28, 12, 12, PALETTE.get(0), null, null);
    String nowShown = fit(nowName, WIDTH / 2.0 - 40, LEGEND);
    text(svg, 17, 38, nowShown, "legend-label", "start");
    if (hasBefore) {
      double x = 17 + textWidth(nowShown, LEGEND) + 18;
      rect(svg, x, 28, 12, 12, "none", null, "class=\"previous\"");
      text(svg, x + 17, 38, fit(beforeName, WIDTH - x - 19, LEGEND), "legend-label", "start");
    }
    svg.append("</g>");
    double centre = labelWidth + plotWidth / 2;
    svg.append("<g class=\"bars\">");
    for (int i = 0; i < stages.size(); i++) {
      double y = top + i * rowHeight;
      text(
          svg,
          labelWidth - 8,
          y + rowHeight / 2 + 4,
          fit(stages.get(i), labelWidth - 12, CATEGORY),
          "category",
          "end");
      double w = plotWidth * now[i] / max;
      rect(
          svg,
          centre - w / 2,
          y + 4,
          w,
          rowHeight - 8,
          PALETTE.get(0),
          words.pair(stages.get(i), labels[i] + suffixes[i]),
          null);
      if (before[i] != null) {
        double wb = plotWidth * before[i] / max;
        rect(
            svg,
            centre - wb / 2,
            y + 3,
            wb,
            rowHeight - 6,
            "none",
            words.pair(words.list(List.of(beforeName, stages.get(i))), String.valueOf(before[i])),
            "class=\"previous\"");
      }
      metricText(
          svg,
          labelWidth + plotWidth + 8,
          y + rowHeight / 2 + 4,
          labels[i],
          suffixes[i],
          "start",
          metrics[i],
          now[i]);
    }
    svg.append("</g>");
    centred(svg, centre, top + rowHeight * stages.size() + 20, axisLabel, "axis-label", AXIS);
    return svg.append("</svg>").toString();
  }

  /**
   * Lines over ordered points (e.g. weeks): one polyline per series with a marker per point
   * carrying its tooltip; as many x labels are written as have room, the first and last always.
   */
  String lines(
      String id,
      String title,
      String xLabel,
      String yLabel,
      List<String> points,
      List<Series> series,
      DoubleFunction<String> tickFormat) {
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
    List<String> tickLabels = tickLabels(ticks, tickFormat);
    double left = leftMargin(tickLabels);
    double plotWidth = WIDTH - left - 24;
    List<String> names = series.stream().map(Series::name).toList();
    List<String> colours = series.stream().map(Series::colour).toList();
    double top = 50 + (wrappedLegend(null, left, 38, names, colours) - 1) * lineHeight(LEGEND);
    StringBuilder svg = open(id, title, top + plotHeight + 52);
    wrappedLegend(svg, left, 38, names, colours);
    leftTicks(svg, ticks, scaleMax, left, left + plotWidth, top, plotHeight, tickLabels);
    int n = points.size();
    double step = n > 1 ? plotWidth / (n - 1) : 0;
    boolean[] shown = thinned(points, step, TICK);
    for (int i = 0; i < n; i++) {
      if (shown[i]) {
        text(
            svg,
            left + i * step,
            top + plotHeight + 14,
            points.get(i),
            "tick",
            i == 0 ? "start" : i == n - 1 ? "end" : "middle");
      }
    }
    svg.append("<g class=\"lines\">");
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < n; i++) {
        double y = top + plotHeight - plotHeight * Math.max(0, s.values()[i]) / scaleMax;
        path.append(i == 0 ? "" : " ")
            .append(coordinate(left + i * step))
            .append(',')
            .append(coordinate(y));
      }
      svg.append("<polyline fill=\"none\" stroke=\"")
          .append(s.colour())
          .append("\" stroke-width=\"2\" points=\"")
          .append(path)
          .append("\"/>");
      for (int i = 0; i < n; i++) {
        double y = top + plotHeight - plotHeight * Math.max(0, s.values()[i]) / scaleMax;
        svg.append("<circle cx=\"")
            .append(coordinate(left + i * step))
            .append("\" cy=\"")
            .append(coordinate(y))
            .append("\" r=\"2.5\" fill=\"")
            .append(s.colour())
            .append('"');
        if (s.metrics() != null && s.metrics()[i] != null) {
          svg.append(" data-metric=\"")
              .append(escape(s.metrics()[i]))
              .append("\" data-value=\"")
              .append(s.values()[i])
              .append('"');
        }
        svg.append("><title>")
            .append(escape(words.pair(words.list(List.of(points.get(i), s.name())), s.labels()[i])))
            .append("</title></circle>");
      }
    }
    svg.append("</g>");
    line(svg, left, top + plotHeight, left + plotWidth, top + plotHeight, "axis");
    line(svg, left, top, left, top + plotHeight, "axis");
    centred(svg, left + plotWidth / 2, top + plotHeight + 36, xLabel, "axis-label", AXIS);
    verticalTitle(svg, top + plotHeight / 2, plotHeight, yLabel);
    return svg.append("</svg>").toString();
  }

  /**
   * One row of {@link #intervals}: the row's label and a note under it, the estimate with its
   * interval (NaN where there is none), the texts written right of the plot, the tooltip, the
   * data-metric key of the estimate (null for none), and whether the row is drawn muted (hollow and
   * grey: not to be trusted).
   */
  record Interval(
      String label,
      String note,
      double value,
      double low,
      double high,
      String valueText,
      String intervalText,
      String tooltip,
      String metric,
      boolean muted) {}

  private static final String MUTED = "#9aa5b1";

  /**
   * Estimates with their intervals, one row each: a point on a horizontal line from the interval's
   * low to its high end, over an axis that always spans zero, drawn as a vertical line. Labels sit
   * left of the plot, each estimate's text right of it, the ticks under it; every text is kept
   * inside the chart. {@code mutedName} is the legend's name for muted rows (null when there is
   * none).
   */
  String intervals(
      String id,
      String title,
      String axisLabel,
      String pointName,
      String intervalName,
      String mutedName,
      List<Interval> rows,
      DoubleFunction<String> tickFormat) {
    double labelWidth =
        Math.max(
            110,
            Math.min(
                WIDTH * 0.34,
                12
                    + rows.stream()
                        .mapToDouble(
                            r ->
                                Math.max(textWidth(r.label(), CATEGORY), textWidth(r.note(), TICK)))
                        .max()
                        .orElse(40)));
    double valueRoom =
        Math.max(
            110,
            Math.min(
                200,
                14
                    + rows.stream()
                        .mapToDouble(
                            r ->
                                Math.max(
                                    textWidth(r.valueText(), VALUE),
                                    textWidth(r.intervalText(), TICK)))
                        .max()
                        .orElse(40)));
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
    DoubleUnaryOperator x = v -> plotLeft + plotWidth * (v - from) / (to - from);
    StringBuilder svg = open(id, title, top + plotHeight + 48);

    // The legend: the point, the interval line and, where a row is muted, the hollow point.
    svg.append("<g class=\"legend\">");
    double at = 0;
    svg.append("<circle cx=\"")
        .append(coordinate(at + 6))
        .append("\" cy=\"34\" r=\"4.5\" fill=\"")
        .append(PALETTE.get(0))
        .append("\"/>");
    String point = fit(pointName, WIDTH / 3.0, LEGEND);
    text(svg, at + 17, 38, point, "legend-label", "start");
    at += 17 + textWidth(point, LEGEND) + 18;
    svg.append("<line x1=\"")
        .append(coordinate(at))
        .append("\" y1=\"34\" x2=\"")
        .append(coordinate(at + 20))
        .append("\" y2=\"34\" stroke=\"")
        .append(PALETTE.get(0))
        .append("\" stroke-width=\"2\"/>");
    String interval = fit(intervalName, WIDTH - at - 27, LEGEND);
    text(svg, at + 25, 38, interval, "legend-label", "start");
    at += 25 + textWidth(interval, LEGEND) + 18;
    if (mutedName != null && at < WIDTH - 60) {
      svg.append("<circle cx=\"")
          .append(coordinate(at + 6))
          .append("\" cy=\"34\" r=\"4.5\" fill=\"#fff\" stroke=\"")
          .append(MUTED)
          .append("\" stroke-width=\"1.5\"/>");
      text(svg, at + 17, 38, fit(mutedName, WIDTH - at - 19, LEGEND), "legend-label", "start");
    }
    svg.append("</g>");

    // Grid and ticks: a label on every tick that has room, zero always among them.
    List<Double> ticks = new ArrayList<>();
    for (long k = first; k <= last; k++) {
      ticks.add(k * step);
    }
    double widest =
        ticks.stream().mapToDouble(t -> textWidth(tickFormat.apply(t), TICK)).max().orElse(20);
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
        text(
            svg,
            tx,
            top + plotHeight + 14,
            tickFormat.apply(Math.abs(t) < step * 1e-9 ? 0 : t),
            "tick",
            "middle");
      }
    }
    svg.append("</g>");
    line(svg, plotLeft, top + plotHeight, plotLeft + plotWidth, top + plotHeight, "axis");
    line(svg, x.applyAsDouble(0.0), top - 4, x.applyAsDouble(0.0), top + plotHeight, "axis");
    centred(svg, plotLeft + plotWidth / 2, top + plotHeight + 34, axisLabel, "axis-label", AXIS);

    svg.append("<g class=\"intervals\">");
    for (int i = 0; i < rows.size(); i++) {
      Interval r = rows.get(i);
      double y = top + i * rowHeight + rowHeight / 2;
      String colour = r.muted() ? MUTED : PALETTE.get(0);
      // The label's box ends above the note's: ascent and descent of the fonts, not the font size,
      // part them.
      text(
          svg, labelWidth - 8, y - 4, fit(r.label(), labelWidth - 12, CATEGORY), "category", "end");
      text(svg, labelWidth - 8, y + 13, fit(r.note(), labelWidth - 12, TICK), "tick", "end");
      if (Double.isFinite(r.low()) && Double.isFinite(r.high())) {
        double x1 = x.applyAsDouble(r.low());
        double x2 = x.applyAsDouble(r.high());
        svg.append("<path d=\"M")
            .append(coordinate(x1))
            .append(' ')
            .append(coordinate(y - 5))
            .append("V")
            .append(coordinate(y + 5))
            .append("M")
            .append(coordinate(x1))
            .append(' ')
            .append(coordinate(y))
            .append("H")
            .append(coordinate(x2))
            .append("M")
            .append(coordinate(x2))
            .append(' ')
            .append(coordinate(y - 5))
            .append("V")
            .append(coordinate(y + 5))
            .append("\" fill=\"none\" stroke=\"")
            .append(colour)
            .append("\" stroke-width=\"2\"><title>")
            .append(escape(r.tooltip()))
            .append("</title></path>");
      }
      if (Double.isFinite(r.value())) {
        svg.append("<circle cx=\"")
            .append(coordinate(x.applyAsDouble(r.value())))
            .append("\" cy=\"")
            .append(coordinate(y))
            .append("\" r=\"5\" fill=\"")
            .append(r.muted() ? "#fff" : colour)
            .append("\" stroke=\"")
            .append(colour)
            .append("\" stroke-width=\"1.5\"><title>")
            .append(escape(r.tooltip()))
            .append("</title></circle>");
      } else {
        text(
            svg,
            x.applyAsDouble(0.0) + 6,
            y + 4,
            words.text("campaigns.no-estimate"),
            "tick",
            "start");
      }
      metricText(
          svg,
          WIDTH - valueRoom + 4,
          y - 4,
          fit(r.valueText(), valueRoom - 8, VALUE),
          "start",
          Double.isFinite(r.value()) ? r.metric() : null,
          r.value());
      text(
          svg,
          WIDTH - valueRoom + 4,
          y + 13,
          fit(r.intervalText(), valueRoom - 8, TICK),
          "tick",
          "start");
    }
    svg.append("</g>");
    return svg.append("</svg>").toString();
  }
}

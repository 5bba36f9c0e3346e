package io.segpipe.jobs.report;

import static io.segpipe.jobs.report.Markup.escape;

import io.segpipe.common.i18n.Messages;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.tables.Tables;
import io.segpipe.jobs.report.Charts.Series;
import io.segpipe.jobs.report.ReportData.AffinityRule;
import io.segpipe.jobs.report.ReportData.ChurnBin;
import io.segpipe.jobs.report.ReportData.ClusterPortrait;
import io.segpipe.jobs.report.ReportData.ClusterRuleText;
import io.segpipe.jobs.report.ReportData.DataQuality;
import io.segpipe.jobs.report.ReportData.GridCell;
import io.segpipe.jobs.report.ReportData.IngestRun;
import io.segpipe.jobs.report.ReportData.KScore;
import io.segpipe.jobs.report.ReportData.ModelQuality;
import io.segpipe.jobs.report.ReportData.ReasonCount;
import io.segpipe.jobs.report.ReportData.SegmentSize;
import io.segpipe.jobs.report.ReportData.Snapshot;
import io.segpipe.jobs.report.ReportData.StageCount;
import io.segpipe.jobs.report.ReportData.Transition;
import io.segpipe.jobs.report.ReportData.TransitionMatrix;
import io.segpipe.jobs.report.ReportData.TrendPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * The report as one self-contained HTML page: its style sheet inline, every chart inline SVG, no
 * script and nothing fetched. Every word comes from the locale's message file (keys under report.,
 * codes shown by their labels); numbers are written in the locale, money in the reporting currency.
 * Every figure shown from the data carries {@code data-metric} (a stable name made of codes) and
 * {@code data-value} (the exact value), so the page can be checked against the tables.
 */
final class ReportPage {
  private static final String STYLE_RESOURCE = "report/segment-report.css";

  /** The style sheet's font stack, and the fonts made for Simplified Chinese. */
  static final String LATIN_FONTS =
      "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial";

  static final String CJK_FONTS = "\"Noto Sans CJK SC\", \"PingFang SC\", \"Microsoft YaHei\"";
  private static final List<String> SECTIONS =
      List.of(
          "headline",
          "rfm",
          "grid",
          "lifecycle",
          "migration",
          "trends",
          "affinities",
          "clusters",
          "churn",
          "clv",
          "campaigns",
          "quality");
  private static final Map<String, String> RISK_COLOURS =
      Map.of("low", "#59a14f", "medium", "#edc948", "high", "#e15759");
  private static final Map<String, String> TIER_COLOURS =
      Map.of("high", "#4e79a7", "mid", "#76b7b2", "low", "#bab0ac");

  private final ReportData data;
  private final NumberFormats format;
  private final ReportWords words;
  private final Charts charts;
  private final int churnBins;
  private final StringBuilder html = new StringBuilder(64 * 1024);

  private ReportPage(ReportData data, NumberFormats format, ReportWords words, int churnBins) {
    this.data = data;
    this.format = format;
    this.words = words;
    this.charts = new Charts(words);
    this.churnBins = churnBins;
  }

  static String render(ReportData data, ReportSettings settings) {
    return render(data, settings, new ReportWords(settings.messages()));
  }

  /** The page in {@code words}' locale; {@code words} keeps the keys the page used. */
  static String render(ReportData data, ReportSettings settings, ReportWords words) {
    return new ReportPage(
            data,
            new NumberFormats(settings.locale(), data.currency()),
            words,
            settings.churnBins())
        .page();
  }

  private String page() {
    html.append("<!DOCTYPE html>\n<html lang=\"")
        .append(escape(words.tag()))
        .append("\">\n<head>\n")
        .append(
            "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
        .append("<title>")
        .append(escape(words.format("title", words.date(data.asOfDate()))))
        .append("</title>\n<style>\n")
        .append(style())
        .append("body { font-family: ")
        .append(fonts(words.tag()))
        .append("; }\n</style>\n</head>\n<body>\n");
    header();
    html.append("<main>\n");
    headline();
    rfmSegments();
    rfmGrid();
    lifecycle();
    migration();
    trends();
    affinities();
    clusters();
    churnAndModels();
    lifetimeValue();
    campaigns();
    dataQuality();
    html.append("</main>\n<footer><p>")
        .append(
            words.html(
                "footer",
                "<code>segpipe report --as-of " + escape(data.asOfDate()) + "</code>",
                "<code>" + escape(data.lakeRoot()) + "</code>"))
        .append("</p></footer>\n</body>\n</html>\n");
    return html.toString();
  }

  private static String style() {
    try (InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(STYLE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(STYLE_RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The page's fonts: for Chinese the CJK fonts first (Noto Sans CJK SC on Linux, PingFang SC on
   * macOS, Microsoft YaHei on Windows), so that Chinese is never drawn in a fallback; otherwise the
   * Latin fonts first with the CJK ones before the generic sans-serif, for Chinese text in the
   * data.
   */
  static String fonts(String tag) {
    return tag.startsWith("zh")
        ? CJK_FONTS + ", " + LATIN_FONTS + ", sans-serif"
        : LATIN_FONTS + ", " + CJK_FONTS + ", sans-serif";
  }

  private void header() {
    String asOf =
        "<strong data-metric=\"as_of_date\">" + escape(words.date(data.asOfDate())) + "</strong>";
    String money = escape(data.currency());
    String generated = escape(words.timestamp(data.generatedAt()));
    html.append("<header>\n<h1>")
        .append(escape(words.text("heading")))
        .append("</h1>\n<p class=\"subtitle\">");
    if (data.previousAsOfDate() != null) {
      html.append(
          words.html(
              "subtitle-compared",
              asOf,
              "<strong data-metric=\"previous_as_of_date\">"
                  + escape(words.date(data.previousAsOfDate()))
                  + "</strong>",
              money,
              generated));
    } else {
      html.append(words.html("subtitle-first", asOf, money, generated));
    }
    html.append("</p>\n<nav>");
    for (int i = 0; i < SECTIONS.size(); i++) {
      html.append(i == 0 ? "" : " ")
          .append("<a href=\"#")
          .append(SECTIONS.get(i))
          .append("\">")
          .append(escape(words.text("nav." + SECTIONS.get(i))))
          .append("</a>");
    }
    html.append("</nav>\n</header>\n");
  }

  /** Opens a section with its title and, where the message file has one, its intro. */
  private void section(String id, String title, String intro) {
    html.append("<section id=\"")
        .append(id)
        .append("\">\n<h2>")
        .append(escape(title))
        .append("</h2>\n");
    if (intro != null) {
      paragraph("intro", escape(intro));
    }
  }

  private void paragraph(String cssClass, String markup) {
    html.append("<p class=\"").append(cssClass).append("\">").append(markup).append("</p>\n");
  }

  private void figure(String svg) {
    html.append("<figure>").append(svg).append("</figure>\n");
  }

  /** A figure's text marked with its metric name and exact value. */
  private static String metricHtml(String name, double value, String text) {
    return "<span data-metric=\""
        + escape(name)
        + "\" data-value=\""
        + value
        + "\">"
        + escape(text)
        + "</span>";
  }

  private void metric(String name, double value, String text) {
    html.append(metricHtml(name, value, text));
  }

  private void headline() {
    section("headline", words.text("headline.title"), null);
    Snapshot now = data.headline().current();
    Snapshot before = data.headline().previous();
    html.append("<div class=\"cards\">\n");
    card(
        "customers",
        now.customers(),
        before == null ? null : (Double) (double) before.customers(),
        false);
    card(
        "active_customers",
        now.activeCustomers(),
        before == null ? null : (Double) (double) before.activeCustomers(),
        false);
    card(
        "purchasers",
        now.purchasers(),
        before == null ? null : (Double) (double) before.purchasers(),
        false);
    card("revenue", now.revenue(), before == null ? null : before.revenue(), true);
    card(
        "opted_in",
        now.optedIn(),
        before == null ? null : (Double) (double) before.optedIn(),
        false);
    html.append("</div>\n</section>\n");
  }

  /**
   * A headline card; its label and note are headline.&lt;key&gt; and headline.&lt;key&gt;-note (key
   * with dashes).
   */
  private void card(String key, double now, Double before, boolean money) {
    String label = "headline." + key.replace('_', '-');
    html.append("<div class=\"card\"><div class=\"label\">")
        .append(escape(words.text(label)))
        .append("</div><div class=\"big\">");
    metric("headline." + key, now, money ? format.moneyWhole(now) : format.count((long) now));
    html.append("</div><div class=\"change\">");
    if (before == null) {
      html.append(escape(words.text("headline.no-previous")));
    } else {
      double change = now - before;
      String figure =
          metricHtml(
              "headline." + key + ".change",
              change,
              money ? format.signedMoney(change) : format.signedCount((long) change));
      html.append(
          words.html(
              "headline.since",
              "<span class=\""
                  + (change > 0 ? "up" : change < 0 ? "down" : "flat")
                  + "\">"
                  + words.html(
                      "format.parenthesis", figure, escape(format.relativeChange(now, before)))
                  + "</span>",
              escape(words.date(data.previousAsOfDate()))));
    }
    html.append("</div><div class=\"note\">")
        .append(escape(words.text(label + "-note")))
        .append("</div></div>\n");
  }

  private void rfmSegments() {
    section("rfm", words.text("rfm.title"), words.text("rfm.intro"));
    List<SegmentSize> segments = data.rfmSegments();
    List<String> names = segments.stream().map(SegmentSize::name).toList();
    figure(
        charts.horizontalBars(
            "chart-rfm-segments",
            words.text("rfm.chart-title"),
            words.text("rfm.axis"),
            names,
            List.of(
                series(
                    words.text("rfm.customers"),
                    Charts.PALETTE.get(0),
                    segments,
                    SegmentSize::share,
                    s -> words.parenthesis(format.percent(s.share()), format.count(s.customers())),
                    s -> "rfm.share|" + s.segment()),
                series(
                    words.text("rfm.revenue"),
                    Charts.PALETTE.get(1),
                    segments,
                    SegmentSize::revenueShare,
                    s -> format.percent(s.revenueShare()),
                    s -> "rfm.revenue_share|" + s.segment())),
            t -> format.percent(t),
            Double.NaN));
    html.append("<table class=\"segments\"><thead><tr>");
    columnHeader("rfm.segment", false);
    columnHeader("rfm.meaning", false);
    columnHeader("rfm.action", false);
    columnHeader("rfm.customers", true);
    columnHeader("rfm.share", true);
    columnHeader("rfm.revenue-share", true);
    columnHeader("rfm.mean-spend", true);
    html.append("</tr></thead><tbody>\n");
    for (SegmentSize s : segments) {
      html.append("<tr><th scope=\"row\">")
          .append(escape(s.name()))
          .append("</th><td>")
          .append(escape(s.description() == null ? words.text("rfm.not-in-map") : s.description()))
          .append("</td><td>")
          .append(escape(s.action()))
          .append("</td><td class=\"num\">");
      metric("rfm.customers|" + s.segment(), s.customers(), format.count(s.customers()));
      html.append("</td><td class=\"num\">")
          .append(escape(format.percent(s.share())))
          .append("</td><td class=\"num\">")
          .append(escape(format.percent(s.revenueShare())))
          .append("</td><td class=\"num\">")
          .append(
              escape(s.customers() == 0 ? NumberFormats.MISSING : format.money(s.monetaryMean())))
          .append("</td></tr>\n");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  /** A table's column header, right-aligned for numbers. */
  private void columnHeader(String key, boolean number) {
    html.append(number ? "<th class=\"num\">" : "<th>")
        .append(escape(words.text(key)))
        .append("</th>");
  }

  private static <T> Series series(
      String name,
      String colour,
      List<T> items,
      ToDoubleFunction<T> value,
      Function<T, String> label,
      Function<T, String> metric) {
    return new Series(
        name,
        colour,
        items.stream().mapToDouble(value).toArray(),
        items.stream().map(label).toArray(String[]::new),
        metric == null ? null : items.stream().map(metric).toArray(String[]::new));
  }

  private void rfmGrid() {
    section("grid", words.text("grid.title"), words.text("grid.intro"));
    List<String> rows = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      rows.add(words.format("grid.row", 6 - i));
      columns.add(words.format("grid.column", i));
    }
    double[][] shadeOf = new double[5][5];
    String[][] text = new String[5][5];
    String[][] tips = new String[5][5];
    String[][] metrics = new String[5][5];
    double[][] values = new double[5][5];
    double low = data.rfmGrid().stream().mapToDouble(GridCell::monetaryMean).min().orElse(0);
    double high = data.rfmGrid().stream().mapToDouble(GridCell::monetaryMean).max().orElse(1);
    for (double[] row : shadeOf) {
      Arrays.fill(row, Double.NaN);
    }
    for (GridCell c : data.rfmGrid()) {
      if (c.r() < 1 || c.r() > 5 || c.f() < 1 || c.f() > 5) {
        continue;
      }
      int r = 5 - c.r();
      int f = c.f() - 1;
      shadeOf[r][f] = high > low ? (c.monetaryMean() - low) / (high - low) : 0.5;
      text[r][f] = format.count(c.customers());
      tips[r][f] =
          words.format(
              "grid.cell",
              c.r(),
              c.f(),
              format.count(c.customers()),
              format.money(c.monetaryMean()));
      metrics[r][f] = "grid.customers|" + c.r() + "|" + c.f();
      values[r][f] = c.customers();
    }
    for (int r = 0; r < 5; r++) {
      for (int f = 0; f < 5; f++) {
        if (tips[r][f] == null) {
          tips[r][f] = words.format("grid.empty", rows.get(r), columns.get(f));
        }
      }
    }
    figure(
        charts.heatMap(
            "chart-rfm-grid",
            words.text("grid.chart-title"),
            words.text("grid.rows"),
            words.text("grid.columns"),
            rows,
            columns,
            shadeOf,
            text,
            tips,
            metrics,
            values,
            words.text("grid.legend"),
            format.moneyWhole(low),
            format.moneyWhole(high)));
    html.append("</section>\n");
  }

  private void lifecycle() {
    section("lifecycle", words.text("lifecycle.title"), words.text("lifecycle.intro"));
    List<StageCount> stages = data.lifecycle();
    figure(
        charts.funnel(
            "chart-lifecycle",
            words.text("lifecycle.chart-title"),
            words.text("lifecycle.axis"),
            stages.stream().map(s -> words.label("lifecycle_stage", s.stage())).toList(),
            stages.stream().mapToLong(StageCount::customers).toArray(),
            stages.stream().map(StageCount::previousCustomers).toArray(Long[]::new),
            stages.stream().map(s -> format.count(s.customers())).toArray(String[]::new),
            stages.stream()
                .map(s -> words.parenthesis("", format.percent(s.share())))
                .toArray(String[]::new),
            stages.stream().map(s -> "lifecycle.customers|" + s.stage()).toArray(String[]::new),
            words.format("lifecycle.as-of", words.date(data.asOfDate())),
            data.previousAsOfDate() == null
                ? ""
                : words.format("lifecycle.as-of", words.date(data.previousAsOfDate()))));
    html.append("</section>\n");
  }

  private void migration() {
    section("migration", words.text("migration.title"), words.text("migration.intro"));
    if (data.transitions().isEmpty()) {
      paragraph("empty", escape(words.text("migration.none")));
    }
    for (TransitionMatrix m : data.transitions()) {
      List<String> rows =
          m.fromSegments().stream().map(s -> words.segment(m.segmentation(), s)).toList();
      List<String> columns =
          m.toSegments().stream().map(s -> words.segment(m.segmentation(), s)).toList();
      double[][] shadeOf = new double[rows.size()][columns.size()];
      String[][] text = new String[rows.size()][columns.size()];
      String[][] tips = new String[rows.size()][columns.size()];
      String[][] metrics = new String[rows.size()][columns.size()];
      double[][] values = new double[rows.size()][columns.size()];
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < columns.size(); c++) {
          shadeOf[r][c] = Double.NaN;
          tips[r][c] = words.format("migration.empty", rows.get(r), columns.get(c));
        }
      }
      for (Transition t : m.cells()) {
        int r = m.fromSegments().indexOf(t.from());
        int c = m.toSegments().indexOf(t.to());
        shadeOf[r][c] = t.shareOfFrom();
        text[r][c] = format.count(t.customers());
        tips[r][c] =
            words.format(
                "migration.cell",
                rows.get(r),
                columns.get(c),
                format.count(t.customers()),
                format.percent(t.shareOfFrom()));
        metrics[r][c] = "transition.customers|" + m.segmentation() + "|" + t.from() + "|" + t.to();
        values[r][c] = t.customers();
      }
      String previous = m.previousAsOfDate() == null ? null : words.date(m.previousAsOfDate());
      String now = words.date(data.asOfDate());
      figure(
          charts.heatMap(
              "chart-migration-" + Markup.slug(m.segmentation()),
              words.format(
                  "migration.chart-title",
                  words.named("segmentation", m.segmentation()),
                  previous == null ? words.text("migration.previous") : previous,
                  now),
              previous == null
                  ? words.text("migration.before-unknown")
                  : words.format("migration.before", previous),
              words.format("migration.now", now),
              rows,
              columns,
              shadeOf,
              text,
              tips,
              metrics,
              values,
              words.text("migration.legend"),
              format.percent(0),
              format.percent(1)));
    }
    html.append("</section>\n");
  }

  /**
   * Per configured segmentation: each segment's share of customers over the snapshots (from the
   * second snapshot on) and the net revenue of today's members month by month, from segment_trends.
   */
  private void trends() {
    section("trends", words.text("trends.title"), words.text("trends.intro"));
    if (data.trends().isEmpty()) {
      paragraph("empty", escape(words.text("trends.none")));
    }
    Map<String, List<TrendPoint>> bySegmentation = new LinkedHashMap<>();
    data.trends()
        .forEach(
            p -> bySegmentation.computeIfAbsent(p.segmentation(), k -> new ArrayList<>()).add(p));
    bySegmentation.forEach(
        (segmentation, points) -> {
          String name = words.named("segmentation", segmentation);
          html.append("<h3>").append(escape(name)).append("</h3>\n");
          List<TrendPoint> snapshots =
              points.stream().filter(p -> p.periodType().equals(Tables.TREND_SNAPSHOT)).toList();
          if (snapshots.stream().map(TrendPoint::periodStart).distinct().count() < 2) {
            paragraph("empty", escape(words.text("trends.one-snapshot")));
          } else {
            figure(
                charts.lines(
                    "chart-trend-share-" + Markup.slug(segmentation),
                    words.format("trends.share-title", name),
                    words.text("trends.snapshot-axis"),
                    words.text("trends.share-axis"),
                    trendPeriods(snapshots).stream().map(words::shortDate).toList(),
                    trendSeries(
                        segmentation,
                        snapshots,
                        "share",
                        TrendPoint::share,
                        p -> format.percent(p.share())),
                    format::percent));
          }
          List<TrendPoint> months =
              points.stream().filter(p -> p.periodType().equals(Tables.TREND_MONTH)).toList();
          if (!months.isEmpty()) {
            figure(
                charts.lines(
                    "chart-trend-revenue-" + Markup.slug(segmentation),
                    words.format("trends.revenue-title", name),
                    words.text("trends.month-axis"),
                    words.text("trends.revenue-axis"),
                    trendPeriods(months).stream().map(words::month).toList(),
                    trendSeries(
                        segmentation,
                        months,
                        "revenue",
                        p -> p.revenue() == null ? 0 : p.revenue(),
                        p -> format.moneyWhole(p.revenue() == null ? 0 : p.revenue())),
                    format::moneyWhole));
          }
        });
    html.append("</section>\n");
  }

  /**
   * Each segment's strongest association rules from segment_affinities, in words: "Customers who
   * buy home also buy garden: 1.8× as likely (41.0% of their orders with home)".
   */
  private void affinities() {
    section("affinities", words.text("affinities.title"), words.text("affinities.intro"));
    if (data.affinities().isEmpty()) {
      paragraph("empty", escape(words.text("affinities.none")));
      html.append("</section>\n");
      return;
    }
    AffinityRule first = data.affinities().get(0);
    String segmentation =
        "cluster_label".equals(first.segmentation()) ? "cluster" : first.segmentation();
    html.append("<h3>")
        .append(escape(words.named("segmentation", segmentation)))
        .append(escape(words.text("format.sentence-gap")))
        .append("<span class=\"muted\">")
        .append(escape(words.text("affinities.level." + first.itemLevel())))
        .append("</span></h3>\n");
    Map<String, List<AffinityRule>> bySegment = new LinkedHashMap<>();
    data.affinities()
        .forEach(r -> bySegment.computeIfAbsent(r.segment(), k -> new ArrayList<>()).add(r));
    bySegment.forEach(
        (segment, rules) -> {
          html.append("<h4>")
              .append(escape(words.segment(segmentation, segment)))
              .append(escape(words.text("format.sentence-gap")))
              .append("<span class=\"muted\">")
              .append(
                  words.html(
                      "affinities.baskets",
                      metricHtml(
                          "affinity.baskets|" + segment,
                          rules.get(0).baskets(),
                          format.count(rules.get(0).baskets()))))
              .append("</span></h4><ul class=\"rules\">");
          for (AffinityRule r : rules) {
            String key = "affinity|" + segment + "|" + r.rank();
            String antecedent = escape(words.list(r.antecedent()));
            html.append("<li>")
                .append(
                    words.html(
                        "affinities.rule",
                        antecedent,
                        escape(r.consequent()),
                        metricHtml(key + "|lift", r.lift(), format.decimal(r.lift(), 1)),
                        metricHtml(
                            key + "|confidence", r.confidence(), format.percent(r.confidence()))))
                .append("</li>");
          }
          html.append("</ul>\n");
        });
    html.append("</section>\n");
  }

  private static List<String> trendPeriods(List<TrendPoint> points) {
    return points.stream().map(TrendPoint::periodStart).distinct().sorted().toList();
  }

  /**
   * One line per segment (in the order the points come in) over the points' periods; a segment
   * without a point in a period had no customers then and is drawn at 0, without a data-metric.
   */
  private List<Series> trendSeries(
      String segmentation,
      List<TrendPoint> points,
      String metric,
      ToDoubleFunction<TrendPoint> value,
      Function<TrendPoint, String> text) {
    List<String> periods = trendPeriods(points);
    List<String> segments = points.stream().map(TrendPoint::segment).distinct().toList();
    Map<String, TrendPoint> byKey = new LinkedHashMap<>();
    points.forEach(p -> byKey.put(p.segment() + "|" + p.periodStart(), p));
    List<Series> series = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      double[] values = new double[periods.size()];
      String[] labels = new String[periods.size()];
      String[] metrics = new String[periods.size()];
      for (int j = 0; j < periods.size(); j++) {
        String period = periods.get(j);
        TrendPoint point = byKey.get(segment + "|" + period);
        values[j] = point == null ? 0 : value.applyAsDouble(point);
        labels[j] = point == null ? format.count(0) : text.apply(point);
        metrics[j] =
            point == null
                ? null
                : "trend." + metric + "|" + segmentation + "|" + segment + "|" + period;
      }
      series.add(
          new Series(
              words.segment(segmentation, segment),
              Charts.PALETTE.get(i % Charts.PALETTE.size()),
              values,
              labels,
              metrics));
    }
    return series;
  }

  private void clusters() {
    section("clusters", words.text("clusters.title"), words.text("clusters.intro"));
    if (data.clusters().isEmpty()) {
      paragraph("empty", escape(words.text("clusters.none")));
    }
    Map<String, Double> population = data.population().means();
    for (ClusterPortrait c : data.clusters()) {
      String slug = Markup.slug(c.segment());
      String name = words.cluster(c.segment());
      html.append("<article class=\"cluster\">\n<h3>")
          .append(escape(name))
          .append("</h3>\n<p class=\"facts\">");
      html.append(
          words.html(
              "clusters.facts",
              metricHtml(
                  "cluster.customers|" + c.segment(), c.customers(), format.count(c.customers())),
              escape(format.percent(c.share())),
              escape(format.percent(c.revenueShare())),
              escape(format.percent(c.churnProbabilityMean()))));
      if (!c.topCategories().isEmpty()) {
        html.append(
            escape(
                words.sentences(
                    "", words.format("clusters.top-categories", words.list(c.topCategories())))));
      }
      html.append("</p>\n<div class=\"pair\">");
      List<String> features =
          ReportFigures.PORTRAIT_MEANS.stream()
              .filter(f -> Double.isFinite(c.means().get(f)))
              .toList();
      double[] index =
          features.stream()
              .mapToDouble(
                  f -> {
                    double base = population.getOrDefault(f, Double.NaN);
                    return base > 0 && Double.isFinite(base)
                        ? 100 * c.means().get(f) / base
                        : Double.NaN;
                  })
              .toArray();
      String[] labels =
          features.stream()
              .map(
                  f ->
                      words.format(
                          "clusters.versus",
                          meanText(f, c.means().get(f)),
                          meanText(f, population.get(f))))
              .toArray(String[]::new);
      String[] metrics =
          features.stream()
              .map(f -> "cluster.index|" + c.segment() + "|" + f)
              .toArray(String[]::new);
      figure(
          charts.horizontalBars(
              "chart-cluster-" + slug + "-profile",
              words.text("clusters.profile-title"),
              words.text("clusters.profile-axis"),
              features.stream().map(f -> words.named("mean", f)).toList(),
              List.of(new Series(name, Charts.PALETTE.get(0), index, labels, metrics)),
              t -> format.decimal(t, 0),
              100));
      Set<String> channels = new LinkedHashSet<>(c.channelMix().keySet());
      channels.addAll(data.population().channelMix().keySet());
      List<String> channelList = new ArrayList<>(channels);
      Map<String, Double> everyone = data.population().channelMix();
      figure(
          charts.horizontalBars(
              "chart-cluster-" + slug + "-channels",
              words.text("clusters.channels-title"),
              words.text("clusters.channels-axis"),
              channelList.stream().map(ch -> words.label("channel", ch)).toList(),
              List.of(
                  series(
                      name,
                      Charts.PALETTE.get(0),
                      channelList,
                      ch -> c.channelMix().getOrDefault(ch, 0.0),
                      ch -> format.percent(c.channelMix().getOrDefault(ch, 0.0)),
                      null),
                  series(
                      words.text("clusters.everyone"),
                      Charts.PALETTE.get(9),
                      channelList,
                      ch -> everyone.getOrDefault(ch, 0.0),
                      ch -> format.percent(everyone.getOrDefault(ch, 0.0)),
                      null)),
              t -> format.percent(t),
              Double.NaN));
      html.append("</div>\n");
      demographics(c);
      rules(c);
      html.append("</article>\n");
    }
    html.append("</section>\n");
  }

  private String meanText(String feature, Double value) {
    if (value == null) {
      return NumberFormats.MISSING;
    }
    return switch (feature) {
      case "monetary_mean", "avg_order_value" -> format.money(value);
      case "churn_probability_mean",
          "coupon_order_share_mean",
          "evening_order_share_mean",
          "weekend_order_share_mean",
          "discount_spend_share_mean" ->
          format.percent(value);
      case "view_to_purchase_mean" -> format.decimal(value, 2);
      default -> format.decimal(value, 1);
    };
  }

  private void demographics(ClusterPortrait c) {
    boolean any = c.demographics().values().stream().anyMatch(m -> !m.isEmpty());
    if (!any) {
      paragraph("empty", escape(words.text("clusters.no-demographics")));
      return;
    }
    html.append("<div class=\"demographics\">");
    c.demographics()
        .forEach(
            (dimension, shares) -> {
              if (shares.isEmpty()) {
                return;
              }
              html.append("<div class=\"dimension\"><h4>")
                  .append(escape(words.named("demographic", dimension)))
                  .append("</h4><ul class=\"shares\">");
              shares.entrySet().stream()
                  .limit(6)
                  .forEach(
                      e ->
                          html.append("<li><span class=\"name\">")
                              .append(escape(e.getKey()))
                              .append(
                                  "</span><span class=\"track\"><span class=\"fill\" style=\"width:")
                              .append(
                                  Markup.coordinate(Math.max(0, Math.min(1, e.getValue())) * 100))
                              .append("%\"></span></span><span class=\"num\">")
                              .append(escape(format.percent(e.getValue())))
                              .append("</span></li>"));
              if (shares.size() > 6) {
                html.append("<li class=\"more\">")
                    .append(escape(words.format("clusters.more", shares.size() - 6)))
                    .append("</li>");
              }
              html.append("</ul></div>");
            });
    html.append("</div>\n");
  }

  private void rules(ClusterPortrait c) {
    List<ClusterRuleText> mine =
        data.rules().stream().filter(r -> c.segment().equals(r.clusterLabel())).toList();
    if (mine.isEmpty()) {
      return;
    }
    html.append("<h4>")
        .append(escape(words.text("clusters.rules")))
        .append("</h4><ul class=\"rules\">");
    for (ClusterRuleText r : mine) {
      html.append("<li title=\"")
          .append(escape(r.ruleText()))
          .append("\">")
          .append(escape(plainWords(r.ruleText(), words)))
          .append(escape(words.text("format.sentence-gap")))
          .append("<span class=\"muted\">")
          .append(
              words.html(
                  "clusters.rule-customers",
                  metricHtml(
                      "rule.customers|" + r.ruleId(), r.customers(), format.count(r.customers()))))
          .append("</span></li>");
    }
    html.append("</ul>\n");
  }

  /**
   * A rule as a sentence: "recency_days ≤ 104 and frequency ≥ 7 → cluster 1, label" becomes
   * "Customers whose days since the last order ≤ 104 and orders ≥ 7" (the cluster is the section's
   * own). The rule's conditions are parted by " and " or, for a rule the segment job wrote in the
   * locale, by its cluster.rule.and.
   */
  static String plainWords(String ruleText, ReportWords words) {
    String conditions =
        ruleText.contains(" → ") ? ruleText.substring(0, ruleText.indexOf(" → ")) : ruleText;
    Messages messages = words.messages();
    if (conditions.isBlank()
        || conditions.equals("every customer")
        || messages.has("cluster.rule.everyone")
            && conditions.equals(messages.text("cluster.rule.everyone"))) {
      return words.text("rule.all");
    }
    String and =
        Pattern.quote(" and ")
            + (messages.has("cluster.rule.and")
                ? "|" + Pattern.quote(messages.text("cluster.rule.and"))
                : "");
    List<String> parts = new ArrayList<>();
    for (String condition : conditions.split(and)) {
      String c = condition.trim();
      int space = c.indexOf(' ');
      String feature = space < 0 ? c : c.substring(0, space);
      String name = feature.matches("[a-z][a-z0-9_]*") ? words.named("feature", feature) : feature;
      parts.add(name.replace('_', ' ') + (space < 0 ? "" : c.substring(space)));
    }
    return words.format("rule.whose", String.join(words.text("rule.and"), parts));
  }

  /** A churn risk band's label; "unknown" for customers without one. */
  private String riskName(String band) {
    return "unknown".equals(band) ? words.text("churn.unknown") : words.label("churn_risk", band);
  }

  private void churnAndModels() {
    section("churn", words.text("churn.title"), words.text("churn.intro"));
    ReportData.ChurnRisk churn = data.churn();
    if (!churn.bins().isEmpty()) {
      int count = churnBins;
      double width = 1.0 / count;
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        labels.add(format.decimal(i * width, 1) + "–" + format.decimal((i + 1) * width, 1));
      }
      List<String> bands = new ArrayList<>(churn.bands().keySet());
      List<Series> stacks = new ArrayList<>();
      for (String band : bands) {
        double[] values = new double[count];
        for (ChurnBin b : churn.bins()) {
          if (b.risk().equals(band)) {
            values[(int) Math.round(b.from() / width)] += b.customers();
          }
        }
        String[] text =
            Arrays.stream(values).mapToObj(v -> format.count((long) v)).toArray(String[]::new);
        stacks.add(
            new Series(
                riskName(band),
                RISK_COLOURS.getOrDefault(band, Charts.PALETTE.get(9)),
                values,
                text,
                null));
      }
      figure(
          charts.stackedColumns(
              "chart-churn",
              words.text("churn.chart-title"),
              words.text("churn.axis"),
              words.text("churn.customers"),
              labels,
              stacks,
              t -> format.count(Math.round(t))));
    } else {
      paragraph("empty", escape(words.text("churn.none")));
    }
    html.append("<div class=\"cards\">");
    for (Map.Entry<String, Long> band : churn.bands().entrySet()) {
      html.append("<div class=\"card\"><div class=\"label\">")
          .append(escape(riskName(band.getKey())))
          .append("</div><div class=\"big\">");
      metric("churn.band|" + band.getKey(), band.getValue(), format.count(band.getValue()));
      html.append("</div><div class=\"note\">")
          .append(
              escape(
                  words.format(
                      "churn.share-scored",
                      format.percent(
                          churn.scored() == 0
                              ? Double.NaN
                              : (double) band.getValue() / churn.scored()))))
          .append("</div></div>");
    }
    html.append("</div>\n");
    models(data.models());
    html.append("</section>\n");
  }

  private void models(ModelQuality m) {
    html.append("<h3>").append(escape(words.text("models.heading"))).append("</h3>\n");
    if (!m.kSearch().isEmpty()) {
      List<KScore> search = m.kSearch();
      figure(
          charts.horizontalBars(
              "chart-silhouette",
              words.text("models.silhouette-title"),
              words.text("models.silhouette"),
              search.stream()
                  .map(
                      s ->
                          words.format(
                              m.chosenK() != null && s.k() == m.chosenK()
                                  ? "models.k-chosen"
                                  : "models.k",
                              s.k()))
                  .toList(),
              List.of(
                  series(
                      words.text("models.silhouette"),
                      Charts.PALETTE.get(0),
                      search,
                      KScore::silhouette,
                      s -> format.decimal(s.silhouette(), 3),
                      s -> "model.silhouette|k" + s.k())),
              t -> format.decimal(t, 2),
              Double.NaN));
    }
    html.append("<table class=\"metrics\"><tbody>");
    row("models.clusters-version", m.clustersVersion(), null, Double.NaN);
    row(
        "models.chosen-k",
        m.chosenK() == null ? NumberFormats.MISSING : format.count(m.chosenK()),
        "model.k",
        m.chosenK() == null ? Double.NaN : m.chosenK());
    row(
        "models.chosen-silhouette",
        format.decimal(m.silhouette(), 3),
        "model.silhouette",
        value(m.silhouette()));
    row(
        "models.rules-fidelity",
        m.rulesFidelity() == null ? NumberFormats.MISSING : format.percent(m.rulesFidelity()),
        "model.rules_fidelity",
        value(m.rulesFidelity()));
    row("models.churn-version", m.churnVersion(), null, Double.NaN);
    row(
        "models.churn-auc",
        format.decimal(m.churnAuc(), 3),
        "model.churn_auc",
        value(m.churnAuc()));
    row(
        "models.churn-precision",
        format.decimal(m.churnPrecision(), 3),
        "model.churn_precision",
        value(m.churnPrecision()));
    row(
        "models.churn-recall",
        format.decimal(m.churnRecall(), 3),
        "model.churn_recall",
        value(m.churnRecall()));
    row(
        "models.churn-rate",
        m.churnRate() == null ? NumberFormats.MISSING : format.percent(m.churnRate()),
        null,
        Double.NaN);
    row(
        "models.held-out",
        m.churnTestRows() == null ? NumberFormats.MISSING : format.count(m.churnTestRows()),
        null,
        Double.NaN);
    html.append("</tbody></table>\n");
    if (m.churnModels() != null) {
      churnCandidates(m.churnModels());
    }
  }

  private String candidateName(String code) {
    return words.named("candidates.name", code);
  }

  /**
   * Which churn model scores the customers and why, the candidates side by side, gains and
   * reliability.
   */
  private void churnCandidates(ReportData.ChurnComparison c) {
    html.append("<h3>").append(escape(words.text("candidates.heading"))).append("</h3>\n");
    List<ReportData.ChurnCandidate> all = c.candidates();
    ReportData.ChurnCandidate chosen =
        all.stream().filter(x -> x.name().equals(c.chosen())).findFirst().orElse(null);
    List<String> why = new ArrayList<>();
    why.add(words.format("candidates.scored-by", candidateName(c.chosen())));
    if (chosen != null) {
      List<String> others =
          all.stream()
              .filter(x -> x != chosen)
              .map(x -> candidateName(x.name()) + " " + format.decimal(x.validationAuc(), 3))
              .toList();
      String auc = format.decimal(chosen.validationAuc(), 3);
      why.add(
          others.isEmpty()
              ? words.format("candidates.ranked", auc)
              : words.format("candidates.ranked-others", auc, words.list(others)));
    }
    why.add(
        words.format(
            "candidates.calibrated",
            format.decimal(c.ece() * 100, 1),
            format.decimal(c.uncalibratedEce() * 100, 1)));
    paragraph("intro", escape(words.sentences(why.toArray(String[]::new))));
    html.append("<table class=\"metrics\"><thead><tr>");
    for (String key :
        List.of("candidate", "auc-validation", "auc-test", "log-loss", "brier", "lift")) {
      html.append("<th scope=\"col\">")
          .append(escape(words.text("candidates." + key)))
          .append("</th>");
    }
    html.append("</tr></thead><tbody>");
    for (ReportData.ChurnCandidate x : all) {
      html.append("<tr><th scope=\"row\">")
          .append(
              escape(
                  x.name().equals(c.chosen())
                      ? words.format("candidates.chosen", candidateName(x.name()))
                      : candidateName(x.name())))
          .append("</th>");
      cell(
          "churn.candidate|" + x.name() + "|validation_auc",
          x.validationAuc(),
          format.decimal(x.validationAuc(), 3));
      cell("churn.candidate|" + x.name() + "|auc", x.auc(), format.decimal(x.auc(), 3));
      cell(
          "churn.candidate|" + x.name() + "|log_loss", x.logLoss(), format.decimal(x.logLoss(), 3));
      cell("churn.candidate|" + x.name() + "|brier", x.brier(), format.decimal(x.brier(), 3));
      cell(
          "churn.candidate|" + x.name() + "|lift_top_decile",
          x.liftTopDecile(),
          format.decimal(x.liftTopDecile(), 2));
      html.append("</tr>");
    }
    html.append("</tbody></table>\n");
    List<String> contacted = new ArrayList<>();
    for (int k = 0; k <= 10; k++) {
      contacted.add(words.format("format.percent-label", k * 10));
    }
    List<Series> gains = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      ReportData.ChurnCandidate x = all.get(i);
      String[] text = new String[11];
      String[] metrics = new String[11];
      for (int k = 0; k <= 10; k++) {
        text[k] = format.percent(x.gains()[k]);
        metrics[k] = k == 0 ? null : "churn.gains|" + x.name() + "|" + k * 10;
      }
      gains.add(
          new Series(candidateName(x.name()), Charts.PALETTE.get(i), x.gains(), text, metrics));
    }
    double[] random = new double[11];
    String[] randomText = new String[11];
    for (int k = 0; k <= 10; k++) {
      random[k] = k / 10.0;
      randomText[k] = format.percent(random[k]);
    }
    gains.add(
        new Series(
            words.text("candidates.random"), Charts.PALETTE.get(9), random, randomText, null));
    paragraph("intro", escape(words.text("candidates.gains-intro")));
    figure(
        charts.lines(
            "chart-churn-gains",
            words.text("candidates.gains-title"),
            words.text("candidates.contacted"),
            words.text("candidates.reached"),
            contacted,
            gains,
            t -> format.percent(t)));
    List<ReportData.ReliabilityBin> bins = c.reliability();
    paragraph("intro", escape(words.text("candidates.reliability-intro")));
    figure(
        charts.lines(
            "chart-churn-reliability",
            words.text("candidates.reliability-title"),
            words.text("candidates.tenth"),
            words.text("candidates.churn-rate"),
            bins.stream().map(b -> String.valueOf(b.bin())).toList(),
            List.of(
                series(
                    words.text("candidates.predicted"),
                    Charts.PALETTE.get(1),
                    bins,
                    ReportData.ReliabilityBin::predicted,
                    b ->
                        words.format(
                            "candidates.of",
                            format.percent(b.predicted()),
                            format.count(b.customers())),
                    b -> "churn.reliability_predicted|" + b.bin()),
                series(
                    words.text("candidates.observed"),
                    Charts.PALETTE.get(0),
                    bins,
                    ReportData.ReliabilityBin::observed,
                    b ->
                        words.format(
                            "candidates.of",
                            format.percent(b.observed()),
                            format.count(b.customers())),
                    b -> "churn.reliability_observed|" + b.bin())),
            t -> format.percent(t)));
    c.importances()
        .forEach(
            (name, byFeature) -> {
              List<Map.Entry<String, Double>> top =
                  byFeature.entrySet().stream()
                      .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                      .toList();
              figure(
                  charts.horizontalBars(
                      "chart-churn-importance-" + name,
                      words.format(
                          "candidates.importance-title",
                          candidateName(name).toLowerCase(words.messages().locale())),
                      words.text("candidates.importance-axis"),
                      top.stream().map(e -> words.named("feature", e.getKey())).toList(),
                      List.of(
                          series(
                              words.text("candidates.importance"),
                              Charts.PALETTE.get(0),
                              top,
                              Map.Entry::getValue,
                              e -> format.percent(e.getValue()),
                              e -> "churn.importance|" + name + "|" + e.getKey())),
                      t -> format.percent(t),
                      Double.NaN));
            });
  }

  private void cell(String metric, double value, String text) {
    html.append("<td class=\"num\">");
    if (Double.isFinite(value)) {
      metric(metric, value, text);
    } else {
      html.append(escape(NumberFormats.MISSING));
    }
    html.append("</td>");
  }

  private static double value(Double d) {
    return d == null ? Double.NaN : d;
  }

  /**
   * A row of a metrics table: the label (the text of {@code key}) and the value, marked where it is
   * a figure.
   */
  private void row(String key, String text, String metric, double value) {
    rowLabelled(words.text(key), text, metric, value);
  }

  private void rowLabelled(String label, String text, String metric, double value) {
    html.append("<tr><th scope=\"row\">").append(escape(label)).append("</th><td class=\"num\">");
    if (metric != null && Double.isFinite(value)) {
      metric(metric, value, text);
    } else {
      html.append(escape(text == null ? NumberFormats.MISSING : text));
    }
    html.append("</td></tr>");
  }

  private void lifetimeValue() {
    ReportData.LifetimeValue v = data.clv();
    section(
        "clv",
        words.text("clv.title"),
        words.format(
            "clv.intro",
            v == null
                ? words.text("clv.horizon")
                : words.format("clv.days", format.count(v.horizonDays()))));
    if (v == null) {
      paragraph(
          "empty",
          words.html(
              "clv.none", "<code>segpipe clv --as-of " + escape(data.asOfDate()) + "</code>"));
      html.append("</section>\n");
      return;
    }
    html.append("<div class=\"cards\">");
    clvCard(
        words.text("clv.total"),
        "clv.total",
        v.total(),
        format.moneyWhole(v.total()),
        words.format("clv.total-note", format.count(v.customers())));
    clvCard(
        words.text("clv.mean"),
        "clv.mean",
        v.mean(),
        format.money(v.mean()),
        words.text("clv.mean-note"));
    clvCard(
        words.text("clv.purchases"),
        "clv.expected_purchases",
        v.expectedPurchases(),
        format.count(Math.round(v.expectedPurchases())),
        words.text("clv.purchases-note"));
    clvCard(
        words.text("clv.p-alive"),
        "clv.mean_p_alive",
        v.meanPAlive(),
        format.percent(v.meanPAlive()),
        words.text("clv.p-alive-note"));
    for (Map.Entry<String, Long> tier : v.tiers().entrySet()) {
      clvCard(
          words.label("clv_tier", tier.getKey()),
          "clv.tier|" + tier.getKey(),
          tier.getValue(),
          format.count(tier.getValue()),
          words.text("clv.tier-note"));
    }
    html.append("</div>\n");
    if (!v.bySegment().isEmpty()) {
      List<ReportData.SegmentClv> segments = v.bySegment();
      figure(
          charts.horizontalBars(
              "chart-clv-segments",
              words.text("clv.segments-title"),
              words.format("clv.segments-axis", data.currency()),
              segments.stream().map(s -> words.label("rfm_segment", s.segment())).toList(),
              List.of(
                  series(
                      words.text("clv.segments-series"),
                      Charts.PALETTE.get(0),
                      segments,
                      ReportData.SegmentClv::mean,
                      s ->
                          words.format(
                              "clv.segment-value",
                              format.money(s.mean()),
                              format.moneyWhole(s.total())),
                      s -> "clv.segment_mean|" + s.segment())),
              t -> format.moneyWhole(t),
              Double.NaN));
    }
    List<String> labels = new ArrayList<>();
    int bins = ReportFigures.CLV_BINS;
    for (int i = 0; i < bins; i++) {
      labels.add(
          words.format(
              i == bins - 1 ? "clv.bin-last" : "clv.bin", format.moneyWhole(i * v.binWidth())));
    }
    List<Series> stacks = new ArrayList<>();
    for (String tier : v.tiers().keySet()) {
      double[] values = new double[bins];
      for (ReportData.ClvBin b : v.bins()) {
        if (b.tier().equals(tier)) {
          values[(int) Math.round(b.from() / v.binWidth())] += b.customers();
        }
      }
      String[] text =
          Arrays.stream(values).mapToObj(x -> format.count((long) x)).toArray(String[]::new);
      stacks.add(
          new Series(
              words.label("clv_tier", tier),
              TIER_COLOURS.getOrDefault(tier, Charts.PALETTE.get(9)),
              values,
              text,
              null));
    }
    figure(
        charts.stackedColumns(
            "chart-clv-distribution",
            words.format("clv.distribution-title", format.moneyWhole(v.binWidth())),
            words.text("clv.distribution-axis"),
            words.text("clv.customers"),
            labels,
            stacks,
            t -> format.count(Math.round(t))));
    html.append("<table class=\"metrics\"><tbody>");
    row("clv.model-version", v.modelVersion(), null, Double.NaN);
    row("clv.time-unit", words.named("clv.unit", v.timeUnit()), null, Double.NaN);
    v.parameters()
        .forEach(
            (name, value) ->
                rowLabelled(
                    words.format("clv.parameter", name),
                    format.decimal(value, 4),
                    "clv.parameter|" + name,
                    value));
    html.append("</tbody></table>\n");
    if (v.holdoutUntil() != null) {
      html.append("<h3>")
          .append(escape(words.format("clv.validation", words.date(v.holdoutUntil()))))
          .append("</h3>\n");
      paragraph("intro", escape(words.format("clv.validation-intro", words.date(data.asOfDate()))));
      List<ReportData.ValidationPoint> t = v.tracking();
      figure(
          charts.lines(
              "chart-clv-tracking",
              words.text("clv.tracking-title"),
              words.text("clv.week-ending"),
              words.text("clv.repeat-purchases"),
              t.stream().map(p -> words.shortDate(p.label())).toList(),
              List.of(
                  series(
                      words.text("clv.actual"),
                      Charts.PALETTE.get(0),
                      t,
                      ReportData.ValidationPoint::actual,
                      p -> format.count(Math.round(p.actual())),
                      p -> "clv.tracking_actual|" + p.label()),
                  series(
                      words.text("clv.expected"),
                      Charts.PALETTE.get(1),
                      t,
                      ReportData.ValidationPoint::expected,
                      p -> format.decimal(p.expected(), 1),
                      p -> "clv.tracking_expected|" + p.label())),
              x -> format.count(Math.round(x))));
      List<ReportData.ValidationPoint> r = v.byRepeatCount();
      figure(
          charts.horizontalBars(
              "chart-clv-repeats",
              words.text("clv.repeats-title"),
              words.text("clv.repeats-axis"),
              r.stream()
                  .map(p -> words.format("clv.repeats-row", p.label(), format.count(p.customers())))
                  .toList(),
              List.of(
                  series(
                      words.text("clv.actual"),
                      Charts.PALETTE.get(0),
                      r,
                      ReportData.ValidationPoint::actual,
                      p -> format.decimal(p.actual(), 2),
                      p -> "clv.holdout_actual|" + p.label()),
                  series(
                      words.text("clv.expected"),
                      Charts.PALETTE.get(1),
                      r,
                      ReportData.ValidationPoint::expected,
                      p -> format.decimal(p.expected(), 2),
                      p -> "clv.holdout_expected|" + p.label())),
              x -> format.decimal(x, 1),
              Double.NaN));
    }
    html.append("</section>\n");
  }

  private void clvCard(String label, String metric, double value, String text, String note) {
    html.append("<div class=\"card\"><div class=\"label\">")
        .append(escape(label))
        .append("</div><div class=\"big\">");
    metric(metric, value, text);
    html.append("</div><div class=\"note\">").append(escape(note)).append("</div></div>");
  }

  private String metricName(String metric) {
    return metric == null
        ? words.text("campaigns.no-target")
        : words.named("campaigns.metric-name", metric);
  }

  /**
   * A group's value of a metric: a share for conversion, money for revenue, orders with three
   * decimals.
   */
  private String campaignValue(String metric, Double v) {
    if (v == null) {
      return NumberFormats.MISSING;
    }
    return switch (metric) {
      case Campaigns.CONVERSION -> format.percent(v);
      case Campaigns.REVENUE_PER_CUSTOMER, Campaigns.AVERAGE_ORDER_VALUE -> format.money(v);
      default -> format.decimal(v, 3);
    };
  }

  /**
   * A difference of a metric, signed: percentage points for conversion, money with cents, orders.
   */
  private String campaignChange(String metric, Double d) {
    if (d == null) {
      return NumberFormats.MISSING;
    }
    return switch (metric) {
      case Campaigns.CONVERSION -> words.format("format.points", format.signedDecimal(d * 100, 1));
      case Campaigns.REVENUE_PER_CUSTOMER, Campaigns.AVERAGE_ORDER_VALUE ->
          format.signedMoneyCents(d);
      default -> format.signedDecimal(d, 3);
    };
  }

  /** The minimum detectable effect, a size (unsigned) in the metric's unit. */
  private String campaignSize(String metric, Double d) {
    if (d == null) {
      return NumberFormats.MISSING;
    }
    return switch (metric) {
      case Campaigns.CONVERSION -> words.format("format.points", format.decimal(d * 100, 1));
      case Campaigns.REVENUE_PER_CUSTOMER, Campaigns.AVERAGE_ORDER_VALUE -> format.money(d);
      default -> format.decimal(d, 3);
    };
  }

  /** A confidence level: 95%, or 97.5% where it is not a whole percentage. */
  private String confidence(double level) {
    double percent = level * 100;
    return format.percent(level, Math.abs(percent - Math.rint(percent)) < 1e-9 ? 0 : 1);
  }

  private static double value(Double d, double otherwise) {
    return d == null ? otherwise : d;
  }

  /**
   * The relative uplift's interval of a metric as text ("−5.0% to +49.0%"), or null without one.
   */
  private String relativeInterval(ReportData.CampaignMetric t) {
    return t == null || t.relativeUpliftLow() == null || t.relativeUpliftHigh() == null
        ? null
        : words.range(
            format.signedPercent(t.relativeUpliftLow()),
            format.signedPercent(t.relativeUpliftHigh()));
  }

  private void campaigns() {
    ReportData.CampaignSection section = data.campaigns();
    section("campaigns", words.text("campaigns.title"), words.text("campaigns.intro"));
    List<ReportData.CampaignEvaluation> shown = section == null ? List.of() : section.evaluated();
    int later = section == null ? 0 : section.evaluatedAfterAsOf();
    if (shown.isEmpty()) {
      paragraph(
          "empty",
          section == null
              ? words.html(
                  "campaigns.none-table",
                  "<code>segpipe evaluate --as-of " + escape(data.asOfDate()) + "</code>")
              : escape(words.format("campaigns.none", words.date(data.asOfDate()))));
    }
    if (later > 0) {
      paragraph(
          "muted",
          words.html(
              later == 1 ? "campaigns.later-one" : "campaigns.later-many",
              metricHtml("campaign.evaluated_after_as_of", later, format.count(later)),
              escape(words.date(data.asOfDate()))));
    }
    if (shown.isEmpty()) {
      html.append("</section>\n");
      return;
    }
    List<Charts.Interval> rows = new ArrayList<>();
    for (ReportData.CampaignEvaluation c : shown) {
      ReportData.CampaignMetric t = c.metrics().isEmpty() ? null : c.metrics().get(0);
      String metric = t == null ? "" : t.metric();
      List<String> note = new ArrayList<>();
      note.add(
          c.targetMetric() == null
              ? words.text("campaigns.no-target")
              : words.named("campaigns.metric-short", c.targetMetric()));
      if (t != null && t.uplift() != null) {
        note.add(campaignChange(metric, t.uplift()));
      }
      if (c.running()) {
        note.add(words.text("campaigns.early-look"));
      }
      String uplift =
          t == null
              ? NumberFormats.MISSING
              : format.signedPercent(value(t.relativeUplift(), Double.NaN));
      String interval = relativeInterval(t);
      String tooltip =
          interval == null
              ? words.format(
                  "campaigns.tooltip",
                  c.name(),
                  c.campaignId(),
                  metricName(c.targetMetric()),
                  uplift)
              : words.format(
                  "campaigns.tooltip-interval",
                  c.name(),
                  c.campaignId(),
                  metricName(c.targetMetric()),
                  uplift,
                  confidence(c.confidence()),
                  interval);
      rows.add(
          new Charts.Interval(
              c.name(),
              words.list(note),
              t == null ? Double.NaN : value(t.relativeUplift(), Double.NaN),
              t == null ? Double.NaN : value(t.relativeUpliftLow(), Double.NaN),
              t == null ? Double.NaN : value(t.relativeUpliftHigh(), Double.NaN),
              uplift,
              interval == null ? words.text("campaigns.no-interval") : interval,
              c.sampleRatioOk() ? tooltip : words.format("campaigns.tooltip-suspect", tooltip),
              "campaign.chart_relative_uplift|" + c.campaignId(),
              !c.sampleRatioOk()));
    }
    boolean sameConfidence =
        shown.stream().mapToDouble(ReportData.CampaignEvaluation::confidence).distinct().count()
            == 1;
    boolean anySuspect = shown.stream().anyMatch(c -> !c.sampleRatioOk());
    figure(
        charts.intervals(
            "chart-campaigns",
            words.text("campaigns.chart-title"),
            words.text("campaigns.axis"),
            words.text("campaigns.point"),
            sameConfidence
                ? words.format("campaigns.interval", confidence(shown.get(0).confidence()))
                : words.text("campaigns.interval-mixed"),
            anySuspect ? words.text("campaigns.suspect") : null,
            rows,
            t -> format.percent(t)));
    for (ReportData.CampaignEvaluation c : shown) {
      campaign(c);
    }
    html.append("</section>\n");
  }

  /**
   * "= 0.042" or "< 0.001", the way a p-value follows "p" in a sentence, with the figure marked
   * where asked.
   */
  private String pText(String metric, double p) {
    String text = format.pValue(p);
    String figure = metric == null ? escape(text) : metricHtml(metric, p, text);
    return text.startsWith("<") ? figure : "= " + figure;
  }

  private void campaign(ReportData.CampaignEvaluation c) {
    String id = c.campaignId();
    String gap = escape(words.text("format.sentence-gap"));
    html.append("<article class=\"cluster\" id=\"campaign-")
        .append(escape(Markup.slug(id)))
        .append("\">\n<h3>")
        .append(escape(c.name()))
        .append(" <span class=\"muted\">(<code>")
        .append(escape(id))
        .append("</code>)</span></h3>\n");
    if (!c.sampleRatioOk()) {
      long all = c.treatedCustomers() + c.controlCustomers();
      String inControl =
          escape(format.percent(all == 0 ? Double.NaN : (double) c.controlCustomers() / all));
      html.append("<p class=\"bad\" role=\"alert\"><strong>")
          .append(
              words.html(
                  "campaigns.warning",
                  pText("campaign.sample_ratio_p_value|" + id, c.sampleRatioPValue())))
          .append("</strong>")
          .append(gap)
          .append(
              c.controlShare() == null
                  ? words.html("campaigns.control-share", inControl)
                  : words.html(
                      "campaigns.control-share-rule",
                      inControl,
                      escape(format.percent(c.controlShare()))))
          .append("</p>\n");
    }
    if (c.running()) {
      html.append("<p><strong>")
          .append(
              escape(
                  c.plannedEnd() == null
                      ? words.text("campaigns.early-later")
                      : words.format("campaigns.early", words.date(c.plannedEnd()))))
          .append("</strong>")
          .append(gap)
          .append(escape(words.format("campaigns.measured", words.date(c.windowEnd()))))
          .append("</p>\n");
    }
    ReportData.CampaignMetric t = c.metrics().isEmpty() ? null : c.metrics().get(0);
    String window =
        "<strong>"
            + escape(
                words.format(
                    "format.date-range", words.date(c.windowStart()), words.date(c.windowEnd())))
            + "</strong>";
    html.append("<p class=\"facts\">")
        .append(
            words.html(
                c.running() ? "campaigns.window-running" : "campaigns.window",
                window,
                escape(words.date(c.evaluatedAsOf()))))
        .append(gap)
        .append(
            words.html(
                "campaigns.groups",
                metricHtml(
                    "campaign.treated_customers|" + id,
                    c.treatedCustomers(),
                    format.count(c.treatedCustomers())),
                metricHtml(
                    "campaign.control_customers|" + id,
                    c.controlCustomers(),
                    format.count(c.controlCustomers())),
                escape(format.count(c.treatedBuyers())),
                escape(format.count(c.controlBuyers()))))
        .append(gap);
    String target = "<strong>" + escape(metricName(c.targetMetric())) + "</strong>";
    if (t != null && t.target()) {
      String extra = "";
      if (t.upliftLow() != null && t.upliftHigh() != null) {
        extra +=
            escape(
                words.format(
                    "campaigns.with-interval",
                    confidence(c.confidence()),
                    words.range(
                        campaignChange(t.metric(), t.upliftLow()),
                        campaignChange(t.metric(), t.upliftHigh()))));
      }
      if (t.pValue() != null) {
        extra += words.html("campaigns.with-p", pText(null, t.pValue()));
      }
      html.append(
          words.html(
              "campaigns.target-values",
              target,
              escape(campaignValue(t.metric(), t.treatedValue())),
              escape(campaignValue(t.metric(), t.controlValue())),
              escape(campaignChange(t.metric(), t.uplift())),
              extra));
    } else {
      html.append(words.html("campaigns.target", target));
    }
    html.append("</p>\n<table><thead><tr>");
    columnHeader("campaigns.metric", false);
    columnHeader("campaigns.treated", true);
    columnHeader("campaigns.control", true);
    html.append("<th class=\"num\">")
        .append(escape(words.format("campaigns.uplift", confidence(c.confidence()))))
        .append("</th>");
    columnHeader("campaigns.relative", true);
    columnHeader("campaigns.p-value", true);
    columnHeader("campaigns.mde", true);
    html.append("</tr></thead><tbody>");
    for (ReportData.CampaignMetric m : c.metrics()) {
      String key = id + "|" + m.metric();
      html.append("<tr><th scope=\"row\">")
          .append(escape(metricName(m.metric())))
          .append(
              m.target()
                  ? " <span class=\"muted\">"
                      + escape(words.text("campaigns.target-mark"))
                      + "</span>"
                  : "")
          .append("</th>");
      cell(
          "campaign.treated|" + key,
          value(m.treatedValue()),
          campaignValue(m.metric(), m.treatedValue()));
      cell(
          "campaign.control|" + key,
          value(m.controlValue()),
          campaignValue(m.metric(), m.controlValue()));
      html.append("<td class=\"num\">");
      if (m.uplift() != null) {
        metric("campaign.uplift|" + key, m.uplift(), campaignChange(m.metric(), m.uplift()));
      } else {
        html.append(escape(NumberFormats.MISSING));
      }
      html.append("<br><span class=\"muted\">");
      if (m.upliftLow() != null && m.upliftHigh() != null) {
        html.append(
            words.html(
                "format.range",
                metricHtml(
                    "campaign.uplift_low|" + key,
                    m.upliftLow(),
                    campaignChange(m.metric(), m.upliftLow())),
                metricHtml(
                    "campaign.uplift_high|" + key,
                    m.upliftHigh(),
                    campaignChange(m.metric(), m.upliftHigh()))));
      } else {
        html.append(
            escape(
                words.text(
                    Campaigns.AVERAGE_ORDER_VALUE.equals(m.metric())
                        ? "campaigns.not-tested"
                        : "campaigns.no-interval")));
      }
      html.append("</span></td><td class=\"num\">");
      if (m.relativeUplift() != null) {
        metric(
            "campaign.relative_uplift|" + key,
            m.relativeUplift(),
            format.signedPercent(m.relativeUplift()));
      } else {
        html.append(escape(NumberFormats.MISSING));
      }
      String relative = relativeInterval(m);
      if (relative != null) {
        html.append("<br><span class=\"muted\">").append(escape(relative)).append("</span>");
      }
      html.append("</td>");
      cell(
          "campaign.p_value|" + key,
          value(m.pValue()),
          m.pValue() == null ? NumberFormats.MISSING : format.pValue(m.pValue()));
      cell(
          "campaign.mde|" + key,
          value(m.minimumDetectableEffect()),
          campaignSize(m.metric(), m.minimumDetectableEffect()));
      html.append("</tr>");
    }
    html.append("</tbody></table>\n");
    String revenue =
        c.incrementalRevenue() == null
            ? escape(NumberFormats.MISSING)
            : metricHtml(
                "campaign.incremental_revenue|" + id,
                c.incrementalRevenue(),
                format.signedMoneyWhole(c.incrementalRevenue()));
    String revenueInterval =
        c.incrementalRevenueLow() == null || c.incrementalRevenueHigh() == null
            ? ""
            : words.html(
                "campaigns.with-interval",
                escape(confidence(c.confidence())),
                words.html(
                    "format.range",
                    metricHtml(
                        "campaign.incremental_revenue_low|" + id,
                        c.incrementalRevenueLow(),
                        format.signedMoneyWhole(c.incrementalRevenueLow())),
                    metricHtml(
                        "campaign.incremental_revenue_high|" + id,
                        c.incrementalRevenueHigh(),
                        format.signedMoneyWhole(c.incrementalRevenueHigh()))));
    paragraph(
        "facts",
        words.html(
            "campaigns.incremental",
            "<strong>" + revenue + "</strong>",
            revenueInterval,
            escape(format.count(c.treatedCustomers()))));
    html.append("</article>\n");
  }

  private void dataQuality() {
    DataQuality q = data.dataQuality();
    section(
        "quality",
        words.text("quality.title"),
        words.format("quality.intro", format.count(q.ingestRunCount())));
    html.append("<div class=\"cards\">");
    qualityCard("events_read", "quality.read", q.eventsRead());
    qualityCard("events_written", "quality.stored", q.eventsWritten());
    qualityCard("quarantined", "quality.quarantined", q.quarantined());
    qualityCard("duplicates", "quality.duplicates", q.duplicates());
    html.append("</div>\n<h3>").append(escape(words.text("quality.reasons"))).append("</h3>\n");
    if (q.topReasons().isEmpty()) {
      paragraph("empty", escape(words.text("quality.no-reasons")));
    } else {
      html.append("<table><thead><tr>");
      columnHeader("quality.reason", false);
      columnHeader("quality.rows", true);
      html.append("</tr></thead><tbody>");
      for (int i = 0; i < q.topReasons().size(); i++) {
        ReasonCount r = q.topReasons().get(i);
        html.append("<tr><td>").append(escape(r.reason())).append("</td><td class=\"num\">");
        metric("quality.reason|" + i, r.rows(), format.count(r.rows()));
        html.append("</td></tr>");
      }
      html.append("</tbody></table>\n");
      paragraph(
          "muted",
          words.html(
              "quality.quarantine-rows",
              metricHtml(
                  "quality.quarantine_rows",
                  q.quarantineRows(),
                  format.count(q.quarantineRows()))));
    }
    identity(q.identity());
    html.append("<h3>")
        .append(escape(words.text("quality.runs")))
        .append("</h3>\n<table><thead><tr>");
    columnHeader("quality.run", false);
    columnHeader("quality.started", false);
    columnHeader("quality.status", false);
    columnHeader("quality.runs-read", true);
    columnHeader("quality.runs-stored", true);
    columnHeader("quality.runs-quarantined", true);
    columnHeader("quality.runs-duplicates", true);
    html.append("</tr></thead><tbody>");
    for (IngestRun r : q.latestRuns()) {
      html.append("<tr><td><code>")
          .append(escape(r.runId()))
          .append("</code></td><td>")
          .append(escape(words.timestamp(r.startedAt())))
          .append("</td><td class=\"")
          .append("succeeded".equals(r.status()) ? "ok" : "bad")
          .append("\">")
          .append(escape(words.named("quality.statuses", r.status())))
          .append("</td><td class=\"num\">")
          .append(escape(format.count(r.rowsIn())))
          .append("</td><td class=\"num\">")
          .append(escape(format.count(r.rowsOut())))
          .append("</td><td class=\"num\">")
          .append(escape(format.count(r.rowsRejected())))
          .append("</td><td class=\"num\">")
          .append(escape(format.count(r.rowsDuplicate())))
          .append("</td></tr>");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  /** Identity stitching: customer ids before, profiles after, identifiers; nothing when off. */
  private void identity(ReportData.Identity id) {
    if (id == null) {
      return;
    }
    html.append("<h3>").append(escape(words.text("quality.identity.title"))).append("</h3>\n");
    paragraph("muted", escape(words.format("quality.identity.intro", id.resolvedOn())));
    html.append("<div class=\"cards\">");
    qualityCard("identity.customer_ids", "quality.identity.customer-ids", id.customerIds());
    qualityCard("identity.profiles", "quality.identity.profiles", id.profiles());
    qualityCard("identity.stitched", "quality.identity.stitched", id.stitchedProfiles());
    long quarantined = id.quarantinedByRule().values().stream().mapToLong(Long::longValue).sum();
    qualityCard("identity.quarantined", "quality.identity.quarantined", quarantined);
    html.append("</div>\n<table><thead><tr>");
    columnHeader("quality.identity.type", false);
    columnHeader("quality.identity.identifiers", true);
    columnHeader("quality.identity.per-profile", true);
    html.append("</tr></thead><tbody>");
    for (Map.Entry<String, Long> e : id.identifiersByType().entrySet()) {
      double perProfile = id.profiles() == 0 ? 0 : (double) e.getValue() / id.profiles();
      html.append("<tr><td><code>")
          .append(escape(e.getKey()))
          .append("</code></td><td class=\"num\">");
      metric(
          "quality.identity.identifiers|" + e.getKey(), e.getValue(), format.count(e.getValue()));
      html.append("</td><td class=\"num\">");
      metric(
          "quality.identity.per_profile|" + e.getKey(), perProfile, format.decimal(perProfile, 2));
      html.append("</td></tr>");
    }
    html.append("</tbody></table>\n");
    if (quarantined > 0) {
      List<String> rules = new ArrayList<>();
      id.quarantinedByRule()
          .forEach(
              (rule, n) ->
                  rules.add(words.text("quality.identity.rules." + rule) + ": " + format.count(n)));
      paragraph(
          "muted", escape(words.format("quality.identity.quarantine", String.join("; ", rules))));
    }
  }

  private void qualityCard(String metricKey, String labelKey, long value) {
    html.append("<div class=\"card\"><div class=\"label\">")
        .append(escape(words.text(labelKey)))
        .append("</div><div class=\"big\">");
    metric("quality." + metricKey, value, format.count(value));
    html.append("</div></div>");
  }
}

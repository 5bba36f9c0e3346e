package io.segpipe.jobs.report;

import static io.segpipe.jobs.report.Markup.escape;

import io.segpipe.common.schema.Campaigns;
import io.segpipe.jobs.report.Charts.Series;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The report as one self-contained HTML page: its style sheet inline, every chart inline SVG, no
 * script and nothing fetched. Every figure shown from the data carries {@code data-metric} (a stable
 * name) and {@code data-value} (the exact value), so the page can be checked against the tables.
 */
final class ReportPage {
  private static final String STYLE_RESOURCE = "report/segment-report.css";
  private static final Map<String, String> FEATURE_NAMES = Map.of(
      "recency_mean", "Recency (days)", "frequency_mean", "Orders", "monetary_mean", "Net spend",
      "avg_order_value", "Average order value", "churn_probability_mean", "Churn probability");
  /** How the behaviour features read in a sentence. */
  private static final Map<String, String> FEATURE_WORDS = Map.ofEntries(
      Map.entry("recency_days", "days since the last order"), Map.entry("frequency", "orders"),
      Map.entry("monetary", "net spend"), Map.entry("avg_order_value", "average order value"),
      Map.entry("channel_breadth", "channels used"), Map.entry("category_breadth", "categories bought"),
      Map.entry("tenure_days", "days since the first order"), Map.entry("return_rate", "return rate"),
      Map.entry("mean_days_between_orders", "mean days between orders"), Map.entry("avg_rating", "average rating"));
  private static final Map<String, String> DEMOGRAPHIC_NAMES = Map.of(
      "age_bands", "Age", "gender", "Gender", "region", "Region", "member_tier", "Member tier");
  private static final Map<String, String> SEGMENTATION_NAMES = Map.of(
      "rfm_segment", "RFM segment", "lifecycle_stage", "Lifecycle stage", "cluster", "Cluster", "value_tier", "Value tier");
  private static final Map<String, String> RISK_COLOURS = Map.of("low", "#59a14f", "medium", "#edc948", "high", "#e15759");

  private final ReportData data;
  private final NumberFormats format;
  private final int churnBins;
  private final StringBuilder html = new StringBuilder(64 * 1024);

  private ReportPage(ReportData data, NumberFormats format, int churnBins) {
    this.data = data;
    this.format = format;
    this.churnBins = churnBins;
  }

  static String render(ReportData data, ReportSettings settings) {
    return new ReportPage(data, new NumberFormats(settings.locale(), data.currency()), settings.churnBins()).page(settings);
  }

  private String page(ReportSettings settings) {
    html.append("<!DOCTYPE html>\n<html lang=\"").append(escape(settings.locale().toLanguageTag())).append("\">\n<head>\n")
        .append("<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
        .append("<title>Customer segments as of ").append(escape(data.asOfDate())).append("</title>\n<style>\n")
        .append(style()).append("</style>\n</head>\n<body>\n");
    header();
    html.append("<main>\n");
    headline();
    rfmSegments();
    rfmGrid();
    lifecycle();
    migration();
    clusters();
    churnAndModels();
    lifetimeValue();
    campaigns();
    dataQuality();
    html.append("</main>\n<footer><p>Made by <code>segpipe report --as-of ").append(escape(data.asOfDate()))
        .append("</code> from the tables under <code>").append(escape(data.lakeRoot()))
        .append("</code>. The figures are also in report-data.json beside this page.</p></footer>\n</body>\n</html>\n");
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

  private void header() {
    html.append("<header>\n<h1>Customer segments</h1>\n<p class=\"subtitle\">Snapshot as of <strong data-metric=\"as_of_date\">")
        .append(escape(data.asOfDate())).append("</strong>");
    if (data.previousAsOfDate() != null) {
      html.append(", compared with the previous snapshot of <strong data-metric=\"previous_as_of_date\">")
          .append(escape(data.previousAsOfDate())).append("</strong>");
    } else {
      html.append(" (the first snapshot: no earlier one to compare with)");
    }
    html.append(". Money in ").append(escape(data.currency())).append(". Generated ").append(escape(data.generatedAt()))
        .append(".</p>\n<nav><a href=\"#headline\">Headline</a> <a href=\"#rfm\">RFM segments</a> <a href=\"#grid\">R × F grid</a>"
            + " <a href=\"#lifecycle\">Lifecycle</a> <a href=\"#migration\">Migration</a> <a href=\"#clusters\">Clusters</a>"
            + " <a href=\"#churn\">Churn and models</a> <a href=\"#clv\">Lifetime value</a>"
            + " <a href=\"#campaigns\">Campaigns</a> <a href=\"#quality\">Data quality</a></nav>\n</header>\n");
  }

  private void section(String id, String title, String intro) {
    html.append("<section id=\"").append(id).append("\">\n<h2>").append(escape(title)).append("</h2>\n");
    if (intro != null) {
      html.append("<p class=\"intro\">").append(escape(intro)).append("</p>\n");
    }
  }

  private void figure(String svg) {
    html.append("<figure>").append(svg).append("</figure>\n");
  }

  private void metric(String name, double value, String text) {
    html.append("<span data-metric=\"").append(escape(name)).append("\" data-value=\"").append(value).append("\">")
        .append(escape(text)).append("</span>");
  }

  private void headline() {
    section("headline", "Headline", null);
    Snapshot now = data.headline().current();
    Snapshot before = data.headline().previous();
    html.append("<div class=\"cards\">\n");
    card("customers", "Customers", now.customers(), before == null ? null : (Double) (double) before.customers(), false,
        "known customers in the snapshot, prospects included");
    card("active_customers", "Active customers", now.activeCustomers(), before == null ? null : (Double) (double) before.activeCustomers(),
        false, "in the lifecycle stages counted as active");
    card("purchasers", "Customers who bought", now.purchasers(), before == null ? null : (Double) (double) before.purchasers(), false,
        "at least one order in the window");
    card("revenue", "Revenue in the window", now.revenue(), before == null ? null : before.revenue(), true,
        "net spend: purchases minus returns");
    card("opted_in", "Marketing opt-in", now.optedIn(), before == null ? null : (Double) (double) before.optedIn(), false,
        "customers who may be contacted");
    html.append("</div>\n</section>\n");
  }

  private void card(String key, String label, double now, Double before, boolean money, String note) {
    html.append("<div class=\"card\"><div class=\"label\">").append(escape(label)).append("</div><div class=\"big\">");
    metric("headline." + key, now, money ? format.moneyWhole(now) : format.count((long) now));
    html.append("</div><div class=\"change\">");
    if (before == null) {
      html.append("no previous snapshot");
    } else {
      double change = now - before;
      html.append("<span class=\"").append(change > 0 ? "up" : change < 0 ? "down" : "flat").append("\">");
      metric("headline." + key + ".change", change, money ? format.signedMoney(change) : format.signedCount((long) change));
      html.append(" (").append(escape(format.relativeChange(now, before))).append(")</span> since ")
          .append(escape(data.previousAsOfDate()));
    }
    html.append("</div><div class=\"note\">").append(escape(note)).append("</div></div>\n");
  }

  private void rfmSegments() {
    section("rfm", "RFM segments", "Customers who bought in the window, by recency, frequency and monetary score."
        + " Each segment's share of those customers and of the revenue, what it means and what to do with it.");
    List<SegmentSize> segments = data.rfmSegments();
    List<String> names = segments.stream().map(SegmentSize::segment).toList();
    figure(Charts.horizontalBars("chart-rfm-segments", "Share of customers and of revenue per RFM segment",
        "Share (%)", names, List.of(
            series("Customers", Charts.PALETTE.get(0), segments, SegmentSize::share,
                s -> format.percent(s.share()) + " (" + format.count(s.customers()) + ")", s -> "rfm.share|" + s.segment()),
            series("Revenue", Charts.PALETTE.get(1), segments, SegmentSize::revenueShare,
                s -> format.percent(s.revenueShare()), s -> "rfm.revenue_share|" + s.segment())),
        t -> format.percent(t), Double.NaN));
    html.append("<table class=\"segments\"><thead><tr><th>Segment</th><th>What it is</th><th>Suggested action</th>"
        + "<th class=\"num\">Customers</th><th class=\"num\">Share</th><th class=\"num\">Revenue share</th>"
        + "<th class=\"num\">Mean spend</th></tr></thead><tbody>\n");
    for (SegmentSize s : segments) {
      html.append("<tr><th scope=\"row\">").append(escape(s.segment())).append("</th><td>").append(escape(s.description()))
          .append("</td><td>").append(escape(s.action())).append("</td><td class=\"num\">");
      metric("rfm.customers|" + s.segment(), s.customers(), format.count(s.customers()));
      html.append("</td><td class=\"num\">").append(escape(format.percent(s.share()))).append("</td><td class=\"num\">")
          .append(escape(format.percent(s.revenueShare()))).append("</td><td class=\"num\">")
          .append(escape(s.customers() == 0 ? NumberFormats.MISSING : format.money(s.monetaryMean()))).append("</td></tr>\n");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  private <T> Series series(String name, String colour, List<T> items, java.util.function.ToDoubleFunction<T> value,
      Function<T, String> label, Function<T, String> metric) {
    return new Series(name, colour, items.stream().mapToDouble(value).toArray(),
        items.stream().map(label).toArray(String[]::new), metric == null ? null : items.stream().map(metric).toArray(String[]::new));
  }

  private void rfmGrid() {
    section("grid", "R × F grid", "Customers per recency score (R, 5 = bought most recently) and frequency score"
        + " (F, 5 = most orders); the shade is their mean net spend. Scores that the data's ties made impossible"
        + " stay empty.");
    List<String> rows = List.of("R 5", "R 4", "R 3", "R 2", "R 1");
    List<String> columns = List.of("F 1", "F 2", "F 3", "F 4", "F 5");
    double[][] shadeOf = new double[5][5];
    String[][] text = new String[5][5];
    String[][] tips = new String[5][5];
    String[][] metrics = new String[5][5];
    double[][] values = new double[5][5];
    double low = data.rfmGrid().stream().mapToDouble(GridCell::monetaryMean).min().orElse(0);
    double high = data.rfmGrid().stream().mapToDouble(GridCell::monetaryMean).max().orElse(1);
    for (double[] row : shadeOf) {
      java.util.Arrays.fill(row, Double.NaN);
    }
    for (GridCell c : data.rfmGrid()) {
      if (c.r() < 1 || c.r() > 5 || c.f() < 1 || c.f() > 5) {
        continue;
      }
      int r = 5 - c.r();
      int f = c.f() - 1;
      shadeOf[r][f] = high > low ? (c.monetaryMean() - low) / (high - low) : 0.5;
      text[r][f] = format.count(c.customers());
      tips[r][f] = "R " + c.r() + ", F " + c.f() + ": " + format.count(c.customers()) + " customers, mean spend "
          + format.money(c.monetaryMean());
      metrics[r][f] = "grid.customers|" + c.r() + "|" + c.f();
      values[r][f] = c.customers();
    }
    for (int r = 0; r < 5; r++) {
      for (int f = 0; f < 5; f++) {
        if (tips[r][f] == null) {
          tips[r][f] = rows.get(r) + ", " + columns.get(f) + ": no customers";
        }
      }
    }
    figure(Charts.heatMap("chart-rfm-grid", "Customers per R and F score, shaded by mean net spend",
        "Recency score", "Frequency score", rows, columns, shadeOf, text, tips, metrics, values,
        "Mean net spend", format.moneyWhole(low), format.moneyWhole(high)));
    html.append("</section>\n");
  }

  private void lifecycle() {
    section("lifecycle", "Lifecycle funnel", "Known customers by lifecycle stage: prospects (signed up, never bought),"
        + " new, active, at risk, lapsed and churned by time since their last order, and reactivated after a long gap.");
    List<StageCount> stages = data.lifecycle();
    figure(Charts.funnel("chart-lifecycle", "Customers per lifecycle stage", "Customers",
        stages.stream().map(s -> s.stage().replace('_', ' ')).toList(),
        stages.stream().mapToLong(StageCount::customers).toArray(),
        stages.stream().map(StageCount::previousCustomers).toArray(Long[]::new),
        stages.stream().map(s -> format.count(s.customers())).toArray(String[]::new),
        stages.stream().map(s -> " (" + format.percent(s.share()) + ")").toArray(String[]::new),
        stages.stream().map(s -> "lifecycle.customers|" + s.stage()).toArray(String[]::new),
        "As of " + data.asOfDate(), data.previousAsOfDate() == null ? "" : "As of " + data.previousAsOfDate()));
    html.append("</section>\n");
  }

  private void migration() {
    section("migration", "Segment migration", "Where the customers of the previous snapshot are now: each row is"
        + " the segment they were in, each column the segment they are in; the number is customers and the shade"
        + " the share of the row. (new) were not in the previous snapshot; (gone) are not in this one.");
    if (data.transitions().isEmpty()) {
      html.append("<p class=\"empty\">There is no earlier snapshot to compare with, so no migration yet.</p>\n");
    }
    for (TransitionMatrix m : data.transitions()) {
      List<String> rows = m.fromSegments();
      List<String> columns = m.toSegments();
      double[][] shadeOf = new double[rows.size()][columns.size()];
      String[][] text = new String[rows.size()][columns.size()];
      String[][] tips = new String[rows.size()][columns.size()];
      String[][] metrics = new String[rows.size()][columns.size()];
      double[][] values = new double[rows.size()][columns.size()];
      for (int r = 0; r < rows.size(); r++) {
        for (int c = 0; c < columns.size(); c++) {
          shadeOf[r][c] = Double.NaN;
          tips[r][c] = rows.get(r) + " → " + columns.get(c) + ": no customers";
        }
      }
      for (Transition t : m.cells()) {
        int r = rows.indexOf(t.from());
        int c = columns.indexOf(t.to());
        shadeOf[r][c] = t.shareOfFrom();
        text[r][c] = format.count(t.customers());
        tips[r][c] = t.from() + " → " + t.to() + ": " + format.count(t.customers()) + " customers, "
            + format.percent(t.shareOfFrom()) + " of " + t.from();
        metrics[r][c] = "transition.customers|" + m.segmentation() + "|" + t.from() + "|" + t.to();
        values[r][c] = t.customers();
      }
      String name = SEGMENTATION_NAMES.getOrDefault(m.segmentation(), m.segmentation());
      figure(Charts.heatMap("chart-migration-" + Markup.slug(m.segmentation()),
          name + " migration from " + (m.previousAsOfDate() == null ? "the previous snapshot" : m.previousAsOfDate())
              + " to " + data.asOfDate(),
          "Before (" + (m.previousAsOfDate() == null ? "previous" : m.previousAsOfDate()) + ")",
          "Now (" + data.asOfDate() + ")", rows, columns, shadeOf, text, tips, metrics, values,
          "Share of the row", format.percent(0), format.percent(1)));
    }
    html.append("</section>\n");
  }

  private void clusters() {
    section("clusters", "Cluster portraits", "Behavioural clusters (KMeans on the customers who bought in the"
        + " window), each with its behaviour against the population (100 = the mean of all customers who bought),"
        + " its channel mix, its demographics and the decision-tree rules that describe it.");
    if (data.clusters().isEmpty()) {
      html.append("<p class=\"empty\">segment_profiles has no clusters for this date.</p>\n");
    }
    Map<String, Double> population = data.population().means();
    for (ClusterPortrait c : data.clusters()) {
      String slug = Markup.slug(c.segment());
      html.append("<article class=\"cluster\">\n<h3>").append(escape(c.segment())).append("</h3>\n<p class=\"facts\">");
      metric("cluster.customers|" + c.segment(), c.customers(), format.count(c.customers()));
      html.append(" customers (").append(escape(format.percent(c.share()))).append(" of those who bought), ")
          .append(escape(format.percent(c.revenueShare()))).append(" of revenue; mean churn probability ")
          .append(escape(format.percent(c.churnProbabilityMean()))).append(".");
      if (!c.topCategories().isEmpty()) {
        html.append(" Top categories: ").append(escape(String.join(", ", c.topCategories()))).append('.');
      }
      html.append("</p>\n<div class=\"pair\">");
      List<String> features = ReportFigures.PORTRAIT_MEANS.stream().filter(f -> Double.isFinite(c.means().get(f))).toList();
      double[] index = features.stream().mapToDouble(f -> {
        double base = population.getOrDefault(f, Double.NaN);
        return base > 0 && Double.isFinite(base) ? 100 * c.means().get(f) / base : Double.NaN;
      }).toArray();
      String[] labels = features.stream().map(f -> meanText(f, c.means().get(f)) + " vs " + meanText(f, population.get(f)))
          .toArray(String[]::new);
      String[] metrics = features.stream().map(f -> "cluster.index|" + c.segment() + "|" + f).toArray(String[]::new);
      figure(Charts.horizontalBars("chart-cluster-" + slug + "-profile", "Behaviour against the population (index, 100 = population mean)",
          "Index (cluster mean ÷ population mean × 100)", features.stream().map(FEATURE_NAMES::get).toList(),
          List.of(new Series(c.segment(), Charts.PALETTE.get(0), index, labels, metrics)), t -> format.decimal(t, 0), 100));
      Set<String> channels = new LinkedHashSet<>(c.channelMix().keySet());
      channels.addAll(data.population().channelMix().keySet());
      List<String> channelList = new ArrayList<>(channels);
      figure(Charts.horizontalBars("chart-cluster-" + slug + "-channels", "Channel mix: share of orders", "Share of orders (%)",
          channelList, List.of(
              new Series(c.segment(), Charts.PALETTE.get(0), channelList.stream().mapToDouble(ch -> c.channelMix().getOrDefault(ch, 0.0)).toArray(),
                  channelList.stream().map(ch -> format.percent(c.channelMix().getOrDefault(ch, 0.0))).toArray(String[]::new), null),
              new Series("All who bought", Charts.PALETTE.get(9), channelList.stream().mapToDouble(ch -> data.population().channelMix().getOrDefault(ch, 0.0)).toArray(),
                  channelList.stream().map(ch -> format.percent(data.population().channelMix().getOrDefault(ch, 0.0))).toArray(String[]::new), null)),
          t -> format.percent(t), Double.NaN));
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
      case "churn_probability_mean" -> format.percent(value);
      default -> format.decimal(value, 1);
    };
  }

  private void demographics(ClusterPortrait c) {
    boolean any = c.demographics().values().stream().anyMatch(m -> !m.isEmpty());
    if (!any) {
      html.append("<p class=\"empty\">No demographics: the lake has no customers dimension for these customers.</p>\n");
      return;
    }
    html.append("<div class=\"demographics\">");
    c.demographics().forEach((dimension, shares) -> {
      if (shares.isEmpty()) {
        return;
      }
      html.append("<div class=\"dimension\"><h4>").append(escape(DEMOGRAPHIC_NAMES.getOrDefault(dimension, dimension)))
          .append("</h4><ul class=\"shares\">");
      shares.entrySet().stream().limit(6).forEach(e -> html.append("<li><span class=\"name\">").append(escape(e.getKey()))
          .append("</span><span class=\"track\"><span class=\"fill\" style=\"width:")
          .append(Markup.coordinate(Math.max(0, Math.min(1, e.getValue())) * 100)).append("%\"></span></span><span class=\"num\">")
          .append(escape(format.percent(e.getValue()))).append("</span></li>"));
      if (shares.size() > 6) {
        html.append("<li class=\"more\">and ").append(shares.size() - 6).append(" more</li>");
      }
      html.append("</ul></div>");
    });
    html.append("</div>\n");
  }

  private void rules(ClusterPortrait c) {
    List<ClusterRuleText> mine = data.rules().stream().filter(r -> c.segment().equals(r.clusterLabel())).toList();
    if (mine.isEmpty()) {
      return;
    }
    html.append("<h4>Who is in it, in plain words</h4><ul class=\"rules\">");
    for (ClusterRuleText r : mine) {
      html.append("<li title=\"").append(escape(r.ruleText())).append("\">").append(escape(plainWords(r.ruleText())))
          .append(" <span class=\"muted\">(");
      metric("rule.customers|" + r.ruleId(), r.customers(), format.count(r.customers()));
      html.append(" customers)</span></li>");
    }
    html.append("</ul>\n");
  }

  /**
   * A rule as a sentence: "recency_days ≤ 104 and frequency ≥ 7 → cluster 1, label" becomes "Customers
   * whose days since the last order ≤ 104 and orders ≥ 7" (the cluster is the section's own).
   */
  static String plainWords(String ruleText) {
    String conditions = ruleText.contains(" → ") ? ruleText.substring(0, ruleText.indexOf(" → ")) : ruleText;
    if (conditions.isBlank() || conditions.equals("every customer")) {
      return "All customers who bought";
    }
    List<String> parts = new ArrayList<>();
    for (String condition : conditions.split(" and ")) {
      String c = condition.trim();
      int space = c.indexOf(' ');
      String feature = space < 0 ? c : c.substring(0, space);
      parts.add(FEATURE_WORDS.getOrDefault(feature, feature.replace('_', ' ')) + (space < 0 ? "" : c.substring(space)));
    }
    return "Customers whose " + String.join(" and ", parts);
  }

  private void churnAndModels() {
    section("churn", "Churn risk and model quality", "The churn model's probability that a customer who bought makes"
        + " no purchase in the coming horizon, split by the configured risk bands; and how well the models fit.");
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
        String[] text = java.util.Arrays.stream(values).mapToObj(v -> format.count((long) v)).toArray(String[]::new);
        stacks.add(new Series(band + " risk", RISK_COLOURS.getOrDefault(band, Charts.PALETTE.get(9)), values, text, null));
      }
      figure(Charts.stackedColumns("chart-churn", "Customers by churn probability", "Churn probability",
          "Customers", labels, stacks, t -> format.count(Math.round(t))));
    } else {
      html.append("<p class=\"empty\">No customer has a churn probability (no churn model was applied).</p>\n");
    }
    html.append("<div class=\"cards\">");
    for (Map.Entry<String, Long> band : churn.bands().entrySet()) {
      html.append("<div class=\"card\"><div class=\"label\">").append(escape(band.getKey())).append(" risk</div><div class=\"big\">");
      metric("churn.band|" + band.getKey(), band.getValue(), format.count(band.getValue()));
      html.append("</div><div class=\"note\">").append(escape(format.percent(churn.scored() == 0 ? Double.NaN
          : (double) band.getValue() / churn.scored()))).append(" of the scored customers</div></div>");
    }
    html.append("</div>\n");
    models(data.models());
    html.append("</section>\n");
  }

  private void models(ModelQuality m) {
    html.append("<h3>Model metrics</h3>\n");
    if (!m.kSearch().isEmpty()) {
      List<KScore> search = m.kSearch();
      figure(Charts.horizontalBars("chart-silhouette", "Silhouette per number of clusters k (higher separates better)",
          "Silhouette", search.stream().map(s -> "k = " + s.k() + (m.chosenK() != null && s.k() == m.chosenK() ? " (chosen)" : "")).toList(),
          List.of(new Series("Silhouette", Charts.PALETTE.get(0), search.stream().mapToDouble(KScore::silhouette).toArray(),
              search.stream().map(s -> format.decimal(s.silhouette(), 3)).toArray(String[]::new),
              search.stream().map(s -> "model.silhouette|k" + s.k()).toArray(String[]::new))),
          t -> format.decimal(t, 2), Double.NaN));
    }
    html.append("<table class=\"metrics\"><tbody>");
    row("Clusters model version", m.clustersVersion(), null, Double.NaN);
    row("Chosen k", m.chosenK() == null ? NumberFormats.MISSING : format.count(m.chosenK()), "model.k",
        m.chosenK() == null ? Double.NaN : m.chosenK());
    row("Silhouette of the chosen k", format.decimal(m.silhouette(), 3), "model.silhouette", value(m.silhouette()));
    row("Rules fidelity (customers the rules put in their own cluster)", m.rulesFidelity() == null ? NumberFormats.MISSING
        : format.percent(m.rulesFidelity()), "model.rules_fidelity", value(m.rulesFidelity()));
    row("Churn model version", m.churnVersion(), null, Double.NaN);
    row("Churn AUC (held out)", format.decimal(m.churnAuc(), 3), "model.churn_auc", value(m.churnAuc()));
    row("Churn precision", format.decimal(m.churnPrecision(), 3), "model.churn_precision", value(m.churnPrecision()));
    row("Churn recall", format.decimal(m.churnRecall(), 3), "model.churn_recall", value(m.churnRecall()));
    row("Churn rate in training", m.churnRate() == null ? NumberFormats.MISSING : format.percent(m.churnRate()), null, Double.NaN);
    row("Held-out customers", m.churnTestRows() == null ? NumberFormats.MISSING : format.count(m.churnTestRows()), null, Double.NaN);
    html.append("</tbody></table>\n");
    if (m.churnModels() != null) {
      churnCandidates(m.churnModels());
    }
  }

  private static final Map<String, String> CANDIDATE_NAMES = Map.of("tree", "Decision tree", "forest", "Random forest",
      "gbt", "Gradient-boosted trees", "bgnbd", "BG/NBD probability (no label)");

  private static String candidateName(String code) {
    return CANDIDATE_NAMES.getOrDefault(code, code);
  }

  /** Which churn model scores the customers and why, the candidates side by side, gains and reliability. */
  private void churnCandidates(ReportData.ChurnComparison c) {
    html.append("<h3>Which churn model scores the customers</h3>\n");
    List<ReportData.ChurnCandidate> all = c.candidates();
    ReportData.ChurnCandidate chosen = all.stream().filter(x -> x.name().equals(c.chosen())).findFirst().orElse(null);
    StringBuilder why = new StringBuilder("The customers are scored by the ").append(candidateName(c.chosen()))
        .append(" model.");
    if (chosen != null) {
      why.append(" Trained on earlier cut-offs, it ranked the validation customers best (AUC ")
          .append(format.decimal(chosen.validationAuc(), 3));
      List<String> others = all.stream().filter(x -> x != chosen).map(x -> candidateName(x.name()) + " "
          + format.decimal(x.validationAuc(), 3)).toList();
      why.append(others.isEmpty() ? ")." : "; " + String.join(", ", others) + ").");
    }
    why.append(" Its probabilities are calibrated by isotonic regression on those customers, so a customer shown at 30 %"
        + " churns about as often as 30 % of such customers do: on the held-out test customers the predicted and"
        + " observed churn rates differ by ").append(format.decimal(c.ece() * 100, 1))
        .append(" points on average (").append(format.decimal(c.uncalibratedEce() * 100, 1))
        .append(" before calibration). The BG/NBD probability never sees the churn label: a trained model"
        + " has to beat it to be worth its complexity.");
    html.append("<p class=\"intro\">").append(escape(why.toString())).append("</p>\n");
    html.append("<table class=\"metrics\"><thead><tr><th scope=\"col\">Candidate</th><th scope=\"col\">AUC"
        + " (validation)</th><th scope=\"col\">AUC (test)</th><th scope=\"col\">Log loss</th><th scope=\"col\">Brier"
        + " score</th><th scope=\"col\">Lift in the top 10 %</th></tr></thead><tbody>");
    for (ReportData.ChurnCandidate x : all) {
      html.append("<tr><th scope=\"row\">").append(escape(candidateName(x.name())
          + (x.name().equals(c.chosen()) ? " (chosen)" : ""))).append("</th>");
      cell("churn.candidate|" + x.name() + "|validation_auc", x.validationAuc(), format.decimal(x.validationAuc(), 3));
      cell("churn.candidate|" + x.name() + "|auc", x.auc(), format.decimal(x.auc(), 3));
      cell("churn.candidate|" + x.name() + "|log_loss", x.logLoss(), format.decimal(x.logLoss(), 3));
      cell("churn.candidate|" + x.name() + "|brier", x.brier(), format.decimal(x.brier(), 3));
      cell("churn.candidate|" + x.name() + "|lift_top_decile", x.liftTopDecile(), format.decimal(x.liftTopDecile(), 2));
      html.append("</tr>");
    }
    html.append("</tbody></table>\n");
    List<String> contacted = new ArrayList<>();
    for (int k = 0; k <= 10; k++) {
      contacted.add(k * 10 + " %");
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
      gains.add(new Series(candidateName(x.name()), Charts.PALETTE.get(i), x.gains(), text, metrics));
    }
    double[] random = new double[11];
    String[] randomText = new String[11];
    for (int k = 0; k <= 10; k++) {
      random[k] = k / 10.0;
      randomText[k] = format.percent(random[k]);
    }
    gains.add(new Series("Random order", Charts.PALETTE.get(9), random, randomText, null));
    html.append("<p class=\"intro\">Cumulative gains: contact the customers from the highest churn probability down;"
        + " each line shows the share of all churners reached after contacting the share of customers on the axis."
        + " The higher and steeper a line rises above random order, the fewer contacts find the churners.</p>\n");
    figure(Charts.lines("chart-churn-gains", "Cumulative gains on the test customers", "Customers contacted",
        "Churners reached", contacted, gains, t -> format.percent(t)));
    List<ReportData.ReliabilityBin> bins = c.reliability();
    html.append("<p class=\"intro\">Reliability: the test customers in ten groups of equal size by calibrated churn"
        + " probability; for each, the mean probability the model gave and the share that really churned. The closer"
        + " the lines, the more the probabilities can be read as facts.</p>\n");
    figure(Charts.lines("chart-churn-reliability", "Predicted and observed churn per tenth of the customers",
        "Tenth of the customers, lowest probability first", "Churn rate",
        bins.stream().map(b -> String.valueOf(b.bin())).toList(), List.of(
            series("Predicted (mean probability)", Charts.PALETTE.get(1), bins, ReportData.ReliabilityBin::predicted,
                b -> format.percent(b.predicted()) + " of " + format.count(b.customers()),
                b -> "churn.reliability_predicted|" + b.bin()),
            series("Observed churn rate", Charts.PALETTE.get(0), bins, ReportData.ReliabilityBin::observed,
                b -> format.percent(b.observed()) + " of " + format.count(b.customers()),
                b -> "churn.reliability_observed|" + b.bin())),
        t -> format.percent(t)));
    c.importances().forEach((name, byFeature) -> {
      List<Map.Entry<String, Double>> top = byFeature.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).toList();
      figure(Charts.horizontalBars("chart-churn-importance-" + name, "What the " + candidateName(name).toLowerCase(
              Locale.ROOT) + " learns from: feature importance", "Share of the model's splitting gain",
          top.stream().map(Map.Entry::getKey).toList(),
          List.of(new Series("Importance", Charts.PALETTE.get(0), top.stream().mapToDouble(Map.Entry::getValue).toArray(),
              top.stream().map(e -> format.percent(e.getValue())).toArray(String[]::new),
              top.stream().map(e -> "churn.importance|" + name + "|" + e.getKey()).toArray(String[]::new))),
          t -> format.percent(t), Double.NaN));
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

  private void row(String label, String text, String metric, double value) {
    html.append("<tr><th scope=\"row\">").append(escape(label)).append("</th><td class=\"num\">");
    if (metric != null && Double.isFinite(value)) {
      metric(metric, value, text);
    } else {
      html.append(escape(text == null ? NumberFormats.MISSING : text));
    }
    html.append("</td></tr>");
  }

  private static final Map<String, String> TIER_COLOURS = Map.of("high", "#4e79a7", "mid", "#76b7b2", "low", "#bab0ac");

  private void lifetimeValue() {
    ReportData.LifetimeValue v = data.clv();
    section("clv", "Customer lifetime value", "What each customer who has bought is expected to spend over the next "
        + (v == null ? "horizon" : format.count(v.horizonDays()) + " days") + ", discounted to today: the BG/NBD model"
        + " predicts how many more days each customer will buy on and how likely the customer is still active, the"
        + " Gamma-Gamma model what a purchase will be worth; CLV is the two together.");
    if (v == null) {
      html.append("<p class=\"empty\">No lifetime value for this date: run <code>segpipe clv --as-of ")
          .append(escape(data.asOfDate())).append("</code> before segment.</p>\n</section>\n");
      return;
    }
    html.append("<div class=\"cards\">");
    clvCard("Total CLV", "clv.total", v.total(), format.moneyWhole(v.total()), "over the " + format.count(v.customers())
        + " customers who have bought");
    clvCard("Mean CLV", "clv.mean", v.mean(), format.money(v.mean()), "per customer");
    clvCard("Expected purchases", "clv.expected_purchases", v.expectedPurchases(),
        format.count(Math.round(v.expectedPurchases())), "purchase days over the horizon");
    clvCard("Mean P(active)", "clv.mean_p_alive", v.meanPAlive(), format.percent(v.meanPAlive()),
        "the model's probability that a customer is still buying");
    for (Map.Entry<String, Long> tier : v.tiers().entrySet()) {
      clvCard(tier.getKey() + " CLV tier", "clv.tier|" + tier.getKey(), tier.getValue(), format.count(tier.getValue()),
          "customers");
    }
    html.append("</div>\n");
    if (!v.bySegment().isEmpty()) {
      List<ReportData.SegmentClv> segments = v.bySegment();
      figure(Charts.horizontalBars("chart-clv-segments", "Mean CLV per RFM segment", "Mean CLV (" + data.currency() + ")",
          segments.stream().map(ReportData.SegmentClv::segment).toList(),
          List.of(series("Mean CLV", Charts.PALETTE.get(0), segments, ReportData.SegmentClv::mean,
              s -> format.money(s.mean()) + " (total " + format.moneyWhole(s.total()) + ")", s -> "clv.segment_mean|" + s.segment())),
          t -> format.moneyWhole(t), Double.NaN));
    }
    List<String> labels = new ArrayList<>();
    int bins = ReportFigures.CLV_BINS;
    for (int i = 0; i < bins; i++) {
      labels.add(i == bins - 1 ? "≥ " + format.moneyWhole(i * v.binWidth()) : format.moneyWhole(i * v.binWidth()) + "–");
    }
    List<Series> stacks = new ArrayList<>();
    for (String tier : v.tiers().keySet()) {
      double[] values = new double[bins];
      for (ReportData.ClvBin b : v.bins()) {
        if (b.tier().equals(tier)) {
          values[(int) Math.round(b.from() / v.binWidth())] += b.customers();
        }
      }
      String[] text = java.util.Arrays.stream(values).mapToObj(x -> format.count((long) x)).toArray(String[]::new);
      stacks.add(new Series(tier + " tier", TIER_COLOURS.getOrDefault(tier, Charts.PALETTE.get(9)), values, text, null));
    }
    figure(Charts.stackedColumns("chart-clv-distribution", "Customers by CLV (bars of " + format.moneyWhole(v.binWidth())
        + "; the last holds the top 1 % and above)", "CLV", "Customers", labels, stacks, t -> format.count(Math.round(t))));
    html.append("<table class=\"metrics\"><tbody>");
    row("Model version", v.modelVersion(), null, Double.NaN);
    row("Time unit of the parameters", v.timeUnit(), null, Double.NaN);
    v.parameters().forEach((name, value) -> row("Parameter " + name, format.decimal(value, 4), "clv.parameter|" + name, value));
    html.append("</tbody></table>\n");
    if (v.holdoutUntil() != null) {
      html.append("<h3>Validation against the holdout up to ").append(escape(v.holdoutUntil())).append("</h3>\n")
          .append("<p class=\"intro\">The models were fitted on the purchases up to ").append(escape(data.asOfDate()))
          .append(" only. The lines compare the repeat purchases the customers then made with what the model expected:"
              + " close lines mean the model tracks the customers; a gap that opens after the as-of date means it over-"
              + " or under-predicts the future.</p>\n");
      List<ReportData.ValidationPoint> t = v.tracking();
      figure(Charts.lines("chart-clv-tracking", "Cumulative repeat purchases: actual and expected", "Week ending",
          "Repeat purchases", t.stream().map(ReportData.ValidationPoint::label).toList(), List.of(
              series("Actual", Charts.PALETTE.get(0), t, ReportData.ValidationPoint::actual,
                  p -> format.count(Math.round(p.actual())), p -> "clv.tracking_actual|" + p.label()),
              series("Expected (model)", Charts.PALETTE.get(1), t, ReportData.ValidationPoint::expected,
                  p -> format.decimal(p.expected(), 1), p -> "clv.tracking_expected|" + p.label())),
          x -> format.count(Math.round(x))));
      List<ReportData.ValidationPoint> r = v.byRepeatCount();
      figure(Charts.horizontalBars("chart-clv-repeats", "Mean repeat purchases in the holdout, by repeat purchases before",
          "Mean repeat purchases in the holdout", r.stream().map(p -> p.label() + " before (" + format.count(p.customers())
              + ")").toList(), List.of(
              series("Actual", Charts.PALETTE.get(0), r, ReportData.ValidationPoint::actual,
                  p -> format.decimal(p.actual(), 2), p -> "clv.holdout_actual|" + p.label()),
              series("Expected (model)", Charts.PALETTE.get(1), r, ReportData.ValidationPoint::expected,
                  p -> format.decimal(p.expected(), 2), p -> "clv.holdout_expected|" + p.label())),
          x -> format.decimal(x, 1), Double.NaN));
    }
    html.append("</section>\n");
  }

  private void clvCard(String label, String metric, double value, String text, String note) {
    html.append("<div class=\"card\"><div class=\"label\">").append(escape(label)).append("</div><div class=\"big\">");
    metric(metric, value, text);
    html.append("</div><div class=\"note\">").append(escape(note)).append("</div></div>");
  }

  private static final Map<String, String> CAMPAIGN_METRIC_NAMES = Map.of(
      Campaigns.CONVERSION, "Conversion (share who bought)", Campaigns.REVENUE_PER_CUSTOMER, "Revenue per customer",
      Campaigns.ORDERS_PER_CUSTOMER, "Orders per customer", Campaigns.AVERAGE_ORDER_VALUE, "Average order value (buyers)");

  private static String metricName(String metric) {
    return metric == null ? "no target metric" : CAMPAIGN_METRIC_NAMES.getOrDefault(metric, metric.replace('_', ' '));
  }

  /** A group's value of a metric: a share for conversion, money for revenue, orders with three decimals. */
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

  /** A difference of a metric, signed: percentage points for conversion, money with cents, orders. */
  private String campaignChange(String metric, Double d) {
    if (d == null) {
      return NumberFormats.MISSING;
    }
    return switch (metric) {
      case Campaigns.CONVERSION -> format.signedPoints(d);
      case Campaigns.REVENUE_PER_CUSTOMER, Campaigns.AVERAGE_ORDER_VALUE -> format.signedMoneyCents(d);
      default -> format.signedDecimal(d, 3);
    };
  }

  /** The minimum detectable effect, a size (unsigned) in the metric's unit. */
  private String campaignSize(String metric, Double d) {
    if (d == null) {
      return NumberFormats.MISSING;
    }
    return switch (metric) {
      case Campaigns.CONVERSION -> format.decimal(d * 100, 1) + " pp";
      case Campaigns.REVENUE_PER_CUSTOMER, Campaigns.AVERAGE_ORDER_VALUE -> format.money(d);
      default -> format.decimal(d, 3);
    };
  }

  /** A confidence level: 95%, or 97.5% where it is not a whole percentage. */
  private String confidence(double level) {
    double percent = level * 100;
    return format.percent(level, Math.abs(percent - Math.rint(percent)) < 1e-9 ? 0 : 1);
  }

  private static String range(String low, String high) {
    return low + " to " + high;
  }

  private static double value(Double d, double otherwise) {
    return d == null ? otherwise : d;
  }

  private void campaigns() {
    ReportData.CampaignSection section = data.campaigns();
    section("campaigns", "Campaigns", "Campaigns measured by the evaluate job: the customers of each were split at"
        + " random into a treated group (contacted) and a control group (held back), and the groups are compared over"
        + " the campaign's window. The uplift is treated minus control, with its interval: an interval that crosses"
        + " zero means the data cannot tell the effect from chance. The minimum detectable effect (MDE) is the"
        + " smallest uplift the groups' sizes could reliably detect.");
    List<ReportData.CampaignEvaluation> shown = section == null ? List.of() : section.evaluated();
    int later = section == null ? 0 : section.evaluatedAfterAsOf();
    if (shown.isEmpty()) {
      html.append("<p class=\"empty\">No campaign has been evaluated yet");
      html.append(section == null ? " (the lake has no campaign_results table): run <code>segpipe evaluate --as-of "
          + escape(data.asOfDate()) + "</code> once a campaign's window has ended." : " as of " + escape(data.asOfDate()) + ".");
      html.append("</p>\n");
    }
    if (later > 0) {
      html.append("<p class=\"muted\">");
      metric("campaign.evaluated_after_as_of", later, format.count(later));
      html.append(later == 1 ? " campaign was" : " campaigns were").append(" left out: evaluated after ")
          .append(escape(data.asOfDate())).append(", and campaign_results keeps only a campaign's latest evaluation.</p>\n");
    }
    if (shown.isEmpty()) {
      html.append("</section>\n");
      return;
    }
    List<Charts.Interval> rows = new ArrayList<>();
    for (ReportData.CampaignEvaluation c : shown) {
      ReportData.CampaignMetric t = c.metrics().isEmpty() ? null : c.metrics().get(0);
      String metric = t == null ? "" : t.metric();
      String note = (c.targetMetric() == null ? "no target metric" : c.targetMetric().replace('_', ' '))
          + (t == null || t.uplift() == null ? "" : ", " + campaignChange(metric, t.uplift()))
          + (c.running() ? ", early look" : "");
      rows.add(new Charts.Interval(c.name(), note, t == null ? Double.NaN : value(t.relativeUplift(), Double.NaN),
          t == null ? Double.NaN : value(t.relativeUpliftLow(), Double.NaN),
          t == null ? Double.NaN : value(t.relativeUpliftHigh(), Double.NaN),
          t == null ? NumberFormats.MISSING : format.signedPercent(value(t.relativeUplift(), Double.NaN)),
          t == null || t.relativeUpliftLow() == null || t.relativeUpliftHigh() == null ? "no interval"
              : range(format.signedPercent(t.relativeUpliftLow()), format.signedPercent(t.relativeUpliftHigh())),
          c.name() + " (" + c.campaignId() + "), " + metricName(c.targetMetric()) + ": relative uplift "
              + (t == null ? NumberFormats.MISSING : format.signedPercent(value(t.relativeUplift(), Double.NaN)))
              + (t == null || t.relativeUpliftLow() == null || t.relativeUpliftHigh() == null ? ""
                  : ", " + confidence(c.confidence()) + " interval " + range(format.signedPercent(t.relativeUpliftLow()),
                      format.signedPercent(t.relativeUpliftHigh())))
              + (c.sampleRatioOk() ? "" : "; the split is suspect: do not trust this result"),
          "campaign.chart_relative_uplift|" + c.campaignId(), !c.sampleRatioOk()));
    }
    boolean sameConfidence = shown.stream().mapToDouble(ReportData.CampaignEvaluation::confidence).distinct().count() == 1;
    boolean anySuspect = shown.stream().anyMatch(c -> !c.sampleRatioOk());
    figure(Charts.intervals("chart-campaigns", "Uplift of each campaign's target metric",
        "Relative uplift of the target metric (treated ÷ control − 1)", "Relative uplift",
        (sameConfidence ? confidence(shown.get(0).confidence()) + " interval" : "interval (each campaign's confidence)"),
        anySuspect ? "split suspect: do not trust" : null, rows, t -> format.percent(t)));
    for (ReportData.CampaignEvaluation c : shown) {
      campaign(c);
    }
    html.append("</section>\n");
  }

  private void campaign(ReportData.CampaignEvaluation c) {
    String id = c.campaignId();
    html.append("<article class=\"cluster\" id=\"campaign-").append(escape(Markup.slug(id))).append("\">\n<h3>")
        .append(escape(c.name())).append(" <span class=\"muted\">(<code>").append(escape(id)).append("</code>)</span></h3>\n");
    if (!c.sampleRatioOk()) {
      html.append("<p class=\"bad\" role=\"alert\"><strong>Warning: the split does not match the control share (p ");
      String p = format.pValue(c.sampleRatioPValue());
      html.append(p.startsWith("<") ? "" : "= ");
      metric("campaign.sample_ratio_p_value|" + id, c.sampleRatioPValue(), p);
      html.append("): do not trust this result.</strong> ");
      long all = c.treatedCustomers() + c.controlCustomers();
      html.append(escape(format.percent(all == 0 ? Double.NaN : (double) c.controlCustomers() / all)))
          .append(" of the customers are in control");
      if (c.controlShare() != null) {
        html.append(" where the split rule gives ").append(escape(format.percent(c.controlShare())));
      }
      html.append(": something other than chance decided who was held back.</p>\n");
    }
    if (c.running()) {
      html.append("<p><strong>Early look: the window ends ")
          .append(escape(c.plannedEnd() == null ? "later" : c.plannedEnd())).append(".</strong> Measured up to ")
          .append(escape(c.windowEnd())).append("; the figures will change until the window has ended.</p>\n");
    }
    ReportData.CampaignMetric t = c.metrics().isEmpty() ? null : c.metrics().get(0);
    html.append("<p class=\"facts\">Window <strong>").append(escape(c.windowStart())).append(" – ")
        .append(escape(c.windowEnd())).append("</strong>").append(c.running() ? " (so far)" : "")
        .append(", evaluated as of ").append(escape(c.evaluatedAsOf())).append(". ");
    metric("campaign.treated_customers|" + id, c.treatedCustomers(), format.count(c.treatedCustomers()));
    html.append(" treated / ");
    metric("campaign.control_customers|" + id, c.controlCustomers(), format.count(c.controlCustomers()));
    html.append(" control customers (").append(escape(format.count(c.treatedBuyers()))).append(" / ")
        .append(escape(format.count(c.controlBuyers()))).append(" bought). Target metric: <strong>")
        .append(escape(metricName(c.targetMetric()))).append("</strong>");
    if (t != null && t.target()) {
      html.append(": ").append(escape(campaignValue(t.metric(), t.treatedValue()))).append(" treated against ")
          .append(escape(campaignValue(t.metric(), t.controlValue()))).append(" control, uplift ")
          .append(escape(campaignChange(t.metric(), t.uplift())));
      if (t.upliftLow() != null && t.upliftHigh() != null) {
        html.append(" (").append(escape(confidence(c.confidence()))).append(" interval ")
            .append(escape(range(campaignChange(t.metric(), t.upliftLow()), campaignChange(t.metric(), t.upliftHigh()))))
            .append(")");
      }
      if (t.pValue() != null) {
        String p = format.pValue(t.pValue());
        html.append(", p ").append(escape(p.startsWith("<") ? p : "= " + p));
      }
    }
    html.append(".</p>\n");
    html.append("<table><thead><tr><th>Metric</th><th class=\"num\">Treated</th><th class=\"num\">Control</th>"
        + "<th class=\"num\">Uplift (").append(escape(confidence(c.confidence()))).append(" interval)</th>"
        + "<th class=\"num\">Relative uplift</th><th class=\"num\">p-value</th><th class=\"num\">MDE</th></tr></thead><tbody>");
    for (ReportData.CampaignMetric m : c.metrics()) {
      String key = id + "|" + m.metric();
      html.append("<tr><th scope=\"row\">").append(escape(metricName(m.metric())))
          .append(m.target() ? " <span class=\"muted\">(target)</span>" : "").append("</th>");
      cell("campaign.treated|" + key, value(m.treatedValue()), campaignValue(m.metric(), m.treatedValue()));
      cell("campaign.control|" + key, value(m.controlValue()), campaignValue(m.metric(), m.controlValue()));
      html.append("<td class=\"num\">");
      if (m.uplift() != null) {
        metric("campaign.uplift|" + key, m.uplift(), campaignChange(m.metric(), m.uplift()));
      } else {
        html.append(escape(NumberFormats.MISSING));
      }
      html.append("<br><span class=\"muted\">");
      if (m.upliftLow() != null && m.upliftHigh() != null) {
        metric("campaign.uplift_low|" + key, m.upliftLow(), campaignChange(m.metric(), m.upliftLow()));
        html.append(" to ");
        metric("campaign.uplift_high|" + key, m.upliftHigh(), campaignChange(m.metric(), m.upliftHigh()));
      } else {
        html.append(Campaigns.AVERAGE_ORDER_VALUE.equals(m.metric()) ? "not tested: buyers are not randomised"
            : "no interval");
      }
      html.append("</span></td><td class=\"num\">");
      if (m.relativeUplift() != null) {
        metric("campaign.relative_uplift|" + key, m.relativeUplift(), format.signedPercent(m.relativeUplift()));
      } else {
        html.append(escape(NumberFormats.MISSING));
      }
      if (m.relativeUpliftLow() != null && m.relativeUpliftHigh() != null) {
        html.append("<br><span class=\"muted\">").append(escape(range(format.signedPercent(m.relativeUpliftLow()),
            format.signedPercent(m.relativeUpliftHigh())))).append("</span>");
      }
      html.append("</td>");
      cell("campaign.p_value|" + key, value(m.pValue()), m.pValue() == null ? NumberFormats.MISSING : format.pValue(m.pValue()));
      cell("campaign.mde|" + key, value(m.minimumDetectableEffect()), campaignSize(m.metric(), m.minimumDetectableEffect()));
      html.append("</tr>");
    }
    html.append("</tbody></table>\n<p class=\"facts\">Incremental revenue: <strong>");
    if (c.incrementalRevenue() != null) {
      metric("campaign.incremental_revenue|" + id, c.incrementalRevenue(), format.signedMoneyWhole(c.incrementalRevenue()));
    } else {
      html.append(escape(NumberFormats.MISSING));
    }
    html.append("</strong>");
    if (c.incrementalRevenueLow() != null && c.incrementalRevenueHigh() != null) {
      html.append(" (").append(escape(confidence(c.confidence()))).append(" interval ");
      metric("campaign.incremental_revenue_low|" + id, c.incrementalRevenueLow(),
          format.signedMoneyWhole(c.incrementalRevenueLow()));
      html.append(" to ");
      metric("campaign.incremental_revenue_high|" + id, c.incrementalRevenueHigh(),
          format.signedMoneyWhole(c.incrementalRevenueHigh()));
      html.append(")");
    }
    html.append(": revenue per treated customer minus per control customer, times the ")
        .append(escape(format.count(c.treatedCustomers()))).append(" treated customers.</p>\n</article>\n");
  }

  private void dataQuality() {
    DataQuality q = data.dataQuality();
    section("quality", "Data quality", "What ingest read, over all " + format.count(q.ingestRunCount())
        + " ingest runs recorded in run_metrics: rows quarantined for breaking the event contract (kept in"
        + " events_quarantine with their reasons) and duplicate events dropped.");
    html.append("<div class=\"cards\">");
    qualityCard("events_read", "Rows read", q.eventsRead());
    qualityCard("events_written", "Events stored", q.eventsWritten());
    qualityCard("quarantined", "Rows quarantined", q.quarantined());
    qualityCard("duplicates", "Duplicates dropped", q.duplicates());
    html.append("</div>\n<h3>Top quarantine reasons</h3>\n");
    if (q.topReasons().isEmpty()) {
      html.append("<p class=\"empty\">events_quarantine is empty: no row was rejected.</p>\n");
    } else {
      html.append("<table><thead><tr><th>Reason (quoted values masked)</th><th class=\"num\">Rows</th></tr></thead><tbody>");
      for (int i = 0; i < q.topReasons().size(); i++) {
        ReasonCount r = q.topReasons().get(i);
        html.append("<tr><td>").append(escape(r.reason())).append("</td><td class=\"num\">");
        metric("quality.reason|" + i, r.rows(), format.count(r.rows()));
        html.append("</td></tr>");
      }
      html.append("</tbody></table>\n<p class=\"muted\">");
      metric("quality.quarantine_rows", q.quarantineRows(), format.count(q.quarantineRows()));
      html.append(" rows in events_quarantine in all (events and customer rows, of every run).</p>\n");
    }
    html.append("<h3>Latest ingest runs</h3>\n<table><thead><tr><th>Run</th><th>Started (UTC)</th><th>Status</th>"
        + "<th class=\"num\">Read</th><th class=\"num\">Stored</th><th class=\"num\">Quarantined</th>"
        + "<th class=\"num\">Duplicates</th></tr></thead><tbody>");
    for (IngestRun r : q.latestRuns()) {
      html.append("<tr><td><code>").append(escape(r.runId())).append("</code></td><td>").append(escape(r.startedAt()))
          .append("</td><td class=\"").append("succeeded".equals(r.status()) ? "ok" : "bad").append("\">")
          .append(escape(r.status())).append("</td><td class=\"num\">").append(format.count(r.rowsIn()))
          .append("</td><td class=\"num\">").append(format.count(r.rowsOut())).append("</td><td class=\"num\">")
          .append(format.count(r.rowsRejected())).append("</td><td class=\"num\">").append(format.count(r.rowsDuplicate()))
          .append("</td></tr>");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  private void qualityCard(String key, String label, long value) {
    html.append("<div class=\"card\"><div class=\"label\">").append(escape(label)).append("</div><div class=\"big\">");
    metric("quality." + key, value, format.count(value));
    html.append("</div></div>");
  }
}

package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.jobs.report.ReportData.CampaignEvaluation;
import io.segpipe.jobs.report.ReportData.CampaignMetric;
import io.segpipe.jobs.report.ReportData.CampaignSection;
import io.segpipe.jobs.report.ReportData.ChurnBin;
import io.segpipe.jobs.report.ReportData.ChurnCandidate;
import io.segpipe.jobs.report.ReportData.ChurnComparison;
import io.segpipe.jobs.report.ReportData.ReliabilityBin;
import io.segpipe.jobs.report.ReportData.ClvBin;
import io.segpipe.jobs.report.ReportData.LifetimeValue;
import io.segpipe.jobs.report.ReportData.SegmentClv;
import io.segpipe.jobs.report.ReportData.ValidationPoint;
import io.segpipe.jobs.report.ReportData.ChurnRisk;
import io.segpipe.jobs.report.ReportData.ClusterPortrait;
import io.segpipe.jobs.report.ReportData.ClusterRuleText;
import io.segpipe.jobs.report.ReportData.DataQuality;
import io.segpipe.jobs.report.ReportData.GridCell;
import io.segpipe.jobs.report.ReportData.Headline;
import io.segpipe.jobs.report.ReportData.IngestRun;
import io.segpipe.jobs.report.ReportData.KScore;
import io.segpipe.jobs.report.ReportData.ModelQuality;
import io.segpipe.jobs.report.ReportData.Population;
import io.segpipe.jobs.report.ReportData.ReasonCount;
import io.segpipe.jobs.report.ReportData.SegmentSize;
import io.segpipe.jobs.report.ReportData.Snapshot;
import io.segpipe.jobs.report.ReportData.StageCount;
import io.segpipe.jobs.report.ReportData.Transition;
import io.segpipe.jobs.report.ReportData.TransitionMatrix;
import io.segpipe.jobs.report.ReportSettings.SegmentAdvice;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The page drawn from hand-made figures, without Spark: text from data is escaped wherever it lands
 * (HTML, SVG, attributes), numbers are written in the configured locale and currency, and the page
 * refers to nothing outside itself.
 */
class ReportPageTest {
  private static final String HOSTILE = "<img src=x onerror=alert(1)> & \"quoted\" 'single'";

  static ReportSettings settings(Locale locale, String currency) {
    return new ReportSettings(LocalDate.parse("2024-12-31"), "reports", locale, currency,
        List.of("new", "active", "reactivated"), List.of("prospect", "new", "active", "at_risk", "lapsed", "churned", "reactivated"),
        List.of("rfm_segment"), 10, 5, 10, List.of(new SegmentAdvice("Champions", "Best <b>customers</b>", "Reward & thank"),
            new SegmentAdvice(HOSTILE, "desc", "act")));
  }

  static ReportData data() {
    Map<String, Double> means = new LinkedHashMap<>();
    ReportFigures.PORTRAIT_MEANS.forEach(m -> means.put(m, 2.0));
    Map<String, Double> population = new LinkedHashMap<>();
    ReportFigures.PORTRAIT_MEANS.forEach(m -> population.put(m, 1.0));
    return new ReportData("2024-12-31", "2024-11-30", "2025-01-01T00:00:00Z", "EUR", "/lake/<root>",
        new Headline(new Snapshot("2024-12-31", 1234567, 5000, 6000, 1234567.891, 400),
            new Snapshot("2024-11-30", 1200000, 5100, 5900, 1000000, 390)),
        List.of(new SegmentSize("Champions", 700, 0.7, 0.9, 120.5, 3, 4.5, "Best <b>customers</b>", "Reward & thank"),
            new SegmentSize(HOSTILE, 300, 0.3, 0.1, 10, 200, 1, "desc", "act")),
        List.of(new GridCell(5, 5, 700, 120.5), new GridCell(1, 1, 300, 10)),
        List.of(new StageCount("prospect", 10, 0.01, 12L), new StageCount("active", 990, 0.99, 900L)),
        List.of(new TransitionMatrix("rfm_segment", "2024-11-30", List.of("Champions", "(new)"), List.of(HOSTILE, "(gone)"),
            List.of(new Transition("Champions", HOSTILE, 5, 0.5), new Transition("(new)", "(gone)", 1, 1.0)))),
        new Population(1000, population, Map.of("web", 0.5, "store", 0.5)),
        List.of(new ClusterPortrait(HOSTILE, 1000, 1.0, 1.0, means, Map.of("web", 1.0), List.of("<books>"),
            Map.of("gender", Map.of("<f>", 1.0)), 0.2)),
        List.of(new ClusterRuleText(0, 0, HOSTILE, "recency_days < 30 and monetary >= 100 <script>", 1000)),
        new ChurnRisk(List.of(new ChurnBin(0.0, 0.1, 800, "low"), new ChurnBin(0.9, 1.0, 200, "high")),
            Map.of("low", 800L, "medium", 0L, "high", 200L), 1000, 0.2),
        new ModelQuality("2024-12-31_a", "2024-12-31_a", 3, 0.5, List.of(new KScore(3, 0.5), new KScore(4, 0.4)),
            0.95, 0.88, 0.7, 0.6, 0.3, 300L, new ChurnComparison("gbt", List.of(
                new ChurnCandidate("gbt", 0.9, 0.88, 0.31, 0.1, 2.5, new double[] {0, .3, .5, .6, .7, .8, .85, .9, .95, .98, 1}),
                new ChurnCandidate("tree", 0.85, 0.84, 0.35, 0.12, 2.2, new double[] {0, .25, .45, .55, .65, .75, .8, .85, .9, .95, 1})),
                List.of(new ReliabilityBin(1, 30, 0.05, 0.04), new ReliabilityBin(2, 30, 0.5, 0.52)), 0.012, 0.05,
                Map.of("gbt", Map.of("recency_days", 0.7, HOSTILE, 0.3)))),
        new LifetimeValue("2024-12-31_c", "weeks", 365, Map.of("r", 0.25, "alpha", 4.0), 1000, 123456.7, 123.4567, 0.61,
            2500.5, Map.of("high", 100L, "mid", 300L, "low", 600L),
            List.of(new SegmentClv(HOSTILE, 300, 400.5, 120150.0), new SegmentClv("Champions", 700, 4.7, 3306.7)),
            50, List.of(new ClvBin(0, 50.0, "low", 600), new ClvBin(450, null, "high", 100)), "2025-06-30",
            List.of(new ValidationPoint("0", 500, 0.2, 0.25), new ValidationPoint("7+", 10, 9.0, 8.5)),
            List.of(new ValidationPoint("2024-01-07", 900, 10, 11), new ValidationPoint("2025-06-30", 1000, 900, 880))),
        campaigns(),
        new DataQuality(1, 1000, 950, 30, 20, 30, List.of(new ReasonCount("channel '…' is not <one>", 30)),
            List.of(new IngestRun("r1", "2025-01-01T00:00:00Z", "succeeded", 1000, 950, 30, 20))));
  }

  /**
   * Two campaigns: a finished one aimed at revenue per customer whose split is suspect, and a running one
   * aimed at conversion, with a hostile name; one more was evaluated after the report's date.
   */
  static CampaignSection campaigns() {
    List<CampaignMetric> revenue = List.of(
        new CampaignMetric("revenue_per_customer", true, 12.5, 10.25, 2.25, -0.5, 5.0, 0.0423, 0.22, -0.05, 0.49, 3.1),
        new CampaignMetric("conversion", false, 0.125, 0.1, 0.025, 0.005, 0.045, 0.0004, 0.25, 0.05, 0.45, 0.0231),
        new CampaignMetric("orders_per_customer", false, 0.3126, 0.25, 0.0626, -0.0125, 0.1375, 0.1, 0.25, -0.05, 0.55, 0.08),
        new CampaignMetric("average_order_value", false, 40.0, 41.0, -1.0, null, null, null, -0.0244, null, null, null));
    List<CampaignMetric> conversion = List.of(
        new CampaignMetric("conversion", true, 0.2, 0.25, -0.05, -0.12, 0.02, 0.1567, -0.2, -0.48, 0.08, 0.06),
        new CampaignMetric("revenue_per_customer", false, 8.0, 9.0, -1.0, -3.0, 1.0, 0.33, -0.1111, -0.33, 0.11, 2.5),
        new CampaignMetric("orders_per_customer", false, 0.25, 0.3, -0.05, -0.15, 0.05, 0.31, -0.1667, -0.5, 0.17, 0.1),
        new CampaignMetric("average_order_value", false, 32.0, 30.0, 2.0, null, null, null, 0.0667, null, null, null));
    return new CampaignSection(List.of(
        new CampaignEvaluation("spring-winback", "Win back <At Risk>", "revenue_per_customer", "2024-12-20",
            "2024-11-01", "2024-11-30", false, null, 0.1, 900, 120, 300, 30, 0.95, 0.8, 2025.0, -450.0, 4500.0,
            0.0021, false, revenue),
        new CampaignEvaluation("xmas", HOSTILE, "conversion", "2024-12-31", "2024-12-15", "2024-12-31", true,
            "2025-01-14", 0.5, 50, 50, 10, 12, 0.9, 0.8, -50.0, -150.0, 50.0, 0.84, true, conversion)), 1);
  }

  @Test
  void campaignsShowTheirFiguresFormattedWithWarningsAndTheOmittedCount() {
    String page = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    String section = page.substring(page.indexOf("<section id=\"campaigns\">"), page.indexOf("<section id=\"quality\">"));
    assertTrue(page.contains("<a href=\"#campaigns\">Campaigns</a>"), "in the navigation");
    assertTrue(section.contains("<h3>Win back &lt;At Risk&gt; <span class=\"muted\">(<code>spring-winback</code>)</span></h3>"));
    assertTrue(section.contains("Window <strong>2024-11-01 – 2024-11-30</strong>, evaluated as of 2024-12-20."));
    assertTrue(section.contains("data-metric=\"campaign.treated_customers|spring-winback\" data-value=\"900.0\">900<")
        && section.contains("data-metric=\"campaign.control_customers|spring-winback\" data-value=\"120.0\">120<"));
    // The target metric first, in words and at the top of the table.
    assertTrue(section.contains("Target metric: <strong>Revenue per customer</strong>: €12.50 treated against €10.25"
        + " control, uplift +€2.25 (95% interval −€0.50 to +€5.00), p = 0.042."), "the target metric's sentence");
    String table = section.substring(section.indexOf("<table>"), section.indexOf("</table>"));
    assertTrue(table.indexOf("Revenue per customer <span class=\"muted\">(target)</span>") < table.indexOf("Conversion"));
    assertTrue(table.contains("data-metric=\"campaign.treated|spring-winback|conversion\" data-value=\"0.125\">12.5%<"));
    assertTrue(table.contains("data-metric=\"campaign.uplift|spring-winback|conversion\" data-value=\"0.025\">+2.5 pp<"));
    assertTrue(table.contains("data-metric=\"campaign.uplift_low|spring-winback|conversion\" data-value=\"0.005\">+0.5 pp<"));
    assertTrue(table.contains("data-metric=\"campaign.p_value|spring-winback|conversion\" data-value=\"4.0E-4\">&lt; 0.001<"));
    assertTrue(table.contains("data-metric=\"campaign.relative_uplift|spring-winback|revenue_per_customer\""
        + " data-value=\"0.22\">+22.0%<"));
    assertTrue(table.contains("−5.0% to +49.0%"), "relative interval");
    assertTrue(table.contains("data-metric=\"campaign.mde|spring-winback|revenue_per_customer\" data-value=\"3.1\">€3.10<"));
    assertTrue(table.contains("data-metric=\"campaign.uplift|spring-winback|orders_per_customer\" data-value=\"0.0626\">+0.063<"));
    assertTrue(table.contains("data-metric=\"campaign.uplift|spring-winback|average_order_value\" data-value=\"-1.0\">−€1.00<")
        && table.contains("not tested: buyers are not randomised"), "average order value: a difference, no test");
    assertTrue(section.contains("data-metric=\"campaign.incremental_revenue|spring-winback\" data-value=\"2025.0\">+€2,025"
        + "</span></strong> (95% interval <span data-metric=\"campaign.incremental_revenue_low|spring-winback\""
        + " data-value=\"-450.0\">−€450</span> to <span data-metric=\"campaign.incremental_revenue_high|spring-winback\""
        + " data-value=\"4500.0\">+€4,500</span>)"), "incremental revenue in whole euros with its interval");
    // The suspect split is called out, once, on its campaign only.
    assertTrue(section.contains("<strong>Warning: the split does not match the control share (p = <span"
        + " data-metric=\"campaign.sample_ratio_p_value|spring-winback\" data-value=\"0.0021\">0.002</span>): do not"
        + " trust this result.</strong> 11.8% of the customers are in control where the split rule gives 10.0%"));
    assertEquals(1, section.split("role=\"alert\"", -1).length - 1, "one warning");
    // The running campaign is marked as an early look, with its window's planned end.
    assertTrue(section.contains("<strong>Early look: the window ends 2025-01-14.</strong> Measured up to 2024-12-31"));
    assertTrue(section.contains("Target metric: <strong>Conversion (share who bought)</strong>: 20.0% treated against"
        + " 25.0% control, uplift −5.0 pp (90% interval −12.0 pp to +2.0 pp), p = 0.157."));
    assertTrue(section.contains("data-metric=\"campaign.incremental_revenue|xmas\" data-value=\"-50.0\">−€50<"));
    assertTrue(section.contains("<span data-metric=\"campaign.evaluated_after_as_of\" data-value=\"1.0\">1</span>"
        + " campaign was left out: evaluated after 2024-12-31"), "the omitted count");
    // The chart: one row per campaign, the target's relative uplift.
    assertTrue(section.contains("id=\"chart-campaigns\""));
    assertTrue(section.contains("data-metric=\"campaign.chart_relative_uplift|spring-winback\" data-value=\"0.22\">+22.0%<"));
    assertTrue(section.contains("data-metric=\"campaign.chart_relative_uplift|xmas\" data-value=\"-0.2\">−20.0%<"));
    assertFalse(section.contains("<At Risk>") || section.contains("<img"), "names are escaped");
  }

  @Test
  void theCampaignChartDrawsEachIntervalAroundItsPointWithZeroInside() {
    String page = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    String svg = page.substring(page.indexOf("<svg id=\"chart-campaigns\""));
    svg = svg.substring(0, svg.indexOf("</svg>"));
    Matcher view = Pattern.compile("viewBox=\"0 0 (\\d+) ([\\d.]+)\"").matcher(svg);
    assertTrue(view.find());
    double width = Double.parseDouble(view.group(1));
    // Points: the finished campaign (suspect: hollow) at +22 %, the running one at −20 %.
    Matcher points = Pattern.compile("<circle cx=\"([\\d.]+)\" cy=\"([\\d.]+)\" r=\"5\" fill=\"([^\"]+)\"").matcher(svg);
    List<double[]> xs = new java.util.ArrayList<>();
    List<String> fills = new java.util.ArrayList<>();
    while (points.find()) {
      xs.add(new double[] {Double.parseDouble(points.group(1)), Double.parseDouble(points.group(2))});
      fills.add(points.group(3));
    }
    assertEquals(2, xs.size(), "one point per campaign");
    assertEquals(List.of("#fff", Charts.PALETTE.get(0)), fills, "the suspect split drawn hollow");
    // Intervals: M low y-5 V y+5 M low y H high ...: each point lies between its ends.
    Matcher lines = Pattern.compile("<path d=\"M([\\d.]+) [\\d.]+V[\\d.]+M[\\d.]+ ([\\d.]+)H([\\d.]+)").matcher(svg);
    List<double[]> spans = new java.util.ArrayList<>();
    while (lines.find()) {
      spans.add(new double[] {Double.parseDouble(lines.group(1)), Double.parseDouble(lines.group(2)),
          Double.parseDouble(lines.group(3))});
    }
    assertEquals(2, spans.size());
    for (int i = 0; i < 2; i++) {
      assertTrue(spans.get(i)[0] < xs.get(i)[0] && xs.get(i)[0] < spans.get(i)[2], "point inside its interval " + i);
      assertEquals(xs.get(i)[1], spans.get(i)[1], 1e-9, "on the same row");
    }
    // The same scale: −20 % (−48 % to +8 %) and +22 % (−5 % to +49 %): zero where the scale puts it.
    double scale = (xs.get(0)[0] - xs.get(1)[0]) / (0.22 + 0.2);
    double zero = xs.get(1)[0] + 0.2 * scale;
    assertEquals(spans.get(1)[0], zero - 0.48 * scale, 0.05);
    assertEquals(spans.get(0)[2], zero + 0.49 * scale, 0.05);
    Matcher zeroLine = Pattern.compile("<line x1=\"([\\d.]+)\" y1=\"[\\d.]+\" x2=\"([\\d.]+)\" y2=\"[\\d.]+\" class=\"axis\"/>")
        .matcher(svg);
    boolean vertical = false;
    while (zeroLine.find()) {
      vertical |= zeroLine.group(1).equals(zeroLine.group(2)) && Math.abs(Double.parseDouble(zeroLine.group(1)) - zero) < 0.05;
    }
    assertTrue(vertical, "a vertical line at zero");
    // Every text starts inside the box (text-anchor end: its x is its right edge; start: its left edge).
    Matcher texts = Pattern.compile("<text x=\"(-?[\\d.]+)\" y=\"[\\d.]+\" class=\"[^\"]+\" text-anchor=\"(\\w+)\">(?:<tspan[^>]*>)?([^<]*)")
        .matcher(svg);
    int count = 0;
    while (texts.find()) {
      count++;
      double x = Double.parseDouble(texts.group(1));
      double w = Charts.textWidth(texts.group(3).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
          .replace("&#39;", "'").replace("&amp;", "&"));
      double left = switch (texts.group(2)) {
        case "end" -> x - w;
        case "middle" -> x - w / 2;
        default -> x;
      };
      assertTrue(left >= 0 && left + w <= width, "inside the chart: " + texts.group(0));
    }
    assertTrue(count > 10, "labels, notes, values, intervals, ticks, legend: " + count);
    assertTrue(svg.contains(">Win back &lt;At Risk&gt;<") && svg.contains("revenue per customer, +€2.25"));
    assertTrue(svg.contains("conversion, −5.0 pp, early look"));
    assertTrue(svg.contains(">interval (each campaign&#39;s confidence)<") && svg.contains(">split suspect: do not trust<"), "the legend: the two campaigns have different confidence levels");
  }

  @Test
  void withoutCampaignResultsTheSectionSaysHowToGetThem() {
    ReportData d = data();
    ReportData without = new ReportData(d.asOfDate(), d.previousAsOfDate(), d.generatedAt(), d.currency(), d.lakeRoot(),
        d.headline(), d.rfmSegments(), d.rfmGrid(), d.lifecycle(), d.transitions(), d.population(), d.clusters(),
        d.rules(), d.churn(), d.models(), d.clv(), null, d.dataQuality());
    String page = ReportPage.render(without, settings(Locale.UK, "EUR"));
    assertTrue(page.contains("<p class=\"empty\">No campaign has been evaluated yet (the lake has no campaign_results"
        + " table): run <code>segpipe evaluate --as-of 2024-12-31</code>"));
    assertFalse(page.contains("chart-campaigns") || page.contains("data-metric=\"campaign."));
    ReportData allLater = new ReportData(d.asOfDate(), d.previousAsOfDate(), d.generatedAt(), d.currency(), d.lakeRoot(),
        d.headline(), d.rfmSegments(), d.rfmGrid(), d.lifecycle(), d.transitions(), d.population(), d.clusters(),
        d.rules(), d.churn(), d.models(), d.clv(), new CampaignSection(List.of(), 3), d.dataQuality());
    String later = ReportPage.render(allLater, settings(Locale.UK, "EUR"));
    assertTrue(later.contains("No campaign has been evaluated yet as of 2024-12-31."));
    assertTrue(later.contains("data-value=\"3.0\">3</span> campaigns were left out: evaluated after 2024-12-31"));
    assertFalse(later.contains("chart-campaigns"));
  }

  @Test
  void campaignFiguresUseTheLocale() {
    String german = ReportPage.render(data(), settings(Locale.GERMANY, "EUR"));
    assertTrue(german.contains("data-value=\"2025.0\">+2.025\u00a0€<"), "incremental revenue in German");
    assertTrue(german.contains("data-value=\"0.025\">+2,5 pp<"), "percentage points with a decimal comma");
  }

  @Test
  void textFromDataIsEscapedEverywhere() {
    String page = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    assertFalse(page.contains("<img"), "no element made from data");
    assertFalse(page.contains("<script"), "no script at all");
    assertFalse(page.contains("<books>") || page.contains("<f>") || page.contains("<one>") || page.contains("<root>"));
    assertTrue(page.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;"));
    assertTrue(page.contains("Best &lt;b&gt;customers&lt;/b&gt;"));
    // Attribute values made from data cannot break out of their quotes.
    Matcher attributes = Pattern.compile("data-metric=\"([^\"]*)\"").matcher(page);
    int count = 0;
    while (attributes.find()) {
      count++;
      assertFalse(attributes.group(1).contains("<"), attributes.group(1));
    }
    assertTrue(count > 20, "figures are marked for checking: " + count);
    assertTrue(page.contains("id=\"chart-clv-tracking\"") && page.contains("id=\"chart-clv-repeats\"")
        && page.contains("id=\"chart-clv-segments\"") && page.contains("id=\"chart-clv-distribution\""));
    assertTrue(page.contains("data-metric=\"clv.total\" data-value=\"123456.7\">€123,457<"), "total CLV");
    assertTrue(page.contains("scored by the Gradient-boosted trees model"), "says which churn model scores");
    assertTrue(page.contains("data-metric=\"churn.candidate|tree|auc\" data-value=\"0.84\">0.840<"), "candidate table");
    assertTrue(page.contains("id=\"chart-churn-gains\"") && page.contains("id=\"chart-churn-reliability\"")
        && page.contains("id=\"chart-churn-importance-gbt\""));
  }

  @Test
  void aDateWithoutLifetimeValueSaysHowToGetIt() {
    ReportData d = data();
    ReportData without = new ReportData(d.asOfDate(), d.previousAsOfDate(), d.generatedAt(), d.currency(), d.lakeRoot(),
        d.headline(), d.rfmSegments(), d.rfmGrid(), d.lifecycle(), d.transitions(), d.population(), d.clusters(),
        d.rules(), d.churn(), d.models(), null, d.campaigns(), d.dataQuality());
    String page = ReportPage.render(without, settings(Locale.UK, "EUR"));
    assertTrue(page.contains("No lifetime value for this date: run <code>segpipe clv --as-of 2024-12-31</code>"));
    assertFalse(page.contains("chart-clv"));
  }

  @Test
  void numbersUseTheLocaleAndTheReportingCurrency() {
    String uk = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    assertTrue(uk.contains("data-metric=\"headline.customers\" data-value=\"1234567.0\">1,234,567<"), "thousands separators");
    assertTrue(uk.contains(">€1,234,568<"), "revenue rounded to whole euros");
    assertTrue(uk.contains(">+34,567<"), "change in customers since the previous snapshot");
    assertTrue(uk.contains("+2.9%"), "relative change");
    String german = ReportPage.render(data(), settings(Locale.GERMANY, "EUR"));
    assertTrue(german.contains(">1.234.567<"), "German separators");
    assertTrue(german.contains("1.234.568\u00a0€"), "German currency format");
  }

  @Test
  void thePageIsSelfContained() throws java.io.IOException {
    String page = ReportPage.render(data(), settings(Locale.UK, "GBP"));
    java.nio.file.Files.writeString(java.nio.file.Path.of("target", "report-page-test.html"), page);
    assertFalse(Pattern.compile("(src|href)=\"(?!#)").matcher(page).find(), "no link or source outside the page");
    assertFalse(page.contains("url(http") || page.contains("@import") || page.contains("@font-face"));
    assertTrue(page.contains("@page { size: A4"), "prints on A4");
    assertTrue(page.contains("default-src 'none'"), "the page forbids itself any fetch");
    int charts = page.split("<svg ", -1).length - 1;
    assertEquals(charts, page.split("class=\"chart-title\"", -1).length - 1, "every chart has a title");
    assertEquals(16, charts, "segments, grid, funnel, migration, two for the one cluster, churn, silhouette, churn gains,"
        + " reliability and importance, four for lifetime value: by segment, distribution, tracking, holdout by"
        + " repeat count, and the campaigns' uplift");
  }

  @Test
  void rulesReadAsSentences() {
    assertEquals("Customers whose days since the last order ≤ 104 and orders ≥ 5 and ≤ 6 and channels used ≥ 3",
        ReportPage.plainWords("recency_days ≤ 104 and frequency ≥ 5 and ≤ 6 and channel_breadth ≥ 3 → cluster 1, loyal"));
    assertEquals("Customers whose net spend > 322.2", ReportPage.plainWords("monetary > 322.2 → cluster 0, x → y"));
    assertEquals("All customers who bought", ReportPage.plainWords("every customer → cluster 0, all"));
  }
}

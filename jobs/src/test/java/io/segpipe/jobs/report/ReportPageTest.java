package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.i18n.Messages;
import io.segpipe.jobs.report.ReportData.AffinityRule;
import io.segpipe.jobs.report.ReportData.CampaignEvaluation;
import io.segpipe.jobs.report.ReportData.CampaignMetric;
import io.segpipe.jobs.report.ReportData.CampaignSection;
import io.segpipe.jobs.report.ReportData.ChurnBin;
import io.segpipe.jobs.report.ReportData.ChurnCandidate;
import io.segpipe.jobs.report.ReportData.ChurnComparison;
import io.segpipe.jobs.report.ReportData.ChurnRisk;
import io.segpipe.jobs.report.ReportData.ClusterPortrait;
import io.segpipe.jobs.report.ReportData.ClusterRuleText;
import io.segpipe.jobs.report.ReportData.ClvBin;
import io.segpipe.jobs.report.ReportData.DataQuality;
import io.segpipe.jobs.report.ReportData.GridCell;
import io.segpipe.jobs.report.ReportData.Headline;
import io.segpipe.jobs.report.ReportData.IngestRun;
import io.segpipe.jobs.report.ReportData.KScore;
import io.segpipe.jobs.report.ReportData.LifetimeValue;
import io.segpipe.jobs.report.ReportData.ModelQuality;
import io.segpipe.jobs.report.ReportData.Population;
import io.segpipe.jobs.report.ReportData.ReasonCount;
import io.segpipe.jobs.report.ReportData.ReliabilityBin;
import io.segpipe.jobs.report.ReportData.SegmentClv;
import io.segpipe.jobs.report.ReportData.SegmentSize;
import io.segpipe.jobs.report.ReportData.Snapshot;
import io.segpipe.jobs.report.ReportData.StageCount;
import io.segpipe.jobs.report.ReportData.Transition;
import io.segpipe.jobs.report.ReportData.TransitionMatrix;
import io.segpipe.jobs.report.ReportData.TrendPoint;
import io.segpipe.jobs.report.ReportData.ValidationPoint;
import io.segpipe.jobs.report.ReportSettings.SegmentAdvice;
import java.time.LocalDate;
import java.util.ArrayList;
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
  /**
   * The font size of each class of chart text (segment-report.css), the title's widened for its
   * bold face.
   */
  private static final Map<String, Double> FONT_SIZES =
      Map.of(
          "chart-title",
          Charts.TITLE * Charts.BOLD,
          "axis-label",
          Charts.AXIS,
          "tick",
          Charts.TICK,
          "category",
          Charts.CATEGORY,
          "value",
          Charts.VALUE,
          "legend-label",
          Charts.LEGEND,
          "cell-value",
          Charts.CELL);

  private static final String HOSTILE = "<img src=x onerror=alert(1)> & \"quoted\" 'single'";

  /**
   * Settings with the numbers of {@code locale} and the words of zh-CN for Chinese, of en-GB for
   * any other.
   */
  static ReportSettings settings(Locale locale, String currency) {
    return settings(
        locale, currency, Messages.builtIn("zh".equals(locale.getLanguage()) ? "zh-CN" : "en-GB"));
  }

  static ReportSettings settings(Locale locale, String currency, Messages messages) {
    return new ReportSettings(
        LocalDate.parse("2024-12-31"),
        "reports",
        locale,
        currency,
        List.of("new", "active", "reactivated"),
        List.of("prospect", "new", "active", "at_risk", "lapsed", "churned", "reactivated"),
        List.of("inactive", "browsers", "price_sensitive"),
        List.of("rfm_segment"),
        List.of("rfm_segment"),
        3,
        10,
        5,
        10,
        List.of(
            new SegmentAdvice("champions", "Champions", "Best <b>customers</b>", "Reward & thank"),
            new SegmentAdvice("hostile", HOSTILE, "desc", "act")),
        messages);
  }

  static ReportData data() {
    Map<String, Double> means = new LinkedHashMap<>();
    ReportFigures.PORTRAIT_MEANS.forEach(m -> means.put(m, 2.0));
    Map<String, Double> population = new LinkedHashMap<>();
    ReportFigures.PORTRAIT_MEANS.forEach(m -> population.put(m, 1.0));
    return new ReportData(
        "2024-12-31",
        "2024-11-30",
        "2025-01-01T00:00:00Z",
        "EUR",
        "/lake/<root>",
        new Headline(
            new Snapshot("2024-12-31", 1234567, 5000, 6000, 1234567.891, 400),
            new Snapshot("2024-11-30", 1200000, 5100, 5900, 1000000, 390)),
        List.of(
            new SegmentSize(
                "champions",
                "Champions",
                700,
                0.7,
                0.9,
                120.5,
                3,
                4.5,
                "Best <b>customers</b>",
                "Reward & thank"),
            new SegmentSize("hostile", HOSTILE, 300, 0.3, 0.1, 10, 200, 1, "desc", "act")),
        List.of(new GridCell(5, 5, 700, 120.5), new GridCell(1, 1, 300, 10)),
        List.of(
            new StageCount("prospect", 10, 0.01, 12L), new StageCount("active", 990, 0.99, 900L)),
        List.of(
            new TransitionMatrix(
                "rfm_segment",
                "2024-11-30",
                List.of("champions", "(new)"),
                List.of(HOSTILE, "(gone)"),
                List.of(
                    new Transition("champions", HOSTILE, 5, 0.5),
                    new Transition("(new)", "(gone)", 1, 1.0)))),
        new Population(1000, population, Map.of("web", 0.5, "store", 0.5)),
        List.of(
            new ClusterPortrait(
                HOSTILE,
                1000,
                1.0,
                1.0,
                means,
                Map.of("web", 1.0),
                List.of("<books>"),
                Map.of("gender", Map.of("<f>", 1.0)),
                0.2)),
        List.of(
            new ClusterRuleText(
                0, 0, HOSTILE, "recency_days < 30 and monetary >= 100 <script>", 1000)),
        new ChurnRisk(
            List.of(new ChurnBin(0.0, 0.1, 800, "low"), new ChurnBin(0.9, 1.0, 200, "high")),
            Map.of("low", 800L, "medium", 0L, "high", 200L),
            1000,
            0.2),
        new ModelQuality(
            "2024-12-31_a",
            "2024-12-31_a",
            3,
            0.5,
            List.of(new KScore(3, 0.5), new KScore(4, 0.4)),
            0.95,
            0.88,
            0.7,
            0.6,
            0.3,
            300L,
            new ChurnComparison(
                "gbt",
                List.of(
                    new ChurnCandidate(
                        "gbt",
                        0.9,
                        0.88,
                        0.31,
                        0.1,
                        2.5,
                        new double[] {0, .3, .5, .6, .7, .8, .85, .9, .95, .98, 1}),
                    new ChurnCandidate(
                        "tree",
                        0.85,
                        0.84,
                        0.35,
                        0.12,
                        2.2,
                        new double[] {0, .25, .45, .55, .65, .75, .8, .85, .9, .95, 1}),
                    new ChurnCandidate(
                        "bgnbd",
                        0.7,
                        0.69,
                        0.5,
                        0.2,
                        1.5,
                        new double[] {0, .15, .3, .4, .5, .6, .7, .8, .9, .95, 1})),
                List.of(
                    new ReliabilityBin(1, 30, 0.05, 0.04), new ReliabilityBin(2, 30, 0.5, 0.52)),
                0.012,
                0.05,
                Map.of("gbt", Map.of("recency_days", 0.7, HOSTILE, 0.3)))),
        new LifetimeValue(
            "2024-12-31_c",
            "weeks",
            365,
            Map.of("r", 0.25, "alpha", 4.0),
            1000,
            123456.7,
            123.4567,
            0.61,
            2500.5,
            Map.of("high", 100L, "mid", 300L, "low", 600L),
            List.of(
                new SegmentClv(HOSTILE, 300, 400.5, 120150.0),
                new SegmentClv("champions", 700, 4.7, 3306.7)),
            50,
            List.of(new ClvBin(0, 50.0, "low", 600), new ClvBin(450, null, "high", 100)),
            "2025-06-30",
            List.of(
                new ValidationPoint("0", 500, 0.2, 0.25), new ValidationPoint("7+", 10, 9.0, 8.5)),
            List.of(
                new ValidationPoint("2024-01-07", 900, 10, 11),
                new ValidationPoint("2025-06-30", 1000, 900, 880))),
        campaigns(),
        new DataQuality(
            1,
            1000,
            950,
            30,
            20,
            30,
            List.of(new ReasonCount("channel '…' is not <one>", 30)),
            List.of(new IngestRun("r1", "2025-01-01T00:00:00Z", "succeeded", 1000, 950, 30, 20)),
            new ReportData.Identity(
                "2024-12-31",
                3300,
                3000,
                280,
                new LinkedHashMap<>(
                    Map.of("customer_id", 3300L, "device_id", 5400L, "email", 3090L)),
                new LinkedHashMap<>(
                    Map.of("blocked", 1L, "max_links", 2L, "max_per_profile", 3L)))),
        trends(List.of("2024-10-31", "2024-11-30", "2024-12-31")),
        affinityRules());
  }

  /**
   * rfm_segment trends: champions and the hostile segment at {@code snapshots}, and three months of
   * revenue.
   */
  /** Two rules of champions (one with a two-item antecedent) and one of hostile. */
  static List<AffinityRule> affinityRules() {
    return List.of(
        new AffinityRule(
            "rfm_segment",
            "champions",
            "category",
            1,
            List.of("home"),
            "garden",
            5000,
            0.1,
            0.41,
            1.83),
        new AffinityRule(
            "rfm_segment",
            "champions",
            "category",
            2,
            List.of("books", "toys"),
            "apparel",
            5000,
            0.02,
            0.3,
            1.25),
        new AffinityRule(
            "rfm_segment",
            "hostile",
            "category",
            1,
            List.of("grocery"),
            "beauty",
            800,
            0.05,
            0.5,
            2.0));
  }

  @Test
  void identityStitchingShowsProfilesBeforeAndAfterAndIdentifiersPerProfile() {
    String page = ReportPage.render(data(), settings(Locale.UK, "GBP"));
    String section = page.substring(page.indexOf("<section id=\"quality\">"));
    assertTrue(section.contains("<h3>Identity stitching</h3>"), section);
    assertTrue(
        section.contains(
            "data-metric=\"quality.identity.customer_ids\" data-value=\"3300.0\">3,300</span>"),
        section);
    assertTrue(
        section.contains(
            "data-metric=\"quality.identity.profiles\" data-value=\"3000.0\">3,000</span>"),
        section);
    assertTrue(
        section.contains(
            "data-metric=\"quality.identity.per_profile|device_id\" data-value=\"1.8\">1.80</span>"),
        section);
    assertTrue(section.contains("shared by many people: 2"), section);
    String chinese = ReportPage.render(data(), settings(CHINA, "CNY"));
    assertTrue(chinese.contains("<h3>身份打通</h3>"), chinese);
    assertTrue(chinese.contains("多人共用: 2"), chinese);
    String off = ReportPage.render(firstSnapshot(data()), settings(Locale.UK, "GBP"));
    assertFalse(off.contains("Identity stitching"), "no section when stitching is off");
  }

  @Test
  void affinitiesReadAsSentencesPerSegment() {
    String page = ReportPage.render(data(), settings(Locale.UK, "GBP"));
    String section =
        page.substring(
            page.indexOf("<section id=\"affinities\">"), page.indexOf("<section id=\"clusters\">"));
    assertTrue(
        section.contains(
            "Customers who buy home also buy garden: <span data-metric=\"affinity|champions|1|lift\""
                + " data-value=\"1.83\">1.8</span>× as likely (<span"
                + " data-metric=\"affinity|champions|1|confidence\" data-value=\"0.41\">41.0%</span> of"
                + " their orders with home)"),
        section);
    assertTrue(section.contains("Customers who buy books, toys also buy apparel"), section);
    assertTrue(
        section.indexOf(">Champions") < section.indexOf("grocery"), "segments in the map's order");
    assertTrue(
        section.contains(
            "data-metric=\"affinity.baskets|hostile\" data-value=\"800.0\">800</span> orders"));
    String chinese = ReportPage.render(data(), settings(CHINA, "CNY"));
    assertTrue(chinese.contains("购买home的客户也会购买garden：可能性为 <span"), chinese);
    String none = ReportPage.render(firstSnapshot(data()), settings(Locale.UK, "GBP"));
    assertTrue(none.contains("There are no affinities for this date"));
  }

  static List<TrendPoint> trends(List<String> snapshots) {
    List<TrendPoint> points = new ArrayList<>();
    for (int i = 0; i < snapshots.size(); i++) {
      points.add(
          new TrendPoint(
              "rfm_segment",
              "champions",
              "snapshot",
              snapshots.get(i),
              600 + 50 * i,
              0.6 + 0.05 * i,
              500L + i,
              900L + i,
              80000.0 + i,
              0.85,
              120.0));
      if (i > 0) {
        points.add(
            new TrendPoint(
                "rfm_segment",
                "hostile",
                "snapshot",
                snapshots.get(i),
                400 - 50 * i,
                0.4 - 0.05 * i,
                100L,
                150L,
                9000.5,
                0.15,
                null));
      }
    }
    for (String month : List.of("2024-10-01", "2024-11-01", "2024-12-01")) {
      points.add(
          new TrendPoint(
              "rfm_segment",
              "champions",
              "month",
              month,
              700,
              0.7,
              300L,
              450L,
              40123.45,
              0.9,
              null));
      points.add(
          new TrendPoint(
              "rfm_segment", "hostile", "month", month, 300, 0.3, 30L, 35L, 4457.0, 0.1, null));
    }
    return points;
  }

  /**
   * Two campaigns: a finished one aimed at revenue per customer whose split is suspect, and a
   * running one aimed at conversion, with a hostile name; one more was evaluated after the report's
   * date.
   */
  static CampaignSection campaigns() {
    List<CampaignMetric> revenue =
        List.of(
            new CampaignMetric(
                "revenue_per_customer",
                true,
                12.5,
                10.25,
                2.25,
                -0.5,
                5.0,
                0.0423,
                0.22,
                -0.05,
                0.49,
                3.1),
            new CampaignMetric(
                "conversion",
                false,
                0.125,
                0.1,
                0.025,
                0.005,
                0.045,
                0.0004,
                0.25,
                0.05,
                0.45,
                0.0231),
            new CampaignMetric(
                "orders_per_customer",
                false,
                0.3126,
                0.25,
                0.0626,
                -0.0125,
                0.1375,
                0.1,
                0.25,
                -0.05,
                0.55,
                0.08),
            new CampaignMetric(
                "average_order_value",
                false,
                40.0,
                41.0,
                -1.0,
                null,
                null,
                null,
                -0.0244,
                null,
                null,
                null));
    List<CampaignMetric> conversion =
        List.of(
            new CampaignMetric(
                "conversion", true, 0.2, 0.25, -0.05, -0.12, 0.02, 0.1567, -0.2, -0.48, 0.08, 0.06),
            new CampaignMetric(
                "revenue_per_customer",
                false,
                8.0,
                9.0,
                -1.0,
                -3.0,
                1.0,
                0.33,
                -0.1111,
                -0.33,
                0.11,
                2.5),
            new CampaignMetric(
                "orders_per_customer",
                false,
                0.25,
                0.3,
                -0.05,
                -0.15,
                0.05,
                0.31,
                -0.1667,
                -0.5,
                0.17,
                0.1),
            new CampaignMetric(
                "average_order_value",
                false,
                32.0,
                30.0,
                2.0,
                null,
                null,
                null,
                0.0667,
                null,
                null,
                null));
    return new CampaignSection(
        List.of(
            new CampaignEvaluation(
                "spring-winback",
                "Win back <At Risk>",
                "revenue_per_customer",
                "2024-12-20",
                "2024-11-01",
                "2024-11-30",
                false,
                null,
                0.1,
                900,
                120,
                300,
                30,
                0.95,
                0.8,
                2025.0,
                -450.0,
                4500.0,
                0.0021,
                false,
                revenue),
            new CampaignEvaluation(
                "xmas",
                HOSTILE,
                "conversion",
                "2024-12-31",
                "2024-12-15",
                "2024-12-31",
                true,
                "2025-01-14",
                0.5,
                50,
                50,
                10,
                12,
                0.9,
                0.8,
                -50.0,
                -150.0,
                50.0,
                0.84,
                true,
                conversion)),
        1);
  }

  @Test
  void campaignsShowTheirFiguresFormattedWithWarningsAndTheOmittedCount() {
    String page = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    String section =
        page.substring(
            page.indexOf("<section id=\"campaigns\">"), page.indexOf("<section id=\"quality\">"));
    assertTrue(page.contains("<a href=\"#campaigns\">Campaigns</a>"), "in the navigation");
    assertTrue(
        section.contains(
            "<h3>Win back &lt;At Risk&gt; <span class=\"muted\">(<code>spring-winback</code>)</span></h3>"));
    assertTrue(
        section.contains(
            "Window <strong>2024-11-01 – 2024-11-30</strong>, evaluated as of 2024-12-20."));
    assertTrue(
        section.contains(
                "data-metric=\"campaign.treated_customers|spring-winback\" data-value=\"900.0\">900<")
            && section.contains(
                "data-metric=\"campaign.control_customers|spring-winback\" data-value=\"120.0\">120<"));
    // The target metric first, in words and at the top of the table.
    assertTrue(
        section.contains(
            "Target metric: <strong>Revenue per customer</strong>: €12.50 treated against €10.25"
                + " control, uplift +€2.25 (95% interval −€0.50 to +€5.00), p = 0.042."),
        "the target metric's sentence");
    String table = section.substring(section.indexOf("<table>"), section.indexOf("</table>"));
    assertTrue(
        table.indexOf("Revenue per customer <span class=\"muted\">(target)</span>")
            < table.indexOf("Conversion"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.treated|spring-winback|conversion\" data-value=\"0.125\">12.5%<"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.uplift|spring-winback|conversion\" data-value=\"0.025\">+2.5 pp<"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.uplift_low|spring-winback|conversion\" data-value=\"0.005\">+0.5 pp<"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.p_value|spring-winback|conversion\" data-value=\"4.0E-4\">&lt; 0.001<"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.relative_uplift|spring-winback|revenue_per_customer\""
                + " data-value=\"0.22\">+22.0%<"));
    assertTrue(table.contains("−5.0% to +49.0%"), "relative interval");
    assertTrue(
        table.contains(
            "data-metric=\"campaign.mde|spring-winback|revenue_per_customer\" data-value=\"3.1\">€3.10<"));
    assertTrue(
        table.contains(
            "data-metric=\"campaign.uplift|spring-winback|orders_per_customer\" data-value=\"0.0626\">+0.063<"));
    assertTrue(
        table.contains(
                "data-metric=\"campaign.uplift|spring-winback|average_order_value\" data-value=\"-1.0\">−€1.00<")
            && table.contains("not tested: buyers are not randomised"),
        "average order value: a difference, no test");
    assertTrue(
        section.contains(
            "data-metric=\"campaign.incremental_revenue|spring-winback\" data-value=\"2025.0\">+€2,025"
                + "</span></strong> (95% interval <span data-metric=\"campaign.incremental_revenue_low|spring-winback\""
                + " data-value=\"-450.0\">−€450</span> to <span data-metric=\"campaign.incremental_revenue_high|spring-winback\""
                + " data-value=\"4500.0\">+€4,500</span>)"),
        "incremental revenue in whole euros with its interval");
    // The suspect split is called out, once, on its campaign only.
    assertTrue(
        section.contains(
            "<strong>Warning: the split does not match the control share (p = <span"
                + " data-metric=\"campaign.sample_ratio_p_value|spring-winback\" data-value=\"0.0021\">0.002</span>): do not"
                + " trust this result.</strong> 11.8% of the customers are in control where the split rule gives 10.0%"));
    assertEquals(1, section.split("role=\"alert\"", -1).length - 1, "one warning");
    // The running campaign is marked as an early look, with its window's planned end.
    assertTrue(
        section.contains(
            "<strong>Early look: the window ends 2025-01-14.</strong> Measured up to 2024-12-31"));
    assertTrue(
        section.contains(
            "Target metric: <strong>Conversion (share who bought)</strong>: 20.0% treated against"
                + " 25.0% control, uplift −5.0 pp (90% interval −12.0 pp to +2.0 pp), p = 0.157."));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.incremental_revenue|xmas\" data-value=\"-50.0\">−€50<"));
    assertTrue(
        section.contains(
            "<span data-metric=\"campaign.evaluated_after_as_of\" data-value=\"1.0\">1</span>"
                + " campaign was left out: evaluated after 2024-12-31"),
        "the omitted count");
    // The chart: one row per campaign, the target's relative uplift.
    assertTrue(section.contains("id=\"chart-campaigns\""));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.chart_relative_uplift|spring-winback\" data-value=\"0.22\">+22.0%<"));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.chart_relative_uplift|xmas\" data-value=\"-0.2\">−20.0%<"));
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
    Matcher points =
        Pattern.compile("<circle cx=\"([\\d.]+)\" cy=\"([\\d.]+)\" r=\"5\" fill=\"([^\"]+)\"")
            .matcher(svg);
    List<double[]> xs = new java.util.ArrayList<>();
    List<String> fills = new java.util.ArrayList<>();
    while (points.find()) {
      xs.add(
          new double[] {Double.parseDouble(points.group(1)), Double.parseDouble(points.group(2))});
      fills.add(points.group(3));
    }
    assertEquals(2, xs.size(), "one point per campaign");
    assertEquals(List.of("#fff", Charts.PALETTE.get(0)), fills, "the suspect split drawn hollow");
    // Intervals: M low y-5 V y+5 M low y H high ...: each point lies between its ends.
    Matcher lines =
        Pattern.compile("<path d=\"M([\\d.]+) [\\d.]+V[\\d.]+M[\\d.]+ ([\\d.]+)H([\\d.]+)")
            .matcher(svg);
    List<double[]> spans = new java.util.ArrayList<>();
    while (lines.find()) {
      spans.add(
          new double[] {
            Double.parseDouble(lines.group(1)),
            Double.parseDouble(lines.group(2)),
            Double.parseDouble(lines.group(3))
          });
    }
    assertEquals(2, spans.size());
    for (int i = 0; i < 2; i++) {
      assertTrue(
          spans.get(i)[0] < xs.get(i)[0] && xs.get(i)[0] < spans.get(i)[2],
          "point inside its interval " + i);
      assertEquals(xs.get(i)[1], spans.get(i)[1], 1e-9, "on the same row");
    }
    // The same scale: −20 % (−48 % to +8 %) and +22 % (−5 % to +49 %): zero where the scale puts
    // it.
    double scale = (xs.get(0)[0] - xs.get(1)[0]) / (0.22 + 0.2);
    double zero = xs.get(1)[0] + 0.2 * scale;
    assertEquals(spans.get(1)[0], zero - 0.48 * scale, 0.05);
    assertEquals(spans.get(0)[2], zero + 0.49 * scale, 0.05);
    Matcher zeroLine =
        Pattern.compile(
                "<line x1=\"([\\d.]+)\" y1=\"[\\d.]+\" x2=\"([\\d.]+)\" y2=\"[\\d.]+\" class=\"axis\"/>")
            .matcher(svg);
    boolean vertical = false;
    while (zeroLine.find()) {
      vertical |=
          zeroLine.group(1).equals(zeroLine.group(2))
              && Math.abs(Double.parseDouble(zeroLine.group(1)) - zero) < 0.05;
    }
    assertTrue(vertical, "a vertical line at zero");
    // Every text starts inside the box (text-anchor end: its x is its right edge; start: its left
    // edge).
    Matcher texts =
        Pattern.compile(
                "<text x=\"(-?[\\d.]+)\" y=\"[\\d.]+\" class=\"([^\"]+)\" text-anchor=\"(\\w+)\">(?:<tspan[^>]*>)?([^<]*)")
            .matcher(svg);
    int count = 0;
    while (texts.find()) {
      count++;
      double x = Double.parseDouble(texts.group(1));
      double w =
          Charts.textWidth(
              texts
                  .group(4)
                  .replace("&lt;", "<")
                  .replace("&gt;", ">")
                  .replace("&quot;", "\"")
                  .replace("&#39;", "'")
                  .replace("&amp;", "&"),
              FONT_SIZES.get(texts.group(2)));
      double left =
          switch (texts.group(3)) {
            case "end" -> x - w;
            case "middle" -> x - w / 2;
            default -> x;
          };
      assertTrue(left >= 0 && left + w <= width, "inside the chart: " + texts.group(0));
    }
    assertTrue(count > 10, "labels, notes, values, intervals, ticks, legend: " + count);
    assertTrue(
        svg.contains(">Win back &lt;At Risk&gt;<") && svg.contains("revenue per customer, +€2.25"));
    assertTrue(svg.contains("conversion, −5.0 pp, early look"));
    assertTrue(
        svg.contains(">interval (each campaign&#39;s confidence)<")
            && svg.contains(">split suspect: do not trust<"),
        "the legend: the two campaigns have different confidence levels");
  }

  @Test
  void withoutCampaignResultsTheSectionSaysHowToGetThem() {
    ReportData d = data();
    ReportData without =
        new ReportData(
            d.asOfDate(),
            d.previousAsOfDate(),
            d.generatedAt(),
            d.currency(),
            d.lakeRoot(),
            d.headline(),
            d.rfmSegments(),
            d.rfmGrid(),
            d.lifecycle(),
            d.transitions(),
            d.population(),
            d.clusters(),
            d.rules(),
            d.churn(),
            d.models(),
            d.clv(),
            null,
            d.dataQuality(),
            d.trends(),
            d.affinities());
    String page = ReportPage.render(without, settings(Locale.UK, "EUR"));
    assertTrue(
        page.contains(
            "<p class=\"empty\">No campaign has been evaluated yet (the lake has no campaign_results"
                + " table): run <code>segpipe evaluate --as-of 2024-12-31</code>"));
    assertFalse(page.contains("chart-campaigns") || page.contains("data-metric=\"campaign."));
    ReportData allLater =
        new ReportData(
            d.asOfDate(),
            d.previousAsOfDate(),
            d.generatedAt(),
            d.currency(),
            d.lakeRoot(),
            d.headline(),
            d.rfmSegments(),
            d.rfmGrid(),
            d.lifecycle(),
            d.transitions(),
            d.population(),
            d.clusters(),
            d.rules(),
            d.churn(),
            d.models(),
            d.clv(),
            new CampaignSection(List.of(), 3),
            d.dataQuality(),
            d.trends(),
            d.affinities());
    String later = ReportPage.render(allLater, settings(Locale.UK, "EUR"));
    assertTrue(later.contains("No campaign has been evaluated yet as of 2024-12-31."));
    assertTrue(
        later.contains(
            "data-value=\"3.0\">3</span> campaigns were left out: evaluated after 2024-12-31"));
    assertFalse(later.contains("chart-campaigns"));
  }

  @Test
  void campaignFiguresUseTheLocale() {
    String german = ReportPage.render(data(), settings(Locale.GERMANY, "EUR"));
    assertTrue(
        german.contains("data-value=\"2025.0\">+2.025\u00a0€<"), "incremental revenue in German");
    assertTrue(
        german.contains("data-value=\"0.025\">+2,5 pp<"), "percentage points with a decimal comma");
  }

  @Test
  void textFromDataIsEscapedEverywhere() {
    String page = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    assertFalse(page.contains("<img"), "no element made from data");
    assertFalse(page.contains("<script"), "no script at all");
    assertFalse(
        page.contains("<books>")
            || page.contains("<f>")
            || page.contains("<one>")
            || page.contains("<root>"));
    assertTrue(
        page.contains(
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;"));
    assertTrue(page.contains("Best &lt;b&gt;customers&lt;/b&gt;"));
    // Attribute values made from data cannot break out of their quotes.
    Matcher attributes = Pattern.compile("data-metric=\"([^\"]*)\"").matcher(page);
    int count = 0;
    while (attributes.find()) {
      count++;
      assertFalse(attributes.group(1).contains("<"), attributes.group(1));
    }
    assertTrue(count > 20, "figures are marked for checking: " + count);
    assertTrue(
        page.contains("id=\"chart-clv-tracking\"")
            && page.contains("id=\"chart-clv-repeats\"")
            && page.contains("id=\"chart-clv-segments\"")
            && page.contains("id=\"chart-clv-distribution\""));
    assertTrue(
        page.contains("data-metric=\"clv.total\" data-value=\"123456.7\">€123,457<"), "total CLV");
    assertTrue(
        page.contains("scored by the Gradient-boosted trees model"),
        "says which churn model scores");
    assertTrue(
        page.contains("data-metric=\"churn.candidate|tree|auc\" data-value=\"0.84\">0.840<"),
        "candidate table");
    assertTrue(
        page.contains("id=\"chart-churn-gains\"")
            && page.contains("id=\"chart-churn-reliability\"")
            && page.contains("id=\"chart-churn-importance-gbt\""));
  }

  @Test
  void aDateWithoutLifetimeValueSaysHowToGetIt() {
    ReportData d = data();
    ReportData without =
        new ReportData(
            d.asOfDate(),
            d.previousAsOfDate(),
            d.generatedAt(),
            d.currency(),
            d.lakeRoot(),
            d.headline(),
            d.rfmSegments(),
            d.rfmGrid(),
            d.lifecycle(),
            d.transitions(),
            d.population(),
            d.clusters(),
            d.rules(),
            d.churn(),
            d.models(),
            null,
            d.campaigns(),
            d.dataQuality(),
            d.trends(),
            d.affinities());
    String page = ReportPage.render(without, settings(Locale.UK, "EUR"));
    assertTrue(
        page.contains(
            "No lifetime value for this date: run <code>segpipe clv --as-of 2024-12-31</code>"));
    assertFalse(page.contains("chart-clv"));
  }

  @Test
  void numbersUseTheLocaleAndTheReportingCurrency() {
    String uk = ReportPage.render(data(), settings(Locale.UK, "EUR"));
    assertTrue(
        uk.contains("data-metric=\"headline.customers\" data-value=\"1234567.0\">1,234,567<"),
        "thousands separators");
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
    assertFalse(
        Pattern.compile("(src|href)=\"(?!#)").matcher(page).find(),
        "no link or source outside the page");
    assertFalse(
        page.contains("url(http") || page.contains("@import") || page.contains("@font-face"));
    assertTrue(page.contains("@page { size: A4"), "prints on A4");
    assertTrue(page.contains("default-src 'none'"), "the page forbids itself any fetch");
    int charts = page.split("<svg ", -1).length - 1;
    assertEquals(
        charts, page.split("class=\"chart-title\"", -1).length - 1, "every chart has a title");
    assertEquals(
        18,
        charts,
        "segments, grid, funnel, migration, two trends (shares over snapshots, revenue by month),"
            + " two for the one cluster, churn, silhouette, churn gains, reliability and importance, four for lifetime"
            + " value: by segment, distribution, tracking, holdout by repeat count, and the campaigns' uplift");
  }

  @Test
  void trendsDrawEachSegmentOverTheSnapshotsAndTheMonths() {
    String page = ReportPage.render(data(), settings(Locale.UK, "GBP"));
    String section =
        page.substring(
            page.indexOf("<section id=\"trends\">"), page.indexOf("<section id=\"affinities\">"));
    assertTrue(section.contains("RFM segment: share of customers at each snapshot"), section);
    assertTrue(
        section.contains(
            "data-metric=\"trend.share|rfm_segment|champions|2024-11-30\" data-value=\"0.65\""));
    assertTrue(
        section.contains(
            "data-metric=\"trend.share|rfm_segment|hostile|2024-12-31\" data-value=\"0.30000000000000004\""));
    // the hostile segment had no customers at the first snapshot: drawn at 0, with no figure of the
    // table
    assertFalse(section.contains("trend.share|rfm_segment|hostile|2024-10-31"));
    assertTrue(
        section.contains(
            "data-metric=\"trend.revenue|rfm_segment|champions|2024-11-01\" data-value=\"40123.45\""));
    assertTrue(
        section.contains(">Nov 2024<") && section.contains(">2024-10-31<"),
        "months and snapshot dates on the axes");
    assertTrue(
        section.contains("Nov 2024, Champions: €40,123"),
        "revenue in the tooltip, in the data's currency");
    assertFalse(section.contains("class=\"empty\""));

    String first = ReportPage.render(firstSnapshot(data()), settings(Locale.UK, "GBP"));
    String once =
        first.substring(
            first.indexOf("<section id=\"trends\">"), first.indexOf("<section id=\"affinities\">"));
    assertTrue(once.contains("This is the only snapshot in the period so far"), once);
    assertFalse(once.contains("chart-trend-share-"));
    assertTrue(
        once.contains("chart-trend-revenue-rfm-segment"),
        "the months are drawn from the first snapshot on");

    String none = ReportPage.render(oddCases(data()), settings(Locale.UK, "GBP"));
    assertTrue(none.contains("There are no trends for this date"));

    String chinese = ReportPage.render(data(), settings(CHINA, "CNY"));
    assertTrue(chinese.contains(">2024年11月<"), "months the Chinese way");
  }

  @Test
  void rulesReadAsSentences() {
    ReportWords english = new ReportWords(Messages.builtIn("en-GB"));
    assertEquals(
        "Customers whose days since the last order ≤ 104 and orders ≥ 5 and ≤ 6 and channels used ≥ 3",
        ReportPage.plainWords(
            "recency_days ≤ 104 and frequency ≥ 5 and ≤ 6 and channel_breadth ≥ 3 → cluster 1, loyal",
            english));
    assertEquals(
        "Customers whose net spend > 322.2",
        ReportPage.plainWords("monetary > 322.2 → cluster 0, x → y", english));
    assertEquals(
        "All customers who bought",
        ReportPage.plainWords("every customer → cluster 0, all", english));
    assertEquals(
        "Customers whose loyalty points > 3",
        ReportPage.plainWords("loyalty_points > 3 → cluster 0, x", english),
        "a feature without a text reads as its name");
    ReportWords chinese = new ReportWords(Messages.builtIn("zh-CN"));
    assertEquals(
        "距上次购买天数 ≤ 104，且 订单数 ≥ 5，且 ≤ 6 的客户",
        ReportPage.plainWords(
            "recency_days ≤ 104 and frequency ≥ 5 and ≤ 6 → cluster 1, loyal", chinese));
    assertEquals("全部购买客户", ReportPage.plainWords("every customer → cluster 0, all", chinese));
    assertEquals(
        "最近购买天数 ≤ 30，且 订单数 ≥ 4 的客户",
        ReportPage.plainWords("最近购买天数 ≤ 30 且 订单数 ≥ 4 → 第 2 类，高频", chinese),
        "a rule the segment job wrote in Chinese");
  }

  @Test
  void clustersAreShownByTheirNamesInTheLocale() {
    assertEquals(
        "高频、高消费、全渠道",
        new ReportWords(Messages.builtIn("zh-CN")).cluster("frequent-high_value-omnichannel"));
    assertEquals(
        "frequent, high value, omnichannel",
        new ReportWords(Messages.builtIn("en-GB")).cluster("frequent-high_value-omnichannel"));
    assertEquals(
        HOSTILE,
        new ReportWords(Messages.builtIn("zh-CN")).cluster(HOSTILE),
        "a label of another form as it is");
    ReportData d = data();
    ReportData named =
        new ReportData(
            d.asOfDate(),
            d.previousAsOfDate(),
            d.generatedAt(),
            d.currency(),
            d.lakeRoot(),
            d.headline(),
            d.rfmSegments(),
            d.rfmGrid(),
            d.lifecycle(),
            List.of(
                new TransitionMatrix(
                    "cluster",
                    "2024-11-30",
                    List.of("lapsed-low_spend"),
                    List.of("recent"),
                    List.of(new Transition("lapsed-low_spend", "recent", 4, 1.0)))),
            d.population(),
            List.of(
                new ClusterPortrait(
                    "lapsed-low_spend",
                    10,
                    1.0,
                    1.0,
                    d.clusters().get(0).means(),
                    Map.of(),
                    List.of(),
                    Map.of(),
                    0.5)),
            List.of(),
            d.churn(),
            d.models(),
            d.clv(),
            d.campaigns(),
            d.dataQuality(),
            d.trends(),
            d.affinities());
    String page = ReportPage.render(named, settings(CHINA, "CNY"));
    assertTrue(
        page.contains("<h3>久未购买、低消费</h3>")
            && page.contains("id=\"chart-cluster-lapsed-low-spend-profile\""),
        "the portrait is headed by the cluster's name, its chart keyed by its code");
    assertTrue(
        page.contains(">久未购买、低消费<") && page.contains("近期活跃"),
        "the migration's rows and columns too");
    assertTrue(
        page.contains("data-metric=\"transition.customers|cluster|lapsed-low_spend|recent\""));
  }

  private static final Locale CHINA = Locale.SIMPLIFIED_CHINESE;

  @Test
  void chartLabelsAreMeasuredByTheirCharactersAndGetTheRoomTheyNeed() {
    assertEquals(48, Charts.textWidth("冠军客户", 12), 1e-9, "a Chinese character is 1 em");
    assertEquals(
        12 * (0.64 * 3 + 1.0),
        Charts.textWidth("mean", 12),
        1e-9,
        "Latin letters about 0.6 em, m wider");
    assertEquals(Charts.textWidth("（新进入）", 12), 60, 1e-9, "full-width brackets are 1 em too");
    assertEquals(
        "流失风险…", Charts.fit("流失风险客户", 60, 12), "cut where the room ends, with an ellipsis");
    assertEquals("流失风险客户", Charts.fit("流失风险客户", 72, 12));
    // The bar chart's label column is as wide as its longest label: a long feature name is not cut.
    ReportWords words = new ReportWords(Messages.builtIn("en-GB"));
    String svg =
        new Charts(words)
            .horizontalBars(
                "chart-x",
                "Importance",
                "Share",
                List.of("mean days between orders", "orders"),
                List.of(
                    new Charts.Series(
                        "Importance",
                        Charts.PALETTE.get(0),
                        new double[] {0.6, 0.4},
                        new String[] {"60.0%", "40.0%"},
                        null)),
                t -> t * 100 + "%",
                Double.NaN);
    assertTrue(svg.contains(">mean days between orders</text>"), svg);
    Matcher label =
        Pattern.compile(
                "<text x=\"([\\d.]+)\" y=\"[\\d.]+\" class=\"category\" text-anchor=\"end\">mean days")
            .matcher(svg);
    assertTrue(label.find());
    assertTrue(
        Double.parseDouble(label.group(1))
                - Charts.textWidth("mean days between orders", Charts.CATEGORY)
            >= 0,
        "the label starts inside the chart");
  }

  /** The text a reader sees: the page without its style sheet, tags and entities. */
  private static String visibleText(String page) {
    return page.replaceAll("(?s)<style>.*?</style>", " ")
        .replaceAll("(?s)<title[^>]*>.*?</title>", " ")
        .replaceAll("<[^>]+>", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  @Test
  void theChinesePageIsInChineseWithAChineseFontFirst() throws java.io.IOException {
    ReportWords words = new ReportWords(Messages.builtIn("zh-CN"));
    String page = ReportPage.render(inCurrency(data(), "CNY"), settings(CHINA, "CNY"), words);
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target", "report-page-test-zh-CN.html"), page);
    assertTrue(
        page.startsWith("<!DOCTYPE html>\n<html lang=\"zh-CN\">"), "the page says its language");
    assertTrue(
        page.contains(
            "body { font-family: \"Noto Sans CJK SC\", \"PingFang SC\", \"Microsoft YaHei\", system-ui,"),
        "Chinese fonts first, then the style sheet's");
    assertTrue(
        page.contains("<title>客户分层报告（截至 2024年12月31日）</title>") && page.contains("<h1>客户分层报告</h1>"));
    assertTrue(
        page.contains(
            "数据快照截至 <strong data-metric=\"as_of_date\">2024年12月31日</strong>，对比上一期快照"
                + " <strong data-metric=\"previous_as_of_date\">2024年11月30日</strong>。金额单位：CNY。生成于 2025-01-01 00:00:00（UTC）。"),
        "dates written the Chinese way");
    for (String heading :
        List.of(
            "核心指标",
            "RFM 分群",
            "R × F 矩阵",
            "生命周期漏斗",
            "分群迁移",
            "客户画像",
            "流失风险与模型质量",
            "客户终身价值",
            "营销活动",
            "数据质量")) {
      assertTrue(page.contains("<h2>" + heading + "</h2>"), heading);
    }
    assertTrue(page.contains("<a href=\"#clv\">客户终身价值</a>") && page.contains("<th>建议动作</th>"));
    // Codes are shown by their labels: lifecycle stages, channels, churn risk, CLV tiers, migration
    // markers.
    assertTrue(page.contains(">潜在客户<") && page.contains(">活跃<"), "lifecycle stages");
    assertTrue(page.contains(">网店<") && page.contains(">门店<"), "channels");
    assertTrue(page.contains("<div class=\"label\">高流失风险</div>"), "churn risk bands");
    assertTrue(page.contains("<div class=\"label\">高生命周期价值</div>"), "CLV tiers");
    assertTrue(page.contains(">（新进入）<") && page.contains("（已离开）"), "the migration's markers");
    assertTrue(
        page.contains("data-metric=\"lifecycle.customers|prospect\""),
        "the figures keep their codes");
    assertTrue(
        page.contains("客户由梯度提升树模型评分。")
            && page.contains(">平均复购间隔天数<") == false
            && page.contains(">距上次购买天数<"),
        "model and feature names");
    assertTrue(
        page.contains(
            "实验组 <span data-metric=\"campaign.treated_customers|spring-winback\" data-value=\"900.0\">900</span>"
                + " 位 / 对照组"),
        "campaign sentences");
    assertTrue(page.contains("+2.5 个百分点"), "percentage points");
    // No English sentence of the report is left: no fragment of an en-GB text of the keys used
    // appears.
    Messages english = Messages.builtIn("en-GB");
    String seen = visibleText(page);
    for (String key : words.used()) {
      for (String fragment : english.text(key).split("\\{\\d}")) {
        String f = fragment.strip();
        if (f.length() >= 12 && !f.equals(Messages.builtIn("zh-CN").text(key).strip())) {
          assertFalse(seen.contains(f), key + ": English left on the Chinese page: " + f);
        }
      }
    }
  }

  @Test
  void chineseNumbersUseWanAndYiAndTheCurrencyIsTheReportingCurrencys() {
    NumberFormats yuan = new NumberFormats(CHINA, "CNY");
    assertEquals("9,999", yuan.count(9_999), "below 10,000 as they are");
    assertEquals("1.23万", yuan.count(12_345));
    assertEquals("12.3万", yuan.count(123_000));
    assertEquals("123.5万", yuan.count(1_234_567));
    assertEquals("1235万", yuan.count(12_345_678));
    assertEquals("1.2亿", yuan.count(120_000_000));
    assertEquals("1亿", yuan.count(99_999_999), "rounding up to 10,000万 is 1亿");
    assertEquals("+3.46万", yuan.signedCount(34_567));
    assertEquals("−1.5万", yuan.signedCount(-15_000));
    assertEquals("¥123.5万", yuan.moneyWhole(1_234_567.891));
    assertEquals("¥12.50", yuan.money(12.5));
    assertEquals("¥9,999", yuan.moneyWhole(9_999.4));
    assertEquals("12.3%", yuan.percent(0.123));
    assertEquals(
        "£123.5万",
        new NumberFormats(CHINA, "GBP").moneyWhole(1_234_567.891),
        "pounds in a Chinese report");
    assertEquals(
        "£1,234,568",
        new NumberFormats(Locale.UK, "GBP").moneyWhole(1_234_567.891),
        "no 万 in English");

    String page = ReportPage.render(inCurrency(data(), "CNY"), settings(CHINA, "CNY"));
    assertTrue(
        page.contains("data-metric=\"headline.customers\" data-value=\"1234567.0\">123.5万<"),
        "customers in 万");
    assertTrue(
        page.contains("data-metric=\"headline.revenue\" data-value=\"1234567.891\">¥123.5万<"),
        "revenue in 万 of yuan");
    assertTrue(
        page.contains("data-metric=\"clv.total\" data-value=\"123456.7\">¥12.3万<"), "total CLV");
    assertTrue(
        page.contains(
            "data-metric=\"campaign.treated|spring-winback|revenue_per_customer\" data-value=\"12.5\">¥12.50<"),
        "small amounts with their fen");
    assertTrue(
        page.contains(
            "data-metric=\"campaign.incremental_revenue|spring-winback\" data-value=\"2025.0\">+¥2,025<"));
    String pounds = ReportPage.render(inCurrency(data(), "GBP"), settings(CHINA, "GBP"));
    assertTrue(
        pounds.contains(">£123.5万<") && !pounds.contains("¥"),
        "the currency is the reporting currency, not the locale's");
  }

  @Test
  void everyReportKeyTheFilesHoldIsUsedAndEveryKeyUsedIsInBothFiles() {
    ReportData d = data();
    ReportData allLater =
        new ReportData(
            d.asOfDate(),
            d.previousAsOfDate(),
            d.generatedAt(),
            d.currency(),
            d.lakeRoot(),
            d.headline(),
            d.rfmSegments(),
            d.rfmGrid(),
            d.lifecycle(),
            d.transitions(),
            d.population(),
            d.clusters(),
            d.rules(),
            d.churn(),
            d.models(),
            d.clv(),
            new CampaignSection(List.of(), 3),
            d.dataQuality(),
            d.trends(),
            d.affinities());
    List<ReportData> variants = List.of(d, firstSnapshot(d), oddCases(d), allLater);
    java.util.Set<String> used = new java.util.TreeSet<>();
    for (String tag : List.of("en-GB", "zh-CN")) {
      for (ReportData variant : variants) {
        ReportWords words = new ReportWords(Messages.builtIn(tag));
        ReportPage.render(variant, settings(tag.equals("zh-CN") ? CHINA : Locale.UK, "GBP"), words);
        used.addAll(words.used());
      }
    }
    java.util.Set<String> defined = new java.util.TreeSet<>();
    com.typesafe.config.ConfigFactory.parseResources("messages/en-GB.conf")
        .getConfig("report")
        .entrySet()
        .forEach(e -> defined.add("report." + e.getKey()));
    java.util.Set<String> unused = new java.util.TreeSet<>(defined);
    unused.removeAll(used);
    assertEquals(
        java.util.Set.of(),
        unused,
        "keys under report in conf/messages/en-GB.conf that the report never uses");
    java.util.Set<String> undefined = new java.util.TreeSet<>(used);
    undefined.removeAll(defined);
    assertEquals(
        java.util.Set.of(), undefined, "keys the report uses that conf/messages/en-GB.conf lacks");
    Messages chinese = Messages.builtIn("zh-CN");
    assertEquals(
        List.of(), used.stream().filter(k -> !chinese.has(k)).toList(), "keys zh-CN.conf lacks");
  }

  @Test
  void aKeyMissingFromTheMessageFileFailsNamingTheKeyAndTheFile(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path folder) throws java.io.IOException {
    String english =
        new String(
            getClass().getClassLoader().getResourceAsStream("messages/en-GB.conf").readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    String lacking = english.replace("    reasons = \"Top quarantine reasons\"\n", "");
    assertFalse(lacking.equals(english));
    java.nio.file.Files.writeString(folder.resolve("en-GB.conf"), lacking);
    Messages messages =
        Messages.load("en-GB", folder.toString(), com.typesafe.config.ConfigFactory.empty());
    String message =
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> ReportPage.render(data(), settings(Locale.UK, "GBP", messages)))
            .getMessage();
    assertTrue(
        message.contains("report.quality.reasons")
            && message.contains(folder.resolve("en-GB.conf").toString()),
        message);
  }

  /** The same figures in another reporting currency. */
  static ReportData inCurrency(ReportData d, String currency) {
    return new ReportData(
        d.asOfDate(),
        d.previousAsOfDate(),
        d.generatedAt(),
        currency,
        d.lakeRoot(),
        d.headline(),
        d.rfmSegments(),
        d.rfmGrid(),
        d.lifecycle(),
        d.transitions(),
        d.population(),
        d.clusters(),
        d.rules(),
        d.churn(),
        d.models(),
        d.clv(),
        d.campaigns(),
        d.dataQuality(),
        d.trends(),
        d.affinities());
  }

  /**
   * The first snapshot: nothing to compare with, and no lifetime value, campaigns, churn scores or
   * clusters yet.
   */
  static ReportData firstSnapshot(ReportData d) {
    DataQuality q = d.dataQuality();
    return new ReportData(
        d.asOfDate(),
        null,
        d.generatedAt(),
        d.currency(),
        d.lakeRoot(),
        new Headline(d.headline().current(), null),
        d.rfmSegments(),
        d.rfmGrid(),
        d.lifecycle().stream()
            .map(s -> new StageCount(s.stage(), s.customers(), s.share(), null))
            .toList(),
        List.of(),
        d.population(),
        List.of(),
        List.of(),
        new ChurnRisk(List.of(), Map.of("low", 0L), 0, Double.NaN),
        d.models(),
        null,
        null,
        new DataQuality(
            q.ingestRunCount(),
            q.eventsRead(),
            q.eventsWritten(),
            0,
            0,
            0,
            List.of(),
            q.latestRuns(),
            null),
        trends(List.of("2024-12-31")),
        List.of());
  }

  /**
   * The rarer cases: a segment no longer in the map, migrations of the other segmentations,
   * customers without a risk band, a cluster without demographics and one with all of them, a
   * single churn candidate learning from every feature, lifetime value in days without a holdout,
   * campaigns aimed at each metric or at none, and a failed ingest run.
   */
  static ReportData oddCases(ReportData d) {
    Map<String, Double> means = d.clusters().get(0).means();
    Map<String, Double> many = new LinkedHashMap<>();
    for (int i = 0; i < 8; i++) {
      many.put("region " + i, 0.125);
    }
    Map<String, Map<String, Double>> demographics = new LinkedHashMap<>();
    demographics.put("age_bands", Map.of("25-34", 1.0));
    demographics.put("gender", Map.of("f", 1.0));
    demographics.put("income_band", Map.of("middle", 0.75, "high", 0.25));
    demographics.put("region", many);
    demographics.put("city", Map.of("Leeds", 1.0));
    demographics.put("member_tier", Map.of("gold", 1.0));
    Map<String, Double> importance = new LinkedHashMap<>();
    for (String feature :
        List.of(
            "recency_days",
            "frequency",
            "monetary",
            "avg_order_value",
            "channel_breadth",
            "category_breadth",
            "tenure_days",
            "return_rate",
            "mean_days_between_orders",
            "avg_rating",
            "bgnbd_p_no_purchase")) {
      importance.put(feature, 1.0 / 11);
    }
    ModelQuality m = d.models();
    ModelQuality single =
        new ModelQuality(
            m.clustersVersion(),
            m.churnVersion(),
            m.chosenK(),
            m.silhouette(),
            m.kSearch(),
            m.rulesFidelity(),
            m.churnAuc(),
            m.churnPrecision(),
            m.churnRecall(),
            m.churnRate(),
            m.churnTestRows(),
            new ChurnComparison(
                "forest",
                List.of(new ChurnCandidate("forest", 0.8, 0.79, 0.4, 0.15, 2.0, new double[11])),
                List.of(),
                0.02,
                0.04,
                Map.of("forest", importance)));
    LifetimeValue v = d.clv();
    LifetimeValue days =
        new LifetimeValue(
            v.modelVersion(),
            "days",
            v.horizonDays(),
            v.parameters(),
            v.customers(),
            v.total(),
            v.mean(),
            v.meanPAlive(),
            v.expectedPurchases(),
            v.tiers(),
            v.bySegment(),
            v.binWidth(),
            v.bins(),
            null,
            List.of(),
            List.of());
    List<CampaignMetric> orders =
        List.of(
            new CampaignMetric(
                "orders_per_customer",
                true,
                0.3,
                0.25,
                0.05,
                -0.01,
                0.11,
                0.2,
                0.2,
                -0.04,
                0.44,
                0.08));
    List<CampaignMetric> basket =
        List.of(
            new CampaignMetric(
                "average_order_value",
                true,
                40.0,
                41.0,
                -1.0,
                null,
                null,
                null,
                -0.0244,
                null,
                null,
                null));
    List<CampaignMetric> untargeted =
        List.of(
            new CampaignMetric(
                "conversion", false, 0.2, 0.2, 0.0, null, null, null, null, null, null, null));
    CampaignSection campaigns =
        new CampaignSection(
            List.of(
                new CampaignEvaluation(
                    "orders",
                    "More orders",
                    "orders_per_customer",
                    "2024-12-20",
                    "2024-11-01",
                    "2024-11-30",
                    false,
                    null,
                    null,
                    500,
                    500,
                    100,
                    90,
                    0.95,
                    0.8,
                    null,
                    null,
                    null,
                    0.5,
                    true,
                    orders),
                new CampaignEvaluation(
                    "basket",
                    "Bigger baskets",
                    "average_order_value",
                    "2024-12-20",
                    "2024-11-01",
                    "2024-11-30",
                    false,
                    null,
                    null,
                    500,
                    500,
                    100,
                    90,
                    0.95,
                    0.8,
                    10.0,
                    null,
                    null,
                    0.5,
                    true,
                    basket),
                new CampaignEvaluation(
                    "open",
                    "Still open",
                    null,
                    "2024-12-31",
                    "2024-12-01",
                    "2024-12-31",
                    true,
                    null,
                    null,
                    800,
                    200,
                    80,
                    20,
                    0.95,
                    0.8,
                    null,
                    null,
                    null,
                    0.001,
                    false,
                    untargeted)),
            0);
    return new ReportData(
        d.asOfDate(),
        d.previousAsOfDate(),
        d.generatedAt(),
        d.currency(),
        d.lakeRoot(),
        d.headline(),
        List.of(
            d.rfmSegments().get(0),
            new SegmentSize("big_spenders", "big_spenders", 5, 0.01, 0.02, 99, 10, 2, null, null)),
        d.rfmGrid(),
        d.lifecycle(),
        List.of(
            new TransitionMatrix(
                "lifecycle_stage",
                null,
                List.of("active", "(new)"),
                List.of("lapsed"),
                List.of(
                    new Transition("active", "lapsed", 3, 1.0),
                    new Transition("(new)", "lapsed", 1, 1.0))),
            new TransitionMatrix(
                "cluster",
                "2024-11-30",
                List.of("a"),
                List.of("b"),
                List.of(new Transition("a", "b", 1, 1.0))),
            new TransitionMatrix(
                "value_tier",
                "2024-11-30",
                List.of("high"),
                List.of("mid"),
                List.of(new Transition("high", "mid", 1, 1.0))),
            new TransitionMatrix(
                "needs_segment",
                "2024-11-30",
                List.of("price_sensitive"),
                List.of("everyday"),
                List.of(new Transition("price_sensitive", "everyday", 1, 1.0)))),
        d.population(),
        List.of(
            new ClusterPortrait("a", 10, 0.5, 0.5, means, Map.of(), List.of(), Map.of(), 0.1),
            new ClusterPortrait("b", 10, 0.5, 0.5, means, Map.of(), List.of(), demographics, 0.1)),
        List.of(new ClusterRuleText(0, 0, "a", "every customer → cluster 0, a", 10)),
        new ChurnRisk(
            List.of(new ChurnBin(0.0, 0.1, 5, "unknown")), Map.of("unknown", 5L), 5, 0.05),
        single,
        days,
        campaigns,
        new DataQuality(
            1,
            10,
            0,
            0,
            0,
            0,
            List.of(),
            List.of(new IngestRun("r2", "2025-01-02T03:04:05.678Z", "failed", 10, 0, 0, 0)),
            null),
        List.of(),
        List.of(
            new AffinityRule(
                "cluster_label",
                "a",
                "product",
                1,
                List.of("SKU-1"),
                "SKU-2",
                40,
                0.25,
                0.5,
                1.6)));
  }
}

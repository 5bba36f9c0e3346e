package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        new DataQuality(1, 1000, 950, 30, 20, 30, List.of(new ReasonCount("channel '…' is not <one>", 30)),
            List.of(new IngestRun("r1", "2025-01-01T00:00:00Z", "succeeded", 1000, 950, 30, 20))));
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
        d.rules(), d.churn(), d.models(), null, d.dataQuality());
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
    assertEquals(15, charts, "segments, grid, funnel, migration, two for the one cluster, churn, silhouette, churn gains,"
        + " reliability and importance, and four for lifetime value: by segment, distribution, tracking, holdout by"
        + " repeat count");
  }

  @Test
  void rulesReadAsSentences() {
    assertEquals("Customers whose days since the last order ≤ 104 and orders ≥ 5 and ≤ 6 and channels used ≥ 3",
        ReportPage.plainWords("recency_days ≤ 104 and frequency ≥ 5 and ≤ 6 and channel_breadth ≥ 3 → cluster 1, loyal"));
    assertEquals("Customers whose net spend > 322.2", ReportPage.plainWords("monetary > 322.2 → cluster 0, x → y"));
    assertEquals("All customers who bought", ReportPage.plainWords("every customer → cluster 0, all"));
  }
}

package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.Required;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.clv.ClvJob;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.segment.SegmentJob;
import io.segpipe.jobs.train.GeneratedLake;
import io.segpipe.jobs.train.TrainJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The report end to end, made the way a user makes it: generate → ingest → features for two as-of
 * dates (the small lake of {@link GeneratedLake}) → train and segment for each date → a second,
 * deliberately dirty batch ingested (so there is something in quarantine) → report. The page is
 * then opened in headless Chromium over the DevTools protocol: it must log no error, request
 * nothing but itself, draw every chart with every label inside it and apart from the others, and
 * show the figures that the tables hold (read here with Spark). The same date's report is also made
 * in zh-CN from the same tables and checked the same way, drawn in Noto Sans CJK SC.
 */
@ExtendWith(SharedSpark.class)
class ReportJobTest {
  /** A third, earlier snapshot: segment_trends of AS_OF then spans three. */
  private static final String EARLIEST = "2024-10-31";

  private static final String BEFORE = "2024-11-30";
  private static final String AS_OF = "2024-12-31";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path OUT = Path.of("target", "report-test").toAbsolutePath();

  private static SparkSession spark;
  private static Path lake;
  private static Path page;
  private static Path chinesePage;
  private static JsonNode data;

  /** The events version the segment runs saw (before the dirty batch). */
  private static long segmentedEventsVersion;

  @BeforeAll
  static void runThePipeline(SparkSession session) throws IOException {
    spark = session;
    Path built = GeneratedLake.build(400, 5, List.of(BEFORE, AS_OF));
    Path dir = TestFolders.folder("segpipe-report");
    lake =
        GeneratedLake.copyLake(
            built,
            dir.resolve("lake"),
            List.of(
                Tables.EVENTS.name(),
                Tables.CUSTOMER_DAILY.name(),
                Tables.CUSTOMERS.name(),
                Tables.CUSTOMER_FEATURES.name(),
                "run_metrics"));
    String models = dir.resolve("models").toString();
    assertEquals(
        0,
        new FeaturesJob().execute("--as-of", EARLIEST, "--conf", "segpipe.lake.root=" + lake),
        "features as of " + EARLIEST);
    for (String asOf : List.of(EARLIEST, BEFORE, AS_OF)) {
      assertEquals(
          0,
          new TrainJob()
              .execute(
                  "--as-of",
                  asOf,
                  "--conf",
                  "segpipe.lake.root=" + lake,
                  "--conf",
                  "segpipe.train.models=\"" + models + "\"",
                  "--conf",
                  "segpipe.train.k-max=4",
                  "--conf",
                  "segpipe.train.partitions=2",
                  "--conf",
                  "segpipe.train.churn.candidates=[tree,forest,bgnbd]",
                  "--conf",
                  "segpipe.train.churn.training-cut-offs=1"),
          "train as of " + asOf);
      // The first date's fit is validated against the month after it (the second date's data).
      List<String> clv =
          new ArrayList<>(
              List.of(
                  "--as-of",
                  asOf,
                  "--conf",
                  "segpipe.lake.root=" + lake,
                  "--conf",
                  "segpipe.train.models=\"" + models + "\"",
                  "--conf",
                  "segpipe.clv.min-repeat-customers=20"));
      if (asOf.equals(BEFORE)) {
        clv.addAll(List.of("--holdout-until", AS_OF));
      }
      assertEquals(0, new ClvJob().execute(clv.toArray(String[]::new)), "clv as of " + asOf);
      assertEquals(
          0,
          new SegmentJob()
              .execute(
                  "--as-of",
                  asOf,
                  "--conf",
                  "segpipe.lake.root=" + lake,
                  "--conf",
                  "segpipe.train.models=\"" + models + "\""),
          "segment as of " + asOf);
    }
    segmentedEventsVersion =
        spark
            .sql("DESCRIBE HISTORY delta.`" + lake.resolve(Tables.EVENTS.name()) + "`")
            .agg(functions.max("version"))
            .first()
            .getLong(0);
    // A later batch with broken rows and re-sent duplicates, as a real export has them.
    String dirty = dir.resolve("dirty").toString();
    assertEquals(
        0,
        new GenerateJob()
            .execute(
                "--output",
                dirty,
                "--customers",
                "40",
                "--seed",
                "77",
                "--dirty-share",
                "0.02",
                "--conf",
                "segpipe.lake.root=" + lake),
        "generate a dirty batch");
    assertEquals(
        0,
        new IngestJob()
            .execute(
                "--source",
                dirty + "/events",
                "--mapping",
                "generator",
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""),
        "ingest the dirty batch");
    writeCampaignResults();
    for (String asOf : List.of(EARLIEST, BEFORE, AS_OF)) {
      assertEquals(
          0,
          new ReportJob().execute("--as-of", asOf, "--conf", "segpipe.lake.root=" + lake),
          "report " + asOf);
    }
    // The same date's report in Chinese, from the same tables, into a folder of its own.
    assertEquals(
        0,
        new ReportJob()
            .execute(
                "--as-of",
                AS_OF,
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.locale=zh-CN",
                "--conf",
                "segpipe.report.folder=reports-zh-CN"),
        "report " + AS_OF + " in zh-CN");
    page = lake.resolve("reports").resolve(AS_OF).resolve(ReportJob.PAGE);
    chinesePage = lake.resolve("reports-zh-CN").resolve(AS_OF).resolve(ReportJob.PAGE);
    data = JSON.readTree(lake.resolve("reports").resolve(AS_OF).resolve(ReportJob.DATA).toFile());
  }

  /**
   * A small campaign_results, as the evaluate job writes it: "winback" evaluated on 2024-12-20 with
   * a suspect split, aimed at conversion; "newyear" evaluated after the report's date, so left out
   * of its report.
   */
  private static void writeCampaignResults() {
    long[] sizes = {900, 120, 300, 30};
    Double[] money = {2025.0, -450.0, 4500.0};
    long[] later = {400, 400, 80, 60};
    Double[] laterMoney = {1200.0, 100.0, 2300.0};
    List<Row> rows =
        List.of(
            CampaignSectionTest.result(
                "winback",
                "conversion",
                true,
                "2024-12-20",
                "2024-11-01",
                "2024-11-30",
                false,
                sizes,
                new Double[] {
                  1.0 / 3,
                  0.25,
                  1.0 / 3 - 0.25,
                  0.0234,
                  0.1432,
                  0.0721,
                  1.0 / 3 / 0.25 - 1,
                  0.06,
                  0.61,
                  0.091
                },
                money,
                0.0021,
                false),
            CampaignSectionTest.result(
                "winback",
                "revenue_per_customer",
                false,
                "2024-12-20",
                "2024-11-01",
                "2024-11-30",
                false,
                sizes,
                new Double[] {12.5, 10.25, 2.25, -0.5, 5.0, 0.0423, 0.22, -0.05, 0.49, 3.1},
                money,
                0.0021,
                false),
            CampaignSectionTest.result(
                "winback",
                "orders_per_customer",
                false,
                "2024-12-20",
                "2024-11-01",
                "2024-11-30",
                false,
                sizes,
                new Double[] {0.3126, 0.25, 0.0626, -0.0125, 0.1375, 0.1, 0.25, -0.05, 0.55, 0.08},
                money,
                0.0021,
                false),
            CampaignSectionTest.result(
                "winback",
                "average_order_value",
                false,
                "2024-12-20",
                "2024-11-01",
                "2024-11-30",
                false,
                sizes,
                new Double[] {37.5, 41.0, -3.5, null, null, null, -0.0854, null, null, null},
                money,
                0.0021,
                false),
            CampaignSectionTest.result(
                "newyear",
                "revenue_per_customer",
                true,
                "2025-01-15",
                "2024-12-15",
                "2025-01-14",
                false,
                later,
                new Double[] {9.0, 6.0, 3.0, 0.25, 5.75, 0.033, 0.5, 0.04, 0.96, 2.4},
                laterMoney,
                0.6,
                true),
            CampaignSectionTest.result(
                "newyear",
                "conversion",
                false,
                "2025-01-15",
                "2024-12-15",
                "2025-01-14",
                false,
                later,
                new Double[] {0.2, 0.15, 0.05, 0.0, 0.1, 0.05, 0.3333, 0.0, 0.7, 0.07},
                laterMoney,
                0.6,
                true));
    spark
        .createDataFrame(rows, Campaigns.RESULTS_SCHEMA)
        .write()
        .format("delta")
        .save(lake.resolve(Tables.CAMPAIGN_RESULTS.name()).toString());
  }

  @Test
  void theCampaignSectionShowsTheCampaignsEvaluatedByTheDate() throws IOException {
    String html = Files.readString(page);
    String section =
        html.substring(
            html.indexOf("<section id=\"campaigns\">"), html.indexOf("<section id=\"quality\">"));
    // winback (evaluated 2024-12-20) is shown, newyear (evaluated 2025-01-15) left out and counted.
    assertTrue(
        section.contains("<code>winback</code>") && !section.contains("newyear"),
        "only the campaign evaluated by then");
    assertTrue(
        section.contains(
            "<span data-metric=\"campaign.evaluated_after_as_of\" data-value=\"1.0\">1</span>"
                + " campaign was left out: evaluated after 2024-12-31"),
        "the omitted count");
    assertTrue(
        section.contains(
            "Window <strong>2024-11-01 – 2024-11-30</strong>, evaluated as of 2024-12-20."));
    assertTrue(
        section.contains(
            ">900</span> treated / <span data-metric=\"campaign.control_customers|winback\""
                + " data-value=\"120.0\">120</span> control customers (300 / 30 bought)"));
    // The target metric first, formatted in the report's locale and currency (GBP by default).
    assertTrue(
        section.contains(
            "Target metric: <strong>Conversion (share who bought)</strong>: 33.3% treated against"
                + " 25.0% control, uplift +8.3 pp (95% interval +2.3 pp to +14.3 pp), p = 0.072."),
        "the target's sentence");
    assertTrue(
        section.contains(
            "data-metric=\"campaign.treated|winback|revenue_per_customer\" data-value=\"12.5\">£12.50<"));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.uplift|winback|revenue_per_customer\" data-value=\"2.25\">+£2.25<"));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.uplift_low|winback|revenue_per_customer\" data-value=\"-0.5\">−£0.50<"));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.mde|winback|conversion\" data-value=\"0.091\">9.1 pp<"));
    assertTrue(section.contains("data-metric=\"campaign.relative_uplift|winback|conversion\""));
    assertTrue(
        section.contains(">+33.3%</span><br><span class=\"muted\">+6.0% to +61.0%</span>"),
        "relative uplift");
    assertTrue(
        section.contains(
            "data-metric=\"campaign.uplift|winback|average_order_value\" data-value=\"-3.5\">−£3.50<"));
    assertTrue(
        section.contains(
            "data-metric=\"campaign.incremental_revenue|winback\" data-value=\"2025.0\">+£2,025<"));
    assertTrue(
        section.contains(
            ">−£450</span> to <span data-metric=\"campaign.incremental_revenue_high|winback\""
                + " data-value=\"4500.0\">+£4,500</span>"));
    assertTrue(
        section.contains(
            "<strong>Warning: the split does not match the control share (p = <span"
                + " data-metric=\"campaign.sample_ratio_p_value|winback\" data-value=\"0.0021\">0.002</span>): do not trust"
                + " this result.</strong>"),
        "the warning");
    assertFalse(section.contains("Early look"), "winback's window had ended");
    assertTrue(section.contains("id=\"chart-campaigns\""));

    // The JSON beside the page carries the same figures.
    JsonNode campaigns = data.get("campaigns");
    assertEquals(1, campaigns.get("evaluatedAfterAsOf").asInt());
    assertEquals(1, campaigns.get("evaluated").size());
    JsonNode winback = campaigns.at("/evaluated/0");
    assertEquals("winback", winback.get("campaignId").asText());
    assertEquals("conversion", winback.get("targetMetric").asText());
    assertEquals(900, winback.get("treatedCustomers").asLong());
    assertEquals(120, winback.get("controlCustomers").asLong());
    assertFalse(winback.get("sampleRatioOk").asBoolean());
    assertEquals(0.0021, winback.get("sampleRatioPValue").asDouble(), 0);
    assertEquals(2025.0, winback.get("incrementalRevenue").asDouble(), 0);
    assertEquals(-450.0, winback.get("incrementalRevenueLow").asDouble(), 0);
    assertEquals(4500.0, winback.get("incrementalRevenueHigh").asDouble(), 0);
    assertEquals(
        List.of("conversion", "revenue_per_customer", "orders_per_customer", "average_order_value"),
        java.util.stream.StreamSupport.stream(winback.get("metrics").spliterator(), false)
            .map(m -> m.get("metric").asText())
            .toList());
    assertEquals(1.0 / 3 - 0.25, winback.at("/metrics/0/uplift").asDouble(), 1e-15);
    assertEquals(0.0234, winback.at("/metrics/0/upliftLow").asDouble(), 0);
    assertEquals(0.0721, winback.at("/metrics/0/pValue").asDouble(), 0);
    assertEquals(3.1, winback.at("/metrics/1/minimumDetectableEffect").asDouble(), 0);
    assertTrue(winback.at("/metrics/3/pValue").isNull(), "average order value has no p-value");

    // The first date's report: both campaigns were evaluated after it.
    String first =
        Files.readString(lake.resolve("reports").resolve(BEFORE).resolve(ReportJob.PAGE));
    assertTrue(first.contains("No campaign has been evaluated yet as of " + BEFORE + "."));
    assertTrue(
        first.contains(
            "data-value=\"2.0\">2</span> campaigns were left out: evaluated after " + BEFORE));
    assertFalse(first.contains("chart-campaigns"));
  }

  private static Dataset<Row> table(String name) {
    return spark.read().format("delta").load(lake.resolve(name).toString());
  }

  private static Dataset<Row> snapshot(String name, String asOf) {
    return table(name)
        .where(functions.col("as_of_date").equalTo(functions.lit(Date.valueOf(asOf))));
  }

  /**
   * {@code group} of a snapshot counted with Spark, keyed by the group's values joined with '|'.
   */
  private static Map<String, Long> counts(Dataset<Row> rows, String... group) {
    Map<String, Long> out = new TreeMap<>();
    rows.groupBy(group[0], java.util.Arrays.copyOfRange(group, 1, group.length))
        .count()
        .collectAsList()
        .forEach(
            r -> {
              List<String> key = new ArrayList<>();
              for (int i = 0; i < group.length; i++) {
                key.add(String.valueOf(r.get(i)));
              }
              out.put(String.join("|", key), r.getLong(group.length));
            });
    return out;
  }

  @Test
  void theFirstSnapshotsReportHasNothingToCompareWith() throws IOException {
    Path folder = lake.resolve("reports").resolve(EARLIEST);
    JsonNode first = JSON.readTree(folder.resolve(ReportJob.DATA).toFile());
    assertTrue(first.get("previousAsOfDate").isNull());
    assertTrue(first.get("headline").get("previous").isNull());
    assertEquals(0, first.get("transitions").size(), "no migration without an earlier snapshot");
    assertEquals(
        snapshot("customer_segments", EARLIEST).count(),
        first.get("headline").get("current").get("customers").asLong());
    String html = Files.readString(folder.resolve(ReportJob.PAGE));
    assertTrue(html.contains("the first snapshot: no earlier one to compare with"));
    assertTrue(
        html.contains("This is the only snapshot in the period so far"),
        "no trend over one snapshot");
    try (var files = Files.list(folder)) {
      assertEquals(
          List.of(ReportJob.DATA, ReportJob.PAGE),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "the report folder holds the report only");
    }
  }

  /**
   * segment_trends as of AS_OF equals what is aggregated here, independently: its snapshot rows
   * equal customer_segments at each of the three snapshots; its month rows equal the raw events (as
   * the segment runs saw them, before the dirty batch) of AS_OF's members; and the report shows
   * exactly its figures.
   */
  @Test
  void segmentTrendsEqualTheSnapshotsAndTheRawEvents() throws IOException {
    table(Tables.SEGMENT_TRENDS.name()).createOrReplaceTempView("trends_under_test");
    table("customer_segments").createOrReplaceTempView("segments_under_test");
    spark
        .read()
        .format("delta")
        .option("versionAsOf", segmentedEventsVersion)
        .load(lake.resolve(Tables.EVENTS.name()).toString())
        .createOrReplaceTempView("events_under_test");
    String members =
        """
        SELECT s.as_of_date, s.customer_id, s.frequency, s.monetary, s.clv, m.segmentation, m.segment
        FROM segments_under_test s
        LATERAL VIEW stack(5, 'rfm_segment', rfm_segment, 'lifecycle_stage', lifecycle_stage,
          'cluster', cluster_label, 'value_tier', value_tier, 'needs_segment', needs_segment)
          m AS segmentation, segment
        WHERE m.segment IS NOT NULL""";
    List<Row> expectedSnapshots =
        spark
            .sql(
                """
        WITH members AS (%s)
        SELECT segmentation, segment, CAST(as_of_date AS STRING) AS period, count(*) AS customers,
          count(*) / sum(count(*)) OVER (PARTITION BY as_of_date, segmentation) AS share,
          count_if(frequency > 0) AS active, sum(frequency) AS orders, sum(monetary) AS revenue,
          CAST(sum(monetary) AS DOUBLE) / sum(CAST(sum(monetary) AS DOUBLE)) OVER (PARTITION BY as_of_date, segmentation)
            AS revenue_share,
          avg(clv) AS clv_mean
        FROM members GROUP BY as_of_date, segmentation, segment"""
                    .formatted(members))
            .collectAsList();
    List<Row> expectedMonths =
        spark
            .sql(
                """
        WITH members AS (SELECT * FROM (%s) WHERE as_of_date = DATE'%s'),
        events AS (
          SELECT * FROM events_under_test
          WHERE customer_id IS NOT NULL AND event_date BETWEEN DATE'2024-01-01' AND DATE'%s'
        ),
        money AS (
          SELECT customer_id, trunc(event_date, 'MM') AS month,
            sum(CASE event_type WHEN 'purchase' THEN amount WHEN 'return' THEN -amount ELSE 0 END) AS revenue
          FROM events GROUP BY customer_id, trunc(event_date, 'MM')
        ),
        first_lines AS (
          SELECT customer_id, coalesce(order_id, event_id) AS order_key, min(event_date) AS day
          FROM events WHERE event_type = 'purchase' GROUP BY customer_id, coalesce(order_id, event_id)
        ),
        orders AS (
          SELECT customer_id, trunc(day, 'MM') AS month, count(*) AS orders FROM first_lines GROUP BY 1, 2
        ),
        months AS (SELECT explode(sequence(DATE'2024-01-01', DATE'2024-12-01', INTERVAL 1 MONTH)) AS month)
        SELECT m.segmentation, m.segment, CAST(mo.month AS STRING) AS period,
          coalesce(sum(y.revenue), 0) AS revenue, coalesce(sum(o.orders), 0) AS orders,
          count(DISTINCT o.customer_id) AS active
        FROM members m CROSS JOIN months mo
        LEFT JOIN money y ON y.customer_id = m.customer_id AND y.month = mo.month
        LEFT JOIN orders o ON o.customer_id = m.customer_id AND o.month = mo.month
        GROUP BY m.segmentation, m.segment, mo.month"""
                    .formatted(members, AS_OF, AS_OF))
            .collectAsList();

    Map<String, Row> actual = new HashMap<>();
    spark
        .sql("SELECT * FROM trends_under_test WHERE as_of_date = DATE'" + AS_OF + "'")
        .collectAsList()
        .forEach(
            r ->
                actual.put(
                    r.getAs("period_type")
                        + "|"
                        + r.getAs("segmentation")
                        + "|"
                        + r.getAs("segment")
                        + "|"
                        + r.getAs("period_start"),
                    r));
    assertEquals(
        expectedSnapshots.size() + expectedMonths.size(),
        actual.size(),
        "one row per segment and period");
    assertEquals(
        3,
        expectedSnapshots.stream().map(r -> r.getString(2)).distinct().count(),
        "three snapshots");
    for (Row e : expectedSnapshots) {
      String key = "snapshot|" + e.getString(0) + "|" + e.getString(1) + "|" + e.getString(2);
      Row a = actual.get(key);
      assertNotNull(a, key);
      assertEquals(e.getLong(3), a.<Long>getAs("customers"), key);
      assertEquals(e.getDouble(4), a.<Double>getAs("share"), 1e-12, key);
      assertEquals(e.getLong(5), a.<Long>getAs("active_customers"), key);
      assertEquals(e.getLong(6), a.<Long>getAs("orders"), key);
      assertEquals(
          0,
          e.getDecimal(7).compareTo(a.getAs("revenue")),
          key + ": revenue " + e.get(7) + " " + a.getAs("revenue"));
      assertEquals(e.getDouble(8), a.<Double>getAs("revenue_share"), 1e-12, key);
      if (e.isNullAt(9)) {
        assertNull(a.getAs("clv_mean"), key);
      } else {
        assertEquals(
            e.getDouble(9), a.<Double>getAs("clv_mean"), 1e-9 * Math.abs(e.getDouble(9)), key);
      }
    }
    long active = 0;
    for (Row e : expectedMonths) {
      String key = "month|" + e.getString(0) + "|" + e.getString(1) + "|" + e.getString(2);
      Row a = actual.get(key);
      assertNotNull(a, key);
      assertEquals(
          0,
          e.getDecimal(3).compareTo(a.getAs("revenue")),
          key + ": revenue " + e.get(3) + " " + a.getAs("revenue"));
      assertEquals(e.getLong(4), a.<Long>getAs("orders"), key);
      assertEquals(e.getLong(5), a.<Long>getAs("active_customers"), key);
      active += e.getLong(5);
    }
    assertTrue(active > 100, "the months hold purchases: " + active);

    // The report shows these figures: every trend point of report-data.json is its table row.
    JsonNode points = data.get("trends");
    assertTrue(points.size() > 0);
    for (JsonNode p : points) {
      String key =
          p.get("periodType").asText()
              + "|"
              + p.get("segmentation").asText()
              + "|"
              + p.get("segment").asText()
              + "|"
              + p.get("periodStart").asText();
      Row a = actual.get(key);
      assertNotNull(a, key);
      assertEquals(a.<Double>getAs("share"), p.get("share").asDouble(), 0, key);
      assertEquals(
          a.<java.math.BigDecimal>getAs("revenue").doubleValue(),
          p.get("revenue").asDouble(),
          0,
          key);
    }
    String html = Files.readString(page);
    assertTrue(
        html.contains("data-metric=\"trend.share|rfm_segment|"),
        "the share chart is drawn over three snapshots");
  }

  /** The first date's report shows its fit against the month that followed (clv_validation). */
  @Test
  void theFirstDatesReportShowsTheClvValidation() throws IOException {
    JsonNode first =
        JSON.readTree(lake.resolve("reports").resolve(BEFORE).resolve(ReportJob.DATA).toFile());
    assertEquals(AS_OF, first.at("/clv/holdoutUntil").asText());
    List<Row> validation =
        snapshot("clv_validation", BEFORE)
            .where("kind = 'tracking'")
            .orderBy("period_end")
            .collectAsList();
    JsonNode tracking = first.at("/clv/tracking");
    assertEquals(validation.size(), tracking.size());
    Row last = validation.get(validation.size() - 1);
    assertEquals(
        last.<Double>getAs("actual"),
        tracking.get(tracking.size() - 1).get("actual").asDouble(),
        0);
    assertEquals(
        last.<Double>getAs("expected"),
        tracking.get(tracking.size() - 1).get("expected").asDouble(),
        0);
    String html = Files.readString(lake.resolve("reports").resolve(BEFORE).resolve(ReportJob.PAGE));
    assertTrue(
        html.contains("id=\"chart-clv-tracking\"") && html.contains("id=\"chart-clv-repeats\""));
  }

  @Test
  void theJsonHoldsTheFiguresOfTheTables() {
    assertEquals(BEFORE, data.get("previousAsOfDate").asText());
    Dataset<Row> now = snapshot("customer_segments", AS_OF);
    assertEquals(now.count(), data.at("/headline/current/customers").asLong());
    assertEquals(
        snapshot("customer_segments", BEFORE).count(),
        data.at("/headline/previous/customers").asLong());
    double revenue = now.agg(functions.sum("monetary")).first().getDecimal(0).doubleValue();
    assertEquals(revenue, data.at("/headline/current/revenue").asDouble(), 0.005);
    assertEquals("GBP", data.get("currency").asText());
    Map<String, Long> clusters = counts(now.where("cluster_label IS NOT NULL"), "cluster_label");
    Map<String, Long> portraits = new TreeMap<>();
    data.get("clusters")
        .forEach(c -> portraits.put(c.get("segment").asText(), c.get("customers").asLong()));
    assertEquals(clusters, portraits);
    double population =
        data.at("/population/channelMix").properties().stream()
            .mapToDouble(e -> e.getValue().asDouble())
            .sum();
    assertEquals(1.0, population, 1e-9, "the population's channel mix adds up to all orders");
    assertPopulationMeans(now, snapshot("customer_features", AS_OF));
  }

  /**
   * The population's means (the cluster portraits' yardstick) are those of the buyers, computed
   * here from their rows: churn probability from customer_segments, the shares and conversions from
   * customer_features, each over the buyers who have one.
   */
  private void assertPopulationMeans(Dataset<Row> segments, Dataset<Row> features) {
    Map<String, Row> byCustomer = new HashMap<>();
    features.collectAsList().forEach(f -> byCustomer.put(f.getAs("customer_id"), f));
    List<Row> buyers = segments.where("frequency > 0").collectAsList();
    assertEquals(buyers.size(), data.at("/population/customers").asLong());
    Map<String, String> columns = new TreeMap<>();
    columns.put("churn_probability_mean", "churn_probability");
    for (String share :
        List.of(
            "coupon_order_share",
            "view_to_purchase",
            "evening_order_share",
            "weekend_order_share",
            "discount_spend_share")) {
      columns.put(share + "_mean", share);
    }
    for (Map.Entry<String, String> c : columns.entrySet()) {
      double sum = 0;
      int n = 0;
      for (Row b : buyers) {
        Row row =
            c.getValue().equals("churn_probability") ? b : byCustomer.get(b.getAs("customer_id"));
        Object value = row.getAs(c.getValue());
        if (value != null) {
          sum += (Double) value;
          n++;
        }
      }
      assertTrue(n > 0, c.getKey() + ": some buyer has a value");
      assertEquals(
          sum / n,
          data.at("/population/means/" + c.getKey()).asDouble(),
          1e-9 * Math.max(1, Math.abs(sum / n)),
          c.getKey());
    }
  }

  /**
   * What a page did in Chromium: the page checks' result, the requests, errors logged, and fonts
   * drawn.
   */
  private record Loaded(
      JsonNode checks,
      List<String> requests,
      List<String> problems,
      List<String> headingFonts,
      List<String> chartFonts) {}

  /** The browser binary, required: a developer's machine without it skips, CI fails. */
  private static void requireChromium() {
    Path binary = HeadlessChromium.binary();
    if (!Files.isExecutable(binary)) {
      Required.that(
          false,
          "Chromium is needed to check the report page and is not at "
              + binary
              + " (apt-get install chromium, or set SEGPIPE_CHROMIUM)");
    }
  }

  /**
   * Opens {@code report} in headless Chromium at 1366 x 900, runs {@link #PAGE_CHECKS} in it, saves
   * a screenshot of the whole page as {@code name}.png in {@link #OUT} (and, when {@code pdf},
   * prints it to {@code name}.pdf), and reads the fonts Chromium drew the h1 and a chart's category
   * label in.
   */
  private static Loaded inChromium(Path report, String name, boolean pdf) throws Exception {
    Files.createDirectories(OUT);
    List<String> problems = new ArrayList<>();
    try (HeadlessChromium browser =
        new HeadlessChromium(OUT.resolve(name + "-chromium.log"), 1366, 900)) {
      browser.openPage();
      for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
        browser.send(domain + ".enable", Map.of());
      }
      browser.send(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", 1366, "height", 900, "deviceScaleFactor", 1, "mobile", false));
      var loaded = browser.next("Page.loadEventFired");
      browser.send("Page.navigate", Map.of("url", report.toUri().toString()));
      loaded.get(60, TimeUnit.SECONDS);
      JsonNode checks = browser.evaluate(PAGE_CHECKS);
      browser.send("DOM.enable", Map.of());
      browser.send("CSS.enable", Map.of());
      int root = browser.send("DOM.getDocument", Map.of()).at("/root/nodeId").asInt();
      List<String> headingFonts = fonts(browser, root, "h1");
      List<String> chartFonts = fonts(browser, root, "svg.chart text.category");
      JsonNode size = browser.send("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
      HeadlessChromium.save(
          browser.send(
              "Page.captureScreenshot",
              Map.of(
                  "format",
                  "png",
                  "captureBeyondViewport",
                  true,
                  "clip",
                  Map.of(
                      "x",
                      0,
                      "y",
                      0,
                      "width",
                      1366,
                      "height",
                      size.path("height").asDouble(),
                      "scale",
                      1))),
          OUT.resolve(name + ".png"));
      if (pdf) {
        HeadlessChromium.save(
            browser.send(
                "Page.printToPDF", Map.of("printBackground", true, "preferCSSPageSize", true)),
            OUT.resolve(name + ".pdf"));
      }
      List<String> requests =
          browser.events("Network.requestWillBeSent").stream()
              .map(e -> e.at("/params/request/url").asText())
              .toList();
      browser
          .events("Runtime.exceptionThrown")
          .forEach(e -> problems.add("exception: " + e.at("/params/exceptionDetails")));
      browser.events("Runtime.consoleAPICalled").stream()
          .filter(
              e -> List.of("error", "warning", "assert").contains(e.at("/params/type").asText()))
          .forEach(
              e ->
                  problems.add(
                      "console " + e.at("/params/type").asText() + ": " + e.at("/params/args")));
      browser.events("Log.entryAdded").stream()
          .filter(e -> List.of("error", "warning").contains(e.at("/params/entry/level").asText()))
          .forEach(
              e ->
                  problems.add(
                      "log: "
                          + e.at("/params/entry/text").asText()
                          + " "
                          + e.at("/params/entry/url").asText()));
      return new Loaded(checks, requests, problems, headingFonts, chartFonts);
    }
  }

  /**
   * The families of the platform fonts Chromium drew the first element matching {@code selector}
   * in.
   */
  private static List<String> fonts(HeadlessChromium browser, int root, String selector)
      throws Exception {
    int node =
        browser
            .send("DOM.querySelector", Map.of("nodeId", root, "selector", selector))
            .path("nodeId")
            .asInt();
    List<String> families = new ArrayList<>();
    browser
        .send("CSS.getPlatformFontsForNode", Map.of("nodeId", node))
        .path("fonts")
        .forEach(f -> families.add(f.path("familyName").asText()));
    return families;
  }

  /**
   * The page loaded on its own: nothing logged, nothing requested but the page, and every chart the
   * data calls for drawn at a readable size with its title, every text of it inside its box and
   * apart from the others (checked on the drawn boxes, rotated labels included).
   */
  private static Map<String, JsonNode> assertTheChartsAreDrawnAndLegible(
      Path report, Loaded loaded) {
    assertEquals(List.of(), loaded.problems(), "the page logs no error or warning");
    assertFalse(loaded.requests().isEmpty(), "DevTools saw the page load");
    String url = report.toUri().toString();
    assertTrue(
        loaded.requests().stream().allMatch(url::equals),
        "no request but the page itself: " + loaded.requests());
    Map<String, JsonNode> charts = new HashMap<>();
    loaded.checks().get("charts").forEach(c -> charts.put(c.get("id").asText(), c));
    List<String> expected =
        new ArrayList<>(
            List.of(
                "chart-rfm-segments",
                "chart-rfm-grid",
                "chart-lifecycle",
                "chart-migration-rfm-segment",
                "chart-migration-lifecycle-stage",
                "chart-migration-needs-segment",
                "chart-trend-share-rfm-segment",
                "chart-trend-revenue-rfm-segment",
                "chart-trend-share-lifecycle-stage",
                "chart-trend-revenue-lifecycle-stage",
                "chart-trend-share-needs-segment",
                "chart-trend-revenue-needs-segment",
                "chart-churn",
                "chart-silhouette",
                "chart-clv-segments",
                "chart-clv-distribution",
                "chart-churn-gains",
                "chart-churn-reliability",
                "chart-churn-importance-forest",
                "chart-campaigns"));
    data.get("clusters")
        .forEach(
            c -> {
              expected.add("chart-cluster-" + Markup.slug(c.get("segment").asText()) + "-profile");
              expected.add("chart-cluster-" + Markup.slug(c.get("segment").asText()) + "-channels");
            });
    assertEquals(
        new java.util.TreeSet<>(expected),
        new java.util.TreeSet<>(charts.keySet()),
        "the charts on the page");
    List<String> illegible = new ArrayList<>();
    charts.forEach(
        (id, c) -> {
          assertTrue(c.get("marks").asInt() >= 3, id + " has marks: " + c);
          assertTrue(
              c.get("filledMarks").asInt() >= 1,
              id + " has at least one visible bar or cell: " + c);
          assertTrue(
              c.get("width").asDouble() > 300 && c.get("height").asDouble() > 100,
              id + " is drawn at a readable size: " + c);
          assertFalse(c.get("title").asText().isBlank(), id + " has a title");
          assertTrue(c.get("texts").asInt() >= 3, id + " has its texts: " + c);
          if (c.get("outside").size() + c.get("overlaps").size() > 0) {
            illegible.add(
                id
                    + ": outside the chart "
                    + c.get("outside")
                    + ", overlapping "
                    + c.get("overlaps"));
          }
        });
    assertEquals(
        List.of(), illegible, "every text of every chart inside its box and apart from the others");
    assertEquals(
        1, charts.get("chart-campaigns").get("points").asInt(), "one row per campaign shown");
    return charts;
  }

  @Test
  void thePageInChromiumDrawsEveryChartAndShowsTheTablesFigures() throws Exception {
    requireChromium();
    Loaded loaded = inChromium(page, "segment-report", true);
    assertTheChartsAreDrawnAndLegible(page, loaded);
    JsonNode checks = loaded.checks();

    Map<String, JsonNode> shown = new HashMap<>();
    checks.get("metrics").forEach(m -> shown.put(m.get("metric").asText(), m));
    // The text shown is the exact value, formatted: whole numbers with thousands separators.
    Pattern count = Pattern.compile("[+−±]?\\d{1,3}(,\\d{3})*");
    shown.forEach(
        (metric, m) -> {
          if (metric.matches(
              "(headline\\.(customers|active_customers|purchasers|opted_in)|rfm\\.customers|grid|lifecycle"
                  + "|transition|cluster\\.customers|churn\\.band|quality|rule).*")) {
            String text = m.get("text").asText();
            assertTrue(
                count.matcher(text).matches(), metric + " is a formatted whole number: " + text);
            long value =
                Long.parseLong(text.replaceAll("[^0-9]", "")) * (text.startsWith("−") ? -1 : 1);
            assertEquals(Math.round(m.get("value").asDouble()), value, metric + " shows its value");
          }
        });

    // ... and the value is what the tables hold.
    Dataset<Row> now = snapshot("customer_segments", AS_OF);
    Dataset<Row> before = snapshot("customer_segments", BEFORE);
    assertShown(shown, "headline.customers", now.count());
    assertShown(shown, "headline.customers.change", now.count() - before.count());
    assertShown(
        shown,
        "headline.active_customers",
        now.where("lifecycle_stage IN ('new', 'active', 'reactivated')").count());
    assertShown(shown, "headline.purchasers", now.where("frequency > 0").count());
    assertShown(shown, "headline.opted_in", now.where("marketing_opt_in").count());
    double revenue = now.agg(functions.sum("monetary")).first().getDecimal(0).doubleValue();
    assertEquals(revenue, shown.get("headline.revenue").get("value").asDouble(), 0.005);
    assertEquals(
        "£" + String.format("%,d", Math.round(revenue)),
        shown.get("headline.revenue").get("text").asText());
    assertAllShown(
        shown, "rfm.customers|", counts(now.where("rfm_segment IS NOT NULL"), "rfm_segment"));
    assertAllShown(
        shown, "grid.customers|", counts(now.where("r_score IS NOT NULL"), "r_score", "f_score"));
    assertAllShown(shown, "lifecycle.customers|", counts(now, "lifecycle_stage"));
    assertAllShown(
        shown,
        "cluster.customers|",
        counts(now.where("cluster_label IS NOT NULL"), "cluster_label"));
    assertAllShown(shown, "churn.band|", counts(now.where("churn_risk IS NOT NULL"), "churn_risk"));
    Map<String, Long> transitions = new TreeMap<>();
    // The page shows the segmentations of segpipe.report.transition-segmentations (default: RFM,
    // lifecycle and needs).
    snapshot("segment_transitions", AS_OF)
        .where("segmentation IN ('rfm_segment', 'lifecycle_stage', 'needs_segment')")
        .collectAsList()
        .forEach(
            r ->
                transitions.put(
                    r.<String>getAs("segmentation")
                        + "|"
                        + r.getAs("from_segment")
                        + "|"
                        + r.getAs("to_segment"),
                    r.<Long>getAs("customers")));
    assertFalse(transitions.isEmpty());
    assertAllShown(shown, "transition.customers|", transitions);
    Map<String, Long> rules = new TreeMap<>();
    snapshot("segment_rules", AS_OF)
        .collectAsList()
        .forEach(
            r ->
                rules.put(String.valueOf(r.<Integer>getAs("rule_id")), r.<Long>getAs("customers")));
    assertAllShown(shown, "rule.customers|", rules);

    String churnVersion = now.agg(functions.max("churn_model_version")).first().getString(0);
    Row churn =
        table(Tables.MODEL_RUNS.name())
            .where(
                functions
                    .col("model")
                    .equalTo("churn")
                    .and(functions.col("version").equalTo(churnVersion)))
            .first();
    assertEquals(
        churn.<String, Double>getJavaMap(churn.fieldIndex("metrics")).get("auc"),
        shown.get("model.churn_auc").get("value").asDouble(),
        1e-12,
        "churn AUC from model_runs");
    // The candidates' table, gains, reliability and importances: each figure is its model_runs
    // metric.
    Map<String, Double> churnMetrics = churn.getJavaMap(churn.fieldIndex("metrics"));
    int churnFigures = 0;
    for (Map.Entry<String, JsonNode> e : shown.entrySet()) {
      String[] parts = e.getKey().split("\\|");
      String key =
          switch (parts[0]) {
            case "churn.candidate" -> "candidate." + parts[1] + "." + parts[2];
            case "churn.gains" -> "candidate." + parts[1] + ".gains_" + parts[2];
            case "churn.reliability_predicted" -> "reliability_" + parts[1] + "_predicted";
            case "churn.reliability_observed" -> "reliability_" + parts[1] + "_observed";
            case "churn.importance" -> "candidate." + parts[1] + ".importance." + parts[2];
            default -> null;
          };
      if (key != null) {
        assertTrue(churnMetrics.containsKey(key), e.getKey() + " has no model_runs metric " + key);
        assertEquals(
            churnMetrics.get(key), e.getValue().get("value").asDouble(), 1e-12, e.getKey());
        churnFigures++;
      }
    }
    // three candidates × five table cells and ten gains points, ten reliability bins × two, and the
    // forest's importance of each of its nine features (the eight configured and the BG/NBD
    // probability)
    assertEquals(3 * 5 + 3 * 10 + 10 * 2 + 9, churnFigures, "churn figures shown");
    String clustersVersion = now.agg(functions.max("clusters_model_version")).first().getString(0);
    Row clusters =
        table(Tables.MODEL_RUNS.name())
            .where(
                functions
                    .col("model")
                    .equalTo("clusters")
                    .and(functions.col("version").equalTo(clustersVersion)))
            .first();
    Map<String, Double> clusterMetrics = clusters.getJavaMap(clusters.fieldIndex("metrics"));
    assertEquals(
        Integer.parseInt(
            clusters.<String, String>getJavaMap(clusters.fieldIndex("parameters")).get("k")),
        shown.get("model.k").get("value").asInt());
    for (int k = 3; k <= 4; k++) {
      assertEquals(
          clusterMetrics.get("silhouette_k" + k),
          shown.get("model.silhouette|k" + k).get("value").asDouble(),
          1e-12);
    }

    Dataset<Row> clv = snapshot("customer_clv", AS_OF);
    double totalClv = clv.agg(functions.sum("clv")).first().getDouble(0);
    assertEquals(totalClv, shown.get("clv.total").get("value").asDouble(), 1e-6 * totalClv);
    assertEquals(
        "£" + String.format("%,d", Math.round(totalClv)),
        shown.get("clv.total").get("text").asText());
    assertAllShown(shown, "clv.tier|", counts(clv, "clv_tier"));
    Map<String, Double> segmentMeans = new TreeMap<>();
    now.where("rfm_segment IS NOT NULL AND clv IS NOT NULL")
        .groupBy("rfm_segment")
        .agg(functions.avg("clv"))
        .collectAsList()
        .forEach(r -> segmentMeans.put(r.getString(0), r.getDouble(1)));
    assertFalse(segmentMeans.isEmpty());
    segmentMeans.forEach(
        (segment, mean) ->
            assertEquals(
                mean,
                shown.get("clv.segment_mean|" + segment).get("value").asDouble(),
                1e-9 * Math.max(1, mean),
                "mean CLV of " + segment));
    Row bgnbd =
        table(Tables.MODEL_RUNS.name())
            .where("model = 'clv-bgnbd'")
            .orderBy(functions.col("as_of_date").desc())
            .first();
    assertEquals(
        Double.parseDouble(
            bgnbd.<String, String>getJavaMap(bgnbd.fieldIndex("parameters")).get("r")),
        shown.get("clv.parameter|r").get("value").asDouble(),
        0,
        "BG/NBD r from model_runs");

    Dataset<Row> ingest = table("run_metrics").where("job = 'ingest'");
    Row totals =
        ingest
            .agg(
                functions.sum("rows_in"),
                functions.sum("rows_rejected"),
                functions.sum("rows_duplicate"))
            .first();
    assertShown(shown, "quality.events_read", totals.getLong(0));
    assertShown(shown, "quality.quarantined", totals.getLong(1));
    assertShown(shown, "quality.duplicates", totals.getLong(2));
    assertTrue(
        totals.getLong(1) > 0 && totals.getLong(2) > 0,
        "the dirty batch left quarantined rows and duplicates");
    assertShown(shown, "quality.quarantine_rows", table(Tables.EVENTS_QUARANTINE.name()).count());
    assertTrue(
        shown.get("quality.reason|0").get("value").asLong() > 0,
        "the top quarantine reason is listed");

    byte[] pdf = Files.readAllBytes(OUT.resolve("segment-report.pdf"));
    String pdfText = new String(pdf, StandardCharsets.ISO_8859_1);
    assertTrue(pdfText.startsWith("%PDF"), "printing makes a PDF");
    assertTrue(
        Pattern.compile("/MediaBox \\[0 0 59[45](\\.\\d+)? 84[12](\\.\\d+)?\\]")
            .matcher(pdfText)
            .find(),
        "printed on A4 (595 x 842 points)");
    assertTrue(
        Files.size(OUT.resolve("segment-report.png")) > 50_000,
        "a screenshot of the page in target/report-test");
  }

  /** Whether fontconfig, which Chromium draws with on Linux, has Noto Sans CJK SC. */
  private static boolean notoSansCjkInstalled() throws IOException, InterruptedException {
    try {
      Process fc =
          new ProcessBuilder("fc-list", ":family=Noto Sans CJK SC", "family")
              .redirectErrorStream(true)
              .start();
      String families = new String(fc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return fc.waitFor(30, TimeUnit.SECONDS)
          && fc.exitValue() == 0
          && families.contains("Noto Sans CJK SC");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The Chinese report of the same tables, drawn by Chromium in Noto Sans CJK SC: in Chinese, with
   * every label of every chart inside its chart and clear of the others, and the same figures as
   * the English one.
   */
  @Test
  void theChinesePageInChromiumKeepsEveryLabelInsideItsChartAndApart() throws Exception {
    requireChromium();
    Required.that(
        notoSansCjkInstalled(),
        "the font Noto Sans CJK SC is needed to draw the Chinese report and fontconfig"
            + " does not have it (apt-get install fonts-noto-cjk)");
    String html = Files.readString(chinesePage);
    assertTrue(html.startsWith("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    Loaded loaded = inChromium(chinesePage, "segment-report-zh-CN", false);
    assertTrue(
        Files.size(OUT.resolve("segment-report-zh-CN.png")) > 50_000,
        "a screenshot in target/report-test");
    assertEquals("zh-CN", loaded.checks().get("lang").asText());
    assertTrue(
        loaded.headingFonts().contains("Noto Sans CJK SC"),
        "the heading is drawn in Noto Sans CJK SC: " + loaded.headingFonts());
    assertTrue(
        loaded.chartFonts().contains("Noto Sans CJK SC"),
        "the charts' labels too: " + loaded.chartFonts());
    List<String> headings = new ArrayList<>();
    loaded.checks().get("headings").forEach(h -> headings.add(h.asText()));
    assertEquals(
        List.of(
            "客户分层报告",
            "核心指标",
            "RFM 分群",
            "R × F 矩阵",
            "生命周期漏斗",
            "分群迁移",
            "分群趋势",
            "关联购买",
            "客户画像",
            "流失风险与模型质量",
            "客户终身价值",
            "营销活动",
            "数据质量"),
        headings);
    Map<String, JsonNode> charts = assertTheChartsAreDrawnAndLegible(chinesePage, loaded);
    assertTrue(charts.get("chart-lifecycle").get("title").asText().equals("各生命周期阶段的客户数"));
    // Labels, not codes: the segments' and stages' names as the zh-CN file has them.
    assertTrue(
        html.contains(">冠军客户<") || html.contains(">流失风险客户<") || html.contains(">沉睡客户<"),
        "RFM segment labels");
    assertTrue(
        html.contains(">活跃<") && !html.contains(">at_risk<") && !html.contains(">lapsed<"),
        "lifecycle labels");
    assertTrue(html.contains("2024年12月31日"), "dates the Chinese way");
    // The same figures as the English page, keyed by the same codes.
    assertEquals(
        metricsOf(page),
        metricsOf(chinesePage),
        "the Chinese page shows the English page's figures");
  }

  /** The data-metric figures of a page, read from its markup: metric name to exact value. */
  private static Map<String, Double> metricsOf(Path report) throws IOException {
    java.util.regex.Matcher m =
        Pattern.compile("data-metric=\"([^\"]*)\" data-value=\"([^\"]*)\"")
            .matcher(Files.readString(report));
    Map<String, Double> out = new TreeMap<>();
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  private static void assertShown(Map<String, JsonNode> shown, String metric, long expected) {
    assertNotNull(shown.get(metric), metric + " is on the page");
    assertEquals(expected, Math.round(shown.get(metric).get("value").asDouble()), metric);
  }

  /**
   * Every group of the table is on the page with its count, and the page shows no group the table
   * lacks.
   */
  private static void assertAllShown(
      Map<String, JsonNode> shown, String prefix, Map<String, Long> expected) {
    Map<String, Long> onPage = new TreeMap<>();
    shown.forEach(
        (metric, m) -> {
          if (metric.startsWith(prefix) && m.get("value").asLong() > 0) {
            onPage.put(metric.substring(prefix.length()), Math.round(m.get("value").asDouble()));
          }
        });
    assertEquals(expected, onPage, prefix);
  }

  /**
   * Runs in the page: what each chart drew, and every figure marked with data-metric. Each text's
   * box is taken as Chromium laid it out (getBBox, in the font the page drew it in) and carried
   * through its transform into the chart's viewBox units, so a rotated label is checked as the
   * slanted box it is: any corner beyond the chart's box is "outside", and two boxes that overlap
   * by more than one unit (separating axis test on the two rectangles) "overlap".
   */
  private static final String PAGE_CHECKS =
      """
      (() => {
        const corners = (element, toChart) => {
          const b = element.getBBox();
          const m = toChart.multiply(element.getScreenCTM());
          return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
            .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
        };
        // How far two rectangles (any rotation) overlap: the least overlap of their projections on their edges' normals.
        const overlap = (p, q) => {
          let least = Infinity;
          for (const r of [p, q]) {
            for (let i = 0; i < 2; i++) {
              const dx = r[i + 1][0] - r[i][0], dy = r[i + 1][1] - r[i][1], length = Math.hypot(dx, dy) || 1;
              const along = ([x, y]) => (x * -dy + y * dx) / length;
              const a = p.map(along), b = q.map(along);
              least = Math.min(least, Math.min(Math.max(...a), Math.max(...b)) - Math.max(Math.min(...a), Math.min(...b)));
            }
          }
          return least;
        };
        return JSON.parse(JSON.stringify({
          charts: Array.from(document.querySelectorAll('svg.chart')).map(svg => {
            const box = svg.getBoundingClientRect();
            const marks = svg.querySelectorAll('rect, text, line, path');
            const filled = Array.from(svg.querySelectorAll('rect, circle')).filter(r => {
              const b = r.getBBox();
              return b.width > 0 && b.height > 0 && r.getAttribute('fill') !== 'none';
            });
            const view = svg.viewBox.baseVal;
            const toChart = svg.getScreenCTM().inverse();
            const texts = Array.from(svg.querySelectorAll('text')).map(t => ({ text: t.textContent,
              corners: corners(t, toChart), drawn: t.getBBox().width > 0 }));
            const outside = texts.filter(t => t.corners.some(([x, y]) => x < -0.5 || y < -0.5 || x > view.width + 0.5
              || y > view.height + 0.5)).map(t => t.text);
            const overlaps = [];
            for (let i = 0; i < texts.length; i++) {
              for (let j = i + 1; j < texts.length; j++) {
                if (texts[i].drawn && texts[j].drawn && overlap(texts[i].corners, texts[j].corners) > 1) {
                  overlaps.push(texts[i].text + ' / ' + texts[j].text);
                }
              }
            }
            return { id: svg.id, marks: marks.length, filledMarks: filled.length, width: box.width, height: box.height,
                     title: (svg.querySelector('title') || {}).textContent || '', texts: texts.length, outside: outside,
                     overlaps: overlaps, points: svg.querySelectorAll('g.intervals circle').length };
          }),
          metrics: Array.from(document.querySelectorAll('[data-metric]')).map(e => ({
            metric: e.getAttribute('data-metric'), value: parseFloat(e.getAttribute('data-value')), text: e.textContent
          })),
          lang: document.documentElement.lang,
          headings: Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent)
        }));
      })()
      """;
}

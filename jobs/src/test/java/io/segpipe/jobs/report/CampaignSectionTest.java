package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.jobs.report.ReportData.CampaignEvaluation;
import io.segpipe.jobs.report.ReportData.CampaignMetric;
import io.segpipe.jobs.report.ReportData.CampaignSection;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The campaign section made from campaign_results rows, without Spark: which campaigns a report
 * date shows, in which order, with which figures, and what lands in report-data.json.
 */
class CampaignSectionTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-12-31");
  private static final StructType DEFINITION =
      new StructType()
          .add("campaign_id", DataTypes.StringType)
          .add("end_date", DataTypes.DateType)
          .add("control_share", DataTypes.DoubleType);

  /**
   * One campaign_results row; {@code figures} are treatment_value .. minimum_detectable_effect (10
   * values).
   */
  static Row result(
      String id,
      String metric,
      boolean target,
      String evaluated,
      String start,
      String end,
      boolean running,
      long[] sizes,
      Double[] figures,
      Double[] incremental,
      double sampleRatioP,
      boolean ok) {
    List<Object> v =
        new ArrayList<>(
            List.of(
                id,
                "Campaign " + id,
                metric,
                target,
                Date.valueOf(evaluated),
                Date.valueOf(start),
                Date.valueOf(end),
                running,
                sizes[0],
                sizes[1],
                sizes[2],
                sizes[3]));
    v.addAll(java.util.Arrays.asList(figures));
    v.addAll(java.util.Arrays.asList(incremental));
    v.addAll(List.of(sampleRatioP, ok, 0.95, 0.8, Timestamp.valueOf("2025-01-01 00:00:00")));
    return new GenericRowWithSchema(v.toArray(), Campaigns.RESULTS_SCHEMA);
  }

  static List<Row> rows() {
    long[] a = {900, 120, 300, 30};
    Double[] money = {2025.0, -450.0, 4500.0};
    long[] c = {50, 50, 10, 12};
    Double[] none = {-50.0, -150.0, 50.0};
    return List.of(
        // a: aimed at revenue per customer, its split suspect
        result(
            "a",
            "conversion",
            false,
            "2024-12-20",
            "2024-11-01",
            "2024-11-30",
            false,
            a,
            new Double[] {0.125, 0.1, 0.025, 0.005, 0.045, 0.0004, 0.25, 0.05, 0.45, 0.0231},
            money,
            0.0021,
            false),
        result(
            "a",
            "average_order_value",
            false,
            "2024-12-20",
            "2024-11-01",
            "2024-11-30",
            false,
            a,
            new Double[] {40.0, 41.0, -1.0, null, null, null, -0.0244, null, null, null},
            money,
            0.0021,
            false),
        result(
            "a",
            "revenue_per_customer",
            true,
            "2024-12-20",
            "2024-11-01",
            "2024-11-30",
            false,
            a,
            new Double[] {12.5, 10.25, 2.25, -0.5, 5.0, 0.0423, 0.22, -0.05, 0.49, 3.1},
            money,
            0.0021,
            false),
        result(
            "a",
            "orders_per_customer",
            false,
            "2024-12-20",
            "2024-11-01",
            "2024-11-30",
            false,
            a,
            new Double[] {
              0.3126, 0.25, 0.0626, -0.0125, 0.1375, 0.1, 0.25, -0.05, 0.55, Double.NaN
            },
            money,
            0.0021,
            false),
        // b: evaluated after the report's date: left out
        result(
            "b",
            "conversion",
            true,
            "2025-01-10",
            "2024-12-01",
            "2024-12-31",
            false,
            a,
            new Double[] {0.3, 0.2, 0.1, 0.05, 0.15, 0.001, 0.5, 0.2, 0.8, 0.04},
            money,
            0.5,
            true),
        // c: evaluated on the report's date, still running, aimed at conversion
        result(
            "c",
            "conversion",
            true,
            "2024-12-31",
            "2024-10-01",
            "2024-12-31",
            true,
            c,
            new Double[] {0.2, 0.25, -0.05, -0.12, 0.02, 0.1567, -0.2, -0.48, 0.08, 0.06},
            none,
            0.84,
            true));
  }

  @Test
  void showsTheCampaignsEvaluatedByTheDateTargetMetricFirstAndCountsTheLaterOnes() {
    Map<String, Row> definitions =
        Map.of(
            "c",
            new GenericRowWithSchema(
                new Object[] {"c", Date.valueOf("2025-01-14"), 0.5}, DEFINITION));
    CampaignSection section = ReportFigures.campaignSection(rows(), definitions, AS_OF);
    assertEquals(1, section.evaluatedAfterAsOf(), "b was evaluated on 2025-01-10");
    assertEquals(
        List.of("c", "a"),
        section.evaluated().stream().map(CampaignEvaluation::campaignId).toList(),
        "in the order of their windows' start");

    CampaignEvaluation a = section.evaluated().get(1);
    assertEquals("revenue_per_customer", a.targetMetric());
    assertEquals(
        List.of("revenue_per_customer", "conversion", "orders_per_customer", "average_order_value"),
        a.metrics().stream().map(CampaignMetric::metric).toList(),
        "the target first, then the contract's order");
    assertEquals(
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
        a.metrics().get(0));
    CampaignMetric aov = a.metrics().get(3);
    assertEquals(-1.0, aov.uplift());
    assertNull(aov.upliftLow());
    assertNull(aov.pValue());
    assertNull(a.metrics().get(2).minimumDetectableEffect(), "NaN reads as no value");
    assertEquals("2024-12-20", a.evaluatedAsOf());
    assertEquals("2024-11-01", a.windowStart());
    assertEquals("2024-11-30", a.windowEnd());
    assertEquals(900, a.treatedCustomers());
    assertEquals(120, a.controlCustomers());
    assertEquals(30, a.controlBuyers());
    assertEquals(2025.0, a.incrementalRevenue());
    assertEquals(-450.0, a.incrementalRevenueLow());
    assertEquals(0.0021, a.sampleRatioPValue());
    assertFalse(a.sampleRatioOk());
    assertFalse(a.running());
    assertNull(a.plannedEnd(), "no campaigns row for a");
    assertNull(a.controlShare());

    CampaignEvaluation c = section.evaluated().get(0);
    assertTrue(c.running());
    assertEquals("2024-12-31", c.windowEnd(), "measured up to the evaluation date");
    assertEquals("2025-01-14", c.plannedEnd(), "the window's end from the campaigns table");
    assertEquals(0.5, c.controlShare());
    assertEquals(1, c.metrics().size());
  }

  @Test
  void aDateBeforeEveryEvaluationShowsNoneAndCountsThemAll() {
    CampaignSection section =
        ReportFigures.campaignSection(rows(), Map.of(), LocalDate.parse("2024-11-30"));
    assertEquals(List.of(), section.evaluated());
    assertEquals(3, section.evaluatedAfterAsOf());
  }

  @Test
  void theJsonCarriesTheSameFigures() {
    CampaignSection section = ReportFigures.campaignSection(rows(), Map.of(), AS_OF);
    JsonNode json = new ObjectMapper().valueToTree(section);
    assertEquals(1, json.get("evaluatedAfterAsOf").asInt());
    JsonNode a = json.at("/evaluated/1");
    assertEquals("a", a.get("campaignId").asText());
    assertEquals(2025.0, a.get("incrementalRevenue").asDouble(), 0);
    assertEquals(4500.0, a.get("incrementalRevenueHigh").asDouble(), 0);
    assertFalse(a.get("sampleRatioOk").asBoolean());
    assertEquals(0.0021, a.get("sampleRatioPValue").asDouble(), 0);
    assertEquals("revenue_per_customer", a.at("/metrics/0/metric").asText());
    assertEquals(2.25, a.at("/metrics/0/uplift").asDouble(), 0);
    assertEquals(-0.5, a.at("/metrics/0/upliftLow").asDouble(), 0);
    assertEquals(5.0, a.at("/metrics/0/upliftHigh").asDouble(), 0);
    assertEquals(0.0423, a.at("/metrics/0/pValue").asDouble(), 0);
    assertEquals(3.1, a.at("/metrics/0/minimumDetectableEffect").asDouble(), 0);
    assertTrue(
        a.at("/metrics/3/upliftLow").isNull(),
        "average order value: no interval, as null (not NaN)");
    assertTrue(a.at("/metrics/3/pValue").isNull());
  }
}

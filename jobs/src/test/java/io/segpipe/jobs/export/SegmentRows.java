package io.segpipe.jobs.export;

import io.segpipe.audience.CustomerSegmentsColumns;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.TestFolders;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small customer_segments table with exactly the contract's columns (docs/contracts.md), in a
 * fresh lake: {@code customers} customers C001.. per as-of date, with segments, consent and
 * prospects spread over them by the customer number so every test can say which customer should be
 * where.
 */
final class SegmentRows {
  static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("recency_days", DataTypes.IntegerType)
          .add("frequency", DataTypes.LongType)
          .add("monetary", DataTypes.createDecimalType(18, 2))
          .add("avg_order_value", DataTypes.createDecimalType(18, 2))
          .add("r_score", DataTypes.IntegerType)
          .add("f_score", DataTypes.IntegerType)
          .add("m_score", DataTypes.IntegerType)
          .add("rfm_cell", DataTypes.StringType)
          .add("rfm_segment", DataTypes.StringType)
          .add("lifecycle_stage", DataTypes.StringType)
          .add("value_tier", DataTypes.StringType)
          .add("cluster_id", DataTypes.IntegerType)
          .add("cluster_label", DataTypes.StringType)
          .add("churn_probability", DataTypes.DoubleType)
          .add("churn_risk", DataTypes.StringType)
          .add("p_alive", DataTypes.DoubleType)
          .add("expected_purchases", DataTypes.DoubleType)
          .add("clv", DataTypes.DoubleType)
          .add("clv_tier", DataTypes.StringType)
          .add("marketing_opt_in", DataTypes.BooleanType)
          .add("clusters_model_version", DataTypes.StringType)
          .add("churn_model_version", DataTypes.StringType)
          .add("rfm_segment_name", DataTypes.StringType)
          .add("lifecycle_stage_name", DataTypes.StringType)
          .add("value_tier_name", DataTypes.StringType)
          .add("churn_risk_name", DataTypes.StringType)
          .add("clv_tier_name", DataTypes.StringType)
          .add("cluster_name", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("needs_segment", DataTypes.StringType)
          .add("needs_segment_name", DataTypes.StringType);

  static final List<String> RFM =
      List.of("champions", "at_risk", "cant_lose_them", "lost", "loyal");

  /** The RFM codes' labels, Chinese: what a zh-CN segment run writes in rfm_segment_name. */
  static final List<String> RFM_NAMES = List.of("冠军客户", "流失风险客户", "不能失去的客户", "已流失客户", "忠诚客户");

  static final List<String> LIFECYCLE =
      List.of("active", "at_risk", "lapsed", "new", "churned", "reactivated");
  static final List<String> CLUSTERS =
      List.of("high_value", "low_spend+rare_orders", "single_channel");

  /** The second label has a comma and quotes, which the CSV must quote. */
  static final List<String> LABELS =
      List.of("Loyal high spenders", "Bargain hunters, \"deal\" driven", "Store only");

  static final List<String> NEEDS = List.of("price_sensitive", "everyday", "quality_focused");

  private SegmentRows() {}

  static String id(int n) {
    return String.format("C%03d", n);
  }

  /**
   * Consent: every 4th customer said no, every 7th (not 4th) is unknown (null); the rest said yes.
   */
  static Boolean optIn(int n) {
    return n % 4 == 0 ? Boolean.FALSE : n % 7 == 0 ? null : Boolean.TRUE;
  }

  /** Every 10th customer is a prospect: no purchase, so no scores, cluster or churn values. */
  static Row row(int n, LocalDate asOf, int shift) {
    boolean prospect = n % 10 == 0;
    int k = n + shift;
    return RowFactory.create(
        id(n),
        prospect ? null : k % 300,
        prospect ? 0L : (long) (k % 9 + 1),
        prospect ? new BigDecimal("0.00") : new BigDecimal(k * 37 % 5000 + ".25"),
        prospect ? null : new BigDecimal(k * 11 % 200 + ".50"),
        prospect ? null : k % 5 + 1,
        prospect ? null : k % 4 + 1,
        prospect ? null : k % 3 + 2,
        prospect ? null : "" + (k % 5 + 1) + (k % 4 + 1) + (k % 3 + 2),
        prospect ? null : RFM.get(k % RFM.size()),
        prospect ? "prospect" : LIFECYCLE.get(k % LIFECYCLE.size()),
        prospect ? null : List.of("high", "mid", "low").get(k % 3),
        prospect ? null : k % LABELS.size(),
        prospect ? null : CLUSTERS.get(k % CLUSTERS.size()),
        prospect ? null : (k % 8) / 8.0,
        prospect ? null : List.of("low", "medium", "high").get(k % 3),
        prospect ? null : (k % 10) / 10.0,
        prospect ? null : (k % 6) * 0.5,
        prospect ? null : k * 13 % 900 + 0.75,
        prospect ? null : List.of("mid", "low", "high").get(k % 3),
        optIn(n),
        "2024-03-31_abc12345",
        prospect ? null : "2024-03-31_abc12345",
        prospect ? null : RFM_NAMES.get(k % RFM.size()),
        prospect ? "潜在客户" : LIFECYCLE.get(k % LIFECYCLE.size()).toUpperCase(Locale.ROOT),
        prospect ? null : List.of("高价值", "中价值", "低价值").get(k % 3),
        prospect ? null : List.of("low", "medium", "high").get(k % 3) + " risk",
        prospect ? null : List.of("mid", "low", "high").get(k % 3) + " clv",
        prospect ? null : LABELS.get(k % LABELS.size()),
        Date.valueOf(asOf),
        prospect ? "inactive" : NEEDS.get(k % NEEDS.size()),
        prospect ? "Inactive" : NEEDS.get(k % NEEDS.size()).toUpperCase(Locale.ROOT));
  }

  static Dataset<Row> snapshot(SparkSession spark, int customers, LocalDate asOf, int shift) {
    List<Row> rows = new ArrayList<>();
    for (int n = 1; n <= customers; n++) {
      rows.add(row(n, asOf, shift));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * A new lake folder holding customer_segments for each date (the second date's values shifted)
   * and the customers dimension, whose consent is the snapshots' ({@link #optIn}).
   */
  static String lake(SparkSession spark, int customers, LocalDate... dates) throws IOException {
    String root = TestFolders.folder("segpipe-export-lake").toString();
    Lake lake = new Lake(spark, new LakeSettings(root, ""));
    for (int i = 0; i < dates.length; i++) {
      lake.replacePartition(
          snapshot(spark, customers, dates[i], i * 3),
          Tables.CUSTOMER_SEGMENTS.name(),
          CustomerSegmentsColumns.PARTITION,
          dates[i]);
    }
    consent(spark, root, customers, SegmentRows::optIn);
    return root;
  }

  /**
   * Replaces the customers dimension of the lake at {@code root}: customers C001.. with {@code
   * optIn}'s consent.
   */
  static void consent(SparkSession spark, String root, int customers, IntFunction<Boolean> optIn) {
    List<Row> rows = new ArrayList<>();
    for (int n = 1; n <= customers; n++) {
      rows.add(
          RowFactory.create(
              id(n), null, null, null, null, null, null, null, null, optIn.apply(n), null));
    }
    new Lake(spark, new LakeSettings(root, ""))
        .overwrite(spark.createDataFrame(rows, Events.CUSTOMERS), Tables.CUSTOMERS.name());
  }
}

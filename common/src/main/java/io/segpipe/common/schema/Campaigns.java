package io.segpipe.common.schema;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The contract of the campaign tables: {@code campaigns} (one row per campaign the export job has
 * split into treated and control customers), {@code campaign_assignments} (each eligible customer's
 * group, fixed when the campaign was first exported: the analysis is by intention to treat) and
 * {@code campaign_results} (the evaluate job's measurements, one row per campaign and metric,
 * replaced when a campaign is evaluated again).
 */
public final class Campaigns {
  private Campaigns() {}

  public static final String TABLE = "campaigns";
  public static final String ASSIGNMENTS_TABLE = "campaign_assignments";
  public static final String RESULTS_TABLE = "campaign_results";

  public static final String TREATMENT = "treatment";
  public static final String CONTROL = "control";

  /** Metrics a campaign can aim at, each a per-customer value over the measurement window. */
  public static final String CONVERSION = "conversion";

  public static final String REVENUE_PER_CUSTOMER = "revenue_per_customer";
  public static final String ORDERS_PER_CUSTOMER = "orders_per_customer";
  public static final List<String> TARGET_METRICS =
      List.of(CONVERSION, REVENUE_PER_CUSTOMER, ORDERS_PER_CUSTOMER);

  /**
   * Described per group but without an interval: it is a mean over buyers, who are not randomised.
   */
  public static final String AVERAGE_ORDER_VALUE = "average_order_value";

  public static final List<String> METRICS =
      List.of(CONVERSION, REVENUE_PER_CUSTOMER, ORDERS_PER_CUSTOMER, AVERAGE_ORDER_VALUE);

  /**
   * The split: a customer is in control when the first 52 bits of SHA-256 of
   * "campaign_id:customer_id", read as a fraction of 2^52, are below the control share.
   */
  public static final String SPLIT_RULE =
      "control when conv(substr(sha2(concat(campaign_id, ':', customer_id), 256),"
          + " 1, 13), 16, 10) / 2^52 < control_share";

  public static final StructType SCHEMA =
      new StructType()
          .add("campaign_id", DataTypes.StringType, false)
          .add("name", DataTypes.StringType, false)
          .add("snapshot_date", DataTypes.DateType, false)
          // "rfm_segment = at_risk" or the SQL predicate over customer_segments
          .add("audience", DataTypes.StringType, false)
          .add("start_date", DataTypes.DateType, false)
          // the last day of the measurement window, included
          .add("end_date", DataTypes.DateType, false)
          .add("window_days", DataTypes.IntegerType, false)
          .add("control_share", DataTypes.DoubleType, false)
          .add("metric", DataTypes.StringType, false)
          .add("split_rule", DataTypes.StringType, false)
          // SHA-256 of the definition's fields: a changed definition under the same id is refused
          .add("definition_sha256", DataTypes.StringType, false)
          .add("eligible", DataTypes.LongType, false)
          .add("treatment_customers", DataTypes.LongType, false)
          .add("control_customers", DataTypes.LongType, false)
          .add("assigned_at", DataTypes.TimestampType, false)
          .add("last_exported_at", DataTypes.TimestampType, false);

  public static final StructType ASSIGNMENTS_SCHEMA =
      new StructType()
          .add("campaign_id", DataTypes.StringType, false)
          .add("customer_id", DataTypes.StringType, false)
          // treatment or control
          .add("test_group", DataTypes.StringType, false)
          .add("assigned_at", DataTypes.TimestampType, false);

  public static final StructType RESULTS_SCHEMA =
      new StructType()
          .add("campaign_id", DataTypes.StringType, false)
          .add("name", DataTypes.StringType, false)
          .add("metric", DataTypes.StringType, false)
          // the metric the campaign aims at
          .add("target_metric", DataTypes.BooleanType, false)
          .add("evaluated_as_of", DataTypes.DateType, false)
          .add("window_start", DataTypes.DateType, false)
          // the last day measured: the window's end, or the as-of date for a running campaign
          .add("window_end", DataTypes.DateType, false)
          .add("running", DataTypes.BooleanType, false)
          .add("treatment_customers", DataTypes.LongType, false)
          .add("control_customers", DataTypes.LongType, false)
          .add("treatment_buyers", DataTypes.LongType, false)
          .add("control_buyers", DataTypes.LongType, false)
          // the metric per group: a share for conversion, a mean per customer, or revenue per order
          .add("treatment_value", DataTypes.DoubleType, true)
          .add("control_value", DataTypes.DoubleType, true)
          // treatment - control, with its interval at `confidence` and two-sided p-value
          .add("uplift", DataTypes.DoubleType, true)
          .add("uplift_low", DataTypes.DoubleType, true)
          .add("uplift_high", DataTypes.DoubleType, true)
          .add("p_value", DataTypes.DoubleType, true)
          // treatment / control - 1, with its interval
          .add("relative_uplift", DataTypes.DoubleType, true)
          .add("relative_uplift_low", DataTypes.DoubleType, true)
          .add("relative_uplift_high", DataTypes.DoubleType, true)
          // the smallest uplift detectable at `power`, two-sided, from the control group's spread
          // and the sizes
          .add("minimum_detectable_effect", DataTypes.DoubleType, true)
          // (revenue per treated customer - per control customer) x treated customers, the same on
          // every row
          .add("incremental_revenue", DataTypes.DoubleType, true)
          .add("incremental_revenue_low", DataTypes.DoubleType, true)
          .add("incremental_revenue_high", DataTypes.DoubleType, true)
          // chi-square test of the split against the control share; below the threshold the split
          // is suspect
          .add("sample_ratio_p_value", DataTypes.DoubleType, false)
          .add("sample_ratio_ok", DataTypes.BooleanType, false)
          .add("confidence", DataTypes.DoubleType, false)
          .add("power", DataTypes.DoubleType, false)
          .add("evaluated_at", DataTypes.TimestampType, false);
}

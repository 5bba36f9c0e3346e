package io.segpipe.common.schema;

import io.segpipe.common.tables.Tables;
import java.util.List;
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

  public static final StructType SCHEMA = Tables.CAMPAIGNS.columns();

  public static final StructType ASSIGNMENTS_SCHEMA = Tables.CAMPAIGN_ASSIGNMENTS.columns();

  public static final StructType RESULTS_SCHEMA = Tables.CAMPAIGN_RESULTS.columns();
}

package io.segpipe.campaign;

import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.text.Sha256;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The split of a campaign's eligible customers into treatment and control ({@link
 * Campaigns#SPLIT_RULE}): a function of the campaign id and the customer id only, so the same
 * customers give the same groups on any partitioning, on a re-run, and in an independent
 * computation.
 */
public final class CampaignAssignment {
  private static final double TWO_TO_52 = 4503599627370496.0;

  private CampaignAssignment() {}

  /**
   * The customer's draw in [0, 1): the first 13 hex digits (52 bits) of
   * SHA-256("campaign:customer") / 2^52.
   */
  public static Column draw(Column campaignId, Column customerId) {
    Column digest =
        functions.sha2(functions.concat(campaignId, functions.lit(":"), customerId), 256);
    return functions
        .conv(functions.substring(digest, 1, 13), 16, 10)
        .cast("double")
        .divide(TWO_TO_52);
  }

  /**
   * {@link #draw(Column, Column)} for one customer on the JVM, for code that is not a Spark plan
   * (the generator).
   */
  public static double draw(String campaignId, String customerId) {
    return Long.parseLong(Sha256.hex(campaignId + ":" + customerId).substring(0, 13), 16)
        / TWO_TO_52;
  }

  /**
   * Whether the customer is in the campaign's control group: its draw is below the control share.
   */
  public static boolean control(String campaignId, String customerId, double controlShare) {
    return draw(campaignId, customerId) < controlShare;
  }

  /**
   * The assignment rows (campaign_id, customer_id, test_group, assigned_at) of {@code eligible},
   * which holds one row per eligible customer with a customer_id column.
   */
  public static Dataset<Row> split(Dataset<Row> eligible, Campaign campaign, Timestamp assignedAt) {
    return split(eligible, List.of(campaign), assignedAt);
  }

  /** The assignment rows of several campaigns over the same eligible customers, in one plan. */
  public static Dataset<Row> split(
      Dataset<Row> eligible, List<Campaign> campaigns, Timestamp assignedAt) {
    StructType shape =
        new StructType()
            .add("campaign_id", DataTypes.StringType, false)
            .add("control_share", DataTypes.DoubleType, false);
    Dataset<Row> shares =
        eligible
            .sparkSession()
            .createDataFrame(
                campaigns.stream().map(c -> RowFactory.create(c.id(), c.controlShare())).toList(),
                shape);
    Column id = functions.col("campaign_id");
    return eligible
        .select("customer_id")
        .crossJoin(functions.broadcast(shares))
        .select(
            id,
            functions.col("customer_id"),
            functions
                .when(
                    draw(id, functions.col("customer_id")).lt(functions.col("control_share")),
                    Campaigns.CONTROL)
                .otherwise(Campaigns.TREATMENT)
                .as("test_group"),
            functions.lit(assignedAt).as("assigned_at"));
  }
}

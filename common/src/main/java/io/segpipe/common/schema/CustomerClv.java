package io.segpipe.common.schema;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The contract of the lifetime value tables the clv job writes, read by segment, export and report:
 * {@code customer_clv} (one row per customer with a purchase up to the as-of date) and {@code
 * clv_validation} (calibration against a holdout period), both partitioned by as_of_date and
 * replaced per date.
 */
public final class CustomerClv {
  private CustomerClv() {}

  public static final String TABLE = "customer_clv";
  public static final String VALIDATION_TABLE = "clv_validation";
  public static final String PARTITION = "as_of_date";

  /** The two models of a fit, in the models folder and model_runs under one version. */
  public static final String BGNBD_MODEL = "clv-bgnbd";

  public static final String SPEND_MODEL = "clv-gamma-gamma";

  /**
   * customer_clv: times in the fit's unit (segpipe.clv.time-unit), money in the reporting currency.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("x", DataTypes.IntegerType, false)
          .add("t_x", DataTypes.DoubleType, false)
          .add("t_cal", DataTypes.DoubleType, false)
          .add("mean_repeat_value", DataTypes.DoubleType, true)
          .add("p_alive", DataTypes.DoubleType, false)
          .add("expected_purchases", DataTypes.DoubleType, false)
          .add("expected_order_value", DataTypes.DoubleType, false)
          .add("clv", DataTypes.DoubleType, false)
          .add("clv_tier", DataTypes.StringType, false)
          // the version of the clv-bgnbd and clv-gamma-gamma models scored with (fitted together)
          .add("clv_model_version", DataTypes.StringType, false)
          .add(PARTITION, DataTypes.DateType, false);

  public static final List<String> COLUMNS = List.of(SCHEMA.fieldNames());

  /** The columns customer_segments takes over from customer_clv. */
  public static final List<String> SEGMENT_COLUMNS =
      List.of("p_alive", "expected_purchases", "clv", "clv_tier");

  /** Values of clv_tier. */
  public static final List<String> TIERS = List.of("high", "mid", "low");

  /** clv_validation: the repeat-count rows and the weekly tracking rows of one holdout. */
  public static final StructType VALIDATION_SCHEMA =
      new StructType()
          .add("holdout_until", DataTypes.DateType, false)
          // "by_repeat_count": customers with calibration repeat count `calibration_repeats` (0..6,
          // "7+");
          // "tracking": cumulative repeat transactions of all calibration customers up to
          // `period_end`.
          .add("kind", DataTypes.StringType, false)
          .add("calibration_repeats", DataTypes.StringType, true)
          .add("period_end", DataTypes.DateType, true)
          .add("customers", DataTypes.LongType, false)
          .add("actual", DataTypes.DoubleType, false)
          .add("expected", DataTypes.DoubleType, false)
          .add(PARTITION, DataTypes.DateType, false);
}

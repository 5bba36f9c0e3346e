package io.segpipe.common.schema;

import io.segpipe.common.tables.Tables;
import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The contract of the lifetime value tables the clv job writes, read by segment, export and report:
 * {@code customer_clv} (one row per customer with a purchase up to the as-of date) and {@code
 * clv_validation} (calibration against a holdout period), both partitioned by as_of_date and
 * replaced per date.
 */
public final class CustomerClv {
  private CustomerClv() {}

  public static final String PARTITION = Tables.AS_OF;

  /** The two models of a fit, in the models folder and model_runs under one version. */
  public static final String BGNBD_MODEL = "clv-bgnbd";

  public static final String SPEND_MODEL = "clv-gamma-gamma";

  /**
   * customer_clv: times in the fit's unit (segpipe.clv.time-unit), money in the reporting currency.
   */
  public static final StructType SCHEMA = Tables.CUSTOMER_CLV.columns();

  public static final List<String> COLUMNS = List.of(SCHEMA.fieldNames());

  /** The columns customer_segments takes over from customer_clv. */
  public static final List<String> SEGMENT_COLUMNS =
      List.of("p_alive", "expected_purchases", "clv", "clv_tier");

  /** Values of clv_tier. */
  public static final List<String> TIERS = List.of("high", "mid", "low");

  /** clv_validation: the repeat-count rows and the weekly tracking rows of one holdout. */
  public static final StructType VALIDATION_SCHEMA = Tables.CLV_VALIDATION.columns();
}

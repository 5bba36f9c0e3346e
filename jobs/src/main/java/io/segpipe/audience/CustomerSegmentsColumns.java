package io.segpipe.audience;

import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.tables.Tables;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The customer_segments contract ({@link Tables#CUSTOMER_SEGMENTS}) as far as the export reads it:
 * the columns it may export and the segmentations an audience can be chosen by.
 */
public final class CustomerSegmentsColumns {
  public static final String PARTITION = Tables.AS_OF;
  public static final String CUSTOMER_ID = "customer_id";
  public static final String CONSENT = "marketing_opt_in";

  /** Every contract column but the partition column, in contract order. */
  static final List<String> EXPORTABLE =
      Tables.CUSTOMER_SEGMENTS.columnNames(List.of()).stream()
          .filter(c -> !c.equals(PARTITION))
          .toList();

  /** Columns an audience can be chosen by. */
  static final List<String> SEGMENTATIONS = Tables.SEGMENTATIONS;

  /**
   * Values known from the contract; rfm_segment's come from the configured map, cluster_label's
   * from the model.
   */
  static final Map<String, Set<String>> FIXED_SEGMENTS =
      Map.of(
          "lifecycle_stage",
              Set.of("prospect", "new", "active", "at_risk", "lapsed", "churned", "reactivated"),
          "value_tier", Set.of("high", "mid", "low"),
          "churn_risk", Set.of("low", "medium", "high"),
          "clv_tier", Set.copyOf(CustomerClv.TIERS));

  private CustomerSegmentsColumns() {}
}

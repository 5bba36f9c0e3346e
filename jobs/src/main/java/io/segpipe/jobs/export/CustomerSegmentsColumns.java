package io.segpipe.jobs.export;

import io.segpipe.common.schema.CustomerClv;
import io.segpipe.jobs.segment.CustomerSegments;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The customer_segments contract ({@link CustomerSegments}) as far as the export reads it: the
 * columns it may export and the segmentations an audience can be chosen by.
 */
final class CustomerSegmentsColumns {
  static final String TABLE = CustomerSegments.TABLE;
  static final String PARTITION = CustomerSegments.PARTITION;
  static final String CUSTOMER_ID = "customer_id";
  static final String CONSENT = "marketing_opt_in";

  /** Every contract column but the partition column, in contract order. */
  static final List<String> EXPORTABLE =
      CustomerSegments.COLUMNS.stream().filter(c -> !c.equals(PARTITION)).toList();

  /** Columns an audience can be chosen by. */
  static final List<String> SEGMENTATIONS = CustomerSegments.SEGMENTATIONS;

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

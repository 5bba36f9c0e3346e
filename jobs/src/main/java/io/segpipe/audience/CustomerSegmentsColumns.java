package io.segpipe.audience;

import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.tables.Tables;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The customer_segments contract ({@link Tables#CUSTOMER_SEGMENTS}) as far as the export reads it:
 * the columns it may export and the segmentations an audience can be chosen by.
 */
public final class CustomerSegmentsColumns {
  public static final String PARTITION = Tables.AS_OF;
  public static final String CUSTOMER_ID = "customer_id";
  public static final String CONSENT = "marketing_opt_in";

  /**
   * The next-best item from customer_next_best of the same date (affinities job), joined on
   * customer_id: an export column like those of customer_segments, null for a customer without one.
   */
  public static final String NEXT_BEST = "next_best_item";

  /** Every contract column but the partition column, in contract order, then {@link #NEXT_BEST}. */
  static final List<String> EXPORTABLE =
      Stream.concat(
              Tables.CUSTOMER_SEGMENTS.columnNames(List.of()).stream()
                  .filter(c -> !c.equals(PARTITION)),
              Stream.of(NEXT_BEST))
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

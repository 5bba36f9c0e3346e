package io.segpipe.jobs.features;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** The customer_features contract: its columns, in order, for a given list of channels. */
public final class FeatureSnapshot {
  public static final String TABLE = "customer_features";
  public static final String PARTITION = "as_of_date";

  private FeatureSnapshot() {}

  public static List<String> columns(List<String> channels) {
    List<String> columns =
        new ArrayList<>(
            List.of(
                "customer_id",
                "recency_days",
                "frequency",
                "monetary",
                "avg_order_value",
                "first_purchase_date",
                "last_purchase_date",
                "tenure_days",
                "mean_days_between_orders",
                "median_days_between_orders",
                "days_before_last_purchase",
                "purchased_amount",
                "returned_amount",
                "return_rate"));
    channels.forEach(c -> columns.add("orders_" + c));
    channels.forEach(c -> columns.add("spend_" + c));
    columns.addAll(
        List.of(
            "channel_breadth",
            "category_breadth",
            "avg_rating",
            "visits_without_purchase",
            "events_in_window",
            "r_score",
            "f_score",
            "m_score",
            "rfm_cell",
            "rfm_segment",
            "lifecycle_stage",
            "value_tier",
            PARTITION));
    return columns;
  }

  /**
   * Selects the contract's columns in order, with the as-of date; fails naming any column the SQL
   * did not produce.
   */
  public static Dataset<Row> of(Dataset<Row> scored, LocalDate asOf, List<String> channels) {
    List<String> expected = columns(channels);
    List<String> produced = new ArrayList<>(Arrays.asList(scored.columns()));
    produced.add(PARTITION);
    List<String> missing = expected.stream().filter(c -> !produced.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the features SQL did not produce " + missing + "; it produced " + produced);
    }
    Column[] select =
        expected.stream()
            .map(c -> c.equals(PARTITION) ? functions.lit(asOf).as(PARTITION) : functions.col(c))
            .toArray(Column[]::new);
    return scored.select(select);
  }
}

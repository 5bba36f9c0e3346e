package io.segpipe.jobs.segment;

import io.segpipe.common.sql.ExactMeans;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.features.CustomerActivity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * segment_profiles: a portrait of every segment of every segmentation (segment_profiles.sql), all
 * aggregated in Spark; only the finished profiles (tens of rows) are small enough to look at.
 */
public record SegmentProfiles(SegmentSettings settings) {
  /** The doubles whose means are profiled, each kept to 1e-9 (ExactMeans), with their columns. */
  private static final List<List<String>> MEANS =
      List.of(
          List.of("avg_rating", "avg_rating"),
          List.of("coupon_order_share", "coupon_order_share_mean"),
          List.of("view_to_purchase", "view_to_purchase_mean"),
          List.of("evening_order_share", "evening_order_share_mean"),
          List.of("weekend_order_share", "weekend_order_share_mean"),
          List.of("discount_spend_share", "discount_spend_share_mean"),
          List.of("churn_probability", "churn_probability_mean"));

  /**
   * Profiles of {@code segmentRows} (rows of {@link CustomerSegments#rows}); {@code daily} holds
   * the rows of customer_daily, of which only the purchases per category in the features window are
   * read; {@code hasCustomers}: whether there is a customers dimension (without one the demographic
   * maps are empty). Lazy.
   */
  public Dataset<Row> of(Dataset<Row> segmentRows, Dataset<Row> daily, boolean hasCustomers) {
    SparkSession spark = segmentRows.sparkSession();
    CustomerActivity activity = settings.features().activity();
    Dataset<Row> purchases =
        SqlResource.load("sql/segment/category_purchases.sql")
            .withView("daily", daily)
            .with("window_start", activity.windowStart())
            .with("as_of", activity.asOf())
            .run(spark);
    List<String> channels = settings.features().channels();
    String total = "(" + perChannel(channels, c -> "m.orders_" + c, " + ") + ")";
    return SegmentMembers.withCells(SqlResource.load("sql/segment/segment_profiles.sql"))
        .withView("segment_source", segmentRows)
        .withView(
            "segment_members",
            SegmentMembers.of(segmentRows)
                .select("segmentation", "segment", "recency_days", "frequency", "monetary"))
        .withView("category_purchases", purchases)
        .withFragment(
            "channel_order_sums",
            perChannel(channels, c -> "sum(orders_" + c + ") AS orders_" + c, ",\n    "))
        .withFragment("channel_order_total", total)
        .withFragment(
            "channel_mix_entries",
            perChannel(channels, c -> "'" + c + "', m.orders_" + c + " / " + total, ", "))
        .withFragment("exact_unit_sums", exactUnitSums())
        .withFragment("exact_means", exactMeans())
        .with("top_categories", settings.topCategories())
        .with("has_customers", hasCustomers)
        .with("as_of", settings.asOf())
        .run(spark);
  }

  /**
   * Per cell (segment_profiles.sql): each measure's integer units added up ({@code x_units}) and
   * its non-null values counted ({@code x_count}); clv's too.
   */
  private static String exactUnitSums() {
    String what = "segment profiles: ";
    List<String> sums = new ArrayList<>();
    for (List<String> m : MEANS) {
      sums.add(unitSum(m.get(0), ExactMeans.RATIO_DIGITS, what));
    }
    sums.add(unitSum("clv", ExactMeans.MONEY_DIGITS, what));
    return String.join(",\n    ", sums);
  }

  private static String unitSum(String x, int digits, String what) {
    return ExactMeans.unitSum(x, digits, what + x)
        + " AS "
        + x
        + "_units, count("
        + x
        + ") AS "
        + x
        + "_count";
  }

  /** Per segment, from the cells: the measures' exact means, and clv's mean and total. */
  private static String exactMeans() {
    List<String> sums = new ArrayList<>();
    for (List<String> m : MEANS) {
      sums.add(
          ExactMeans.meanOfParts(m.get(0) + "_units", m.get(0) + "_count", ExactMeans.RATIO_DIGITS)
              + " AS "
              + m.get(1));
    }
    sums.add(
        ExactMeans.meanOfParts("clv_units", "clv_count", ExactMeans.MONEY_DIGITS) + " AS clv_mean");
    sums.add(ExactMeans.sumOfParts("clv_units", ExactMeans.MONEY_DIGITS) + " AS clv_total");
    return String.join(",\n    ", sums);
  }

  private static String perChannel(
      List<String> channels, Function<String, String> sql, String separator) {
    return channels.stream().map(sql).collect(Collectors.joining(separator));
  }
}

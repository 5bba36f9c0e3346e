package io.segpipe.features;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.schema.Events;
import io.segpipe.common.sql.ShareThresholds;
import io.segpipe.common.sql.SqlResource;
import java.math.BigDecimal;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * value_tier (high / mid / low) by cumulative share of net spend: thresholds computed once per
 * snapshot (value_tier_levels.sql, then common's ShareThresholds), applied per row
 * (value_tiers.sql).
 */
public record ValueTiers(BigDecimal highShare, BigDecimal midShare) {
  public static final String PREFIX = "segpipe.features.value-tier.";

  public static ValueTiers read(ConfigReader reader) {
    String share = "a share between 0 and 1, e.g. 0.2";
    double high = reader.number(PREFIX + "high-share", s -> s > 0 && s < 1, share);
    double mid = reader.number(PREFIX + "mid-share", s -> s > 0 && s < 1, share);
    if (high + mid > 1) {
      reader.problem(
          PREFIX + "mid-share",
          "high-share + mid-share is " + (high + mid) + "; it must be at most 1");
    }
    return new ValueTiers(BigDecimal.valueOf(high), BigDecimal.valueOf(mid));
  }

  /**
   * One row: high_tier_from and mid_tier_from, the lowest monetary of the high and mid tiers,
   * computed now (ShareThresholds) as a local one-row Dataset.
   */
  public Dataset<Row> thresholds(Dataset<Row> features) {
    return ShareThresholds.of(
        SqlResource.load("sql/features/value_tier_levels.sql")
            .withView("value_tier_input", features)
            .run(features.sparkSession()),
        highShare,
        midShare);
  }

  /**
   * Adds value_tier, given the collected thresholds row (with high_tier_from and mid_tier_from).
   */
  public Dataset<Row> apply(Dataset<Row> features, Row thresholds) {
    return SqlResource.load("sql/features/value_tiers.sql")
        .withView("value_tier_rows", features)
        .withFragment("money", Events.MONEY.sql())
        .with("high_tier_from", thresholds.getAs("high_tier_from"))
        .with("mid_tier_from", thresholds.getAs("mid_tier_from"))
        .run(features.sparkSession());
  }
}

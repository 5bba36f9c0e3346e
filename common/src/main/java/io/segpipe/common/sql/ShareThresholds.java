package io.segpipe.common.sql;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Tiers by cumulative share of a total (sql/tiers/share_thresholds.sql), shared by the value tiers
 * of features and the CLV tiers of clv: where the high and mid tiers start, computed without a
 * window that holds every level in one partition.
 */
public final class ShareThresholds {
  private ShareThresholds() {}

  /**
   * One row, high_tier_from and mid_tier_from (in the type of level), from {@code levels}: columns
   * level (a distinct value; only positive ones count) and level_sum (the sum of the values at that
   * level). The shares are bound as given (a BigDecimal keeps the comparison exact). Lazy.
   */
  public static Dataset<Row> of(Dataset<Row> levels, Object highShare, Object midShare) {
    return SqlResource.load("sql/tiers/share_thresholds.sql")
        .withView("levels", levels)
        .with("high_share", highShare)
        .with("mid_share", midShare)
        .run(levels.sparkSession());
  }
}

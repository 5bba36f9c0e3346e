package io.segpipe.features;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.sql.SqlResource;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * lifecycle_stage from recency, tenure and the gap before the latest purchase; the rules and their
 * order are documented with the thresholds in conf/segpipe.conf (segpipe.features.lifecycle).
 */
public record LifecycleStages(
    int newWithinDays,
    int atRiskAfterDays,
    int lapsedAfterDays,
    int churnedAfterDays,
    int reactivatedGapDays) {

  public static final String PREFIX = "segpipe.features.lifecycle.";

  public static LifecycleStages read(ConfigReader reader, int windowDays) {
    String positive = "a whole number of days > 0";
    LifecycleStages stages =
        new LifecycleStages(
            reader.integer(PREFIX + "new-within-days", d -> d > 0, positive),
            reader.integer(PREFIX + "at-risk-after-days", d -> d > 0, positive),
            reader.integer(PREFIX + "lapsed-after-days", d -> d > 0, positive),
            reader.integer(PREFIX + "churned-after-days", d -> d > 0, positive),
            reader.integer(PREFIX + "reactivated-gap-days", d -> d > 0, positive));
    if (!(stages.newWithinDays <= stages.atRiskAfterDays
        && stages.atRiskAfterDays < stages.lapsedAfterDays
        && stages.lapsedAfterDays < stages.churnedAfterDays)) {
      reader.problem(
          PREFIX + "churned-after-days",
          "the thresholds must grow: new-within-days ("
              + stages.newWithinDays
              + ") <= at-risk-after-days ("
              + stages.atRiskAfterDays
              + ") < lapsed-after-days ("
              + stages.lapsedAfterDays
              + ") < churned-after-days ("
              + stages.churnedAfterDays
              + ")");
    }
    if (stages.churnedAfterDays >= windowDays) {
      reader.problem(
          PREFIX + "churned-after-days",
          "must be less than segpipe.features.window-days ("
              + windowDays
              + "), or no customer seen in the window could ever be churned");
    }
    return stages;
  }

  /**
   * Adds lifecycle_stage to per-customer features (recency_days, tenure_days, frequency,
   * days_before_last_purchase).
   */
  public Dataset<Row> apply(Dataset<Row> customers) {
    return SqlResource.load("sql/features/lifecycle_stages.sql")
        .withView("customers", customers)
        .with("new_within_days", newWithinDays)
        .with("at_risk_after_days", atRiskAfterDays)
        .with("lapsed_after_days", lapsedAfterDays)
        .with("churned_after_days", churnedAfterDays)
        .with("reactivated_gap_days", reactivatedGapDays)
        .run(customers.sparkSession());
  }
}

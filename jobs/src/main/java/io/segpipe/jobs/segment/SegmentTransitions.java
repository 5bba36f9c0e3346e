package io.segpipe.jobs.segment;

import io.segpipe.common.sql.SqlResource;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * segment_transitions: how many customers moved from which segment to which since the previous
 * snapshot.
 */
public final class SegmentTransitions {
  public static final String NEW = "(new)";
  public static final String GONE = "(gone)";

  private SegmentTransitions() {}

  /**
   * Transitions from {@code previous} (customer_segments rows of {@code previousDate}; empty when
   * there is no earlier snapshot, and then every customer comes from "(new)") to {@code current}
   * (rows with the customer_segments columns). Lazy.
   */
  public static Dataset<Row> of(
      Dataset<Row> previous,
      Optional<LocalDate> previousDate,
      Dataset<Row> current,
      LocalDate asOf) {
    return SqlResource.load("sql/segment/segment_transitions.sql")
        .withView(
            "previous_members",
            SegmentMembers.of(previous).select("customer_id", "segmentation", "segment"))
        .withView(
            "current_members",
            SegmentMembers.of(current).select("customer_id", "segmentation", "segment"))
        .withFragment(
            "previous_as_of_date",
            previousDate.map(d -> "DATE'" + d + "'").orElse("CAST(NULL AS DATE)"))
        .with("as_of", asOf)
        .run(current.sparkSession());
  }
}

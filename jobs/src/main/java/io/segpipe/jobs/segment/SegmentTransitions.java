package io.segpipe.jobs.segment;

import io.segpipe.common.sql.SqlResource;
import java.time.LocalDate;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * segment_transitions: how many customers moved from which segment to which since the previous
 * snapshot.
 */
public final class SegmentTransitions {
  public static final String NEW = "(new)";
  public static final String GONE = "(gone)";

  /** The columns the transitions read: the customer and each segmentation's segment. */
  private static final Column[] SEGMENTS = SegmentMembers.customerSegments();

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
        .withView("previous_segments", previous.select(SEGMENTS))
        .withView("current_segments", current.select(SEGMENTS))
        .withFragment(
            "pairs",
            SegmentMembers.SEGMENT_COLUMNS.values().stream()
                .distinct()
                .map(c -> "p." + c + " AS " + c + "_before, c." + c + " AS " + c + "_now")
                .collect(Collectors.joining(",\n    ")))
        .withFragment("moves", SegmentMembers.stack(c -> c + "_before, " + c + "_now"))
        .withFragment(
            "previous_as_of_date",
            previousDate.map(d -> "DATE'" + d + "'").orElse("CAST(NULL AS DATE)"))
        .with("as_of", asOf)
        .run(current.sparkSession());
  }
}

package io.segpipe.jobs.segment;

import io.segpipe.common.sql.SqlResource;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Customers once per segmentation with their segment (segment_members.sql): what profiles and
 * transitions group.
 */
public final class SegmentMembers {
  /** The segmentations, as segment_profiles and segment_transitions name them. */
  public static final List<String> SEGMENTATIONS =
      List.of("rfm_segment", "lifecycle_stage", "cluster", "value_tier", "needs_segment");

  private SegmentMembers() {}

  /**
   * Members of {@code segments} (rows with the customer_segments columns), with all their columns.
   * Lazy.
   */
  public static Dataset<Row> of(Dataset<Row> segments) {
    return SqlResource.load("sql/segment/segment_members.sql")
        .withView("segment_source", segments)
        .run(segments.sparkSession());
  }
}

package io.segpipe.jobs.segment;

import io.segpipe.common.sql.SqlResource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Customers once per segmentation with their segment (segment_members.sql): what profiles and transitions group. */
public final class SegmentMembers {
  /** The segmentations, as segment_profiles and segment_transitions name them. */
  public static final List<String> SEGMENTATIONS = List.of("rfm_segment", "lifecycle_stage", "cluster", "value_tier");

  private static final AtomicInteger VIEWS = new AtomicInteger();

  private SegmentMembers() {}

  /** Members of {@code segments} (rows with the customer_segments columns), with all their columns. Lazy. */
  public static Dataset<Row> of(Dataset<Row> segments) {
    // A view of its own per call: replacing a temp view makes Spark uncache the plan it held, and the
    // segment job's scored customers, cached for its writes, are the source of the profiles' members.
    String view = "segment_source_" + VIEWS.incrementAndGet();
    segments.createOrReplaceTempView(view);
    return SqlResource.load("sql/segment/segment_members.sql").withFragment("segment_source", view)
        .run(segments.sparkSession());
  }
}

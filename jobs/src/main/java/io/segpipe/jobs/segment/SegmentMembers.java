package io.segpipe.jobs.segment;

import io.segpipe.common.sql.SqlResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Customers once per segmentation with their segment (segment_members.sql): what profiles and
 * transitions group.
 */
public final class SegmentMembers {
  /**
   * Each segmentation, as segment_profiles and segment_transitions name it, with the
   * customer_segments column holding its segment. The cluster's segment is its label: labels are
   * distinct within a model version, and unlike ids they keep their meaning when the clusters are
   * retrained.
   */
  static final Map<String, String> SEGMENT_COLUMNS = segmentColumns();

  /** The columns of a customer's segments: customer_id and each segmentation's segment column. */
  static Column[] customerSegments() {
    return Stream.concat(Stream.of("customer_id"), SEGMENT_COLUMNS.values().stream())
        .distinct()
        .map(functions::col)
        .toArray(Column[]::new);
  }

  /** The segmentations, as segment_profiles and segment_transitions name them. */
  public static final List<String> SEGMENTATIONS = List.copyOf(SEGMENT_COLUMNS.keySet());

  private SegmentMembers() {}

  private static Map<String, String> segmentColumns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("rfm_segment", "rfm_segment");
    columns.put("lifecycle_stage", "lifecycle_stage");
    columns.put("cluster", "cluster_label");
    columns.put("value_tier", "value_tier");
    columns.put("needs_segment", "needs_segment");
    return columns;
  }

  /**
   * A SQL {@code stack} of one row per segmentation: its name, then {@code values} of its segment
   * column (one expression or several, comma-separated).
   */
  static String stack(Function<String, String> values) {
    return "stack("
        + SEGMENT_COLUMNS.size()
        + ", "
        + SEGMENT_COLUMNS.entrySet().stream()
            .map(e -> "'" + e.getKey() + "', " + values.apply(e.getValue()))
            .collect(Collectors.joining(", "))
        + ")";
  }

  /**
   * {@code sql} with the fragments of a query that adds customers up per cell, a combination of
   * their segments in every segmentation, and the cells then per segment: {@code cell_columns} (the
   * segment columns, comma-separated), {@code s_cell_columns} (the same of a table aliased s) and
   * {@code segments} (the {@link #stack} of a cells table aliased c).
   */
  static SqlResource withCells(SqlResource sql) {
    return sql.withFragment("cell_columns", String.join(", ", SEGMENT_COLUMNS.values()))
        .withFragment(
            "s_cell_columns",
            SEGMENT_COLUMNS.values().stream().map(c -> "s." + c).collect(Collectors.joining(", ")))
        .withFragment("segments", stack(c -> "c." + c));
  }

  /**
   * Members of {@code segments} (rows with the customer_segments columns), with all their columns.
   * Lazy.
   */
  public static Dataset<Row> of(Dataset<Row> segments) {
    return SqlResource.load("sql/segment/segment_members.sql")
        .withView("segment_source", segments)
        .withFragment("segments", stack(column -> "s." + column))
        .run(segments.sparkSession());
  }
}

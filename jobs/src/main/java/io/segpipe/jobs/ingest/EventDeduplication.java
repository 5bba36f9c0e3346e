package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/** Keeps one event per event_id, the same one whatever the partitioning or the order files are read in. */
public final class EventDeduplication {
  private EventDeduplication() {}

  /**
   * The first row per event_id: earliest event_ts, then the raw row's text as the tie-break, so the
   * choice depends on the data only.
   */
  public static Dataset<Row> firstPerEventId(Dataset<Row> events) {
    String rank = "dedup_rank";
    return events
        .withColumn(rank, row_number().over(Window.partitionBy(col("event_id"))
            .orderBy(col("event_ts"), col(EventMapping.RAW))))
        .filter(col(rank).equalTo(1))
        .drop(rank);
  }

  /** The rows of {@code batch} whose event_id is not already among {@code existingIds}. */
  public static Dataset<Row> notAlreadyIn(Dataset<Row> batch, Dataset<Row> existingIds) {
    return batch.join(existingIds.select("event_id"),
        scala.collection.JavaConverters.asScalaBuffer(java.util.List.of("event_id")).toSeq(), "left_anti");
  }
}

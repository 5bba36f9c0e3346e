package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

import io.segpipe.common.schema.Events;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import scala.collection.JavaConverters;

/**
 * Keeps one event per event_id, the same one whatever the partitioning or the order files are read
 * in.
 */
public final class EventDeduplication {
  private EventDeduplication() {}

  /**
   * The first row per event_id: earliest event_ts, then a 64-bit hash of the row's contract columns
   * as the tie-break, so the choice depends on the data only (rows equal in every contract column
   * give the same event, whichever is kept). {@code events} has the contract columns; the result
   * has them only.
   */
  public static Dataset<Row> firstPerEventId(Dataset<Row> events) {
    String rank = "dedup_rank";
    String tieBreak = "dedup_tie_break";
    List<Column> contract = new ArrayList<>();
    for (StructField f : Events.MAPPED.fields()) {
      contract.add(col(f.name()));
    }
    List<Column> hashed = new ArrayList<>(contract);
    // maps cannot be hashed; their JSON (entries in type order) can
    hashed.add(to_json(col(Events.IDENTIFIERS)));
    contract.add(col(Events.IDENTIFIERS));
    contract.add(xxhash64(hashed.toArray(Column[]::new)).as(tieBreak));
    return events
        .select(contract.toArray(Column[]::new))
        .withColumn(
            rank,
            row_number()
                .over(Window.partitionBy(col("event_id")).orderBy(col("event_ts"), col(tieBreak))))
        .filter(col(rank).equalTo(1))
        .drop(rank, tieBreak);
  }

  /** The rows of {@code batch} whose event_id is not already among {@code existingIds}. */
  public static Dataset<Row> notAlreadyIn(Dataset<Row> batch, Dataset<Row> existingIds) {
    return batch.join(
        existingIds.select("event_id"),
        JavaConverters.asScalaBuffer(List.of("event_id")).toSeq(),
        "left_anti");
  }
}

package io.segpipe.common.job;

import io.segpipe.common.lake.Lake;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One row of {@code run_metrics}: what a job run read, wrote, rejected, how long it took, how it
 * ended.
 */
public record RunMetrics(
    String runId,
    String job,
    LocalDate asOfDate,
    String status,
    Instant startedAt,
    Instant finishedAt,
    long rowsIn,
    long rowsOut,
    long rowsRejected,
    long rowsDuplicate,
    String message,
    Map<String, String> details) {

  public static final String TABLE = "run_metrics";

  public static final StructType SCHEMA =
      new StructType()
          .add("run_id", DataTypes.StringType, false)
          .add("job", DataTypes.StringType, false)
          .add("as_of_date", DataTypes.DateType, true)
          .add("status", DataTypes.StringType, false)
          .add("started_at", DataTypes.TimestampType, false)
          .add("finished_at", DataTypes.TimestampType, false)
          .add("duration_ms", DataTypes.LongType, false)
          .add("rows_in", DataTypes.LongType, false)
          .add("rows_out", DataTypes.LongType, false)
          .add("rows_rejected", DataTypes.LongType, false)
          .add("rows_duplicate", DataTypes.LongType, false)
          .add("message", DataTypes.StringType, true)
          .add(
              "details", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true);

  public long durationMs() {
    return finishedAt.toEpochMilli() - startedAt.toEpochMilli();
  }

  public void appendTo(SparkSession spark, Lake lake) {
    Row row =
        RowFactory.create(
            runId,
            job,
            asOfDate == null ? null : Date.valueOf(asOfDate),
            status,
            Timestamp.from(startedAt),
            Timestamp.from(finishedAt),
            durationMs(),
            rowsIn,
            rowsOut,
            rowsRejected,
            rowsDuplicate,
            message,
            details);
    lake.append(spark.createDataFrame(List.of(row), SCHEMA).coalesce(1), TABLE);
  }
}

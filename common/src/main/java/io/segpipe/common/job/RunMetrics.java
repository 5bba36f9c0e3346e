package io.segpipe.common.job;

import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
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

  public static final StructType SCHEMA = Tables.RUN_METRICS.columns();

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
    lake.append(spark.createDataFrame(List.of(row), SCHEMA).coalesce(1), Tables.RUN_METRICS);
  }
}

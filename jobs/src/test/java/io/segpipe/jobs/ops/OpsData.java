package io.segpipe.jobs.ops;

import io.segpipe.common.tables.Tables;
import io.segpipe.jobs.train.GeneratedLake;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The data the operations tests share: the small generated lake the segment and report tests use
 * too (400 customers, seed 5, features as of two dates; built once and kept under target/), its raw
 * generated export, and copies of its tables for tests that write.
 */
final class OpsData {
  static final String BEFORE = "2024-11-30";
  static final String AS_OF = "2024-12-31";

  /** A fixed ingest cut-off, so runs on different days quarantine the same rows. */
  static final String CUTOFF = "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"";

  private OpsData() {}

  /** The built folder: generated/ (events, customers, ground_truth as Parquet) and lake/. */
  static Path built() {
    return GeneratedLake.build(400, 5, List.of(BEFORE, AS_OF));
  }

  static Path generated(String what) {
    return built().resolve("generated").resolve(what);
  }

  /** A lake of its own under {@code target} holding copies of the built lake's {@code tables}. */
  static Path lakeCopy(Path target, String... tables) {
    return GeneratedLake.copyLake(built(), target, List.of(tables));
  }

  /** The newest run_metrics row of the lake. */
  static Row lastRun(SparkSession spark, Path lake) {
    return LakeTables.read(spark, lake, Tables.RUN_METRICS.name())
        .orderBy(functions.desc("finished_at"))
        .first();
  }
}

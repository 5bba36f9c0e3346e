package io.segpipe.common.job;

import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.lake.Lake;
import java.time.Instant;
import org.apache.spark.sql.SparkSession;

/**
 * What a running job needs besides its own settings: the session, lake, config, arguments and run
 * id.
 */
public record JobContext(
    String job,
    String runId,
    Instant startedAt,
    SparkSession spark,
    Lake lake,
    SegpipeConfig config,
    JobArguments arguments,
    PhaseTimer phases) {

  public JobContext(
      String job,
      String runId,
      Instant startedAt,
      SparkSession spark,
      Lake lake,
      SegpipeConfig config,
      JobArguments arguments) {
    this(job, runId, startedAt, spark, lake, config, arguments, new PhaseTimer(job));
  }

  /**
   * Labels the Spark jobs that follow, so the Spark UI reads e.g. "ingest: validate rows", and logs
   * how long the previous phase took.
   */
  public void phase(String description) {
    phases.next(description);
    spark.sparkContext().setJobGroup(job + ":" + runId, job + ": " + description, false);
  }
}

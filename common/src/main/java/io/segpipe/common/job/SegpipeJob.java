package io.segpipe.common.job;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.lake.StorageFailures;
import io.segpipe.common.secret.Secrets;
import io.segpipe.common.spark.SparkSessions;
import io.segpipe.common.tables.Tables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell every job shares: parse arguments, load and validate config (before Spark starts), open
 * the session, run, record a {@code run_metrics} row (failures included) and log a one-line
 * summary.
 *
 * @param <S> the job's own typed settings, read from config and arguments
 */
public abstract class SegpipeJob<S> {
  private static final Logger LOG = LoggerFactory.getLogger(SegpipeJob.class);

  /** The job's name as used on the command line and in run_metrics, e.g. "ingest". */
  public abstract String name();

  /** One paragraph for --help. */
  protected abstract String summary();

  /** Options beyond the common ones. */
  protected List<JobArguments.Option> options() {
    return List.of();
  }

  /**
   * Reads and checks the job's settings; runs before any Spark code. Throw UserError for bad input.
   */
  protected abstract S settings(SegpipeConfig config, JobArguments arguments);

  /**
   * Runs after the arguments are parsed and before the config is loaded: a job that rewrites the
   * user's config files (a migration) does it here, so the rewritten files are the ones loaded.
   * Nothing by default.
   */
  protected void beforeConfig(JobArguments arguments) {}

  /** Does the work. */
  protected abstract JobOutcome run(JobContext context, S settings);

  /** Runs the job as a user would from the command line; returns the process exit code. */
  public int execute(String... argv) {
    return executeForResult(argv).exitCode();
  }

  /**
   * Runs the job as {@link #execute} does and returns how it ended: the exit code, the outcome or
   * the failure's message (what the pipeline reports, without reading it back from run_metrics).
   */
  public JobResult executeForResult(String... argv) {
    JobArguments arguments;
    S settings;
    SegpipeConfig config;
    try {
      arguments = JobArguments.parse(name(), argv, options());
      if (arguments.help()) {
        System.out.print(JobArguments.usage(name(), summary(), options()));
        return new JobResult(0, Optional.empty(), Optional.empty());
      }
      beforeConfig(arguments);
      config = SegpipeConfig.load(arguments.configFile(), arguments.overrides());
      settings = settings(config, arguments);
    } catch (UserError e) {
      System.err.println("segpipe " + name() + ": " + Secrets.redact(e.getMessage()));
      return JobResult.failed(UserError.EXIT_CODE, Secrets.redact(e.getMessage()));
    }
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Instant started = Instant.now();
    SparkSession spark = SparkSessions.open("segpipe " + name(), config);
    LOG.info(
        "segpipe {} run {}: Spark session ready in {} s",
        name(),
        runId,
        String.format("%.1f", (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000.0));
    Lake lake = new Lake(spark, config.lake());
    JobContext context = new JobContext(name(), runId, started, spark, lake, config, arguments);
    LocalDate asOf = arguments.asOf().orElse(null);
    try {
      JobOutcome outcome = run(context, settings);
      RunMetrics metrics =
          new RunMetrics(
              runId,
              name(),
              asOf,
              "succeeded",
              started,
              Instant.now(),
              outcome.rowsIn(),
              outcome.rowsOut(),
              outcome.rowsRejected(),
              outcome.rowsDuplicate(),
              outcome.summary(),
              outcome.details());
      record(context, metrics);
      LOG.info(
          "segpipe {} run {} succeeded in {} s: {}",
          name(),
          runId,
          seconds(metrics),
          outcome.summary());
      System.out.println(
          "segpipe "
              + name()
              + ": "
              + outcome.summary()
              + " ("
              + seconds(metrics)
              + " s, run "
              + runId
              + ")");
      return JobResult.succeeded(outcome);
    } catch (
        Exception
            thrown) { // Spark's SparkException and Delta's DeltaIOException are checked exceptions
      // A read-only lake or a full disk: told in words, like a user error (Lake already tells a
      // lost commit).
      Exception e =
          thrown instanceof UserError
              ? thrown
              : StorageFailures.explain(thrown, config.lake().root())
                  .<Exception>map(u -> u)
                  .orElse(thrown);
      if (e != thrown) {
        LOG.debug("segpipe {} run {}: the failure explained below", name(), runId, thrown);
      }
      JobFailure failure = e instanceof JobFailure f ? f : null;
      boolean userError = e instanceof UserError;
      RunMetrics metrics =
          new RunMetrics(
              runId,
              name(),
              asOf,
              "failed",
              started,
              Instant.now(),
              failure == null ? 0 : failure.outcome().rowsIn(),
              0,
              failure == null ? 0 : failure.outcome().rowsRejected(),
              failure == null ? 0 : failure.outcome().rowsDuplicate(),
              Secrets.redact(String.valueOf(e.getMessage())),
              failure == null ? Map.of() : failure.outcome().details());
      record(context, metrics);
      if (userError) {
        System.err.println("segpipe " + name() + ": " + Secrets.redact(e.getMessage()));
        LOG.error("segpipe {} run {} failed: {}", name(), runId, Secrets.redact(e.getMessage()));
        return JobResult.failed(UserError.EXIT_CODE, metrics.message());
      }
      LOG.error("segpipe {} run {} failed", name(), runId, e);
      System.err.println("segpipe " + name() + ": failed: " + Secrets.redact(String.valueOf(e)));
      return JobResult.failed(1, metrics.message());
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Reads the arguments, config and settings as {@link #execute} does, without starting Spark, so a
   * pipeline can refuse a bad setting of a later job before the first one runs; throws UserError.
   */
  public void check(String... argv) {
    JobArguments arguments = JobArguments.parse(name(), argv, options());
    settings(SegpipeConfig.load(arguments.configFile(), arguments.overrides()), arguments);
  }

  private static String seconds(RunMetrics metrics) {
    return String.format("%.1f", metrics.durationMs() / 1000.0);
  }

  private static void record(JobContext context, RunMetrics metrics) {
    context.phase("record run metrics");
    try {
      metrics.appendTo(context.spark(), context.lake());
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record run_metrics at {}: {}",
          context.lake().path(Tables.RUN_METRICS),
          e.toString());
    }
    context.phases().finish();
  }

  /** Runs a job from main(): exits with its code after stopping Spark. */
  public static void main(SegpipeJob<?> job, String[] argv) {
    int code = job.execute(argv);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    System.exit(code);
  }
}

package io.segpipe.jobs.pipeline;

import io.segpipe.campaign.CampaignDefinitions;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.cli.JobArguments.Option;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobResult;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.secret.Secrets;
import io.segpipe.common.spark.SparkSessions;
import io.segpipe.identity.IdentitySettings;
import io.segpipe.jobs.affinities.AffinitiesJob;
import io.segpipe.jobs.clv.ClvJob;
import io.segpipe.jobs.evaluate.EvaluateJob;
import io.segpipe.jobs.export.ExportJob;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.identity.IdentityJob;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.pipeline.TrainSchedule.TrainEvery;
import io.segpipe.jobs.report.ReportJob;
import io.segpipe.jobs.segment.SegmentJob;
import io.segpipe.jobs.train.TrainJob;
import io.segpipe.modelling.ModelMetadata;
import io.segpipe.modelling.ModelRegistry;
import io.segpipe.modelling.TrainSettings;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * Runs ingest -> identity (when segpipe.identity.enabled) -> features -> train -> clv -> segment ->
 * affinities -> export -> report in one Spark session, for one --as-of date or a range of dates
 * (--from/--to/--every): ingest once (when --source is given), then the other jobs per date in date
 * order, train only when segpipe.pipeline.train-every says it is due (clv then refits; on other
 * dates it scores with the latest fit, --score-only). Every job's arguments and settings are
 * checked before Spark starts. It stops at the first job that fails, with that job's exit code and
 * message, and prints the command that resumes from there. Each job records its own run_metrics
 * row; the pipeline ends with a table of what ran.
 */
public final class PipelineJob {
  /** A step: the job and which of the pipeline's own options it takes. */
  private record Step(String name, Supplier<SegpipeJob<?>> job, List<String> ownOptions) {}

  private static final String INGEST = "ingest";
  private static final String TRAIN = "train";
  private static final String IDENTITY = "identity";
  private static final String CLV = "clv";
  private static final List<String> INGEST_OPTIONS =
      List.of("source", "mapping", "format", "customers");

  private static final List<Step> STEPS =
      List.of(
          new Step(INGEST, IngestJob::new, INGEST_OPTIONS),
          new Step(IDENTITY, IdentityJob::new, List.of()),
          new Step("features", FeaturesJob::new, List.of()),
          new Step(TRAIN, TrainJob::new, List.of()),
          new Step(CLV, ClvJob::new, List.of()),
          new Step("segment", SegmentJob::new, List.of()),
          new Step("affinities", AffinitiesJob::new, List.of()),
          new Step("export", ExportJob::new, List.of(CampaignDefinitions.FILE_OPTION)),
          new Step("evaluate", EvaluateJob::new, List.of()),
          new Step("report", ReportJob::new, List.of()));

  private static final List<String> NAMES = STEPS.stream().map(Step::name).toList();

  /** The steps run per date: every one but ingest, which runs once. */
  private static final List<Step> PER_DATE = STEPS.subList(1, STEPS.size());

  static final List<Option> OPTIONS =
      List.of(
          new Option(
              "from",
              "YYYY-MM-DD",
              "backfill: first snapshot date of a range (with --to; instead of --as-of)"),
          new Option(
              "to",
              "YYYY-MM-DD",
              "backfill: last snapshot date of the range, included when on the step"),
          new Option(
              "every",
              "STEP",
              "backfill step: day (default), week, month (the day of --from, 1-28) or month-end"),
          new Option(
              "source",
              "PATH",
              "source for ingest (run once, first); without it ingest is skipped and events is used as it is"),
          new Option("mapping", "NAME|FILE", "source mapping for ingest"),
          new Option("format", "FORMAT", "source format for ingest"),
          new Option("customers", "PATH", "customer dimension for ingest"),
          new Option(
              CampaignDefinitions.FILE_OPTION,
              "FILE",
              "campaign file for export (campaigns = [ ... ], added to" + " segpipe.campaigns)"),
          new Option(
              "from-job",
              "JOB",
              "start the first date at this job ("
                  + String.join(", ", NAMES)
                  + "); the"
                  + " other dates run every job"));

  private static final String SUMMARY =
      "Runs "
          + String.join(" -> ", NAMES)
          + " in one Spark session:\n"
          + "ingest once (only with --source), then the other jobs for each snapshot date in date order: --as-of DATE\n"
          + "for one date, or a backfill --from DATE --to DATE [--every day|week|month|month-end]. Train runs as\n"
          + TrainSchedule.KEY
          + " (always, week or month) says, and clv refits then; segment (and clv\n"
          + "on the other dates) scores every date with the latest model trained at or before it. Every job's arguments and settings are checked before Spark\n"
          + "starts. The run stops at the first job that fails, with its exit code and message and the command that\n"
          + "resumes from there, and ends with a table of what ran per date. More: docs/running.md\n\n"
          + "Examples:\n"
          + "  segpipe pipeline --as-of 2024-12-31\n"
          + "  segpipe pipeline --source landing/events --mapping generator --from 2024-01-31 --to 2024-12-31 --every month-end\n"
          + "  segpipe pipeline --from 2024-06-30 --to 2024-12-31 --every month-end --from-job segment";

  /** The environment variable through which scripts/segpipe passes its spark-submit options. */
  static final String SUBMIT_OPTIONS = "SEGPIPE_SUBMIT_OPTIONS";

  private final JobArguments args;
  private final RunDates dates;
  private final int start;
  private final SegpipeConfig config;
  private final TrainSchedule schedule;
  private final RunSummary summary;
  private final List<Step> perDate;

  private PipelineJob(
      JobArguments args, RunDates dates, int start, SegpipeConfig config, TrainSchedule schedule) {
    this.args = args;
    this.dates = dates;
    this.start = start;
    this.config = config;
    this.schedule = schedule;
    // identity runs only with stitching on; without it the pipeline is what it was before
    this.perDate =
        PER_DATE.stream()
            .filter(s -> !s.name().equals(IDENTITY) || IdentitySettings.enabled(config))
            .toList();
    this.summary = new RunSummary(dates.dates(), perDate.stream().map(Step::name).toList());
  }

  public static void main(String[] args) {
    int code = execute(args);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    System.exit(code);
  }

  /** Runs the pipeline as a user would from the command line; returns the process exit code. */
  public static int execute(String... argv) {
    PipelineJob pipeline;
    try {
      JobArguments args = JobArguments.parse("pipeline", argv, OPTIONS);
      if (args.help()) {
        System.out.print(JobArguments.usage("pipeline", SUMMARY, OPTIONS));
        return 0;
      }
      RunDates dates = RunDates.of(args);
      String from = args.option("from-job").orElse(INGEST);
      int start = NAMES.indexOf(from);
      if (start < 0) {
        throw new UserError(
            "--from-job " + from + " is not a job of the pipeline; use one of " + NAMES + ".");
      }
      SegpipeConfig config = SegpipeConfig.load(args.configFile(), args.overrides());
      TrainEvery every = config.section(TrainEvery::read);
      pipeline =
          new PipelineJob(
              args,
              dates,
              start,
              config,
              new TrainSchedule(every, dates.range() && args.option("from-job").isEmpty()));
      pipeline.check();
    } catch (UserError e) {
      System.err.println("segpipe pipeline: " + e.getMessage());
      return UserError.EXIT_CODE;
    }
    return pipeline.run();
  }

  /**
   * Each job that will run checks its arguments and settings, before Spark starts and any job runs.
   */
  private void check() {
    if (runsIngest()) {
      checkStep(STEPS.get(0), dates.last());
    }
    for (Step step : perDate) {
      int index = NAMES.indexOf(step.name()) >= start ? 0 : 1;
      if (index < dates.dates().size()) {
        checkStep(step, dates.dates().get(index));
      }
    }
  }

  private void checkStep(Step step, LocalDate date) {
    try {
      step.job().get().check(stepArgs(step, date));
    } catch (UserError e) {
      throw new UserError(
          "the " + step.name() + " job would fail (nothing has run): " + e.getMessage());
    }
  }

  private boolean runsIngest() {
    return start == 0 && args.option("source").isPresent();
  }

  private int run() {
    SparkSession spark = SparkSessions.open("segpipe pipeline", config);
    Lake lake = new Lake(spark, config.lake());
    if (runsIngest()) {
      JobResult result = runStep(STEPS.get(0), dates.last(), false);
      summary.ingest(result.ok() ? RunSummary.OK : RunSummary.FAILED);
      if (!result.ok()) {
        return stopped(result, dates.first(), INGEST);
      }
    } else {
      summary.ingest(
          start > 0
              ? RunSummary.SKIPPED
              : "skipped (no --source: the events table is used as it is)");
    }
    for (int i = 0; i < dates.dates().size(); i++) {
      LocalDate date = dates.dates().get(i);
      Instant began = Instant.now();
      Boolean due = null;
      for (Step step : perDate) {
        if (i == 0 && NAMES.indexOf(step.name()) < start) {
          summary.set(date, step.name(), RunSummary.SKIPPED);
          continue;
        }
        if (step.name().equals(TRAIN) || step.name().equals(CLV) && due == null) {
          due = trainDue(spark, lake, i);
        }
        if (step.name().equals(TRAIN) && !due) {
          summary.set(date, TRAIN, RunSummary.NOT_DUE);
          continue;
        }
        JobResult result = runStep(step, date, step.name().equals(CLV) && !due);
        summary.set(date, step.name(), result.ok() ? RunSummary.OK : RunSummary.FAILED);
        if (!result.ok()) {
          summary.seconds(date, seconds(began));
          return stopped(result, date, step.name());
        }
      }
      summary.seconds(date, seconds(began));
    }
    System.out.print(summary.table());
    return 0;
  }

  /** Whether train runs on the i-th date; says why, or which model segment will use instead. */
  private boolean trainDue(SparkSession spark, Lake lake, int i) {
    LocalDate date = dates.dates().get(i);
    List<LocalDate> models =
        schedule.every() == TrainEvery.ALWAYS ? List.of() : modelDates(spark, lake, date);
    Optional<String> reason = schedule.reason(dates.dates(), i, models);
    System.out.println(
        "segpipe pipeline: "
            + date
            + " train "
            + reason
                .map(r -> "is due: " + r)
                .orElseGet(
                    () ->
                        "is not due ("
                            + TrainSchedule.KEY
                            + " = "
                            + schedule.every().word()
                            + "): segment uses the"
                            + " model of "
                            + schedule.modelOfPeriod(date, models).orElseThrow()));
    return reason.isPresent();
  }

  /**
   * Runs one job; {@code scoreOnly}: clv scores with the latest fit instead of fitting (training
   * not due).
   */
  private JobResult runStep(Step step, LocalDate date, boolean scoreOnly) {
    System.out.println(
        "segpipe pipeline: "
            + (step.name().equals(INGEST) ? "" : date + " ")
            + step.name()
            + (scoreOnly ? " (scoring with the latest fit: training is not due)" : "")
            + " ...");
    List<String> words = new ArrayList<>(List.of(stepArgs(step, date)));
    if (scoreOnly) {
      words.add("--score-only");
    }
    return step.job().get().executeForResult(words.toArray(String[]::new));
  }

  /**
   * The as-of dates of the clusters models the segment job could apply (trained on the configured
   * features).
   */
  private List<LocalDate> modelDates(SparkSession spark, Lake lake, LocalDate date) {
    List<String> features =
        config
            .section(r -> TrainSettings.read(r, date, config.events().channels()))
            .clusterFeatures()
            .features();
    return ModelRegistry.open(spark, lake, config).versions(ModelRegistry.CLUSTERS).stream()
        .filter(m -> m.features().equals(features))
        .map(ModelMetadata::asOfDate)
        .map(LocalDate::parse)
        .toList();
  }

  private int stopped(JobResult result, LocalDate date, String job) {
    int code = result.exitCode();
    String message = result.failure().orElse("see the " + job + " job's message above");
    String when =
        job.equals(INGEST) ? " (before the first date, " + date + ")" : " for as-of " + date;
    System.err.println(
        "segpipe pipeline: stopped: the "
            + job
            + " job failed"
            + when
            + " (exit code "
            + code
            + "): "
            + message);
    Optional<List<String>> submitOptions = submitOptions(System.getenv(SUBMIT_OPTIONS));
    String resume = resumeCommand(date, job, submitOptions.orElse(List.of()));
    System.err.println(
        "segpipe pipeline: once the cause is fixed, resume from there"
            + (submitOptions.isPresent()
                ? ""
                : " (with the same spark-submit options, e.g. --master, if you gave any)")
            + ":\n  "
            + resume
            + (resume.contains(Secrets.MASK)
                ? "\n  (values that look secret are shown as "
                    + Secrets.MASK
                    + ": give them again,"
                    + " better through the environment)"
                : ""));
    System.out.print(summary.table());
    return code;
  }

  /**
   * The spark-submit options scripts/segpipe was given (it sets {@value #SUBMIT_OPTIONS}, one word
   * a line, empty when there were none); nothing when the pipeline was started some other way.
   */
  static Optional<List<String>> submitOptions(String fromScript) {
    if (fromScript == null) {
      return Optional.empty();
    }
    return Optional.of(fromScript.isEmpty() ? List.of() : List.of(fromScript.split("\n", -1)));
  }

  /** The command that runs the rest: from the failed date, starting that date at the failed job. */
  private String resumeCommand(LocalDate date, String job, List<String> submitOptions) {
    List<String> words = new ArrayList<>(List.of("scripts/segpipe", "pipeline"));
    words.addAll(submitOptions);
    words.addAll(dates.from(date));
    words.addAll(List.of("--from-job", job));
    if (job.equals(INGEST)) {
      words.addAll(ownOptions(STEPS.get(0)));
    }
    words.addAll(configOptions());
    // Secret-looking values (a password=, a URL's password, a secret read from the environment) are
    // printed as ***** and must be given again: a resume command must not put them in a terminal's
    // history.
    return String.join(
        " ", words.stream().map(Secrets::redact).map(PipelineJob::shellWord).toList());
  }

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@,+%-]+");

  /** A word as a POSIX shell reads it back: as it is when plain, else in single quotes. */
  static String shellWord(String word) {
    return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  private String[] stepArgs(Step step, LocalDate date) {
    List<String> out = new ArrayList<>(configOptions());
    out.add("--as-of");
    out.add(date.toString());
    out.addAll(ownOptions(step));
    return out.toArray(String[]::new);
  }

  private List<String> ownOptions(Step step) {
    List<String> out = new ArrayList<>();
    for (String option : step.ownOptions()) {
      args.option(option)
          .ifPresent(
              v -> {
                out.add("--" + option);
                out.add(v);
              });
    }
    return out;
  }

  private List<String> configOptions() {
    List<String> out = new ArrayList<>();
    args.configFile()
        .ifPresent(
            f -> {
              out.add("--config");
              out.add(f);
            });
    for (Map.Entry<String, String> o : args.overrides().entrySet()) {
      out.add("--conf");
      out.add(o.getKey() + "=" + o.getValue());
    }
    return out;
  }

  private static double seconds(Instant since) {
    return (Instant.now().toEpochMilli() - since.toEpochMilli()) / 1000.0;
  }
}

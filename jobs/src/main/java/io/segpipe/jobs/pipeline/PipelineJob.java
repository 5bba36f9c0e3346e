package io.segpipe.jobs.pipeline;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.cli.JobArguments.Option;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.train.TrainJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the jobs in order for one as-of date in one Spark session, stopping at the first failure with
 * that job's exit code. Each job still records its own run_metrics row.
 */
public final class PipelineJob {
  /** A step: the job and which of the pipeline's own options it takes. */
  private record Step(String name, Supplier<SegpipeJob<?>> job, List<String> ownOptions) {}

  private static final List<Step> STEPS = List.of(
      new Step("ingest", IngestJob::new, List.of("source", "mapping", "format", "customers")),
      new Step("features", FeaturesJob::new, List.of()),
      new Step("train", TrainJob::new, List.of()));

  private static final List<Option> OPTIONS = List.of(
      new Option("source", "PATH", "source for ingest; without it ingest is skipped and events is used as it is"),
      new Option("mapping", "NAME|FILE", "source mapping for ingest"),
      new Option("format", "FORMAT", "source format for ingest"),
      new Option("customers", "PATH", "customer dimension for ingest"),
      new Option("from-job", "JOB", "start at this job (" + String.join(", ", STEPS.stream().map(Step::name).toList()) + ")"));

  public static void main(String[] args) {
    int code = execute(args);
    SparkSession.getActiveSession().foreach(s -> {
      s.stop();
      return null;
    });
    System.exit(code);
  }

  public static int execute(String... argv) {
    JobArguments args;
    try {
      args = JobArguments.parse("pipeline", argv, OPTIONS);
    } catch (UserError e) {
      System.err.println("segpipe pipeline: " + e.getMessage());
      return UserError.EXIT_CODE;
    }
    if (args.help()) {
      System.out.print(JobArguments.usage("pipeline",
          "Runs " + String.join(" -> ", STEPS.stream().map(Step::name).toList()) + " in order in one Spark session,\n"
              + "stopping at the first job that fails (its message and exit code are the pipeline's).", OPTIONS));
      return 0;
    }
    String from = args.option("from-job").orElse(STEPS.get(0).name());
    int start = STEPS.stream().map(Step::name).toList().indexOf(from);
    if (start < 0) {
      System.err.println("segpipe pipeline: --from-job " + from + " is not a job of the pipeline; use one of "
          + STEPS.stream().map(Step::name).toList() + ".");
      return UserError.EXIT_CODE;
    }
    for (Step step : STEPS.subList(start, STEPS.size())) {
      if (step.name().equals("ingest") && args.option("source").isEmpty()) {
        System.out.println("segpipe pipeline: no --source given, ingest skipped: the events table is used as it is");
        continue;
      }
      List<String> stepArgs = new ArrayList<>(common(args));
      for (String option : step.ownOptions()) {
        args.option(option).ifPresent(v -> {
          stepArgs.add("--" + option);
          stepArgs.add(v);
        });
      }
      System.out.println("segpipe pipeline: " + step.name() + " ...");
      int code = step.job().get().execute(stepArgs.toArray(String[]::new));
      if (code != 0) {
        System.err.println("segpipe pipeline: stopped at " + step.name() + " (exit code " + code + ")");
        return code;
      }
    }
    return 0;
  }

  private static List<String> common(JobArguments args) {
    List<String> out = new ArrayList<>();
    args.configFile().ifPresent(f -> {
      out.add("--config");
      out.add(f);
    });
    args.asOf().ifPresent(d -> {
      out.add("--as-of");
      out.add(d.toString());
    });
    for (Map.Entry<String, String> o : args.overrides().entrySet()) {
      out.add("--conf");
      out.add(o.getKey() + "=" + o.getValue());
    }
    return out;
  }
}

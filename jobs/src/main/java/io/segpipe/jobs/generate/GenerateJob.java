package io.segpipe.jobs.generate;

import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.schema.Events;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Generates a synthetic omnichannel data set: events in an export shape, the customers dimension and
 * the ground truth (archetype, churn date) that later jobs are checked against. Each customer is
 * generated on an executor from its own random streams, so the rows are the same for the same options
 * and seed however the work is partitioned, and memory holds one customer's events at a time.
 */
public final class GenerateJob extends SegpipeJob<GenerateSettings> {

  public static void main(String[] args) {
    SegpipeJob.main(new GenerateJob(), args);
  }

  @Override
  public String name() {
    return "generate";
  }

  @Override
  protected String summary() {
    return """
        Generates synthetic omnichannel customer data with known answers, for trying segpipe and testing it.
        Writes, under --output: events/ (Parquet, the export shape conf/sources/generator.conf maps), customers/
        (the customers dimension) and ground_truth/ (each customer's archetype and churn date). Customers follow
        archetypes that behave clearly differently: loyal_high_spender, bargain_hunter, one_time_buyer,
        lapsing_regular, store_only, new_signup. The same options and --seed give the same rows.
        Example: segpipe generate --output /tmp/gen --customers 100000 --events 5000000""";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return GenerateSettings.OPTIONS;
  }

  @Override
  protected GenerateSettings settings(SegpipeConfig config, JobArguments arguments) {
    return GenerateSettings.parse(arguments);
  }

  @Override
  protected JobOutcome run(JobContext context, GenerateSettings settings) {
    SparkSession spark = context.spark();
    GenerationTally tally = new GenerationTally(spark.sparkContext());
    String output = settings.output().endsWith("/") ? settings.output() : settings.output() + "/";

    context.phase("generate events");
    write(events(spark, settings, tally), output + "events");
    context.phase("write customers");
    write(customers(spark, settings, tally), output + "customers");
    context.phase("write ground truth");
    write(groundTruth(spark, settings), output + "ground_truth");

    return new JobOutcome(settings.customers(), tally.events(), 0, 0, tally.summary(settings.customers()),
        tally.details());
  }

  static Dataset<Row> events(SparkSession spark, GenerateSettings settings, GenerationTally tally) {
    GenerationSpec spec = settings.spec();
    // flatMap pulls one customer's rows at a time from the iterator: a partition streams into its file.
    FlatMapFunction<Long, Row> generate = index -> {
      EventWriter written = CustomerActivity.generate(spec, index);
      tally.add(written);
      return written.rows().iterator();
    };
    return spark.range(0, settings.customers(), 1, settings.eventPartitions())
        .flatMap(generate, Encoders.row(ExportShape.EVENTS));
  }

  static Dataset<Row> customers(SparkSession spark, GenerateSettings settings, GenerationTally tally) {
    GenerationSpec spec = settings.spec();
    MapFunction<Long, Row> customer = index -> {
      CustomerPlan plan = CustomerPlan.of(spec, index);
      tally.add(plan.archetype());
      return plan.customerRow();
    };
    return spark.range(0, settings.customers(), 1, settings.customerPartitions())
        .map(customer, Encoders.row(Events.CUSTOMERS));
  }

  static Dataset<Row> groundTruth(SparkSession spark, GenerateSettings settings) {
    GenerationSpec spec = settings.spec();
    MapFunction<Long, Row> truth = index -> CustomerPlan.of(spec, index).groundTruthRow();
    return spark.range(0, settings.customers(), 1, settings.customerPartitions())
        .map(truth, Encoders.row(ExportShape.GROUND_TRUTH));
  }

  private static void write(Dataset<Row> rows, String path) {
    rows.write().mode(SaveMode.Overwrite).option("compression", "snappy").parquet(path);
  }
}

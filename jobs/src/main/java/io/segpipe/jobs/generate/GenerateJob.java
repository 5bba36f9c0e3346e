package io.segpipe.jobs.generate;

import io.segpipe.btyd.BtydSimulator;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates a synthetic omnichannel data set: events in an export shape, the customers dimension
 * and the ground truth (archetype, churn date) that later jobs are checked against. Each customer
 * is generated on an executor from its own random streams, so the rows are the same for the same
 * options and seed however the work is partitioned, and memory holds one customer's events at a
 * time.
 */
public final class GenerateJob extends SegpipeJob<GenerateSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

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
        lapsing_regular, store_only, new_signup. The same options and --seed give the same rows. With --campaigns
        FILE (the campaign file of export) and --campaign-lift X, each campaign's treated customers who would not
        have bought in its window buy there with probability X; campaign_truth/ says who was moved. With --affinity
        ARCHETYPE:A+B:LIFT (e.g. loyal_high_spender:home+garden:1.8), that archetype's orders with category A and
        not B get a B line just often enough that the pair's lift over its orders is LIFT; affinity_truth/ gives
        the planted and baseline lifts, the probability and the expected supports. --retailer cn writes a Chinese
        retailer's data (Chinese provinces and cities, CNY, channels tmall, jd, wechat_mini, douyin, store), which
        the pipeline reads with --config conf/retailer-cn.conf. --identities SHARE writes identifiers on events
        (email, device_id, loyalty_id) and customers (email, phone), gives SHARE of the people who buy in store a
        second customer_id there, plants a shared tablet and a placeholder email, and writes identity_truth/.
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
    if (settings.btyd().isPresent()) {
      return btyd(context, settings, settings.btyd().get(), output);
    }

    settings.spec().affinities().forEach(a -> LOG.info(a.describe()));
    Dataset<Row> people = null;
    PlantedIdentities.Found found = null;
    GenerateSettings written = settings;
    Identities identities = settings.spec().identities();
    if (identities != null) {
      context.phase("generate people for their identifiers");
      people = PlantedIdentities.people(spark, settings).persist(StorageLevel.MEMORY_AND_DISK());
      found = PlantedIdentities.find(people);
      LOG.info(
          "identities: {} second accounts; the shared tablet is at {}",
          found.secondAccounts(),
          found.tabletStore());
      written =
          settings.withSpec(
              settings.spec().withIdentities(identities.withTabletStore(found.tabletStore())));
    }
    try {
      context.phase("generate events");
      write(events(spark, written, tally), output + "events");
      context.phase("write customers");
      write(
          people == null
              ? customers(spark, settings, tally)
              : PlantedIdentities.customers(people, settings, tally),
          output + "customers");
      context.phase("write ground truth");
      write(groundTruth(spark, settings), output + "ground_truth");
      if (people != null) {
        context.phase("write identity truth");
        write(PlantedIdentities.truth(spark, people, settings, found), output + "identity_truth");
      }
    } finally {
      if (people != null) {
        people.unpersist();
      }
    }
    if (!settings.spec().campaigns().isEmpty()) {
      context.phase("write campaign truth");
      write(campaignTruth(spark, settings), output + "campaign_truth");
    }
    if (!settings.spec().affinities().isEmpty()) {
      context.phase("write affinity truth");
      write(affinityTruth(spark, settings), output + "affinity_truth");
    }

    Map<String, String> details = tally.details();
    String summary = tally.summary(settings.customers());
    if (found != null) {
      details.put("identities.second_accounts", String.valueOf(found.secondAccounts()));
      details.put("identities.tablet_store", String.valueOf(found.tabletStore()));
      summary +=
          String.format(
              "; identities: %d second accounts, shared tablet at %s",
              found.secondAccounts(), found.tabletStore());
    }
    return new JobOutcome(settings.customers(), tally.events(), 0, 0, summary, details);
  }

  /**
   * --model btyd: simulated on the driver (the simulation is sequential in one random stream),
   * written as Parquet.
   */
  private static JobOutcome btyd(
      JobContext context, GenerateSettings settings, BtydPlan plan, String output) {
    SparkSession spark = context.spark();
    context.phase("simulate BG/NBD and Gamma-Gamma customers");
    List<BtydSimulator.Customer> customers =
        plan.simulate(settings.customers(), settings.spec().seed());
    LocalDate from = settings.spec().from();
    List<Row> events = new ArrayList<>();
    List<Row> dimension = new ArrayList<>();
    List<Row> truth = new ArrayList<>();
    for (int i = 0; i < customers.size(); i++) {
      events.addAll(plan.events(i, customers.get(i), from));
      dimension.add(plan.customer(i, customers.get(i), from));
      truth.add(plan.truth(i, customers.get(i)));
    }
    int partitions = Math.max(1, events.size() / 1_000_000 + 1);
    write(
        spark.createDataFrame(events, ExportShape.EVENTS).repartition(partitions),
        output + "events");
    write(
        spark.createDataFrame(dimension, ExportShape.CUSTOMERS).coalesce(1), output + "customers");
    write(spark.createDataFrame(truth, BtydPlan.GROUND_TRUTH).coalesce(1), output + "ground_truth");
    String summary =
        String.format(
            "%d customers simulated by BG/NBD %s and Gamma-Gamma %s (weeks of %d days), %d"
                + " purchase events from %s over %.0f + %.0f weeks",
            customers.size(),
            plan.transactions(),
            plan.spend(),
            plan.weekDays(),
            events.size(),
            from,
            plan.calibrationWeeks(),
            plan.holdoutWeeks());
    return new JobOutcome(settings.customers(), events.size(), 0, 0, summary, Map.of());
  }

  static Dataset<Row> events(SparkSession spark, GenerateSettings settings, GenerationTally tally) {
    GenerationSpec spec = settings.spec();
    // flatMap pulls one customer's rows at a time from the iterator: a partition streams into its
    // file.
    FlatMapFunction<Long, Row> generate =
        index -> {
          EventWriter written = CustomerActivity.generate(spec, index);
          tally.add(written);
          return written.rows().iterator();
        };
    return spark
        .range(0, settings.customers(), 1, settings.eventPartitions())
        .flatMap(generate, Encoders.row(ExportShape.EVENTS));
  }

  /**
   * The planted campaigns' truth: each customer generated again (its rows are the same), its
   * outcomes kept.
   */
  static Dataset<Row> campaignTruth(SparkSession spark, GenerateSettings settings) {
    GenerationSpec spec = settings.spec();
    FlatMapFunction<Long, Row> truth =
        index -> CustomerActivity.generate(spec, index).truth().iterator();
    return spark
        .range(0, settings.customers(), 1, settings.eventPartitions())
        .flatMap(truth, Encoders.row(ExportShape.CAMPAIGN_TRUTH))
        .coalesce(1);
  }

  /** The planted category pairs' truth, one row each: known on the driver. */
  static Dataset<Row> affinityTruth(SparkSession spark, GenerateSettings settings) {
    List<Row> rows = settings.spec().affinities().stream().map(AffinityPlan::truthRow).toList();
    return spark.createDataFrame(rows, ExportShape.AFFINITY_TRUTH).coalesce(1);
  }

  static Dataset<Row> customers(
      SparkSession spark, GenerateSettings settings, GenerationTally tally) {
    GenerationSpec spec = settings.spec();
    MapFunction<Long, Row> customer =
        index -> {
          CustomerPlan plan = CustomerPlan.of(spec, index);
          tally.add(plan.archetype());
          return plan.customerRow();
        };
    return spark
        .range(0, settings.customers(), 1, settings.customerPartitions())
        .map(customer, Encoders.row(ExportShape.CUSTOMERS));
  }

  static Dataset<Row> groundTruth(SparkSession spark, GenerateSettings settings) {
    GenerationSpec spec = settings.spec();
    MapFunction<Long, Row> truth = index -> CustomerPlan.of(spec, index).groundTruthRow();
    return spark
        .range(0, settings.customers(), 1, settings.customerPartitions())
        .map(truth, Encoders.row(ExportShape.GROUND_TRUTH));
  }

  private static void write(Dataset<Row> rows, String path) {
    rows.write().mode(SaveMode.Overwrite).option("compression", "snappy").parquet(path);
  }
}

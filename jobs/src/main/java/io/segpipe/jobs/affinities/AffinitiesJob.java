package io.segpipe.jobs.affinities;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The affinities job: what the segments of one segmentation buy together. The orders of the
 * features window as baskets, MLlib FPGrowth per segment of the customer_segments snapshot of
 * --as-of, the rules reaching segpipe.affinities' minimums into segment_affinities, and each
 * customer's next-best item into customer_next_best. Both are computed before either is written;
 * each write replaces exactly the as-of partition.
 */
public final class AffinitiesJob extends SegpipeJob<AffinitySettings> {
  private static final Logger LOG = LoggerFactory.getLogger(AffinitiesJob.class);

  public static void main(String[] args) {
    SegpipeJob.main(new AffinitiesJob(), args);
  }

  @Override
  public String name() {
    return "affinities";
  }

  @Override
  protected String summary() {
    return "Finds what each segment buys together: the orders of the features window (segpipe.features.window-days)"
        + " up to --as-of as baskets of categories (or products, segpipe.affinities.level), MLlib FPGrowth per segment"
        + " of segpipe.affinities.segmentation in the customer_segments snapshot of --as-of, and the association"
        + " rules with support, confidence and lift at or above the configured minimums into segment_affinities"
        + " (strongest first); each customer's next-best item (the consequent of its segment's strongest rule whose"
        + " antecedent it bought and whose consequent it did not) into customer_next_best, which the export can"
        + " add to audience rows. Re-running a date replaces that date only.";
  }

  @Override
  protected AffinitySettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(r -> AffinitySettings.read(r, asOf, config.events().channels()));
  }

  @Override
  protected JobOutcome run(JobContext context, AffinitySettings s) {
    if (!s.enabled()) {
      return JobOutcome.of(0, 0, "segpipe.affinities.enabled is false: no affinities written");
    }
    LocalDate asOf = s.asOf();
    Lake lake = context.lake();
    context.phase("read customer_segments " + asOf);
    Dataset<Row> members =
        lake.read(
                Tables.CUSTOMER_SEGMENTS,
                "Run `scripts/segpipe segment --as-of " + asOf + "` first.")
            .where(functions.col(Tables.AS_OF).equalTo(functions.lit(asOf)))
            .select(functions.col("customer_id"), functions.col(s.segmentation()).as("segment"));
    if (members.isEmpty()) {
      throw new UserError(
          "There is no customer_segments snapshot as of "
              + asOf
              + " in "
              + lake.path(Tables.CUSTOMER_SEGMENTS)
              + ". Run `scripts/segpipe segment --as-of "
              + asOf
              + "` first.");
    }
    SegmentAffinities affinities = new SegmentAffinities(s);
    context.phase("read events");
    Dataset<Row> baskets =
        affinities
            .baskets(
                Profiles.rekey(
                    lake.read(Tables.EVENTS, "Run `scripts/segpipe ingest` first."),
                    Profiles.keys(context.config(), lake, s.asOf())))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      context.phase(
          "FPGrowth per "
              + s.segmentation()
              + " segment over "
              + s.level().code()
              + " baskets from "
              + s.window().windowStart());
      // A local table (collected by rules()): its rows are counted here without a Spark job.
      Dataset<Row> rules = affinities.rules(baskets, members);
      List<Row> ruleList = rules.collectAsList();
      context.phase("next-best items");
      Dataset<Row> nextBest =
          affinities.nextBest(baskets, members, rules).persist(StorageLevel.MEMORY_AND_DISK());
      long customers = nextBest.count();
      long basketCount = baskets.count();
      context.phase("write affinities " + asOf);
      lake.replacePartition(rules.coalesce(1), Tables.SEGMENT_AFFINITIES, asOf);
      lake.replacePartition(nextBest, Tables.CUSTOMER_NEXT_BEST, asOf);
      nextBest.unpersist();
      return outcome(s, basketCount, ruleList, customers);
    } finally {
      baskets.unpersist();
    }
  }

  private static JobOutcome outcome(
      AffinitySettings s, long baskets, List<Row> rules, long customers) {
    long ruleRows = rules.size();
    long segments = rules.stream().map(r -> r.getAs("segment")).distinct().count();
    String summary =
        String.format(
            "%,d %s baskets from %s to %s: %,d rules in %d %s segments (min support %s, confidence %s,"
                + " lift %s); %,d customers with a next-best %s",
            baskets,
            s.level().code(),
            s.window().windowStart(),
            s.asOf(),
            ruleRows,
            segments,
            s.segmentation(),
            s.minSupport(),
            s.minConfidence(),
            s.minLift(),
            customers,
            s.level().code());
    LOG.info(summary);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("segmentation", s.segmentation());
    details.put("item_level", s.level().code());
    details.put("baskets", String.valueOf(baskets));
    details.put("rows." + Tables.SEGMENT_AFFINITIES, String.valueOf(ruleRows));
    details.put("rows." + Tables.CUSTOMER_NEXT_BEST, String.valueOf(customers));
    return new JobOutcome(baskets, ruleRows + customers, 0, 0, summary, details);
  }
}

package io.segpipe.jobs.segment;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.CustomerActivity;
import io.segpipe.features.FeatureSnapshot;
import io.segpipe.identity.Profiles;
import io.segpipe.modelling.ChurnBaseline;
import io.segpipe.modelling.ModelRegistry;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment job: the clusters, cluster-rules and churn models applied to the customer_features
 * snapshot of --as-of, giving customer_segments, segment_profiles, segment_rules,
 * segment_transitions and segment_trends. All five are computed (and held) before the first is
 * written, so a failure in the computation leaves every table as it was; each write replaces
 * exactly the as-of partition.
 */
public final class SegmentJob extends SegpipeJob<SegmentSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentJob.class);

  public static void main(String[] args) {
    SegpipeJob.main(new SegmentJob(), args);
  }

  @Override
  public String name() {
    return "segment";
  }

  @Override
  protected String summary() {
    return "Applies the trained models (the latest trained on a snapshot at or before --as-of, or the versions pinned"
        + " in segpipe.segment) to the customer_features"
        + " snapshot of --as-of and writes customer_segments, segment_profiles, segment_rules and segment_transitions"
        + " (since the latest earlier snapshot in customer_segments). Re-running a date replaces that date only.";
  }

  @Override
  protected SegmentSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(
        reader ->
            SegmentSettings.read(reader, asOf, config.events().channels(), config.messages()));
  }

  /**
   * A previous snapshot written before codes ("At Risk", "high value, frequent") would make every
   * customer move in the transitions; the one-off migration fixes it, so the run stops and says so.
   */
  private static void refuseNamesBeforeCodes(Dataset<Row> before, LocalDate previous) {
    List<Row> old =
        before
            .where("rfm_segment RLIKE '[^a-z0-9_]' OR cluster_label RLIKE '[ ,]'")
            .select("rfm_segment", "cluster_label")
            .limit(1)
            .collectAsList();
    if (!old.isEmpty()) {
      throw new UserError(
          "customer_segments of "
              + previous
              + " names segments by display names (rfm_segment '"
              + old.get(0).get(0)
              + "', cluster_label '"
              + old.get(0).get(1)
              + "'), written before segment codes: the"
              + " transitions would compare them with today's codes. Run scripts/segpipe migrate-codes once (with your"
              + " --config), then this job again.");
    }
  }

  @Override
  protected JobOutcome run(JobContext context, SegmentSettings s) {
    Inputs in = read(context, s);
    List<Dataset<Row>> held = new ArrayList<>();
    try {
      Outputs out = compute(context, s, in, held);
      context.phase("write segments " + s.asOf());
      Lake lake = context.lake();
      // Writing a table makes Spark plan again every cached result that reads it (Delta lists the
      // files of each table in its plan): transitions read customer_segments and trends
      // segment_profiles, so they are written before those and released once written.
      lake.replacePartition(out.transitions(), Tables.SEGMENT_TRANSITIONS, s.asOf());
      out.transitions().unpersist();
      lake.replacePartition(out.trends(), Tables.SEGMENT_TRENDS, s.asOf());
      out.trends().unpersist();
      lake.replacePartition(out.rules(), Tables.SEGMENT_RULES, s.asOf());
      lake.replacePartition(out.profiles(), Tables.SEGMENT_PROFILES, s.asOf());
      out.profiles().unpersist();
      lake.replacePartition(CustomerSegments.table(out.rows()), Tables.CUSTOMER_SEGMENTS, s.asOf());
      return outcome(s.asOf(), in.models(), out);
    } finally {
      held.forEach(SegmentJob::release);
    }
  }

  /** What a segment run reads: the features snapshot, the models, customers, CLV, daily rows. */
  private record Inputs(
      Dataset<Row> snapshot,
      SegmentModels models,
      boolean hasCustomers,
      Dataset<Row> dims,
      Dataset<Row> clv,
      Dataset<Row> daily,
      Optional<Dataset<Row>> keys) {}

  /** What it writes, held until written, with the counts the outcome reports. */
  private record Outputs(
      Dataset<Row> rows,
      Row counts,
      Dataset<Row> profiles,
      long profileRows,
      Dataset<Row> rules,
      long ruleRows,
      Optional<LocalDate> previous,
      Dataset<Row> transitions,
      long transitionRows,
      Dataset<Row> trends,
      long trendRows) {}

  private Inputs read(JobContext context, SegmentSettings s) {
    LocalDate asOf = s.asOf();
    Lake lake = context.lake();
    context.phase("read customer_features " + asOf);
    String snapshotName = Tables.CUSTOMER_FEATURES + " " + FeatureSnapshot.PARTITION + "=" + asOf;
    Dataset<Row> snapshot =
        lake.read(
                Tables.CUSTOMER_FEATURES,
                "Run `scripts/segpipe features --as-of " + asOf + "` first.")
            .where(functions.col(FeatureSnapshot.PARTITION).equalTo(functions.lit(asOf)));
    if (snapshot.isEmpty()) {
      throw new UserError(
          "There is no customer_features snapshot as of "
              + asOf
              + " in "
              + lake.path(Tables.CUSTOMER_FEATURES)
              + ". Run `scripts/segpipe features --as-of "
              + asOf
              + "` first.");
    }

    context.phase("load models");
    SegmentModels models =
        SegmentModels.load(ModelRegistry.open(context.spark(), lake, context.config()), s);
    models.checkColumns(snapshot.columns(), snapshotName);
    LOG.info(
        "applying clusters {} (with its rules) and churn {} to {}",
        models.clustersVersion(),
        models.churnVersion(),
        snapshotName);
    boolean hasCustomers = lake.exists(Tables.CUSTOMERS);
    if (!hasCustomers) {
      LOG.warn(
          "no customers table at {}: marketing_opt_in is false for everyone and the profiles have no"
              + " demographics",
          lake.path(Tables.CUSTOMERS));
    }
    Optional<Dataset<Row>> keys = Profiles.keys(context.config(), lake, asOf);
    Dataset<Row> dims =
        hasCustomers
            ? Profiles.customers(lake.read(Tables.CUSTOMERS, "").drop(Events.IDENTIFIERS), keys)
            : CustomerSegments.noDims(context.spark());
    Dataset<Row> clv =
        clvSnapshot(lake, asOf)
            .orElseGet(
                () -> {
                  LOG.warn(
                      "no customer_clv snapshot as of {} at {}: p_alive, expected_purchases, clv and clv_tier are empty."
                          + " Run `scripts/segpipe clv --as-of {}` before segment to fill them",
                      asOf,
                      lake.path(Tables.CUSTOMER_CLV),
                      asOf);
                  return CustomerSegments.noClv(context.spark());
                });
    lake.require(
        Tables.EVENTS,
        "Run `scripts/segpipe ingest` first: the profiles' top categories come from the events.");
    CustomerDaily.catchUp(lake);
    CustomerActivity window = s.features().activity();
    Dataset<Row> daily = Profiles.rekey(CustomerDaily.read(lake, window.windowStart(), asOf), keys);
    return new Inputs(snapshot, models, hasCustomers, dims, clv, daily, keys);
  }

  /**
   * Scores, profiles, rules, transitions and trends, each computed once and held for the writes.
   */
  private Outputs compute(
      JobContext context, SegmentSettings s, Inputs in, List<Dataset<Row>> held) {
    LocalDate asOf = s.asOf();
    Lake lake = context.lake();
    context.phase("score customers");
    Optional<Column> bgnbd =
        in.models().churnUsesBgNbd()
            ? Optional.of(bgnbdScore(lake, context, in.models(), in.clv(), asOf))
            : Optional.empty();
    Dataset<Row> rows =
        keep(
            held,
            new CustomerSegments(in.models(), s).rows(in.snapshot(), in.dims(), in.clv(), bgnbd));
    Row counts =
        rows.agg(
                functions.count("*"),
                functions.count(functions.col("cluster_id")),
                functions.count(functions.col("clv")))
            .first();

    context.phase("profiles");
    Dataset<Row> profiles =
        hold(held, new SegmentProfiles(s).of(rows, in.daily(), in.hasCustomers()).coalesce(1));
    long profileRows = profiles.count();

    context.phase("rules");
    Dataset<Row> rules = SegmentRules.of(in.models().rules(), in.snapshot(), asOf).coalesce(1);
    long ruleRows = in.models().rules().rules().size();

    context.phase("transitions");
    Optional<LocalDate> previous = previousSnapshot(lake, asOf);
    Dataset<Row> transitions =
        hold(
            held,
            SegmentTransitions.of(before(lake, previous, rows, asOf), previous, rows, asOf)
                .coalesce(1));
    long transitionRows = transitions.count();

    context.phase("trends");
    Dataset<Row> trends =
        hold(
            held,
            new SegmentTrends(asOf, s.trendMonths())
                .of(lake, rows, profiles, in.keys())
                .coalesce(1));
    long trendRows = trends.count();
    return new Outputs(
        rows,
        counts,
        profiles,
        profileRows,
        rules,
        ruleRows,
        previous,
        transitions,
        transitionRows,
        trends,
        trendRows);
  }

  /** The previous snapshot's segments (none before the first), refused if it predates codes. */
  private static Dataset<Row> before(
      Lake lake, Optional<LocalDate> previous, Dataset<Row> rows, LocalDate asOf) {
    Dataset<Row> before =
        previous
            .map(
                d ->
                    lake.read(Tables.CUSTOMER_SEGMENTS, "")
                        .where(functions.col(CustomerSegments.PARTITION).equalTo(functions.lit(d))))
            .orElse(CustomerSegments.table(rows).where(functions.lit(false)));
    if (previous.isEmpty()) {
      LOG.info(
          "no customer_segments snapshot before {}: every customer's transition is from {}",
          asOf,
          SegmentTransitions.NEW);
    } else {
      refuseNamesBeforeCodes(before, previous.get());
    }
    return before;
  }

  private static JobOutcome outcome(LocalDate asOf, SegmentModels models, Outputs out) {
    long customers = out.counts().getLong(0);
    long scored = out.counts().getLong(1);
    String since = out.previous().map(d -> "since " + d).orElse("all new (no earlier snapshot)");
    String summary =
        String.format(
            "%d customers as of %s, %d scored with clusters %s and churn %s (%d prospects);"
                + " %d profiles, %d rules, %d transitions %s, %d trend rows",
            customers,
            asOf,
            scored,
            models.clustersVersion(),
            models.churnVersion(),
            customers - scored,
            out.profileRows(),
            out.ruleRows(),
            out.transitionRows(),
            since,
            out.trendRows());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("customers", String.valueOf(customers));
    details.put("customers_scored", String.valueOf(scored));
    details.put("prospects", String.valueOf(customers - scored));
    details.put("customers_with_clv", String.valueOf(out.counts().getLong(2)));
    details.put("clusters_model_version", models.clustersVersion());
    details.put("churn_model_version", models.churnVersion());
    details.put("previous_as_of_date", out.previous().map(LocalDate::toString).orElse(""));
    details.put("rows." + Tables.CUSTOMER_SEGMENTS, String.valueOf(customers));
    details.put("rows." + Tables.SEGMENT_PROFILES, String.valueOf(out.profileRows()));
    details.put("rows." + Tables.SEGMENT_RULES, String.valueOf(out.ruleRows()));
    details.put("rows." + Tables.SEGMENT_TRANSITIONS, String.valueOf(out.transitionRows()));
    details.put("rows." + Tables.SEGMENT_TRENDS, String.valueOf(out.trendRows()));
    return new JobOutcome(
        customers,
        customers + out.profileRows() + out.ruleRows() + out.transitionRows() + out.trendRows(),
        0,
        0,
        summary,
        details);
  }

  /**
   * Keeps the scored customers for the profiles, transitions, trends and the write: computed once,
   * by the first action on them (the counts), and kept as rows. Lazy: an eager checkpoint would
   * count them in a Spark job of its own first. Not {@link #hold}: Spark's columnar cache gathers
   * statistics of every column of every row as it fills, a quarter of the scoring's CPU samples for
   * these 51 columns on the 10M daily lake, and the readers of these rows read most of their
   * columns anyway.
   */
  private static Dataset<Row> keep(List<Dataset<Row>> held, Dataset<Row> rows) {
    Dataset<Row> kept = rows.localCheckpoint(false);
    held.add(kept);
    return kept;
  }

  /** Frees what {@link #hold} or {@link #keep} kept. */
  private static void release(Dataset<Row> kept) {
    kept.unpersist();
    if (kept.queryExecution().analyzed() instanceof LogicalRDD checkpoint) {
      checkpoint.rdd().unpersist(false);
    }
  }

  /** Keeps {@code rows} for the writes (computed once, and before any table is touched). */
  private static Dataset<Row> hold(List<Dataset<Row>> held, Dataset<Row> rows) {
    Dataset<Row> persisted = rows.persist(StorageLevel.MEMORY_AND_DISK());
    held.add(persisted);
    return persisted;
  }

  /** The customer_clv snapshot of {@code asOf}, when the clv job has written one. */
  private static Optional<Dataset<Row>> clvSnapshot(Lake lake, LocalDate asOf) {
    if (!lake.exists(Tables.CUSTOMER_CLV)) {
      return Optional.empty();
    }
    Dataset<Row> clv =
        lake.read(Tables.CUSTOMER_CLV, "")
            .where(functions.col(CustomerClv.PARTITION).equalTo(functions.lit(asOf)));
    return clv.isEmpty() ? Optional.empty() : Optional.of(clv);
  }

  /** The latest as_of_date before {@code asOf} in customer_segments, if any. */
  static Optional<LocalDate> previousSnapshot(Lake lake, LocalDate asOf) {
    if (!lake.exists(Tables.CUSTOMER_SEGMENTS)) {
      return Optional.empty();
    }
    Row latest =
        lake.read(Tables.CUSTOMER_SEGMENTS, "")
            .where(functions.col(CustomerSegments.PARTITION).lt(functions.lit(asOf)))
            .agg(functions.max(CustomerSegments.PARTITION))
            .first();
    return latest.isNullAt(0) ? Optional.empty() : Optional.of(latest.getDate(0).toLocalDate());
  }

  /**
   * The BG/NBD probability of no purchase in the churn horizon, as an expression over a row of the
   * customer_clv snapshot, with the clv fit the row was scored with: what a churn model that reads
   * it needs.
   */
  private static Column bgnbdScore(
      Lake lake, JobContext context, SegmentModels models, Dataset<Row> clv, LocalDate asOf) {
    List<Row> versions = clv.select("clv_model_version").distinct().collectAsList();
    if (versions.isEmpty()) {
      throw new UserError(
          "The churn model "
              + models.churnVersion()
              + " reads the BG/NBD probability of no purchase,"
              + " which comes from customer_clv, and there is no customer_clv snapshot as of "
              + asOf
              + " in "
              + lake.path(Tables.CUSTOMER_CLV)
              + ". Run `scripts/segpipe clv --as-of "
              + asOf
              + "` first (the pipeline does).");
    }
    ModelRegistry registry = ModelRegistry.open(context.spark(), lake, context.config());
    Column score = null;
    for (Row v : versions) {
      String version = v.getString(0);
      Column scored =
          ChurnBaseline.clvScore(ChurnBaseline.load(registry, version), models.churnHorizonDays());
      Column matches = functions.col("clv_model_version").equalTo(version);
      score = score == null ? functions.when(matches, scored) : score.when(matches, scored);
    }
    return score;
  }
}

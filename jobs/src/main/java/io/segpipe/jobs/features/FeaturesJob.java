package io.segpipe.jobs.features;

import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.CustomerActivity;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.features.RfmSchemes;
import io.segpipe.features.RfmScores;
import io.segpipe.identity.Profiles;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The features job: events (and customers where present) to one customer_features snapshot per
 * --as-of date, plus the RFM boundaries, means and medians it used in rfm_boundaries (and, under
 * the cn-8 scheme, the threshold each measure was split at). The window is read from customer_daily
 * (brought up to the events table first), once (its rows are cached), the score boundaries, means,
 * medians and value tier thresholds are one aggregate collected once, and the snapshot replaces
 * exactly its own as_of_date partition.
 */
public final class FeaturesJob extends SegpipeJob<FeaturesSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturesJob.class);

  public static final StructType BOUNDARIES_SCHEMA = Tables.RFM_BOUNDARIES.columns();

  public static void main(String[] args) {
    SegpipeJob.main(new FeaturesJob(), args);
  }

  @Override
  public String name() {
    return "features";
  }

  @Override
  protected String summary() {
    return "Computes customer_features as of a date from events (and customers where present): RFM values,"
        + " scores, cell and segment, behaviour features, lifecycle stage and value tier. Re-running a date"
        + " replaces that date's snapshot only. The window is read from customer_daily, the per-customer daily"
        + " aggregates ingest keeps; dates that lag behind events are rebuilt first.";
  }

  @Override
  protected FeaturesSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(
        reader -> {
          FeaturesSettings settings =
              FeaturesSettings.read(reader, asOf, config.events().channels());
          if (settings.rfm() != null) {
            List<String> keys =
                settings.rfm().codes().stream().map(c -> "label.rfm_segment." + c).toList();
            config
                .messages()
                .missing(keys, "every RFM segment needs a display label")
                .forEach(
                    m ->
                        reader.problem(
                            settings.rfm().cn8() ? RfmSchemes.SCHEME_KEY : RfmSchemes.SEGMENTS_KEY,
                            m));
          }
          return settings;
        });
  }

  @Override
  protected JobOutcome run(JobContext context, FeaturesSettings settings) {
    SparkSession spark = context.spark();
    LocalDate asOf = settings.asOf();
    CustomerActivity activity = settings.activity();
    context.lake().require(Tables.EVENTS, "Run `scripts/segpipe ingest` first to load the events.");
    context.phase("bring customer_daily up to events");
    CustomerDaily.Refresh daily = CustomerDaily.catchUp(context.lake());
    context.phase("read customer_daily and customers");
    // per profile when identity stitching is on: source ids replaced by their profile's key
    Optional<LocalDate> resolved = Profiles.resolution(context.config(), context.lake(), asOf);
    Optional<Dataset<Row>> keys = resolved.map(date -> Profiles.keysOn(context.lake(), date));
    Dataset<Row> dailyRows =
        Profiles.rekey(CustomerDaily.read(context.lake(), activity.windowStart(), asOf), keys);
    Dataset<Row> customers =
        context.lake().exists(Tables.CUSTOMERS)
            ? Profiles.customers(
                context.lake().read(Tables.CUSTOMERS, "").select("customer_id", "signup_date"),
                keys)
            : spark
                .createDataFrame(List.of(), Events.CUSTOMERS)
                .select("customer_id", "signup_date");

    String eventsTable = context.lake().tableId(Tables.EVENTS);
    Optional<CarriedFeatures.Resolution> resolution =
        resolved.map(
            date ->
                new CarriedFeatures.Resolution(date, context.lake().version(Tables.IDENTITY_MAP)));
    CarriedFeatures.Plan plan =
        CarriedFeatures.plan(
            context.lake(),
            settings,
            daily.eventsVersion(),
            eventsTable,
            settings.incremental(),
            resolution);
    LOG.info("customer_features {}: {}", asOf, plan.describe());

    context.phase("customer features, rfm boundaries, value tier thresholds");
    CustomerFeatures features = new CustomerFeatures(settings);
    Optional<CarriedFeatures.Basis> previous = plan.previous();
    Dataset<Row> previousRows = previous.map(p -> previousRows(context, p)).orElse(null);
    Optional<Dataset<Row>> recomputed =
        previous.map(
            p ->
                CarriedFeatures.recomputed(
                    context.lake(), settings, plan, previousRows, customers, keys));
    try (CustomerFeatures.Snapshot snapshot =
        recomputed.isEmpty()
            ? features.compute(dailyRows, customers)
            : features.update(
                dailyRows, customers, recomputed.get(), previousRows, previous.get().asOf())) {
      logComputed(settings, snapshot);
      Map<String, String> carried = new LinkedHashMap<>();
      carried.put("snapshot", plan.describe());
      if (recomputed.isPresent()) {
        long computed = recomputed.get().count(); // cached by update
        LOG.info(
            "customer_features {}: {} customers computed from customer_daily, {} carried from {}",
            asOf,
            computed,
            snapshot.customers() - computed,
            previous.get().asOf());
        carried.put("snapshot.computed", String.valueOf(computed));
      }

      context.phase("count segments");
      // From the cached features, before the write: writing to customer_features makes Spark drop
      // every cached result that reads that table's latest version (see previousRows).
      List<Row> counts =
          snapshot
              .rows()
              .groupBy("rfm_segment", "lifecycle_stage", "value_tier")
              .count()
              .collectAsList();

      context.phase("write customer_features " + asOf);
      context
          .lake()
          .replacePartition(
              snapshot.rows(),
              Tables.CUSTOMER_FEATURES,
              asOf,
              new CarriedFeatures.Basis(
                      asOf,
                      daily.eventsVersion(),
                      eventsTable,
                      CarriedFeatures.fingerprint(settings),
                      snapshot.customers(),
                      resolution)
                  .note());
      context
          .lake()
          .replacePartition(
              boundariesTable(
                  spark, snapshot.boundaries(), settings.rfm(), snapshot.purchasers(), asOf),
              Tables.RFM_BOUNDARIES,
              asOf);

      return outcome(settings, activity, snapshot, counts, daily, carried);
    }
  }

  /**
   * The rows of the snapshot a plan carries from, read at the table's current version: a read
   * pinned to a version is not planned again when the new snapshot is written into the same table,
   * as Spark does after a write for every cached result reading the table's latest version (for the
   * carried snapshot's plan, a Delta file listing per table it reads, after its last use).
   */
  private static Dataset<Row> previousRows(JobContext context, CarriedFeatures.Basis previous) {
    Lake lake = context.lake();
    return lake.readVersion(Tables.CUSTOMER_FEATURES, lake.version(Tables.CUSTOMER_FEATURES))
        .where(functions.col(Tables.AS_OF).equalTo(Date.valueOf(previous.asOf())));
  }

  /** What the snapshot's scoring came to: an empty window warned, the RFM cuts and tier bounds. */
  private static void logComputed(FeaturesSettings settings, CustomerFeatures.Snapshot snapshot) {
    CustomerActivity activity = settings.activity();
    LocalDate asOf = settings.asOf();
    if (snapshot.eventsInWindow() == 0) {
      LOG.warn(
          "No events of known customers between {} and the end of {} (window of {} days): the snapshot has"
              + " {} customers, all prospects. Check --as-of and that ingest loaded this period.",
          activity.windowStart(),
          asOf,
          settings.windowDays(),
          snapshot.customers());
    }
    snapshot
        .boundaries()
        .forEach(
            b -> {
              if (b.collapsed()) {
                LOG.warn("RFM {}", b.describe());
              } else {
                LOG.info("RFM {}", b.describe());
              }
            });
    if (settings.rfm().cn8()) {
      LOG.info(
          "RFM segments: {} over {} purchasers: {}",
          settings.rfm().describe(),
          snapshot.purchasers(),
          cn8Thresholds(settings.rfm(), snapshot.boundaries()));
    }
    LOG.info(
        "value tiers: high from monetary {}, mid from {}",
        snapshot.stats().<Object>getAs("high_tier_from"),
        snapshot.stats().<Object>getAs("mid_tier_from"));
  }

  private static Dataset<Row> boundariesTable(
      SparkSession spark,
      List<RfmScores.Boundaries> boundaries,
      RfmSchemes.Scheme scheme,
      long purchasers,
      LocalDate asOf) {
    List<Row> rows =
        boundaries.stream()
            .map(
                b ->
                    RowFactory.create(
                        b.measure(),
                        b.values().isEmpty() ? null : b.values().toArray(),
                        b.distinctValues(),
                        b.values().isEmpty() ? null : b.possibleScores().toArray(),
                        purchasers,
                        b.mean(),
                        b.median(),
                        scheme.threshold(b),
                        Date.valueOf(asOf)))
            .toList();
    return spark.createDataFrame(rows, BOUNDARIES_SCHEMA).coalesce(1);
  }

  /**
   * "recency_days < 41.2, frequency > 2.1, monetary > 180.5": what makes each measure high under
   * cn-8.
   */
  static String cn8Thresholds(RfmSchemes.Scheme scheme, List<RfmScores.Boundaries> boundaries) {
    return boundaries.stream()
        .map(
            b ->
                b.measure()
                    + (b.measure().equals("recency_days") ? " < " : " > ")
                    + scheme.threshold(b))
        .collect(Collectors.joining(", "));
  }

  private static JobOutcome outcome(
      FeaturesSettings settings,
      CustomerActivity activity,
      CustomerFeatures.Snapshot snapshot,
      List<Row> counts,
      CustomerDaily.Refresh daily,
      Map<String, String> carried) {
    Row stats = snapshot.stats();
    long eventCount = snapshot.eventsInWindow();
    Map<String, Long> segments = new LinkedHashMap<>();
    settings.rfm().codes().forEach(c -> segments.put(c, 0L));
    Map<String, Long> stages = new TreeMap<>();
    Map<String, Long> tiers = new TreeMap<>();
    long total = 0;
    long prospects = 0;
    for (Row row : counts) {
      long n = row.getLong(3);
      total += n;
      if (row.isNullAt(0)) {
        prospects += n;
      } else {
        segments.merge(row.getString(0), n, Long::sum);
      }
      stages.merge(row.getString(1), n, Long::sum);
      tiers.merge(row.isNullAt(2) ? "none" : row.getString(2), n, Long::sum);
    }
    String summary =
        total
            + " customers as of "
            + settings.asOf()
            + ": "
            + segments.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "))
            + ", prospects "
            + prospects
            + (eventCount == 0 ? " (no events in the window: empty snapshot)" : "");
    Map<String, String> details = new LinkedHashMap<>();
    details.put("window", activity.windowStart() + ".." + settings.asOf());
    details.put("customer_daily", daily.describe());
    details.putAll(carried);
    snapshot
        .boundaries()
        .forEach(b -> details.put("rfm." + b.measure() + ".boundaries", b.values().toString()));
    details.put("rfm.scheme", settings.rfm().name());
    if (settings.rfm().cn8()) {
      details.put("rfm.cn-8.threshold", settings.rfm().threshold());
      snapshot
          .boundaries()
          .forEach(
              b ->
                  details.put(
                      "rfm.cn-8." + b.measure(), String.valueOf(settings.rfm().threshold(b))));
    }
    details.put("value_tier.high_from", String.valueOf(stats.<Object>getAs("high_tier_from")));
    details.put("value_tier.mid_from", String.valueOf(stats.<Object>getAs("mid_tier_from")));
    segments.forEach((k, v) -> details.put("segment." + k, String.valueOf(v)));
    stages.forEach((k, v) -> details.put("lifecycle." + k, String.valueOf(v)));
    tiers.forEach((k, v) -> details.put("value_tier." + k, String.valueOf(v)));
    return new JobOutcome(eventCount, total, 0, 0, summary, details);
  }
}

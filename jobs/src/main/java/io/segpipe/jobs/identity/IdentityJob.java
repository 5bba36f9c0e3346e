package io.segpipe.jobs.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.IdentityResolution;
import io.segpipe.identity.IdentitySettings;
import io.segpipe.identity.Profiles;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity job: the profiles of --as-of from every identifier seen together on an event or a
 * customer record up to that date. Writes the date's partitions of identity_map,
 * identity_quarantine and identity_changes (against the latest earlier resolution).
 */
public final class IdentityJob extends SegpipeJob<IdentityJob.Settings> {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityJob.class);

  /** The date resolved and the identity settings. */
  public record Settings(LocalDate asOf, IdentitySettings identity, Optional<String> truth) {}

  private final UnaryOperator<String> environment;

  public IdentityJob() {
    this(System::getenv);
  }

  /**
   * @param environment where the identifier hashing key is looked up (tests pass their own)
   */
  public IdentityJob(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    SegpipeJob.main(new IdentityJob(), args);
  }

  @Override
  public String name() {
    return "identity";
  }

  @Override
  protected String summary() {
    return "Stitches each person's identifiers into one profile (segpipe.identity; run after ingest, by pipeline"
        + " when segpipe.identity.enabled = true). Identifiers seen together on one event or one customer\n"
        + "record up to --as-of are linked; profiles are the connected components of that graph (large-star/"
        + "small-star in Spark SQL). An identifier blocked by config, seen with more than segpipe.identity.max-links\n"
        + "others, or beyond its type's max-per-profile in its profile links nobody and goes to identity_quarantine\n"
        + "with the reason. Each profile's customer_key comes from its earliest seen identifier, so keys survive new\n"
        + "data; identity_changes lists every identifier whose key differs from the previous resolution, and why.\n"
        + "Writes the --as-of partitions of identity_map, identity_quarantine and identity_changes.\n\n"
        + "Example: segpipe identity --as-of 2024-12-31";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            "truth",
            "PATH",
            "also compare the profiles with a ground truth (Parquet with id_type, value in its normal"
                + " form, person_id; the generator's identity_truth): precision and recall over"
                + " pairs of identifiers, in the summary and run_metrics"));
  }

  @Override
  protected Settings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    Optional<IdentitySettings> identity =
        config.section(r -> IdentitySettings.read(r, environment));
    if (identity.isEmpty()) {
      throw new UserError(
          "Identity stitching is off: set "
              + IdentitySettings.ENABLED
              + " = true (and declare segpipe.identity.types and the mapping's identifiers) to"
              + " run the identity job.");
    }
    return new Settings(asOf, identity.get(), arguments.option("truth"));
  }

  @Override
  protected JobOutcome run(JobContext context, Settings s) {
    Lake lake = context.lake();
    LocalDate asOf = s.asOf();
    lake.require(Tables.EVENTS, "Run `scripts/segpipe ingest` first to load the events.");
    context.phase("sightings up to " + asOf);
    Dataset<Row> sightings = sightings(lake, asOf).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> blockedRows =
          sightings
              .where(
                  concat(col("id_type"), lit(":"), col("identifier"))
                      .isin(s.identity().types().blockedIdentifiers().toArray()))
              .select("id_type", "identifier")
              .distinct()
              .withColumn("reason", lit("blocked by segpipe.identity.blocked: links nobody"));
      Dataset<Row> usable =
          sightings.join(
              blockedRows.select("id_type", "identifier"),
              IdentityResolution.using("id_type", "identifier"),
              "left_anti");

      context.phase("resolve profiles");
      IdentityResolution.Result result =
          IdentityResolution.resolve(usable, s.identity().resolution());
      Dataset<Row> map =
          result.map().withColumn(Tables.AS_OF, lit(Date.valueOf(asOf))).localCheckpoint(true);
      Dataset<Row> quarantine =
          result
              .quarantine()
              .union(blockedRows)
              .withColumn(Tables.AS_OF, lit(Date.valueOf(asOf)))
              .localCheckpoint(true);

      context.phase("changes against the previous resolution");
      Optional<LocalDate> previous = Profiles.latestBefore(lake, asOf);
      Dataset<Row> changes =
          previous
              .map(p -> IdentityChanges.of(Profiles.mapOn(lake, p), map, quarantine, p, asOf))
              .orElse(null);

      context.phase("write identity_map, identity_quarantine, identity_changes " + asOf);
      lake.replacePartition(map.coalesce(partitions(map)), Tables.IDENTITY_MAP, asOf);
      lake.replacePartition(quarantine.coalesce(1), Tables.IDENTITY_QUARANTINE, asOf);
      Map<String, String> details = new LinkedHashMap<>();
      String stability = "";
      if (changes != null) {
        Dataset<Row> written = changes.localCheckpoint(true);
        lake.replacePartition(written.coalesce(1), Tables.IDENTITY_CHANGES, asOf);
        IdentityChanges.Summary summary =
            IdentityChanges.summarise(Profiles.mapOn(lake, previous.get()), written);
        details.put("previous_as_of", previous.get().toString());
        details.put("keys_before", Long.toString(summary.keysBefore()));
        details.put("keys_unchanged", Long.toString(summary.keysUnchanged()));
        details.put("identifiers_changed", Long.toString(summary.identifiersChanged()));
        stability =
            String.format(
                "; against %s: %,d of %,d keys unchanged (%.3f%%), %,d identifiers changed key"
                    + " (identity_changes)",
                previous.get(),
                summary.keysUnchanged(),
                summary.keysBefore(),
                summary.keysBefore() == 0
                    ? 100.0
                    : 100.0 * summary.keysUnchanged() / summary.keysBefore(),
                summary.identifiersChanged());
      }

      context.phase("summarise");
      Row counts =
          map.agg(
                  count(lit(1)),
                  countDistinct(col("customer_key")),
                  countDistinct(
                      when(col("id_type").equalTo(Profiles.CUSTOMER_ID), col("identifier"))))
              .first();
      long identifiers = counts.getLong(0);
      long profiles = counts.getLong(1);
      long records = counts.getLong(2);
      Map<String, Long> quarantined = new LinkedHashMap<>();
      quarantine
          .groupBy(IdentityResolution.rule(col("reason")).as("rule"))
          .count()
          .orderBy("rule")
          .collectAsList()
          .forEach(r -> quarantined.put(r.getString(0), r.getLong(1)));
      long quarantinedTotal = quarantined.values().stream().mapToLong(Long::longValue).sum();
      details.put("identifiers", Long.toString(identifiers));
      details.put("customer_ids", Long.toString(records));
      details.put("profiles", Long.toString(profiles));
      details.put("rounds", Integer.toString(result.components().rounds()));
      details.put("components_on_driver", Boolean.toString(result.components().onDriver()));
      quarantined.forEach((rule, n) -> details.put("quarantined_" + rule, Long.toString(n)));
      String accuracy = "";
      if (s.truth().isPresent()) {
        context.phase("compare with the truth " + s.truth().get());
        IdentityAccuracy a =
            IdentityAccuracy.measure(context.spark(), s.truth().get(), map, s.identity().types());
        details.put("truth_precision", String.format("%.6f", a.precision()));
        details.put("truth_recall", String.format("%.6f", a.recall()));
        details.put("truth_identifiers", Long.toString(a.identifiers()));
        details.put("truth_shared_linked", Long.toString(a.sharedLinked()));
        accuracy = "; " + a.describe();
      }
      String message =
          String.format(
                  "%,d customer ids and %,d identifiers in all resolved into %,d profiles as of %s"
                      + " (%s); %,d identifiers quarantined%s",
                  records,
                  identifiers,
                  profiles,
                  asOf,
                  result.components().describe(),
                  quarantinedTotal,
                  quarantined.isEmpty() ? "" : " " + quarantined)
              + stability
              + accuracy;
      LOG.info(message);
      return new JobOutcome(
          sightingsCount(sightings), identifiers, quarantinedTotal, 0, message, details);
    } finally {
      sightings.unpersist();
    }
  }

  /** A record's id: a hash of where it comes from ({@code kind}), its customer id and ids. */
  private static Column recordId(String kind) {
    return sha2(to_json(struct(lit(kind), col("customer_id"), col("ids"))), 256);
  }

  private static long sightingsCount(Dataset<Row> sightings) {
    return sightings.select("record_id").distinct().count();
  }

  private static int partitions(Dataset<Row> map) {
    return Math.max(1, map.rdd().getNumPartitions() / 4);
  }

  /**
   * record_id, id_type, identifier, seen_at: per distinct combination of customer_id and
   * identifiers on events up to {@code asOf} (seen at its first and last event), and per customer
   * record (seen at its signup date; one without a signup date at the end of {@code asOf}, so it
   * never comes before what events show).
   */
  static Dataset<Row> sightings(Lake lake, LocalDate asOf) {
    Column json = to_json(col(Events.IDENTIFIERS));
    Dataset<Row> events =
        lake.read(Tables.EVENTS, "")
            .where(col("event_date").leq(Date.valueOf(asOf)))
            .where(col("customer_id").isNotNull().or(col(Events.IDENTIFIERS).isNotNull()))
            .select(col("customer_id"), json.as("ids"), col("event_ts"))
            .groupBy("customer_id", "ids")
            .agg(min("event_ts").as("first"), max("event_ts").as("last"))
            .withColumn("record_id", recordId("e"));
    Dataset<Row> records =
        events.select(col("record_id"), col("customer_id"), col("ids"), col("first"), col("last"));
    if (lake.exists(Tables.CUSTOMERS)) {
      Timestamp end = Timestamp.from(asOf.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
      Column seen =
          when(col("signup_date").isNull(), lit(end))
              .otherwise(col("signup_date").cast("timestamp"));
      records =
          records.union(
              lake.read(Tables.CUSTOMERS, "")
                  .select(col("customer_id"), json.as("ids"), seen.as("first"), seen.as("last"))
                  .withColumn("record_id", recordId("c"))
                  .select("record_id", "customer_id", "ids", "first", "last"));
    }
    // Every identifier of a record, each seen at the record's first and last sighting, in one pass
    // over the records: as four branches of a union (customer ids and identifiers, first and last)
    // the plan scanned and aggregated events four times.
    DataType entries =
        DataTypes.createArrayType(
            new StructType()
                .add("key", DataTypes.StringType, false)
                .add("value", DataTypes.StringType, true));
    Column none = array().cast(entries);
    Column customerId =
        when(
                col("customer_id").isNotNull(),
                array(struct(lit(Profiles.CUSTOMER_ID).as("key"), col("customer_id").as("value"))))
            .otherwise(none);
    Column identifiers =
        coalesce(
            map_entries(
                from_json(
                    col("ids"),
                    DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))),
            none);
    return records
        .select(
            col("record_id"),
            explode(concat(customerId, identifiers)).as("id"),
            col("first"),
            col("last"))
        .select(
            col("record_id"),
            col("id.key").as("id_type"),
            col("id.value").as("identifier"),
            explode(array(col("first"), col("last"))).as("seen_at"));
  }
}

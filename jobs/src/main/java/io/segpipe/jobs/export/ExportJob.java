package io.segpipe.jobs.export;

import io.segpipe.audience.AudienceFiles;
import io.segpipe.audience.CustomerSegmentsColumns;
import io.segpipe.audience.ExportSettings;
import io.segpipe.audience.PostgresExport;
import io.segpipe.campaign.Campaign;
import io.segpipe.campaign.CampaignDefinitions;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The export job: hands the customer_segments snapshot of --as-of to marketing tools as audience
 * files per configured segment and, optionally, a PostgreSQL table. Only customers whose
 * marketing_opt_in is true in the customers dimension at export time are exported, whatever the
 * snapshot's date; customer ids can be pseudonymised (HMAC-SHA256) with a salt from the
 * environment.
 */
public final class ExportJob extends SegpipeJob<ExportSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(ExportJob.class);
  private final UnaryOperator<String> environment;

  public ExportJob() {
    this(System::getenv);
  }

  /**
   * @param environment where the salt and password variables are looked up (tests pass their own)
   */
  ExportJob(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    SegpipeJob.main(new ExportJob(), args);
  }

  @Override
  public String name() {
    return "export";
  }

  @Override
  protected String summary() {
    return "Exports the customer_segments snapshot of --as-of for marketing tools: per segment chosen in"
        + " segpipe.export.audiences a CSV, a JSON-lines file and a manifest with checksums, and optionally the"
        + " rows into a PostgreSQL table (segpipe.export.postgres). Customers without marketing opt-in are never"
        + " exported. Secrets come from environment variables: the salt of pseudonymised ids"
        + " (segpipe.export.pseudonymise.salt-env) and the PostgreSQL password (segpipe.export.postgres.password-env).";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            CampaignDefinitions.FILE_OPTION,
            "FILE",
            "a HOCON file with campaigns = [ ... ],"
                + " added to segpipe.campaigns (docs/campaigns.md)"));
  }

  @Override
  protected ExportSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(
        reader ->
            ExportSettings.read(
                reader,
                asOf,
                environment,
                arguments.option(CampaignDefinitions.FILE_OPTION),
                config.messages()));
  }

  @Override
  protected JobOutcome run(JobContext context, ExportSettings s) {
    LocalDate asOf = s.asOf();
    context.phase("read customer_segments " + asOf);
    Dataset<Row> segments = withNextBest(context, readSnapshot(context, asOf), s.columns(), asOf);
    // Consent is read now, from the customers dimension: not the copy the snapshot took when
    // segment ran.
    boolean dimension = hasCustomersDimension(context);
    Dataset<Row> consent =
        CurrentConsent.of(
            context.spark(), context.lake(), Profiles.keys(context.config(), context.lake(), asOf));
    Dataset<Row> snapshot = CurrentConsent.applied(segments, consent);
    List<String> segmentations =
        new ArrayList<>(s.audiences().enabled() ? s.audiences().segments().keySet() : List.of());
    requireColumns(
        snapshot, s.columns(), segmentations, context.lake().path(Tables.CUSTOMER_SEGMENTS));
    Counts counts = count(context, snapshot, asOf);

    CampaignExport.Prepared campaigns =
        CampaignExport.prepare(context, snapshot, s.campaigns(), asOf);
    Dataset<Row> contactable = withoutHeldOut(snapshot, campaigns);
    Dataset<Row> exported =
        ExportedRows.of(contactable, s.columns(), segmentations, s.salt())
            .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, String> details = details(s, counts, campaigns);
    List<String> parts = new ArrayList<>();
    try {
      if (s.audiences().enabled()) {
        parts.add(writeAudiences(context, s, exported, contactable, campaigns, details));
      }
      parts.addAll(writeControlLists(context, s, snapshot, campaigns, details));
      s.postgres()
          .ifPresent(
              pg ->
                  parts.add(writePostgres(context, s, pg, exported, consent, campaigns, details)));
      CampaignExport.record(context, campaigns);
    } finally {
      exported.unpersist();
    }
    String summary = summary(s, counts, dimension, parts);
    return new JobOutcome(counts.customers(), counts.consenting(), 0, 0, summary, details);
  }

  /** The snapshot's customers and how many of them consent to marketing now. */
  private record Counts(long customers, long consenting) {}

  /** The customer_segments snapshot of {@code asOf}. */
  private static Dataset<Row> readSnapshot(JobContext context, LocalDate asOf) {
    return context
        .lake()
        .read(Tables.CUSTOMER_SEGMENTS, "Run `scripts/segpipe segment --as-of " + asOf + "` first.")
        .where(functions.col(CustomerSegmentsColumns.PARTITION).equalTo(functions.lit(asOf)));
  }

  /**
   * {@code snapshot} with next_best_item from customer_next_best of {@code asOf} when {@code
   * columns} ask for it (null for a customer without one); refused when the affinities job has not
   * run for the date.
   */
  private static Dataset<Row> withNextBest(
      JobContext context, Dataset<Row> snapshot, List<String> columns, LocalDate asOf) {
    if (!columns.contains(CustomerSegmentsColumns.NEXT_BEST)) {
      return snapshot;
    }
    String howTo =
        "segpipe.export.columns asks for "
            + CustomerSegmentsColumns.NEXT_BEST
            + ": run `scripts/segpipe affinities --as-of "
            + asOf
            + "` first (the pipeline does), or take it out of the columns.";
    Dataset<Row> nextBest =
        context
            .lake()
            .read(Tables.CUSTOMER_NEXT_BEST, howTo)
            .where(functions.col(Tables.AS_OF).equalTo(functions.lit(asOf)))
            .select(
                functions.col(CustomerSegmentsColumns.CUSTOMER_ID).as("next_best_customer"),
                functions.col(CustomerSegmentsColumns.NEXT_BEST));
    if (nextBest.isEmpty()) {
      throw new UserError(
          "customer_next_best at "
              + context.lake().path(Tables.CUSTOMER_NEXT_BEST)
              + " has no rows as of "
              + asOf
              + ". "
              + howTo);
    }
    return snapshot
        .join(
            nextBest,
            snapshot
                .col(CustomerSegmentsColumns.CUSTOMER_ID)
                .equalTo(nextBest.col("next_best_customer")),
            "left")
        .drop("next_best_customer");
  }

  /** Whether the lake has a customers dimension; warns that no one is exported when not. */
  private static boolean hasCustomersDimension(JobContext context) {
    boolean dimension = context.lake().exists(Tables.CUSTOMERS);
    if (!dimension) {
      LOG.warn(
          "export: the lake has no customers dimension ({}), so no customer's marketing consent is known and"
              + " none is exported. Load it with `scripts/segpipe ingest --customers PATH`.",
          context.lake().path(Tables.CUSTOMERS));
    }
    return dimension;
  }

  /** Counts the snapshot's customers and consenting ones; an empty snapshot is refused. */
  private static Counts count(JobContext context, Dataset<Row> snapshot, LocalDate asOf) {
    Row counts =
        snapshot
            .agg(
                functions.count(functions.lit(1)),
                functions.count(
                    functions.when(
                        functions.col(CustomerSegmentsColumns.CONSENT).equalTo(true), 1)))
            .first();
    long customers = counts.getLong(0);
    long consenting = counts.getLong(1);
    if (customers == 0) {
      throw new UserError(
          "customer_segments at "
              + context.lake().path(Tables.CUSTOMER_SEGMENTS)
              + " has no rows for as_of_date "
              + asOf
              + ". Run `scripts/segpipe segment --as-of "
              + asOf
              + "` first.");
    }
    return new Counts(customers, consenting);
  }

  /** The run's details so far: the counts, and the campaigns holding out control customers. */
  private static Map<String, String> details(
      ExportSettings s, Counts counts, CampaignExport.Prepared campaigns) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("customers", String.valueOf(counts.customers()));
    details.put("consenting", String.valueOf(counts.consenting()));
    details.put("pseudonymised", String.valueOf(s.pseudonymised()));
    if (!campaigns.holding().isEmpty()) {
      details.put("campaigns.holding", String.join(",", campaigns.holding()));
    }
    return details;
  }

  /**
   * Writes the audience sets of the date: one per configured segment and, per campaign launched on
   * it, its treated customers; then removes the sets no longer configured. Returns the summary's
   * part.
   */
  private static String writeAudiences(
      JobContext context,
      ExportSettings s,
      Dataset<Row> exported,
      Dataset<Row> contactable,
      CampaignExport.Prepared campaigns,
      Map<String, String> details) {
    String root = context.lake().folder(s.audiences().folder());
    List<String> written = new ArrayList<>();
    s.audiences()
        .segments()
        .forEach(
            (segmentation, segments) ->
                segments.forEach(
                    segment ->
                        written.add(
                            writeSegmentSet(
                                context, s, root, exported, segmentation, segment, details))));
    Map<String, List<String>> sets = new LinkedHashMap<>(s.audiences().segments());
    if (!campaigns.launched().isEmpty()) {
      sets.put(CAMPAIGN_SETS, campaigns.launched().stream().map(l -> l.campaign().id()).toList());
    }
    for (CampaignExport.Launched l : campaigns.launched()) {
      written.add(writeTreatedSet(context, s, root, contactable, l, details));
    }
    context.phase("remove audience sets no longer configured");
    List<String> removed =
        AudienceFiles.removeOthers(
            context.spark().sparkContext().hadoopConfiguration(), root, s.asOf(), sets);
    if (!removed.isEmpty()) {
      details.put("audiences.removed", String.join(",", removed));
    }
    return "audiences at "
        + root
        + "/"
        + s.asOf()
        + ": "
        + (written.isEmpty() ? "none configured" : String.join(", ", written))
        + (removed.isEmpty()
            ? ""
            : " (removed sets no longer configured: " + String.join(", ", removed) + ")");
  }

  /** Writes the audience set of one segment; returns what the summary lists of it. */
  private static String writeSegmentSet(
      JobContext context,
      ExportSettings s,
      String root,
      Dataset<Row> exported,
      String segmentation,
      String segment,
      Map<String, String> details) {
    context.phase("audience " + segmentation + "/" + segment);
    Dataset<Row> members = exported.where(functions.col(segmentation).equalTo(segment));
    AudienceFiles.Written w =
        writeSet(
            context,
            s,
            root,
            segmentation,
            segment,
            members,
            s.columns(),
            segmentName(s, segmentation, segment));
    details.put(
        "audience." + segmentation + "." + AudienceFiles.slug(segment), String.valueOf(w.rows()));
    return segmentation + "/" + segment + " " + w.rows();
  }

  /** Writes the treated audience of a campaign launched on the date; returns its summary entry. */
  private static String writeTreatedSet(
      JobContext context,
      ExportSettings s,
      String root,
      Dataset<Row> contactable,
      CampaignExport.Launched l,
      Map<String, String> details) {
    context.phase("campaign " + l.campaign().id() + ": treated audience");
    AudienceFiles.Written w =
        writeSet(
            context,
            s,
            root,
            CAMPAIGN_SETS,
            l.campaign().id(),
            groupRows(context, s, contactable, l, Campaigns.TREATMENT, s.columns()),
            s.columns(),
            campaignFields(l.campaign(), Campaigns.TREATMENT));
    details.put("campaign." + l.campaign().id() + ".treated_exported", String.valueOf(w.rows()));
    return CAMPAIGN_SETS + "/" + l.campaign().id() + " " + w.rows();
  }

  /**
   * Writes the control list of every campaign launched on the date; returns the summary's part of
   * each.
   */
  private static List<String> writeControlLists(
      JobContext context,
      ExportSettings s,
      Dataset<Row> snapshot,
      CampaignExport.Prepared campaigns,
      Map<String, String> details) {
    String controlRoot = context.lake().folder(s.controlFolder());
    List<String> columns = List.of(CustomerSegmentsColumns.CUSTOMER_ID);
    List<String> parts = new ArrayList<>();
    for (CampaignExport.Launched l : campaigns.launched()) {
      context.phase("campaign " + l.campaign().id() + ": control list");
      AudienceFiles.Written w =
          writeSet(
              context,
              s,
              controlRoot,
              l.campaign().id(),
              Campaigns.CONTROL,
              groupRows(context, s, snapshot, l, Campaigns.CONTROL, columns),
              columns,
              controlFields(l.campaign()));
      details.put("campaign." + l.campaign().id() + ".treatment", String.valueOf(l.treatment()));
      details.put("campaign." + l.campaign().id() + ".control", String.valueOf(l.control()));
      parts.add(
          "campaign "
              + l.campaign().id()
              + (l.assignedNow() ? " split now" : " (groups kept from its first" + " export)")
              + ": "
              + l.treatment()
              + " treated, "
              + l.control()
              + " in control (list of "
              + w.rows()
              + " consenting now at "
              + w.folder()
              + ")");
    }
    return parts;
  }

  /** The manifest fields of a campaign's control list, which tell not to contact its customers. */
  private static Map<String, Object> controlFields(Campaign c) {
    Map<String, Object> fields = new LinkedHashMap<>(campaignFields(c, Campaigns.CONTROL));
    fields.put("do_not_contact", true);
    fields.put(
        "purpose",
        "The control group of campaign "
            + c.id()
            + ": held out to measure what the"
            + " campaign earned. Never contact these customers for this campaign; segpipe keeps them out of every"
            + " audience file and the PostgreSQL table until "
            + c.endDate()
            + ".");
    return fields;
  }

  /**
   * The exported rows (only {@code columns}, no segmentation) of the customers of {@code rows} in
   * {@code group} of the launched campaign.
   */
  private static Dataset<Row> groupRows(
      JobContext context,
      ExportSettings s,
      Dataset<Row> rows,
      CampaignExport.Launched l,
      String group,
      List<String> columns) {
    return ExportedRows.of(
        rows.join(
            CampaignExport.group(context.lake(), l.campaign().id(), group),
            CustomerSegmentsColumns.CUSTOMER_ID,
            "left_semi"),
        columns,
        List.of(),
        s.salt());
  }

  /**
   * Replaces the date's rows in the PostgreSQL table and removes other dates' rows of customers who
   * may no longer stay; returns the summary's part.
   */
  private static String writePostgres(
      JobContext context,
      ExportSettings s,
      ExportSettings.Postgres pg,
      Dataset<Row> exported,
      Dataset<Row> consent,
      CampaignExport.Prepared campaigns,
      Map<String, String> details) {
    context.phase("PostgreSQL " + pg.table());
    List<Column> tableColumns = new ArrayList<>(Arrays.asList(fileColumns(s)));
    tableColumns.add(functions.col(CustomerSegmentsColumns.PARTITION));
    Dataset<Row> mayStay = withoutHeldOut(consent, campaigns);
    PostgresExport.Result r =
        PostgresExport.replace(
            exported.select(tableColumns.toArray(Column[]::new)),
            ExportedRows.consentingIds(mayStay, s.salt()),
            pg,
            s.asOf());
    details.put("postgres.table", r.table());
    details.put("postgres.deleted", String.valueOf(r.deleted()));
    details.put("postgres.inserted", String.valueOf(r.inserted()));
    details.put("postgres.withdrawn", String.valueOf(r.withdrawn()));
    return "PostgreSQL "
        + r.table()
        + ": "
        + r.inserted()
        + " rows (replaced "
        + r.deleted()
        + ")"
        + (r.withdrawn() > 0
            ? ", "
                + r.withdrawn()
                + " rows of other dates removed for customers who no longer"
                + " consent or are held out as a campaign's control"
            : "");
  }

  private static String summary(
      ExportSettings s, Counts counts, boolean dimension, List<String> parts) {
    return counts.customers()
        + " customers as of "
        + s.asOf()
        + ", "
        + counts.consenting()
        + " with marketing opt-in"
        + (dimension ? " now" : " (no customers dimension, so none)")
        + (s.pseudonymised() ? " (ids pseudonymised)" : "")
        + "; "
        + (parts.isEmpty()
            ? "nothing to write (audiences and PostgreSQL both disabled)"
            : String.join("; ", parts));
  }

  /** The manifest's segment_name and locale: the segment's label where the message file has one. */
  private static Map<String, Object> segmentName(
      ExportSettings s, String segmentation, String segment) {
    String key = "label." + segmentation + "." + segment;
    Map<String, Object> extra = new LinkedHashMap<>();
    if (s.messages().has(key)) {
      extra.put("segment_name", s.messages().text(key));
    }
    extra.put("locale", s.messages().tag());
    return extra;
  }

  /**
   * The folder (under segpipe.export.audiences.folder/<date>/) of the campaigns' treated audiences.
   */
  static final String CAMPAIGN_SETS = "campaign";

  private static Column[] fileColumns(ExportSettings s) {
    return s.columns().stream().map(functions::col).toArray(Column[]::new);
  }

  /**
   * Writes one set of {@code members} with {@code columns}. Range partitions sorted within: the
   * files' order is the global order by customer_id, in as few partitions (one Spark job each when
   * streamed) as the configured size allows.
   */
  private static AudienceFiles.Written writeSet(
      JobContext context,
      ExportSettings s,
      String root,
      String folder,
      String name,
      Dataset<Row> members,
      List<String> columns,
      Map<String, Object> extra) {
    Dataset<Row> rows = members.select(columns.stream().map(functions::col).toArray(Column[]::new));
    int partitions =
        (int)
            Math.max(
                1,
                (rows.count() + s.audiences().rowsPerPartition() - 1)
                    / s.audiences().rowsPerPartition());
    Column id = functions.col(CustomerSegmentsColumns.CUSTOMER_ID);
    return AudienceFiles.write(
        context.spark().sparkContext().hadoopConfiguration(),
        root,
        s.asOf(),
        folder,
        name,
        rows.repartitionByRange(partitions, id).sortWithinPartitions(id),
        columns,
        s.pseudonymised(),
        s.csvBom(),
        context.runId(),
        extra);
  }

  private static Map<String, Object> campaignFields(Campaign c, String group) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", c.id());
    fields.put("campaign_name", c.name());
    fields.put("test_group", group);
    fields.put("start_date", c.startDate().toString());
    fields.put("end_date", c.endDate().toString());
    fields.put("split_rule", Campaigns.SPLIT_RULE);
    return fields;
  }

  /** {@code rows} without the customers of {@code ids} (a customer_id column). */
  private static Dataset<Row> withoutIds(Dataset<Row> rows, Dataset<Row> ids) {
    return rows.join(
        ids,
        rows.col(CustomerSegmentsColumns.CUSTOMER_ID)
            .equalTo(ids.col(CustomerSegmentsColumns.CUSTOMER_ID)),
        "left_anti");
  }

  /** {@code rows} without the control customers of the campaigns holding on the date. */
  private static Dataset<Row> withoutHeldOut(Dataset<Row> rows, CampaignExport.Prepared campaigns) {
    return campaigns.holding().isEmpty() ? rows : withoutIds(rows, campaigns.heldOut());
  }

  private static void requireColumns(
      Dataset<Row> snapshot, List<String> columns, List<String> segmentations, String path) {
    List<String> present = Arrays.asList(snapshot.columns());
    List<String> needed = new ArrayList<>(columns);
    needed.addAll(segmentations);
    List<String> missing = needed.stream().distinct().filter(c -> !present.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new UserError(
          "customer_segments at "
              + path
              + " has no column "
              + String.join(", ", missing)
              + ", which segpipe.export.columns or segpipe.export.audiences.segments need. Re-run"
              + " `scripts/segpipe segment` with this segpipe version, or remove them from the config.");
    }
  }
}

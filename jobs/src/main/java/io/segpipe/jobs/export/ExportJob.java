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
    Dataset<Row> snapshot =
        context
            .lake()
            .read(
                Tables.CUSTOMER_SEGMENTS,
                "Run `scripts/segpipe segment --as-of " + asOf + "` first.")
            .where(functions.col(CustomerSegmentsColumns.PARTITION).equalTo(functions.lit(asOf)));
    // Consent is read now, from the customers dimension: not the copy the snapshot took when
    // segment ran.
    boolean dimension = context.lake().exists(Tables.CUSTOMERS);
    if (!dimension) {
      LOG.warn(
          "export: the lake has no customers dimension ({}), so no customer's marketing consent is known and"
              + " none is exported. Load it with `scripts/segpipe ingest --customers PATH`.",
          context.lake().path(Tables.CUSTOMERS));
    }
    Dataset<Row> consent = CurrentConsent.of(context.spark(), context.lake());
    snapshot = CurrentConsent.applied(snapshot, consent);
    List<String> segmentations =
        new ArrayList<>(s.audiences().enabled() ? s.audiences().segments().keySet() : List.of());
    requireColumns(
        snapshot, s.columns(), segmentations, context.lake().path(Tables.CUSTOMER_SEGMENTS));

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

    CampaignExport.Prepared campaigns =
        CampaignExport.prepare(context, snapshot, s.campaigns(), asOf);
    Dataset<Row> contactable =
        campaigns.holding().isEmpty() ? snapshot : withoutIds(snapshot, campaigns.heldOut());
    Dataset<Row> exported =
        ExportedRows.of(contactable, s.columns(), segmentations, s.salt())
            .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("customers", String.valueOf(customers));
    details.put("consenting", String.valueOf(consenting));
    details.put("pseudonymised", String.valueOf(s.pseudonymised()));
    List<String> parts = new ArrayList<>();
    try {
      if (!campaigns.holding().isEmpty()) {
        details.put("campaigns.holding", String.join(",", campaigns.holding()));
      }
      if (s.audiences().enabled()) {
        String root = context.lake().folder(s.audiences().folder());
        List<String> written = new ArrayList<>();
        s.audiences()
            .segments()
            .forEach(
                (segmentation, segments) ->
                    segments.forEach(
                        segment -> {
                          context.phase("audience " + segmentation + "/" + segment);
                          Dataset<Row> members =
                              exported.where(functions.col(segmentation).equalTo(segment));
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
                              "audience." + segmentation + "." + AudienceFiles.slug(segment),
                              String.valueOf(w.rows()));
                          written.add(segmentation + "/" + segment + " " + w.rows());
                        }));
        Map<String, List<String>> sets = new LinkedHashMap<>(s.audiences().segments());
        if (!campaigns.launched().isEmpty()) {
          sets.put(
              CAMPAIGN_SETS, campaigns.launched().stream().map(l -> l.campaign().id()).toList());
        }
        for (CampaignExport.Launched l : campaigns.launched()) {
          context.phase("campaign " + l.campaign().id() + ": treated audience");
          Dataset<Row> treated =
              ExportedRows.of(
                  contactable.join(
                      CampaignExport.group(context.lake(), l.campaign().id(), Campaigns.TREATMENT),
                      CustomerSegmentsColumns.CUSTOMER_ID,
                      "left_semi"),
                  s.columns(),
                  List.of(),
                  s.salt());
          AudienceFiles.Written w =
              writeSet(
                  context,
                  s,
                  root,
                  CAMPAIGN_SETS,
                  l.campaign().id(),
                  treated,
                  s.columns(),
                  campaignFields(l.campaign(), Campaigns.TREATMENT));
          details.put(
              "campaign." + l.campaign().id() + ".treated_exported", String.valueOf(w.rows()));
          written.add(CAMPAIGN_SETS + "/" + l.campaign().id() + " " + w.rows());
        }
        context.phase("remove audience sets no longer configured");
        List<String> removed =
            AudienceFiles.removeOthers(
                context.spark().sparkContext().hadoopConfiguration(), root, asOf, sets);
        if (!removed.isEmpty()) {
          details.put("audiences.removed", String.join(",", removed));
        }
        parts.add(
            "audiences at "
                + root
                + "/"
                + asOf
                + ": "
                + (written.isEmpty() ? "none configured" : String.join(", ", written))
                + (removed.isEmpty()
                    ? ""
                    : " (removed sets no longer configured: " + String.join(", ", removed) + ")"));
      }
      String controlRoot = context.lake().folder(s.controlFolder());
      for (CampaignExport.Launched l : campaigns.launched()) {
        context.phase("campaign " + l.campaign().id() + ": control list");
        Dataset<Row> control =
            ExportedRows.of(
                snapshot.join(
                    CampaignExport.group(context.lake(), l.campaign().id(), Campaigns.CONTROL),
                    CustomerSegmentsColumns.CUSTOMER_ID,
                    "left_semi"),
                List.of(CustomerSegmentsColumns.CUSTOMER_ID),
                List.of(),
                s.salt());
        Map<String, Object> fields =
            new LinkedHashMap<>(campaignFields(l.campaign(), Campaigns.CONTROL));
        fields.put("do_not_contact", true);
        fields.put(
            "purpose",
            "The control group of campaign "
                + l.campaign().id()
                + ": held out to measure what the"
                + " campaign earned. Never contact these customers for this campaign; segpipe keeps them out of every"
                + " audience file and the PostgreSQL table until "
                + l.campaign().endDate()
                + ".");
        AudienceFiles.Written w =
            writeSet(
                context,
                s,
                controlRoot,
                l.campaign().id(),
                Campaigns.CONTROL,
                control,
                List.of(CustomerSegmentsColumns.CUSTOMER_ID),
                fields);
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
      s.postgres()
          .ifPresent(
              pg -> {
                context.phase("PostgreSQL " + pg.table());
                List<Column> tableColumns = new ArrayList<>(Arrays.asList(fileColumns(s)));
                tableColumns.add(functions.col(CustomerSegmentsColumns.PARTITION));
                Dataset<Row> mayStay =
                    campaigns.holding().isEmpty()
                        ? consent
                        : withoutIds(consent, campaigns.heldOut());
                PostgresExport.Result r =
                    PostgresExport.replace(
                        exported.select(tableColumns.toArray(Column[]::new)),
                        ExportedRows.consentingIds(mayStay, s.salt()),
                        pg,
                        asOf);
                details.put("postgres.table", r.table());
                details.put("postgres.deleted", String.valueOf(r.deleted()));
                details.put("postgres.inserted", String.valueOf(r.inserted()));
                details.put("postgres.withdrawn", String.valueOf(r.withdrawn()));
                parts.add(
                    "PostgreSQL "
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
                            : ""));
              });
      CampaignExport.record(context, campaigns);
    } finally {
      exported.unpersist();
    }
    String summary =
        customers
            + " customers as of "
            + asOf
            + ", "
            + consenting
            + " with marketing opt-in"
            + (dimension ? " now" : " (no customers dimension, so none)")
            + (s.pseudonymised() ? " (ids pseudonymised)" : "")
            + "; "
            + (parts.isEmpty()
                ? "nothing to write (audiences and PostgreSQL both disabled)"
                : String.join("; ", parts));
    return new JobOutcome(customers, consenting, 0, 0, summary, details);
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

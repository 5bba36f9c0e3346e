package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.cli.JobArguments.Option;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobFailure;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.privacy.Erasures;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Identifiers;
import io.segpipe.identity.IdentitySettings;
import io.segpipe.identity.IdentityTypes;
import java.io.IOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a source through a mapping, validates every row against the event contract, quarantines
 * what fails with its reasons, drops duplicate event ids (within the batch and against the table)
 * and appends the rest to {@code events}, partitioned by event_date, in one commit.
 */
public final class IngestJob extends SegpipeJob<IngestSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /** True on rows of a customer erased by forget: they are dropped, counted, never written. */
  private static final String ERASED = "erased_customer";

  private final UnaryOperator<String> environment;

  public IngestJob() {
    this(System::getenv);
  }

  /**
   * @param environment where the erasure key is looked up (tests pass their own)
   */
  public IngestJob(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    SegpipeJob.main(new IngestJob(), args);
  }

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  protected String summary() {
    return "Reads source files (Parquet, Delta, CSV or JSON lines) through a source mapping onto the canonical\n"
        + "event, quarantines rows that break the contract (events_quarantine, with every reason), drops\n"
        + "duplicate event ids and appends the rest to the events table. Ingesting the same source twice\n"
        + "leaves events unchanged. Fails, leaving events as it was, when the quarantined share is above\n"
        + "segpipe.ingest.max-quarantine-share. Rows of customers erased by forget are dropped and counted.\n"
        + "Then rebuilds customer_daily (per customer, day and channel aggregates, what features reads) for\n"
        + "exactly the dates the new events fall on.\n\n"
        + "Example: segpipe ingest --source data-samples/events --mapping generator --customers data-samples/customers";
  }

  @Override
  protected List<Option> options() {
    return List.of(
        new Option("source", "PATH", "file or folder to read (default: segpipe.ingest.source)"),
        new Option(
            "mapping",
            "NAME|FILE",
            "source mapping: generator, uci-online-retail or a mapping file (default: segpipe.ingest.mapping)"),
        new Option("format", "FORMAT", "parquet, delta, csv or json (default: the mapping's)"),
        new Option(
            "customers",
            "PATH",
            "also load the customer dimension from this Parquet folder (replaces the customers table)"));
  }

  @Override
  protected IngestSettings settings(SegpipeConfig config, JobArguments arguments) {
    return IngestSettings.from(config, arguments, Instant.now(), environment);
  }

  @Override
  protected JobOutcome run(JobContext ctx, IngestSettings settings) {
    try {
      return readAndIngest(ctx, settings);
    } catch (Exception e) { // SparkException, checked, is what a file that cannot be read gives
      Optional<UserError> unreadable =
          SourceFiles.unreadable(e, settings.source(), settings.format());
      if (unreadable.isPresent()) {
        throw unreadable.get();
      }
      throw e;
    }
  }

  private JobOutcome readAndIngest(JobContext ctx, IngestSettings settings) {
    ctx.phase("read source " + settings.source());
    Dataset<Row> source =
        readSource(ctx, settings.format(), settings.source(), settings.mapping().readerOptions());
    Dataset<Row> mapped =
        identified(
            EventMapping.apply(source, settings.mapping(), settings.identity().isPresent()),
            settings);
    List<String> unused = EventMapping.unusedColumns(source, settings.mapping());
    if (!unused.isEmpty()) {
      LOG.warn(
          "source {} has columns the mapping {} does not use: {}. They are ignored (kept only in the raw row of"
              + " quarantined rows); add them to the mapping if they should feed a canonical column.{}",
          settings.source(),
          settings.mapping().origin(),
          unused,
          settings.mapping().eventIdExpression() != null
              ? ""
              : " This mapping derives event ids from the whole row, so a new column changes every id: rows"
                  + " ingested before it appeared would be ingested again.");
    }
    Dataset<Row> validated =
        EventValidation.validate(mapped, ctx.config().events(), settings.cutoff());
    // Only what the later steps read is cached: the typed contract columns and the reasons for
    // every row,
    // the raw row, its file and its source id for rejected rows only (the quarantine needs them,
    // the
    // events do not), so the cache is little bigger than the events it feeds.
    List<Column> kept = new ArrayList<>(Arrays.asList(contractColumns()));
    kept.add(col(EventValidation.REASONS));
    kept.add(
        Erasures.erased(ctx.lake(), settings.erasureKey(), col("customer_id"))
            .orElse(lit(false))
            .as(ERASED));
    // The raw row's JSON text is made here, for rejected rows only (most of a batch is accepted).
    kept.add(when(rejected(), EventMapping.rawJson()).as(EventMapping.RAW));
    for (String onlyIfRejected : List.of(EventMapping.SOURCE_FILE, EventMapping.SRC + "event_id")) {
      kept.add(when(rejected(), col(onlyIfRejected)).as(onlyIfRejected));
    }
    Dataset<Row> checked =
        validated.select(kept.toArray(Column[]::new)).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return ingest(ctx, settings, checked, unused);
    } finally {
      checked.unpersist();
    }
  }

  private JobOutcome ingest(
      JobContext ctx, IngestSettings settings, Dataset<Row> checked, List<String> unusedColumns) {
    ctx.phase("validate rows");
    Batch batch = Batch.of(checked);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("source", settings.source());
    details.put("mapping", settings.mapping().name());
    details.put("cutoff", settings.cutoff().toString());
    if (!unusedColumns.isEmpty()) {
      details.put("unused_source_columns", String.join(", ", unusedColumns));
    }
    long customers =
        settings.customers().map(path -> loadCustomers(ctx, path, settings)).orElse(-1L);
    if (customers >= 0) {
      details.put("customers_loaded", Long.toString(customers));
    }
    if (batch.erased() > 0) {
      details.put("erased_customer_rows_dropped", Long.toString(batch.erased()));
      LOG.info(
          "{} rows belong to customers erased by forget (table erasures): dropped, not written anywhere",
          batch.erased());
    }
    if (batch.rows() == 0) {
      LOG.warn("source {} has no rows: nothing ingested, events unchanged", settings.source());
      return new JobOutcome(
          0,
          0,
          0,
          0,
          "source " + settings.source() + " is empty: nothing ingested, events unchanged",
          details);
    }
    List<String> topReasons = quarantine(ctx, settings, checked, batch, details);
    refuseTooManyRejected(ctx, settings, batch, topReasons, details);

    ctx.phase("de-duplicate and append events");
    long written = appendEvents(ctx, settings, checked, batch, details);
    ctx.phase("customer_daily for the dates written");
    details.put("customer_daily", CustomerDaily.catchUp(ctx.lake()).describe());
    long duplicates = batch.rows() - batch.rejected() - batch.erased() - written;
    String summary =
        String.format(
                "read %,d rows from %s: %,d events written, %,d quarantined%s, %,d duplicates dropped",
                batch.rows(),
                settings.source(),
                written,
                batch.rejected(),
                topReasons.isEmpty() ? "" : " (top: " + topReasons.get(0) + ")",
                duplicates)
            + (batch.erased() > 0
                ? String.format(", %,d rows of erased customers dropped", batch.erased())
                : "")
            + (customers >= 0 ? String.format(", %,d customers loaded", customers) : "");
    return new JobOutcome(batch.rows(), written, batch.rejected(), duplicates, summary, details);
  }

  /**
   * The rows with their identifiers (stored form) when identity stitching is on, their
   * normalisation problems among the rows' reasons; with it off, no identifiers.
   */
  private static Dataset<Row> identified(Dataset<Row> mapped, IngestSettings settings) {
    SourceMapping mapping = settings.mapping();
    if (settings.identity().isEmpty()) {
      if (!mapping.identifiers().isEmpty()) {
        LOG.info(
            "mapping {} gives identifiers {}; identity stitching is off ({} = false), so they are"
                + " not read",
            mapping.origin(),
            mapping.identifiers().keySet(),
            IdentitySettings.ENABLED);
      }
      return mapped.withColumn(Events.IDENTIFIERS, Identifiers.none());
    }
    IdentityTypes types = settings.identity().get().types();
    List<String> undeclared =
        mapping.identifiers().keySet().stream().filter(t -> !types.types().containsKey(t)).toList();
    if (!undeclared.isEmpty()) {
      throw new UserError(
          "Source mapping "
              + mapping.origin()
              + " gives identifiers of types "
              + undeclared
              + " that segpipe.identity.types does not declare (it declares "
              + types.types().keySet()
              + "). Declare them, with their normalisation, or rename them in the mapping.");
    }
    Map<String, Column> raw = new LinkedHashMap<>();
    mapping.identifiers().keySet().forEach(t -> raw.put(t, col(EventMapping.IDENTIFIER + t)));
    return Identifiers.attach(mapped, types, raw)
        .withColumn(
            EventMapping.RULE_REASONS,
            functions.concat(col(EventMapping.RULE_REASONS), col(Identifiers.REASONS)));
  }

  /** Rows that broke the contract (quarantined), of customers not erased. */
  private static Column rejectedRows() {
    return rejected().and(col(ERASED).unary_$bang());
  }

  /** Rows that go on to events. */
  private static Column acceptedRows() {
    return rejected().unary_$bang().and(col(ERASED).unary_$bang());
  }

  /**
   * One pass over a batch: its rows, rejected and erased rows, and the dates accepted rows span.
   */
  private record Batch(long rows, long rejected, long erased, Date first, Date last) {
    static Batch of(Dataset<Row> checked) {
      Row stats =
          checked
              .agg(
                  count(lit(1)),
                  sum(when(rejectedRows(), 1).otherwise(0)),
                  min(when(acceptedRows(), to_date(col("event_ts")))),
                  max(when(acceptedRows(), to_date(col("event_ts")))),
                  sum(when(col(ERASED), 1).otherwise(0)))
              .first();
      long rows = stats.getLong(0);
      return new Batch(
          rows,
          rows == 0 ? 0 : stats.getLong(1),
          rows == 0 ? 0 : stats.getLong(4),
          stats.getDate(2),
          stats.getDate(3));
    }
  }

  /** Appends the rejected rows to events_quarantine; returns the most frequent reasons. */
  private List<String> quarantine(
      JobContext ctx,
      IngestSettings settings,
      Dataset<Row> checked,
      Batch batch,
      Map<String, String> details) {
    if (batch.rejected() == 0) {
      return List.of();
    }
    ctx.phase("write quarantine");
    Dataset<Row> quarantine =
        checked
            .filter(rejectedRows())
            .select(
                lit(ctx.runId()).as("run_id"),
                lit(Timestamp.from(ctx.startedAt())).as("ingested_at"),
                lit(settings.source()).as("source"),
                lit(settings.mapping().name()).as("mapping"),
                col(EventMapping.SOURCE_FILE),
                col(EventMapping.SRC + "event_id").cast("string").as("event_id"),
                col("customer_id"),
                col(EventMapping.RAW).as("raw_row"),
                col(EventValidation.REASONS));
    ctx.lake()
        .append(
            quarantine.coalesce(Math.max(1, (int) Math.min(16, batch.rejected() / 200_000 + 1))),
            Tables.EVENTS_QUARANTINE);
    List<String> topReasons = topReasons(checked.filter(rejectedRows()));
    details.put("top_reasons", String.join(" | ", topReasons));
    return topReasons;
  }

  /** Fails, leaving events unchanged, when more rows broke the contract than allowed. */
  private static void refuseTooManyRejected(
      JobContext ctx,
      IngestSettings settings,
      Batch batch,
      List<String> topReasons,
      Map<String, String> details) {
    double share = (double) batch.rejected() / batch.rows();
    if (share > settings.maxQuarantineShare()) {
      throw new JobFailure(
          String.format(
              "%d of %d rows (%.2f%%) from %s broke the event contract, more than the allowed %.2f%% "
                  + "(segpipe.ingest.max-quarantine-share). events was not changed. Top reasons: %s. The rows and all "
                  + "their reasons are in %s (run_id %s). Fix the source or the mapping %s, or raise the limit.",
              batch.rejected(),
              batch.rows(),
              share * 100,
              settings.source(),
              settings.maxQuarantineShare() * 100,
              String.join("; ", topReasons),
              ctx.lake().path(Tables.EVENTS_QUARANTINE),
              ctx.runId(),
              settings.mapping().origin()),
          new JobOutcome(
              batch.rows(), 0, batch.rejected(), 0, "quarantine limit exceeded", details));
    }
  }

  /** Appends the accepted rows not already in events, in one commit; returns the rows written. */
  private long appendEvents(
      JobContext ctx,
      IngestSettings settings,
      Dataset<Row> checked,
      Batch batch,
      Map<String, String> details) {
    SourceMapping mapping = settings.mapping();
    // Ids derived from the line with its occurrence number are unique by construction: no shuffle
    // needed.
    Dataset<Row> valid =
        mapping.eventIdExpression() == null
                && mapping.identicalRows() == SourceMapping.IdenticalRows.KEEP
            ? checked.filter(acceptedRows()).select(contractColumns())
            : EventDeduplication.firstPerEventId(checked.filter(acceptedRows()));
    if (ctx.lake().exists(Tables.EVENTS)) {
      // Only the dates this batch touches can hold its ids again: prune the existing table to them.
      Dataset<Row> existing =
          ctx.lake()
              .read(Tables.EVENTS, "")
              .filter(col("event_date").between(batch.first(), batch.last()));
      valid = EventDeduplication.notAlreadyIn(valid, existing);
    }
    // in the contract's order (columns added later, discount_amount, after event_date), so a new
    // table has the columns in the order an older one gains them
    Dataset<Row> events =
        valid
            .select(contractColumns())
            .withColumn("event_date", to_date(col("event_ts")))
            .select(
                Arrays.stream(Events.SCHEMA.fieldNames())
                    .map(functions::col)
                    .toArray(Column[]::new))
            .repartition(col("event_date"));
    long versionBefore = ctx.lake().exists(Tables.EVENTS) ? ctx.lake().version(Tables.EVENTS) : -1;
    ctx.lake().append(events, Tables.EVENTS);
    Row commit = lastCommit(ctx);
    details.put("events_version", Long.toString(commit.getLong(0)));
    // An append with nothing new makes no commit: then nothing was written.
    return commit.getLong(0) == versionBefore ? 0 : outputRows(commit);
  }

  /** Whether a validated row broke the contract: it has at least one reason. */
  private static Column rejected() {
    return size(col(EventValidation.REASONS)).gt(0);
  }

  /** The mapped contract columns and the identifiers. */
  private static Column[] contractColumns() {
    List<Column> columns =
        new ArrayList<>(Arrays.stream(Events.MAPPED.fieldNames()).map(functions::col).toList());
    columns.add(col(Events.IDENTIFIERS));
    return columns.toArray(Column[]::new);
  }

  /** The newest commit of events: its version and operation metrics. */
  private static Row lastCommit(JobContext ctx) {
    return DeltaTable.forPath(ctx.spark(), ctx.lake().path(Tables.EVENTS))
        .history(1)
        .select("version", "operationMetrics")
        .first();
  }

  /** Rows a commit added, from Delta's own commit metrics (no second pass over the data). */
  private static long outputRows(Row commit) {
    Map<String, String> metrics = commit.getJavaMap(1);
    String rows = metrics.get("numOutputRows");
    return rows == null ? 0L : Long.parseLong(rows);
  }

  private static List<String> topReasons(Dataset<Row> rejectedRows) {
    return rejectedRows
        .select(explode(col(EventValidation.REASONS)).as("reason"))
        // Reasons quoting a value ("channel 'xx' is not ...") group by their text before the value.
        .groupBy(col("reason"))
        .agg(count(lit(1)).as("rows"))
        .orderBy(desc("rows"), col("reason"))
        .limit(5)
        .collectAsList()
        .stream()
        .map(r -> r.getString(0) + " (" + String.format("%,d", r.getLong(1)) + " rows)")
        .toList();
  }

  static Dataset<Row> readSource(
      JobContext ctx, String format, String path, Map<String, String> options) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(ctx.spark().sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new UserError(
            "Source "
                + path
                + " does not exist. Check --source (or segpipe.ingest.source); "
                + "relative paths are taken from the working directory "
                + System.getProperty("user.dir")
                + ".");
      }
      if (!format.equals("delta") && !SourceFiles.holdsData(fs, p)) {
        throw new UserError(
            "Source "
                + path
                + " is an empty folder: no data file in it or below it, so there is"
                + " nothing to ingest. Check --source, or that the export meant to fill it has run; a source with files"
                + " but no rows is ingested as empty.");
      }
    } catch (IOException e) {
      throw new UserError("Source " + path + " cannot be checked: " + e.getMessage());
    }
    try {
      DataFrameReader reader = ctx.spark().read().options(options);
      return switch (format) {
        case "delta" -> reader.format("delta").load(path);
        case "csv" -> reader.csv(path);
        case "json" -> reader.json(path);
        default -> reader.parquet(path);
      };
    } catch (Exception e) { // AnalysisException, which Java cannot name in a catch
      if (!(e instanceof AnalysisException)) {
        throw e;
      }
      throw new UserError(
          "Source "
              + path
              + " cannot be read as "
              + format
              + ": "
              + e.getMessage().split("\n")[0]
              + ". Check --format and that the path holds "
              + format
              + " files.");
    }
  }

  private static long loadCustomers(JobContext ctx, String path, IngestSettings settings) {
    Erasures.Key erasureKey = settings.erasureKey();
    ctx.phase("load customers");
    Dataset<Row> source = readSource(ctx, "parquet", path, Map.of());
    Optional<Column> erased =
        Arrays.asList(source.columns()).contains("customer_id")
            ? Erasures.erased(ctx.lake(), erasureKey, col("customer_id").cast("string"))
            : Optional.empty();
    Dataset<Row> raw =
        erased
            .map(e -> source.where(functions.coalesce(e, lit(false)).unary_$bang()))
            .orElse(source);
    List<String> missing =
        Arrays.stream(Events.CUSTOMERS.fieldNames())
            .filter(c -> !c.equals(Events.IDENTIFIERS))
            .filter(c -> !Arrays.asList(raw.columns()).contains(c))
            .toList();
    if (missing.contains("customer_id")) {
      throw new UserError(
          "Customers source "
              + path
              + " has no customer_id column; its columns are "
              + Arrays.toString(raw.columns())
              + ".");
    }
    List<Column> columns = new ArrayList<>();
    for (StructField f : Events.CUSTOMERS.fields()) {
      if (!f.name().equals(Events.IDENTIFIERS)) {
        columns.add(
            (missing.contains(f.name()) ? lit(null) : col(f.name()))
                .cast(f.dataType())
                .as(f.name()));
      }
    }
    // identifiers: the source's columns named as declared identifier types
    Map<String, Column> identifierColumns = new LinkedHashMap<>();
    settings
        .identity()
        .ifPresent(
            identity ->
                identity.types().types().keySet().stream()
                    .filter(t -> Arrays.asList(raw.columns()).contains(t))
                    .forEach(t -> identifierColumns.put(t, col(t))));
    columns.addAll(identifierColumns.values());
    if (!missing.isEmpty()) {
      LOG.warn("customers source {} lacks {}: those columns are left empty", path, missing);
    }
    // One row per customer: rows without an id, and repeats of an id after the first (by signup
    // date,
    // then the row's text), are quarantined with the reason rather than dropped.
    // the raw row (for a quarantined record) from every source column, before the selection
    columns.add(
        to_json(struct(Arrays.stream(raw.columns()).map(functions::col).toArray(Column[]::new)))
            .as(EventMapping.RAW));
    Dataset<Row> selected = raw.select(columns.toArray(Column[]::new));
    if (identifierColumns.isEmpty()) {
      selected =
          selected
              .withColumn(Events.IDENTIFIERS, Identifiers.none())
              .withColumn(Identifiers.REASONS, array().cast("array<string>"));
    } else {
      LOG.info(
          "customers source {}: identifiers from columns {}", path, identifierColumns.keySet());
      selected = Identifiers.attach(selected, settings.identity().get().types(), identifierColumns);
    }
    Dataset<Row> ranked =
        selected
            .withColumn(
                "rank",
                row_number()
                    .over(
                        Window.partitionBy(col("customer_id"))
                            .orderBy(col("signup_date"), col(EventMapping.RAW))))
            .withColumn(
                EventValidation.REASONS,
                functions.concat(
                    array_compact(
                        array(
                            when(col("customer_id").isNull(), lit("customer_id is missing")),
                            when(
                                col("customer_id").isNotNull().and(col("rank").gt(1)),
                                lit(
                                    "customer_id repeats an earlier row of the customer"
                                        + " dimension")))),
                    col(Identifiers.REASONS)))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column rejected = rejected();
      ctx.lake()
          .append(
              ranked
                  .filter(rejected)
                  .select(
                      lit(ctx.runId()).as("run_id"),
                      lit(Timestamp.from(ctx.startedAt())).as("ingested_at"),
                      lit(path).as("source"),
                      lit("customers").as("mapping"),
                      input_file_name().as(EventMapping.SOURCE_FILE),
                      col("customer_id").as("event_id"),
                      col("customer_id"),
                      col(EventMapping.RAW).as("raw_row"),
                      col(EventValidation.REASONS)),
              Tables.EVENTS_QUARANTINE);
      ctx.lake()
          .overwrite(
              ranked
                  .filter(rejected.unary_$bang())
                  .select(
                      Events.CUSTOMERS.fieldNames()[0],
                      Arrays.copyOfRange(
                          Events.CUSTOMERS.fieldNames(), 1, Events.CUSTOMERS.fieldNames().length)),
              Tables.CUSTOMERS);
    } finally {
      ranked.unpersist();
    }
    return DeltaTable.forPath(ctx.spark(), ctx.lake().path(Tables.CUSTOMERS)).toDF().count();
  }
}

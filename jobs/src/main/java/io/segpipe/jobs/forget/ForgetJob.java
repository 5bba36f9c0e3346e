package io.segpipe.jobs.forget;

import io.delta.tables.DeltaTable;
import io.segpipe.audience.ExportErasure;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.lake.VacuumScope;
import io.segpipe.common.privacy.Erasures;
import io.segpipe.common.secret.KeyedHash;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * Erasure on request (GDPR art. 17, PIPL art. 47): deletes the given customers' rows from every
 * table of the lake that holds them, from the audience files and the PostgreSQL table export wrote,
 * then vacuums the tables so no file of the lake still holds them, and records each erasure by a
 * keyed hash of the id (never the id) in {@code erasures}, which ingest uses to keep the customers
 * out of later batches. The ids stay in a DataFrame read from the file (an anti-join), never in SQL
 * text, plans or logs.
 */
public final class ForgetJob extends SegpipeJob<ForgetSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(ForgetJob.class);
  static final String ID = "forget_id";
  private static final String CUSTOMERS = "customers";
  private static final String VACUUM_NOW = "vacuum-now";
  private final UnaryOperator<String> environment;

  public ForgetJob() {
    this(System::getenv);
  }

  /**
   * @param environment where the erasure key, the salt and the PostgreSQL password are looked up
   */
  public ForgetJob(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    SegpipeJob.main(new ForgetJob(), args);
  }

  @Override
  public String name() {
    return "forget";
  }

  @Override
  protected String summary() {
    return "Erases customers on request: deletes their rows from every table of the lake (events, the raw rows of\n"
        + "events_quarantine, customers, features, segments, CLV, ...), from the audience files (manifests and\n"
        + "checksums rewritten) and from the PostgreSQL table of segpipe.export.postgres, then vacuums the tables.\n"
        + "erasures records a keyed hash of each id (key: the variable named by segpipe.privacy.erasure-key-env,\n"
        + "never to change), and ingest keeps these customers out of every later batch. Safe to run again: a run\n"
        + "that failed half-way is finished by the next. Without --vacuum-now, the replaced files that still hold\n"
        + "the rows are deleted by the first maintain run after segpipe.retention.vacuum-hours (168).\n\n"
        + "Example: SEGPIPE_ERASURE_KEY=... segpipe forget --customers requests/2024-12-31.txt --vacuum-now";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            CUSTOMERS,
            "FILE",
            "the customer ids to forget, one per line (blank lines and lines"
                + " starting with # are skipped); any path Spark can read"),
        new JobArguments.Option(
            VACUUM_NOW,
            null,
            "vacuum with a retention of 0 hours, so no file keeps the rows:"
                + " time travel to earlier versions ends, and a query or job reading an earlier version at that moment"
                + " fails (run it when no other job runs)"));
  }

  @Override
  protected ForgetSettings settings(SegpipeConfig config, JobArguments arguments) {
    String file =
        arguments
            .option(CUSTOMERS)
            .orElseThrow(
                () ->
                    new UserError(
                        "forget needs --customers FILE: the" + " ids to erase, one per line."));
    return config.section(
        r ->
            ForgetSettings.read(
                r, file, arguments.flag(VACUUM_NOW), environment, config.messages()));
  }

  @Override
  protected JobOutcome run(JobContext context, ForgetSettings s) {
    String key = s.key().require("forget");
    context.phase("read the ids to forget");
    Dataset<Row> ids = throughProfiles(context, readIds(context, s.customersFile()));
    try {
      Erasure erasure = Erasure.of(ids, collectIds(ids, s.customersFile()));
      TablesErased tables = eraseFromTables(context, erasure);
      long modelRows = eraseFromModels(context, s, erasure);
      ExportErasure.Result audiences = eraseFromAudienceSets(context, s, erasure);
      eraseFromControlLists(context, s, erasure);
      long postgresRows = eraseFromPostgres(context, s, erasure);
      vacuum(context, s, tables.examined());
      recordErasures(context, key, erasure.perId());
      if (!tables.olderStatistics().isEmpty()) {
        String olderStatistics = String.join(", ", tables.olderStatistics());
        erasure.details().put("statistics_with_ids_in_older_commits", olderStatistics);
      }
      String summary = summary(context, s, erasure, tables, modelRows, audiences, postgresRows);
      LOG.info("forget: {}", summary);
      return new JobOutcome(
          erasure.idSet().size(), tables.rows(), 0, 0, summary, erasure.details());
    } finally {
      ids.unpersist();
    }
  }

  /**
   * The customers to forget, as the file's DataFrame and as a sorted set; per id, the rows removed
   * from each place (a table, "models", "audiences", ...); and the run's details.
   */
  private record Erasure(
      Dataset<Row> ids,
      Set<String> idSet,
      Map<String, Map<String, Long>> perId,
      Map<String, String> details) {
    static Erasure of(Dataset<Row> ids, Set<String> idSet) {
      Map<String, Map<String, Long>> perId = new TreeMap<>();
      idSet.forEach(id -> perId.put(id, new TreeMap<>()));
      return new Erasure(ids, idSet, perId, new LinkedHashMap<>());
    }
  }

  /**
   * The Delta tables that hold customer ids, those of them written before segpipe kept personal
   * columns out of file statistics, and the rows removed from them all.
   */
  private record TablesErased(List<String> examined, List<String> olderStatistics, long rows) {}

  /** The ids of the file, sorted; a file without any is refused before anything is erased. */
  private static Set<String> collectIds(Dataset<Row> ids, String file) {
    Set<String> idSet = new TreeSet<>();
    ids.collectAsList().forEach(r -> idSet.add(r.getString(0)));
    if (idSet.isEmpty()) {
      throw new UserError(
          "The file " + file + " holds no customer id (one per line). Nothing was" + " erased.");
    }
    return idSet;
  }

  /** Erases the customers from every Delta table of the lake that holds a customer id. */
  private static TablesErased eraseFromTables(JobContext context, Erasure erasure) {
    List<String> examined = new ArrayList<>();
    List<String> olderStatistics = new ArrayList<>();
    long tableRows = 0;
    for (String table : context.lake().tables()) {
      Dataset<Row> rows = context.lake().read(table, "");
      String match = match(Arrays.asList(rows.columns()));
      if (match == null) {
        continue;
      }
      examined.add(table);
      if (context.lake().keepPersonalColumnsOutOfStatistics(table)) {
        olderStatistics.add(table);
      }
      context.phase("erase from " + table);
      long removed = erase(context, table, rows, erasure.ids(), match, erasure.perId());
      if (removed > 0) {
        erasure.details().put("rows_removed." + table, String.valueOf(removed));
        tableRows += removed;
      }
    }
    return new TablesErased(examined, olderStatistics, tableRows);
  }

  /** Erases the customers from the models' predictions; returns the rows removed. */
  private static long eraseFromModels(JobContext context, ForgetSettings s, Erasure erasure) {
    String models = context.lake().folder(s.models());
    context.phase("erase from the Parquet files under " + models);
    long modelRows = eraseFromParquetFolders(context, models, erasure.ids(), erasure.perId());
    if (modelRows > 0) {
      erasure.details().put("model_rows_removed", String.valueOf(modelRows));
    }
    return modelRows;
  }

  private static ExportErasure.Result eraseFromAudienceSets(
      JobContext context, ForgetSettings s, Erasure erasure) {
    ExportErasure.Result audiences =
        eraseFromFileSets(
            context, s, erasure, s.export().audiences().folder(), "the audience sets", "audiences");
    erasure.details().put("audience_rows_removed", String.valueOf(audiences.rows()));
    erasure
        .details()
        .put("audience_sets_rewritten", String.valueOf(audiences.setsRewritten().size()));
    return audiences;
  }

  private static void eraseFromControlLists(JobContext context, ForgetSettings s, Erasure erasure) {
    ExportErasure.Result controls =
        eraseFromFileSets(
            context,
            s,
            erasure,
            s.export().controlFolder(),
            "the campaign control lists",
            "campaign_control_lists");
    erasure.details().put("control_list_rows_removed", String.valueOf(controls.rows()));
  }

  /**
   * Erases the customers from the files export wrote under {@code folder} (audience sets or
   * campaign control lists), counting each id's rows under {@code place}.
   */
  private static ExportErasure.Result eraseFromFileSets(
      JobContext context,
      ForgetSettings s,
      Erasure erasure,
      String folder,
      String what,
      String place) {
    String root = context.lake().folder(folder);
    context.phase("erase from " + what + " under " + root);
    ExportErasure.Result result =
        ExportErasure.audiences(
            context.spark().sparkContext().hadoopConfiguration(),
            root,
            erasure.idSet(),
            s.export().salt(),
            context.runId());
    result.rowsPerId().forEach((id, n) -> erasure.perId().get(id).put(place, n));
    return result;
  }

  /**
   * Erases the customers from export's PostgreSQL table, if one is configured; returns the rows.
   */
  private static long eraseFromPostgres(JobContext context, ForgetSettings s, Erasure erasure) {
    if (s.export().postgres().isEmpty()) {
      return 0;
    }
    String table = s.export().postgres().get().table();
    context.phase("erase from PostgreSQL " + table);
    Map<String, Long> removed =
        ExportErasure.postgres(s.export().postgres().get(), erasure.idSet(), s.export().salt());
    removed.forEach((id, n) -> erasure.perId().get(id).put("postgres:" + table, n));
    long postgresRows = removed.values().stream().mapToLong(Long::longValue).sum();
    erasure.details().put("postgres_rows_removed", String.valueOf(postgresRows));
    return postgresRows;
  }

  private static void vacuum(JobContext context, ForgetSettings s, List<String> tables) {
    context.phase("vacuum " + tables.size() + " tables, retention " + s.vacuumHours() + " h");
    try (VacuumScope scope = new VacuumScope(context.spark(), s.vacuumNow())) {
      for (String table : tables) {
        DeltaTable.forPath(context.spark(), context.lake().path(table)).vacuum(s.vacuumHours());
      }
    }
  }

  /** Appends a row per id to erasures: its keyed hash (never the id) and what was removed. */
  private static void recordErasures(
      JobContext context, String key, Map<String, Map<String, Long>> perId) {
    context.phase("record the erasures");
    Timestamp at = Timestamp.from(context.startedAt());
    List<Row> records = new ArrayList<>();
    perId.forEach(
        (id, removed) ->
            records.add(
                RowFactory.create(
                    KeyedHash.of(key, id),
                    at,
                    context.runId(),
                    JavaConverters.mapAsScalaMap(removed))));
    context
        .lake()
        .append(
            context.spark().createDataFrame(records, Erasures.SCHEMA).coalesce(1), Tables.ERASURES);
  }

  private static String summary(
      JobContext context,
      ForgetSettings s,
      Erasure erasure,
      TablesErased tables,
      long modelRows,
      ExportErasure.Result audiences,
      long postgresRows) {
    long unmatched = erasure.perId().values().stream().filter(Map::isEmpty).count();
    String vacuumed =
        s.vacuumNow()
            ? "vacuumed "
                + tables.examined().size()
                + " tables with a retention of 0 h: no file of their current or earlier"
                + " versions holds the rows"
            : "the replaced files that hold the rows are deleted by the first maintain run after "
                + context
                    .startedAt()
                    .plus(s.vacuumHours(), ChronoUnit.HOURS)
                    .truncatedTo(ChronoUnit.MINUTES)
                + " (segpipe.retention.vacuum-hours = "
                + s.vacuumHours()
                + "); --vacuum-now deletes them at once";
    return String.format(
        "%,d customers forgotten: %,d rows removed from %d tables, %,d from the models'"
            + " predictions, %,d rows from %d audience sets%s; %,d of the ids were found nowhere; %s%s",
        erasure.idSet().size(),
        tables.rows(),
        erasure.details().keySet().stream().filter(k -> k.startsWith("rows_removed.")).count(),
        modelRows,
        audiences.rows(),
        audiences.setsRewritten().size(),
        s.export().postgres().isPresent()
            ? String.format(", %,d rows from PostgreSQL", postgresRows)
            : "",
        unmatched,
        vacuumed,
        tables.olderStatistics().isEmpty()
            ? ""
            : ". Tables written before segpipe kept personal columns out of Delta's file"
                + " statistics ("
                + String.join(", ", tables.olderStatistics())
                + "): their _delta_log commits and checkpoints"
                + " written before this run may still hold minimum/maximum customer ids until Delta deletes log files"
                + " older than delta.logRetentionDuration (30 days by default) at a checkpoint");
  }

  /**
   * With identity stitching's tables in the lake, the ids given and, for each, the whole person:
   * the profile keys it was ever part of (the customer_id of every table after identity) and every
   * source customer id those profiles link, so no account of the person and none of its identifiers
   * stay. Without them, the ids given.
   */
  private static Dataset<Row> throughProfiles(JobContext context, Dataset<Row> given) {
    if (!context.lake().exists(Tables.IDENTITY_MAP)) {
      return given;
    }
    context.phase("the profiles of the ids to forget (identity_map)");
    Dataset<Row> map = context.lake().read(Tables.IDENTITY_MAP, "");
    Dataset<Row> sourceIds =
        map.where(functions.col("id_type").equalTo(Profiles.CUSTOMER_ID))
            .select(functions.col("identifier"), functions.col("customer_key"));
    Dataset<Row> keys =
        sourceIds
            .join(given, sourceIds.col("identifier").equalTo(given.col(ID)))
            .select(functions.col("customer_key").as(ID))
            .distinct();
    Dataset<Row> linked =
        sourceIds
            .join(keys, sourceIds.col("customer_key").equalTo(keys.col(ID)))
            .select(functions.col("identifier").as(ID));
    Dataset<Row> all =
        given.union(keys).union(linked).distinct().persist(StorageLevel.MEMORY_AND_DISK());
    long before = given.count();
    long after = all.count();
    given.unpersist();
    if (after > before) {
      LOG.info(
          "forget: {} ids given, {} with their profiles' keys and linked customer ids"
              + " (identity_map)",
          before,
          after);
    }
    return all;
  }

  /** The distinct ids of the file, trimmed, as one column; never collected into SQL text. */
  private static Dataset<Row> readIds(JobContext context, String file) {
    try {
      Path path = new Path(file);
      if (!path.getFileSystem(context.spark().sparkContext().hadoopConfiguration()).exists(path)) {
        throw new UserError(
            "The file of customers to forget, "
                + file
                + ", does not exist. Check --customers;"
                + " relative paths are taken from "
                + System.getProperty("user.dir")
                + ".");
      }
    } catch (IOException e) {
      throw new UserError(
          "The file of customers to forget, " + file + ", cannot be checked: " + e.getMessage());
    }
    return context
        .spark()
        .read()
        .text(file)
        .select(functions.trim(functions.col("value")).as(ID))
        .where(
            functions
                .length(functions.col(ID))
                .gt(0)
                .and(functions.not(functions.col(ID).startsWith("#"))))
        .distinct()
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * The condition (target t, ids s) under which a row of a table with these columns belongs to a
   * forgotten customer, or null when the table holds no customer id: its customer_id; in
   * events_quarantine also any top-level value of the raw row and, for rows of the customer
   * dimension, the id they were quarantined by.
   */
  static String match(List<String> columns) {
    List<String> conditions = new ArrayList<>();
    if (columns.contains("customer_id")) {
      conditions.add("t.customer_id = s." + ID);
    }
    // identity stitching's tables: a profile's every identifier, a source id, a key's changes
    if (columns.contains("customer_key")) {
      conditions.add("t.customer_key = s." + ID);
    }
    if (columns.contains("id_type") && columns.contains("identifier")) {
      conditions.add(
          "(t.id_type = '" + Profiles.CUSTOMER_ID + "' AND t.identifier = s." + ID + ")");
    }
    if (columns.contains("old_key") && columns.contains("new_key")) {
      conditions.add("t.old_key = s." + ID + " OR t.new_key = s." + ID);
    }
    if (columns.contains("raw_row")) {
      conditions.add(
          "array_contains(map_values(from_json(t.raw_row, 'map<string,string>')), s." + ID + ")");
      if (columns.contains("mapping") && columns.contains("event_id")) {
        conditions.add("(t.mapping = 'customers' AND t.event_id = s." + ID + ")");
      }
    }
    return conditions.isEmpty() ? null : String.join(" OR ", conditions);
  }

  /**
   * Rewrites every plain Parquet folder under {@code root} that has a customer_id column (the churn
   * model's predictions) without the forgotten customers' rows, in the rows' order, and swaps it
   * in; the models themselves hold no customer id. Returns the rows removed.
   */
  private static long eraseFromParquetFolders(
      JobContext context, String root, Dataset<Row> ids, Map<String, Map<String, Long>> perId) {
    Configuration hadoop = context.spark().sparkContext().hadoopConfiguration();
    List<Path> folders = new ArrayList<>();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(hadoop);
      if (!fs.exists(rootPath)) {
        return 0;
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(rootPath, true);
      while (files.hasNext()) {
        Path file = files.next().getPath();
        if (file.getName().endsWith(".parquet") && !folders.contains(file.getParent())) {
          folders.add(file.getParent());
        }
      }
      long total = 0;
      for (Path folder : folders) {
        Dataset<Row> rows = context.spark().read().parquet(folder.toString());
        if (!Arrays.asList(rows.columns()).contains("customer_id")) {
          continue;
        }
        Dataset<Row> positioned =
            rows.withColumn("_position", functions.monotonically_increasing_id());
        Column matches = functions.col("customer_id").equalTo(functions.col(ID));
        List<Row> counts =
            positioned.join(functions.broadcast(ids), matches).groupBy(ID).count().collectAsList();
        long found = counts.stream().mapToLong(r -> r.getLong(1)).sum();
        if (found == 0) {
          continue;
        }
        String relative = fs.makeQualified(rootPath).toUri().relativize(folder.toUri()).toString();
        counts.forEach(r -> perId.get(r.getString(0)).merge("models", r.getLong(1), Long::sum));
        Path temporary =
            new Path(folder.getParent(), "." + folder.getName() + ".erase-" + context.runId());
        positioned
            .join(functions.broadcast(ids), matches, "left_anti")
            .orderBy("_position")
            .drop("_position")
            .coalesce(1)
            .write()
            .mode(SaveMode.Overwrite)
            .parquet(temporary.toString());
        Path old = new Path(folder.getParent(), "." + folder.getName() + ".old-" + context.runId());
        if (!fs.rename(folder, old)) {
          throw new IOException("cannot move " + folder + " aside to " + old);
        }
        if (!fs.rename(temporary, folder)) {
          fs.rename(old, folder);
          throw new IOException("cannot rename " + temporary + " to " + folder);
        }
        fs.delete(old, true);
        LOG.info("forget: {} rows removed from {}", found, relative);
        total += found;
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot erase customers from the Parquet files under " + root, e);
    }
  }

  /**
   * Deletes the matching rows in one commit (rewriting the files that hold them); returns how many.
   */
  private static long erase(
      JobContext context,
      String table,
      Dataset<Row> rows,
      Dataset<Row> ids,
      String match,
      Map<String, Map<String, Long>> perId) {
    List<Row> counts =
        rows.as("t")
            .join(functions.broadcast(ids.as("s")), functions.expr(match))
            .groupBy(functions.col("s." + ID))
            .count()
            .collectAsList();
    long found = counts.stream().mapToLong(r -> r.getLong(1)).sum();
    if (found == 0) {
      return 0;
    }
    counts.forEach(r -> perId.get(r.getString(0)).put(table, r.getLong(1)));
    Lake lake = context.lake();
    DeltaTable delta = DeltaTable.forPath(context.spark(), lake.path(table));
    delta.as("t").merge(ids.as("s"), match).whenMatched().delete().execute();
    Row commit = delta.history(1).select("operationMetrics").first();
    long removed =
        Long.parseLong(
            commit.<String, String>getJavaMap(0).getOrDefault("numTargetRowsDeleted", "0"));
    // Deletion vectors mark rows deleted without rewriting their files: purge rewrites them.
    if ("true"
        .equals(
            delta
                .detail()
                .select("properties")
                .first()
                .<String, String>getJavaMap(0)
                .get("delta.enableDeletionVectors"))) {
      context
          .spark()
          .sql("REORG TABLE delta.`" + lake.path(table).replace("`", "``") + "` APPLY (PURGE)");
    }
    LOG.info("forget: {} rows removed from {}", removed, table);
    return removed;
  }
}

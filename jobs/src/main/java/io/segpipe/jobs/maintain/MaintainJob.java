package io.segpipe.jobs.maintain;

import io.delta.tables.DeltaTable;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.VacuumScope;
import io.segpipe.common.tables.Tables;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a lake small and fast: for every Delta table under the lake root, deletes snapshots older
 * than segpipe.retention.snapshot-days (tables partitioned by as_of_date only), compacts small
 * files (OPTIMIZE: the one-row commits of run_metrics and model_runs, a day's appends to events),
 * and vacuums the files no version within segpipe.retention.vacuum-hours needs. Meant to run
 * weekly.
 */
public final class MaintainJob extends SegpipeJob<MaintainSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(MaintainJob.class);
  private static final String SNAPSHOT_COLUMN = "as_of_date";
  private static final String SHORT = "allow-short-retention";
  private static final String REBUILD_DAILY = "rebuild-daily";

  public static void main(String[] args) {
    SegpipeJob.main(new MaintainJob(), args);
  }

  @Override
  public String name() {
    return "maintain";
  }

  @Override
  protected String summary() {
    return "Maintains every Delta table under the lake root: deletes snapshots (as_of_date partitions) older than\n"
        + "segpipe.retention.snapshot-days before --as-of (default today, UTC; 0 keeps all), compacts small files\n"
        + "(OPTIMIZE) and vacuums files older than segpipe.retention.vacuum-hours that no kept version needs.\n"
        + "Run it weekly (docs/running.md). --rebuild-daily first rebuilds customer_daily from all of events.\n\n"
        + "Example: segpipe maintain --as-of 2024-12-31 --conf segpipe.retention.snapshot-days=730";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            SHORT,
            null,
            "allow segpipe.retention.vacuum-hours below Delta's 168"
                + " (ends time travel to those versions; a reader still on one can fail)"),
        new JobArguments.Option(
            REBUILD_DAILY,
            null,
            "first rebuild customer_daily whole from events: once, for a lake"
                + " ingested before segpipe kept it (features would otherwise build it on its first run), or to repair it"));
  }

  @Override
  protected MaintainSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.asOf().orElse(LocalDate.now(ZoneOffset.UTC));
    return config.section(
        r -> MaintainSettings.read(r, asOf, arguments.flag(SHORT), arguments.flag(REBUILD_DAILY)));
  }

  @Override
  protected JobOutcome run(JobContext context, MaintainSettings s) {
    Map<String, String> details = new LinkedHashMap<>();
    if (s.rebuildDaily()) {
      rebuildDaily(context, details);
    }
    List<String> tables = context.lake().tables();
    Tally total = new Tally(0, 0, 0, 0);
    try (VacuumScope scope = new VacuumScope(context.spark(), s.shortRetention())) {
      for (String table : tables) {
        total = total.plus(maintain(context, s, table, details));
      }
    }
    return new JobOutcome(
        total.filesBefore(), total.filesAfter(), 0, 0, summary(s, tables, total), details);
  }

  /** What maintenance did to one table, or to all of them added up. */
  private record Tally(
      long filesBefore, long filesAfter, long snapshotsDeleted, long statisticsFixed) {
    Tally plus(Tally other) {
      return new Tally(
          filesBefore + other.filesBefore,
          filesAfter + other.filesAfter,
          snapshotsDeleted + other.snapshotsDeleted,
          statisticsFixed + other.statisticsFixed);
    }
  }

  private static void rebuildDaily(JobContext context, Map<String, String> details) {
    context.phase("rebuild " + Tables.CUSTOMER_DAILY);
    context
        .lake()
        .require(
            Tables.EVENTS,
            "Nothing to build customer_daily from: run `scripts/segpipe ingest` first.");
    details.put(Tables.CUSTOMER_DAILY.name(), CustomerDaily.rebuild(context.lake()).describe());
  }

  /**
   * Keeps personal columns out of the table's statistics, deletes its old snapshots, compacts and
   * vacuums it.
   */
  private static Tally maintain(
      JobContext context, MaintainSettings s, String table, Map<String, String> details) {
    long statisticsFixed = 0;
    if (context.lake().keepPersonalColumnsOutOfStatistics(table)) {
      details.put(table + ".personal_columns_out_of_statistics", "set");
      statisticsFixed++;
    }
    DeltaTable delta = DeltaTable.forPath(context.spark(), context.lake().path(table));
    Row detail = delta.detail().select("numFiles", "partitionColumns").first();
    long before = detail.getLong(0);
    long deleted = 0;
    if (s.keepFrom() != null && detail.getList(1).contains(SNAPSHOT_COLUMN)) {
      deleted = deleteOldSnapshots(context, s, table, delta, details);
    }
    context.phase(table + ": compact");
    delta.optimize().executeCompaction();
    context.phase(table + ": vacuum files older than " + s.vacuumHours() + " h");
    delta.vacuum(s.vacuumHours());
    long after = files(delta);
    LOG.info(
        "maintain {}: {} files -> {}{}",
        table,
        before,
        after,
        deleted > 0 ? ", " + deleted + " snapshots before " + s.keepFrom() + " deleted" : "");
    details.put(table + ".files", before + "->" + after);
    return new Tally(before, after, deleted, statisticsFixed);
  }

  /** Deletes the table's snapshots before segpipe.retention.snapshot-days; returns how many. */
  private static long deleteOldSnapshots(
      JobContext context,
      MaintainSettings s,
      String table,
      DeltaTable delta,
      Map<String, String> details) {
    context.phase(table + ": snapshots before " + s.keepFrom());
    List<Row> old =
        delta
            .toDF()
            .where(functions.col(SNAPSHOT_COLUMN).lt(functions.lit(s.keepFrom())))
            .select(SNAPSHOT_COLUMN)
            .distinct()
            .collectAsList();
    if (old.isEmpty()) {
      return 0;
    }
    delta.delete(functions.col(SNAPSHOT_COLUMN).lt(functions.lit(s.keepFrom())));
    details.put(table + ".snapshots_deleted", String.valueOf(old.size()));
    return old.size();
  }

  private static String summary(MaintainSettings s, List<String> tables, Tally total) {
    return tables.size()
        + " tables: "
        + total.filesBefore()
        + " files in their current versions before, "
        + total.filesAfter()
        + " after; "
        + total.snapshotsDeleted()
        + " snapshots deleted"
        + (s.keepFrom() == null
            ? " (segpipe.retention.snapshot-days = 0 keeps all)"
            : " (kept from " + s.keepFrom() + ")")
        + "; vacuumed files older than "
        + s.vacuumHours()
        + " h"
        + (total.statisticsFixed() > 0
            ? "; "
                + total.statisticsFixed()
                + " tables written before personal columns were kept out of"
                + " file statistics now keep them out"
            : "");
  }

  private static long files(DeltaTable delta) {
    return delta.detail().select("numFiles").first().getLong(0);
  }
}

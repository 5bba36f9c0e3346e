package io.segpipe.jobs.features;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.to_date;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.train.GeneratedLake;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots carried from the previous one (CarriedFeatures) equal, in every column of every
 * customer, the snapshot computed whole from the raw events (RawEventsReference): a day after a
 * snapshot; and three days after, when a batch has brought those days and late events on two older
 * dates inside the window. The plan falls back to computing everyone when the earlier snapshot lost
 * rows (an erasure), when the feature settings differ, and when asked to.
 */
@ExtendWith(SharedSpark.class)
class FeaturesIncrementalTest {
  private static final String CUTOFF = "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"";

  /** The test's few hundred customers are carried too (by default only from 100,000 up). */
  private static final String ANY_SIZE = "segpipe.features.incremental-min-customers";

  @TempDir Path dir;

  @Test
  void carriedSnapshotsEqualTheWholeComputation(SparkSession spark) {
    Path generated = GeneratedLake.build(400, 5, List.of("2024-11-30", "2024-12-31"));
    Dataset<Row> events = spark.read().parquet(generated.resolve("generated/events").toString());
    Column date = to_date(col("event_time"));
    // late: a third of two days' events in the summer and autumn, arriving with the second batch
    Column late =
        date.isin(Date.valueOf("2024-07-04"), Date.valueOf("2024-10-10"))
            .and(pmod(functions.hash(col("event_id")), lit(3)).equalTo(0));
    Column firstBatch =
        functions.coalesce(date.leq(Date.valueOf("2024-12-20")).and(late.unary_$bang()), lit(true));
    events.where(firstBatch).write().parquet(dir.resolve("batch-1").toString());
    events
        .where(firstBatch.unary_$bang().and(date.leq(Date.valueOf("2024-12-31"))))
        .write()
        .parquet(dir.resolve("batch-2").toString());
    String root = dir.resolve("lake").toString();
    Lake lake = new Lake(spark, new LakeSettings(root, ""));

    ingest(root, "batch-1", "--customers", generated.resolve("generated/customers").toString());
    features(root, "2024-12-19");
    assertEquals(
        "every customer computed (no earlier snapshot)", lastDetails(spark, root, "snapshot"));
    features(root, "2024-12-20");
    assertEquals(
        "carried from the 2024-12-19 snapshot, 0 dates changed since",
        lastDetails(spark, root, "snapshot"));
    assertCarriedAndEqual(spark, lake, root, "2024-12-20", "a day later");

    ingest(root, "batch-2");
    features(root, "2024-12-23");
    String how = lastDetails(spark, root, "snapshot");
    assertTrue(
        how.startsWith("carried from the 2024-12-20 snapshot, ")
            && !how.contains(", 0 dates changed"),
        how);
    assertCarriedAndEqual(spark, lake, root, "2024-12-23", "three days and late events later");

    // the plan's guards
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), Map.of(ANY_SIZE, "0"));
    FeaturesSettings settings = settings(config, "2024-12-24");
    long version = lake.version(Tables.EVENTS);
    String table = lake.tableId(Tables.EVENTS);
    long rows =
        lake.read(Tables.CUSTOMER_FEATURES, "")
            .where(col(Tables.AS_OF).equalTo(Date.valueOf("2024-12-23")))
            .count();
    assertEquals(
        "every customer computed (the 2024-12-23 snapshot has "
            + rows
            + " customers, under segpipe.features.incremental-min-customers = 100000: computing"
            + " everyone is quicker)",
        CarriedFeatures.plan(
                lake,
                settings(SegpipeConfig.load(Optional.empty(), Map.of()), "2024-12-24"),
                version,
                table,
                true,
                Optional.empty())
            .describe(),
        "the default leaves a small population to the whole computation");
    assertEquals(
        "carried from the 2024-12-23 snapshot, 0 dates changed since",
        CarriedFeatures.plan(lake, settings, version, table, true, Optional.empty()).describe());
    assertEquals(
        "every customer computed (the 2024-12-23 snapshot was computed per customer id, identity"
            + " stitching is on now)",
        CarriedFeatures.plan(
                lake,
                settings,
                version,
                table,
                true,
                Optional.of(new CarriedFeatures.Resolution(LocalDate.parse("2024-12-23"), 0)))
            .describe());
    assertEquals(
        "every customer computed (segpipe.features.incremental = false)",
        CarriedFeatures.plan(lake, settings, version, table, false, Optional.empty()).describe());
    SegpipeConfig shanghai =
        SegpipeConfig.load(
            Optional.empty(),
            Map.of("segpipe.features.dayparts.time-zone", "Asia/Shanghai", ANY_SIZE, "0"));
    assertEquals(
        "every customer computed (the 2024-12-23 snapshot was computed with other feature"
            + " definitions)",
        CarriedFeatures.plan(
                lake, settings(shanghai, "2024-12-24"), version, table, true, Optional.empty())
            .describe());
    assertEquals(
        "every customer computed (the events table was replaced since the 2024-12-23 snapshot)",
        CarriedFeatures.plan(lake, settings, version, "another-table", true, Optional.empty())
            .describe());
    String someone =
        lake.read(Tables.CUSTOMER_FEATURES, "")
            .where(col(Tables.AS_OF).equalTo(Date.valueOf("2024-12-23")))
            .select("customer_id")
            .orderBy("customer_id")
            .first()
            .getString(0);
    DeltaTable.forPath(spark, lake.path(Tables.CUSTOMER_FEATURES))
        .delete(col("customer_id").equalTo(someone));
    String erased =
        CarriedFeatures.plan(lake, settings, version, table, true, Optional.empty()).describe();
    assertTrue(
        erased.startsWith("every customer computed (the 2024-12-23 snapshot holds ")
            && erased.endsWith(" (customers erased since))"),
        erased);
  }

  /**
   * The snapshot as of {@code asOf} computed some customers and carried the rest, and equals the
   * whole computation from the raw events in every column.
   */
  private static void assertCarriedAndEqual(
      SparkSession spark, Lake lake, String root, String asOf, String when) {
    long computed = Long.parseLong(lastDetails(spark, root, "snapshot.computed"));
    List<Row> snapshot =
        RawEventsReference.sorted(
            lake.read(Tables.CUSTOMER_FEATURES, "")
                .where(col(Tables.AS_OF).equalTo(Date.valueOf(asOf)))
                .collectAsList());
    assertTrue(
        computed > 0 && computed < snapshot.size() / 2,
        when + ": " + computed + " of " + snapshot.size() + " customers computed");
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), Map.of());
    RawEventsReference.assertSameRows(
        RawEventsReference.snapshot(
            settings(config, asOf),
            lake.read(Tables.EVENTS, ""),
            lake.read(Tables.CUSTOMERS, "").select("customer_id", "signup_date")),
        snapshot,
        "carried " + when);
  }

  private static FeaturesSettings settings(SegpipeConfig config, String asOf) {
    return config.section(
        r -> FeaturesSettings.read(r, LocalDate.parse(asOf), config.events().channels()));
  }

  private void ingest(String root, String batch, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source",
                dir.resolve(batch).toString(),
                "--mapping",
                "generator",
                "--conf",
                "segpipe.lake.root=" + root,
                "--conf",
                CUTOFF));
    args.addAll(List.of(more));
    assertEquals(0, new IngestJob().execute(args.toArray(String[]::new)), "ingest " + batch);
  }

  private static void features(String root, String asOf) {
    assertEquals(
        0,
        new FeaturesJob()
            .execute(
                "--as-of", asOf, "--conf", "segpipe.lake.root=" + root, "--conf", ANY_SIZE + "=0"),
        "features as of " + asOf);
  }

  /** A detail of the newest run in run_metrics. */
  private static String lastDetails(SparkSession spark, String root, String key) {
    Row run =
        spark
            .read()
            .format("delta")
            .load(root + "/run_metrics")
            .orderBy(desc("finished_at"))
            .first();
    return run.<String, String>getJavaMap(run.fieldIndex("details")).get(key);
  }
}

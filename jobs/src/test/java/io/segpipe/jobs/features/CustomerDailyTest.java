package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.Required;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.features.CustomerActivity;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.maintain.MaintainJob;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * customer_daily stays equal to an aggregate of the whole events table, however events changed
 * since it was last written: appends touching old and new dates, deletes (forget), compaction, a
 * replaced table.
 */
@ExtendWith(SharedSpark.class)
class CustomerDailyTest {
  @TempDir Path dir;

  /** customer_daily as a set of rows, in the columns of the contract. */
  private static Set<Row> rows(Dataset<Row> daily) {
    return new HashSet<>(
        daily
            .select(
                CustomerDaily.SCHEMA.fieldNames()[0],
                java.util.Arrays.copyOfRange(
                    CustomerDaily.SCHEMA.fieldNames(), 1, CustomerDaily.SCHEMA.fieldNames().length))
            .collectAsList());
  }

  private static void assertCurrent(Lake lake, String when) {
    Set<Row> expected = rows(CustomerDaily.aggregate(lake.read(Tables.EVENTS.name(), "")));
    Set<Row> actual = rows(lake.read(Tables.CUSTOMER_DAILY.name(), ""));
    assertTrue(expected.size() > 100, when + ": only " + expected.size() + " daily rows");
    assertEquals(
        expected, actual, when + ": customer_daily differs from an aggregate of all events");
  }

  @Test
  void catchUpRebuildsExactlyTheDatesEventsCommitsChanged(SparkSession spark) {
    Lake lake = new Lake(spark, new LakeSettings(dir.resolve("lake").toString(), ""));
    List<Row> all = EventRows.generated(7, 300).rows();
    // the first load: every event before 2024-11-01
    lake.append(
        spark.createDataFrame(all, Events.SCHEMA).where("event_date < DATE'2024-11-01'"),
        Tables.EVENTS.name(),
        "event_date");
    CustomerDaily.Refresh first = CustomerDaily.catchUp(lake);
    assertTrue(first.whole(), first.describe());
    assertEquals(0, first.eventsVersion());
    assertCurrent(lake, "first load");
    assertEquals(0, CustomerDaily.catchUp(lake).dates(), "nothing changed: nothing rebuilt");

    // a second batch: November and December, and two late events on dates already aggregated (the
    // late purchase at a discount)
    Dataset<Row> later =
        spark.createDataFrame(all, Events.SCHEMA).where("event_date >= DATE'2024-11-01'");
    Dataset<Row> late =
        spark
            .createDataFrame(
                new EventRows()
                    .purchaseAtDiscount(
                        "2024-03-01T09:00:00Z", "c0001", "store", "late-1", "12.50", "2.50")
                    .visit("2024-03-15T23:59:59Z", "c0002", "web")
                    .rows(),
                Events.SCHEMA)
            .withColumn(
                "event_id", functions.concat(functions.lit("late-"), functions.col("event_id")));
    lake.append(later.unionByName(late), Tables.EVENTS.name(), "event_date");
    long newDates = later.select("event_date").distinct().count();
    CustomerDaily.Refresh second = CustomerDaily.catchUp(lake);
    assertEquals(newDates + 2, second.dates(), second.describe());
    assertEquals(0, second.coveredBefore());
    assertEquals(1, second.eventsVersion());
    assertCurrent(lake, "after a batch with late events");
    // the generated lines do not say whether they were discounted: only the late one counts
    Row discounted =
        lake.read(Tables.CUSTOMER_DAILY.name(), "")
            .where("customer_id = 'c0001' AND event_date = DATE'2024-03-01' AND channel = 'store'")
            .first();
    assertEquals(new BigDecimal("12.50"), discounted.getAs("discounted_amount"));
    assertEquals(new BigDecimal("12.50"), discounted.getAs("discount_known_amount"));

    // forget deletes a customer's events: the dates they had events on are rebuilt
    long customerDates =
        lake.read(Tables.EVENTS.name(), "")
            .where("customer_id = 'c0003'")
            .select("event_date")
            .distinct()
            .count();
    DeltaTable.forPath(spark, lake.path(Tables.EVENTS.name()))
        .delete(functions.col("customer_id").equalTo("c0003"));
    CustomerDaily.Refresh erased = CustomerDaily.catchUp(lake);
    assertEquals(customerDates, erased.dates(), erased.describe());
    assertCurrent(lake, "after an erasure");
    assertEquals(
        0, lake.read(Tables.CUSTOMER_DAILY.name(), "").where("customer_id = 'c0003'").count());

    // compaction changes no data: nothing to rebuild
    DeltaTable.forPath(spark, lake.path(Tables.EVENTS.name())).optimize().executeCompaction();
    CustomerDaily.Refresh compacted = CustomerDaily.catchUp(lake);
    assertEquals(0, compacted.dates(), compacted.describe());
    assertTrue(!compacted.whole(), compacted.describe());

    // events deleted and created again, up to the very version customer_daily covers (2): a
    // different table,
    // so it is rebuilt whole rather than taken as current
    List<Row> kept =
        lake.read(Tables.EVENTS.name(), "").where("event_date >= DATE'2024-06-01'").collectAsList();
    deleteFolder(Paths.get(lake.path(Tables.EVENTS.name())));
    org.apache.spark.sql.delta.DeltaLog.clearCache();
    for (String months :
        List.of(
            "< DATE'2024-08-01'",
            "BETWEEN DATE'2024-08-01' AND DATE'2024-09-30'",
            ">= DATE'2024-10-01'")) {
      lake.append(
          spark.createDataFrame(kept, Events.SCHEMA).where("event_date " + months),
          Tables.EVENTS.name(),
          "event_date");
    }
    assertEquals(2, lake.version(Tables.EVENTS.name()));
    CustomerDaily.Refresh replaced = CustomerDaily.catchUp(lake);
    assertTrue(replaced.whole(), replaced.describe());
    assertTrue(replaced.describe().contains("has since been replaced"), replaced.describe());
    assertCurrent(lake, "after events was replaced");

    // a customer_daily written before its added columns (views, cart adds, feedbacks, coupon
    // orders, order starts, discounted and discount-known amounts), covering the newest events
    // version: rebuilt whole, not read with those missing
    String note = lake.commitNotes(Tables.CUSTOMER_DAILY.name(), 1).get(0);
    List<Row> before =
        lake.read(Tables.CUSTOMER_DAILY.name(), "")
            .drop(Tables.CUSTOMER_DAILY.added().toArray(String[]::new))
            .collectAsList();
    StructType oldColumns =
        lake.read(Tables.CUSTOMER_DAILY.name(), "")
            .drop(Tables.CUSTOMER_DAILY.added().toArray(String[]::new))
            .schema();
    deleteFolder(Paths.get(lake.path(Tables.CUSTOMER_DAILY.name())));
    org.apache.spark.sql.delta.DeltaLog.clearCache();
    lake.replaceWhere(
        spark.createDataFrame(before, oldColumns),
        Tables.CUSTOMER_DAILY.name(),
        null,
        note,
        CustomerDaily.MONTH);
    CustomerDaily.Refresh older = CustomerDaily.catchUp(lake);
    assertTrue(older.whole(), older.describe());
    assertTrue(
        older
            .describe()
            .contains(
                "it was written before its columns views, cart_adds, feedbacks, coupon_order_keys,"
                    + " order_starts, discounted_amount, discount_known_amount, which the features"
                    + " read"),
        older.describe());
    assertCurrent(lake, "after a table written before the added columns");

    // the one-off command rebuilds it whole on request
    assertEquals(
        0,
        new MaintainJob()
            .execute("--rebuild-daily", "--conf", "segpipe.lake.root=" + lake.path("")));
    Row run = lake.read("run_metrics", "").where("job = 'maintain'").first();
    assertEquals(
        "rebuilt whole from events version 2 (asked for)",
        run.<String, String>getJavaMap(run.fieldIndex("details"))
            .get(Tables.CUSTOMER_DAILY.name()));
    assertCurrent(lake, "after a rebuild on request");
  }

  /**
   * The sample ingested in two batches (the second bringing late events for most dates of the
   * first, and repeating some) leaves customer_daily equal to an aggregate of all events, and the
   * features computed from it equal, column for column, those computed straight from the raw
   * events.
   */
  @Test
  void ingestInTwoBatchesThenFeatures(SparkSession spark) {
    Path samples =
        Paths.get(System.getProperty("segpipe.project.root", ".")).resolve("data-samples/events");
    Required.that(Files.isDirectory(samples), "the generated sample is not at " + samples);
    Dataset<Row> source = spark.read().parquet(samples.toString());
    Column first =
        functions
            .col("event_time")
            .lt(functions.lit("2024-09-01"))
            .and(
                functions
                    .pmod(functions.hash(functions.col("event_id")), functions.lit(10))
                    .notEqual(0));
    source
        .where(functions.coalesce(first, functions.lit(false)))
        .write()
        .parquet(dir.resolve("a").toString());
    source
        .where(
            functions
                .coalesce(first, functions.lit(false))
                .unary_$bang()
                .or(
                    functions
                        .pmod(functions.hash(functions.col("event_id")), functions.lit(7))
                        .equalTo(0)))
        .write()
        .parquet(dir.resolve("b").toString());
    String root = dir.resolve("lake").toString();
    for (String batch : List.of("a", "b")) {
      assertEquals(
          0,
          new IngestJob()
              .execute(
                  "--source",
                  dir.resolve(batch).toString(),
                  "--mapping",
                  "generator",
                  "--conf",
                  "segpipe.lake.root=" + root));
    }
    Lake lake = new Lake(spark, new LakeSettings(root, ""));
    String note = lake.commitNotes(Tables.CUSTOMER_DAILY.name(), 1).get(0);
    assertEquals(
        "segpipe.events_version="
            + lake.version(Tables.EVENTS.name())
            + ";events_table="
            + lake.tableId(Tables.EVENTS.name()),
        note);
    assertCurrent(lake, "after two ingests");
    // the table's one-pass computation equals the two-level one it replaced, row for row
    Dataset<Row> events = lake.read(Tables.EVENTS.name(), "");
    assertEquals(
        rows(
            SqlResource.load("sql/reference/customer_daily_two_level.sql")
                .withView("events", events)
                .run(spark)),
        rows(CustomerDaily.aggregate(events)),
        "customer_daily computed in one pass and in two levels");

    LocalDate asOf = LocalDate.parse("2024-12-31");
    assertEquals(
        0,
        new FeaturesJob()
            .execute("--as-of", asOf.toString(), "--conf", "segpipe.lake.root=" + root));
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), Map.of());
    FeaturesSettings settings =
        config.section(r -> FeaturesSettings.read(r, asOf, config.events().channels()));
    RawEventsReference.assertSameRows(
        RawEventsReference.snapshot(
            settings,
            lake.read(Tables.EVENTS.name(), ""),
            spark
                .createDataFrame(List.of(), Events.CUSTOMERS)
                .select("customer_id", "signup_date")),
        RawEventsReference.sorted(lake.read(Tables.CUSTOMER_FEATURES.name(), "").collectAsList()),
        "sample in two batches");

    // segment's purchases per customer and category, from customer_daily, equal those summed from
    // raw events
    CustomerActivity window = settings.activity();
    Set<Row> fromDaily =
        new HashSet<>(
            SqlResource.load("sql/segment/category_purchases.sql")
                .withView("daily", CustomerDaily.read(lake, window.windowStart(), asOf))
                .with("window_start", window.windowStart())
                .with("as_of", asOf)
                .run(spark)
                .collectAsList());
    Set<Row> fromEvents =
        new HashSet<>(
            window
                .windowEvents(lake.read(Tables.EVENTS.name(), ""))
                .where("event_type = 'purchase' AND category IS NOT NULL")
                .groupBy("customer_id", "category")
                .agg(functions.sum("amount").as("spend"))
                .collectAsList());
    assertTrue(
        fromEvents.size() > 1000, "purchases per customer and category: " + fromEvents.size());
    assertEquals(fromEvents, fromDaily, "purchases per customer and category");
  }

  private static void deleteFolder(Path folder) {
    try (var paths = Files.walk(folder)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

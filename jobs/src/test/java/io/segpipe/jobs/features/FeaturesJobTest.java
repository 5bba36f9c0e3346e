package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.DataFrames;
import io.segpipe.common.test.SharedSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The features job end to end on a temporary lake. */
@ExtendWith(SharedSpark.class)
class FeaturesJobTest {
  @TempDir Path dir;

  private static int features(Path lake, String asOf) {
    return new FeaturesJob().execute("--as-of", asOf, "--conf", "segpipe.lake.root=" + lake);
  }

  private static Lake lake(SparkSession spark, Path root) {
    return new Lake(spark, new LakeSettings(root.toString(), ""));
  }

  private static Dataset<Row> table(SparkSession spark, Path lake, String table) {
    return spark.read().format("delta").load(lake.resolve(table).toString());
  }

  private static Dataset<Row> snapshot(SparkSession spark, Path lake, String asOf) {
    return table(spark, lake, Tables.CUSTOMER_FEATURES.name())
        .where(functions.col("as_of_date").equalTo(functions.lit(asOf)));
  }

  private static Row lastRun(SparkSession spark, Path lake) {
    return table(spark, lake, "run_metrics").orderBy(functions.col("started_at").desc()).first();
  }

  @Test
  void missingEventsTableStopsWithAHintToRunIngest(SparkSession spark) {
    assertEquals(2, features(dir, "2024-12-31"));
    Row run = lastRun(spark, dir);
    assertEquals("failed", run.getAs("status"));
    assertTrue(
        run.<String>getAs("message").contains("Run `scripts/segpipe ingest` first"),
        run.<String>getAs("message"));
  }

  @Test
  void noEventsInTheWindowGivesAnEmptySnapshot(SparkSession spark) {
    lake(spark, dir)
        .append(
            new EventRows()
                .purchase("2024-05-01T10:00:00Z", "a", "web", "o1", "10.00")
                .frame(spark),
            Tables.EVENTS.name(),
            "event_date");
    assertEquals(0, features(dir, "2020-01-31"));
    assertEquals(0, snapshot(spark, dir, "2020-01-31").count());
    Row run = lastRun(spark, dir);
    assertEquals("succeeded", run.getAs("status"));
    assertTrue(
        run.<String>getAs("message").startsWith("0 customers as of 2020-01-31: champions 0"),
        run.<String>getAs("message"));
    assertTrue(
        run.<String>getAs("message").contains("no events in the window"),
        run.<String>getAs("message"));
  }

  @Test
  void rerunReplacesOnlyItsDateAndLaterEventsDoNotLeakIn(SparkSession spark) {
    Lake lake = lake(spark, dir);
    lake.append(EventRows.generated(7, 150).frame(spark), Tables.EVENTS.name(), "event_date");
    assertEquals(0, features(dir, "2024-06-30"));
    assertEquals(0, features(dir, "2024-12-31"));
    List<Row> june = snapshot(spark, dir, "2024-06-30").collectAsList();
    List<Row> december = snapshot(spark, dir, "2024-12-31").collectAsList();
    assertTrue(
        june.size() > 50 && december.size() > june.size(), june.size() + " / " + december.size());

    Row run = lastRun(spark, dir);
    Map<String, String> details = run.getJavaMap(run.fieldIndex("details"));
    long segmented =
        details.entrySet().stream()
            .filter(e -> e.getKey().startsWith("segment."))
            .mapToLong(e -> Long.parseLong(e.getValue()))
            .sum();
    assertEquals(snapshot(spark, dir, "2024-12-31").where("frequency > 0").count(), segmented);
    assertEquals((long) december.size(), (long) run.getAs("rows_out"));
    assertTrue(
        run.<String>getAs("message")
            .startsWith(december.size() + " customers as of 2024-12-31: champions "),
        run.<String>getAs("message"));
    assertEquals(
        3,
        table(spark, dir, Tables.RFM_BOUNDARIES.name())
            .where("as_of_date = DATE'2024-06-30'")
            .count());
    // every measure's mean and median are kept; the threshold cn-8 would use only under cn-8
    assertEquals(
        3,
        table(spark, dir, Tables.RFM_BOUNDARIES.name())
            .where(
                "as_of_date = DATE'2024-12-31' AND mean > 0 AND median > 0 AND cn8_threshold IS NULL")
            .count());
    assertEquals("score-map", details.get("rfm.scheme"));

    // events after 2024-06-30 (from one second after its end) change December, never June
    lake.append(
        new EventRows()
            .purchase("2024-07-01T00:00:00Z", "c0001", "web", "late-1", "999.00")
            .purchase("2024-07-01T00:00:01Z", "new-customer", "app", "late-2", "5.00")
            .returned("2024-08-01T10:00:00Z", "c0002", "store", "12.00")
            .frame(spark),
        Tables.EVENTS.name(),
        "event_date");
    assertEquals(0, features(dir, "2024-06-30"));
    DataFrames.assertSameRows(
        spark.createDataFrame(june, snapshot(spark, dir, "2024-06-30").schema()),
        snapshot(spark, dir, "2024-06-30"));
    DataFrames.assertSameRows(
        spark.createDataFrame(december, snapshot(spark, dir, "2024-12-31").schema()),
        snapshot(spark, dir, "2024-12-31"));
  }
}

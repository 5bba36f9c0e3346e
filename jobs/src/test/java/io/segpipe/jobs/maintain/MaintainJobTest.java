package io.segpipe.jobs.maintain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * maintain on a lake of small files: a snapshot table of four month-end dates written six files
 * each, a log of one-row appends, and a date-partitioned table appended to twice per date.
 */
@ExtendWith(SharedSpark.class)
class MaintainJobTest {
  private static final List<LocalDate> DATES =
      List.of(
          LocalDate.of(2024, 9, 30),
          LocalDate.of(2024, 10, 31),
          LocalDate.of(2024, 11, 30),
          LocalDate.of(2024, 12, 31));
  private static SparkSession spark;
  private static String root;
  private static Lake lake;

  @BeforeAll
  static void smallFiles(SparkSession session) throws IOException {
    spark = session;
    root = TestFolders.folder("segpipe-maintain-lake").toString();
    lake = new Lake(spark, new LakeSettings(root, ""));
    for (LocalDate date : DATES) {
      Dataset<Row> rows =
          spark
              .range(60)
              .selectExpr(
                  "concat('C', id) AS customer_id",
                  "CAST(id * " + date.getDayOfMonth() + " % 97 AS DOUBLE) AS score")
              .repartition(6);
      lake.replacePartition(
          rows.withColumn("as_of_date", functions.lit(java.sql.Date.valueOf(date))),
          "snapshots",
          "as_of_date",
          date);
    }
    for (int run = 0; run < 5; run++) {
      lake.append(
          spark.sql("SELECT 'run" + run + "' AS run_id, " + run + " AS rows_out"), "run_log");
    }
    // as segpipe created tables before 2026-12-05: every column but the id listed for statistics
    spark
        .range(30)
        .selectExpr("concat('C', id) AS customer_id", "CAST(id AS DOUBLE) AS score")
        .repartition(3)
        .write()
        .format("delta")
        .option("delta.dataSkippingStatsColumns", "score")
        .save(lake.path("legacy"));
    for (int batch = 0; batch < 2; batch++) {
      lake.append(
          spark
              .range(40)
              .selectExpr(
                  "concat('e" + batch + "-', id) AS event_id",
                  "date_add(DATE'2024-12-01', CAST(id % 4 AS INT)) AS event_date"),
          "daily",
          "event_date");
    }
  }

  private static int maintain(String... extra) {
    List<String> argv =
        new java.util.ArrayList<>(
            List.of("--as-of", "2024-12-31", "--conf", "segpipe.lake.root=" + root));
    argv.addAll(List.of(extra));
    return new MaintainJob().execute(argv.toArray(String[]::new));
  }

  private static long currentFiles(String table) {
    return DeltaTable.forPath(spark, lake.path(table))
        .detail()
        .select("numFiles")
        .first()
        .getLong(0);
  }

  private static long parquetFilesOnDisk(String table) throws IOException {
    try (Stream<Path> files = Files.walk(Path.of(root, table))) {
      return files.filter(p -> p.toString().endsWith(".parquet")).count();
    }
  }

  /** The statistics Delta logged for each file the table holds now. */
  private static List<String> currentStatistics(String table) {
    Set<String> current =
        Arrays.stream(spark.read().format("delta").load(lake.path(table)).inputFiles())
            .map(f -> f.substring(f.lastIndexOf('/') + 1))
            .collect(Collectors.toSet());
    return spark
        .read()
        .json(lake.path(table) + "/_delta_log/*.json")
        .where("add IS NOT NULL")
        .select("add.path", "add.stats")
        .collectAsList()
        .stream()
        .filter(
            r -> current.contains(r.getString(0).substring(r.getString(0).lastIndexOf('/') + 1)))
        .map(r -> r.getString(1))
        .toList();
  }

  private static void assertOnlyRowCounts(String table) {
    List<String> statistics = currentStatistics(table);
    assertFalse(statistics.isEmpty(), table);
    for (String s : statistics) {
      assertTrue(s.matches("\\{\"numRecords\":\\d+}"), table + ": " + s);
    }
  }

  /** The rows of the kept dates, sorted: what must not change. */
  private static List<Row> kept() {
    return spark
        .read()
        .format("delta")
        .load(lake.path("snapshots"))
        .where("as_of_date >= DATE'2024-10-31'")
        .orderBy("as_of_date", "customer_id")
        .collectAsList();
  }

  @Test
  void retentionCompactionAndVacuumLeaveTheKeptSnapshotsAsTheyWere() throws IOException {
    // a vacuum below Delta's floor needs the explicit flag, and says what it costs
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, maintain("--conf", "segpipe.retention.vacuum-hours=0"));
    } finally {
      System.setErr(original);
    }
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        message.contains("segpipe.retention.vacuum-hours = 0")
            && message.contains("--allow-short-retention")
            && message.contains("time travel"),
        message);

    // Tables with a customer id keep no column statistics, only row counts: new ones from the
    // start, older ones from the first maintain on; tables without ids keep Delta's.
    assertOnlyRowCounts("snapshots");
    assertTrue(currentStatistics("legacy").stream().allMatch(s -> s.contains("minValues")));
    assertTrue(currentStatistics("run_log").stream().allMatch(s -> s.contains("minValues")));

    List<Row> before = kept();
    Map<String, Long> files =
        Map.of(
            "snapshots",
            currentFiles("snapshots"),
            "run_log",
            currentFiles("run_log"),
            "daily",
            currentFiles("daily"));
    assertEquals(24, files.get("snapshots"));
    assertTrue(parquetFilesOnDisk("snapshots") >= 24);

    // 62 days back from 2024-12-31: 2024-10-31 is the first kept
    assertEquals(
        0,
        maintain(
            "--conf",
            "segpipe.retention.snapshot-days=62",
            "--conf",
            "segpipe.retention.vacuum-hours=0",
            "--allow-short-retention"));
    assertEquals(before, kept(), "the kept snapshots hold the same rows");
    assertEquals(
        List.of("2024-10-31", "2024-11-30", "2024-12-31"),
        spark
            .read()
            .format("delta")
            .load(lake.path("snapshots"))
            .select(functions.col("as_of_date").cast("string"))
            .distinct()
            .orderBy("as_of_date")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList());
    assertOnlyRowCounts("snapshots");
    assertOnlyRowCounts("legacy");
    assertEquals(1, currentFiles("legacy"), "compacted after the property changed");
    Map<String, String> properties =
        DeltaTable.forPath(spark, lake.path("legacy"))
            .detail()
            .select("properties")
            .first()
            .getJavaMap(0);
    assertEquals("0", properties.get("delta.dataSkippingNumIndexedCols"), properties.toString());
    assertFalse(properties.containsKey("delta.dataSkippingStatsColumns"), properties.toString());
    assertTrue(currentStatistics("run_log").stream().allMatch(s -> s.contains("minValues")));
    assertEquals(3, currentFiles("snapshots"), "one file per kept date");
    assertEquals(1, currentFiles("run_log"), "the one-row appends in one file");
    assertEquals(4, currentFiles("daily"), "one file per date");
    assertEquals(
        4,
        spark
            .read()
            .format("delta")
            .load(lake.path("daily"))
            .select("event_date")
            .distinct()
            .count());
    assertEquals(80, spark.read().format("delta").load(lake.path("daily")).count());
    // vacuumed: no file of an older version is left on disk, none of the deleted date
    assertEquals(3, parquetFilesOnDisk("snapshots"));
    assertEquals(1, parquetFilesOnDisk("run_log"));
    try (Stream<Path> left = Files.walk(Path.of(root, "snapshots"))) {
      assertTrue(
          left.noneMatch(
              p ->
                  p.toString().contains("as_of_date=2024-09-30")
                      && p.toString().endsWith(".parquet")));
    }
    Row run =
        spark
            .read()
            .format("delta")
            .load(lake.path("run_metrics"))
            .where("job = 'maintain' AND status = 'succeeded'")
            .select("message")
            .first();
    assertTrue(
        run.getString(0).contains("1 snapshots deleted (kept from 2024-10-31)"), run.getString(0));
  }
}

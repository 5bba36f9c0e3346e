package io.segpipe.jobs.ops;

import static io.segpipe.jobs.ops.OpsData.AS_OF;
import static io.segpipe.jobs.ops.OpsData.CUTOFF;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input meets a lake that already holds tables (a copy of the small generated lake): a missing
 * input table, a corrupt Parquet file, an empty source, a source with a column the mapping does not
 * know and one without a column it needs. Each run says what is wrong, where, and what to do,
 * without a stack trace; every existing table keeps its Delta version (so its content); the run is
 * recorded in run_metrics, failed where it failed.
 */
@ExtendWith(SharedSpark.class)
class InputFaultsTest {
  private static SparkSession spark;
  private static Path dir;
  private static Path lake;

  /** Events of the generated export that the lake already holds, as the export wrote them. */
  private static Path source;

  private static long sourceRows;
  private static Map<String, Long> versions;

  @BeforeAll
  static void lakeAndSource(SparkSession session) throws IOException {
    spark = session;
    dir = TestFolders.folder("segpipe-input-faults");
    lake =
        OpsData.lakeCopy(
            dir.resolve("lake"),
            Tables.EVENTS.name(),
            Tables.CUSTOMER_DAILY.name(),
            Tables.CUSTOMERS.name(),
            Tables.CUSTOMER_FEATURES.name(),
            Tables.RFM_BOUNDARIES.name());
    source = dir.resolve("source");
    Dataset<Row> held = LakeTables.read(spark, lake, Tables.EVENTS.name()).select("event_id");
    spark
        .read()
        .parquet(OpsData.generated("events").toString())
        .join(held, "event_id", "left_semi")
        .orderBy("event_id")
        .limit(300)
        .coalesce(1)
        .write()
        .parquet(source.toString());
    sourceRows = spark.read().parquet(source.toString()).count();
    versions = LakeTables.versions(spark, lake);
  }

  /**
   * Every table the lake held keeps its version: nothing was committed to it (run_metrics aside).
   */
  @AfterEach
  void existingTablesUnchanged() {
    versions.forEach(
        (table, version) -> assertEquals(version, LakeTables.version(spark, lake, table), table));
  }

  private static JobRun ingest(Path from, String... more) {
    String[] args = {
      "--source",
      from.toString(),
      "--mapping",
      "generator",
      "--conf",
      "segpipe.lake.root=" + lake,
      "--conf",
      CUTOFF
    };
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return JobRun.of(() -> new IngestJob().execute(all));
  }

  /**
   * A user error: exit code 2, the message on stderr without a stack trace, and a failed
   * run_metrics row.
   */
  private static void assertFailedClearly(
      JobRun run, Path lakeRoot, String job, String... phrases) {
    assertEquals(2, run.code(), run.toString());
    for (String phrase : phrases) {
      assertTrue(run.err().contains(phrase), "'" + phrase + "' in:\n" + run.err());
    }
    assertFalse(run.err().contains("\tat "), "no stack trace:\n" + run.err());
    Row metrics = OpsData.lastRun(spark, lakeRoot);
    assertEquals(job, metrics.getAs("job"));
    assertEquals("failed", metrics.getAs("status"));
    assertTrue(run.err().contains(metrics.<String>getAs("message")), metrics + "\n" + run.err());
  }

  @Test
  void aMissingInputTableSaysWhichAndWhatMakesIt() {
    Path other =
        OpsData.lakeCopy(dir.resolve("lake-without-events"), Tables.CUSTOMER_FEATURES.name());
    long version = LakeTables.version(spark, other, Tables.CUSTOMER_FEATURES.name());
    JobRun run =
        JobRun.of(
            () ->
                new FeaturesJob()
                    .execute("--as-of", AS_OF, "--conf", "segpipe.lake.root=" + other));
    assertFailedClearly(
        run,
        other,
        "features",
        "Table events does not exist at " + other.resolve(Tables.EVENTS.name()),
        "Run `scripts/segpipe ingest` first");
    assertEquals(version, LakeTables.version(spark, other, Tables.CUSTOMER_FEATURES.name()));
  }

  @Test
  void aCorruptParquetFileIsNamed() throws IOException {
    Path corrupt = dir.resolve("corrupt-source");
    copyFolder(source, corrupt);
    Path bad = corrupt.resolve("part-99999-truncated.snappy.parquet");
    Files.write(bad, "PAR1 a transfer that stopped half-way".getBytes());
    JobRun run = ingest(corrupt);
    assertFailedClearly(
        run,
        lake,
        "ingest",
        "Source file " + bad + " cannot be read as parquet",
        "events was not changed",
        "Replace that file");
  }

  @Test
  void anEmptySourceIngestsNothingAndAnEmptyFolderIsAnError() throws IOException {
    Path noRows = dir.resolve("no-rows");
    spark.read().parquet(source.toString()).limit(0).write().parquet(noRows.toString());
    JobRun run = ingest(noRows);
    assertEquals(0, run.code(), run.toString());
    assertTrue(
        run.out().contains("source " + noRows + " is empty: nothing ingested, events unchanged"),
        run.out());
    Row metrics = OpsData.lastRun(spark, lake);
    assertEquals("succeeded", metrics.getAs("status"));
    assertEquals(0L, (long) metrics.getAs("rows_in"));

    Path emptyFolder = Files.createDirectories(dir.resolve("empty-folder"));
    assertFailedClearly(
        ingest(emptyFolder),
        lake,
        "ingest",
        "Source " + emptyFolder + " is an empty folder",
        "nothing to ingest");
  }

  @Test
  void aColumnTheMappingDoesNotKnowIsNamedAndIgnored() {
    Path wider = dir.resolve("wider-source");
    spark
        .read()
        .parquet(source.toString())
        .withColumn("promo_code", lit("SPRING24"))
        .write()
        .parquet(wider.toString());
    JobRun run = ingest(wider);
    assertEquals(0, run.code(), run.toString());
    Row metrics = OpsData.lastRun(spark, lake);
    assertEquals("succeeded", metrics.getAs("status"));
    assertEquals(
        "promo_code",
        metrics
            .<String, String>getJavaMap(metrics.fieldIndex("details"))
            .get("unused_source_columns"));
    assertEquals(
        sourceRows, (long) metrics.getAs("rows_duplicate"), "every event was already in events");
    assertEquals(0L, (long) metrics.getAs("rows_out"));
  }

  @Test
  void aMissingColumnIsNamedWithTheMappingLineThatNeedsIt() {
    Path narrower = dir.resolve("narrower-source");
    spark.read().parquet(source.toString()).drop("channel").write().parquet(narrower.toString());
    JobRun run = ingest(narrower);
    assertFailedClearly(
        run,
        lake,
        "ingest",
        "does not fit the source",
        "columns.channel = channel",
        "The source has the columns [event_id, event_time, customer_id, event_type",
        "Fix the mapping or point --source at the right files");
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}

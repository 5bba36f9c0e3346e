package io.segpipe.jobs.ops;

import static io.segpipe.jobs.ops.OpsData.CUTOFF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.Scripts;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.features.FeatureSnapshot;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.ingest.IngestJob;
import io.segpipe.jobs.train.GeneratedLake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults a job process meets from outside, with the ingest and features jobs submitted through
 * scripts/segpipe: killed with SIGKILL in the middle of writing, and run twice at once. For ingest
 * the lake holds 1,000 events of the generated export and the runs ingest 2,000 (those and 1,000
 * more); for features it holds the generated lake's snapshots and the runs replace the one of
 * 2024-12-31. Each write makes one Parquet file per row (spark.sql.files.maxRecordsPerFile = 1), so
 * it lasts seconds rather than milliseconds: long enough to be caught in the act, and for two runs
 * to overlap.
 */
@ExtendWith(SharedSpark.class)
class JobProcessFaultsIT {
  private static final String TABLE = Tables.EVENTS.name();

  private static SparkSession spark;
  private static Path shared;
  private static Path half;
  private static Path all;

  /** A lake holding the events of {@link #half}; each test writes to a copy. */
  private static Path base;

  private static long expected;

  @TempDir Path dir;

  @BeforeAll
  static void sourcesAndLake(SparkSession session) throws IOException {
    spark = session;
    shared = TestFolders.folder("segpipe-process-faults");
    // Rows of the generated export that ingest keeps (the built lake holds them): none is
    // quarantined.
    Dataset<Row> kept =
        LakeTables.read(spark, OpsData.built().resolve("lake"), TABLE).select("event_id");
    Dataset<Row> export =
        spark
            .read()
            .parquet(OpsData.generated("events").toString())
            .join(kept, "event_id", "left_semi")
            .orderBy("event_id")
            .limit(2000);
    half = shared.resolve("half");
    all = shared.resolve("all");
    export.limit(1000).coalesce(1).write().parquet(half.toString());
    export.coalesce(2).write().parquet(all.toString());
    expected = spark.read().parquet(all.toString()).select("event_id").distinct().count();
    base = shared.resolve("base").resolve("lake");
    assertEquals(0, ingest(half, base));
  }

  private static int ingest(Path source, Path lake) {
    return new IngestJob()
        .execute(
            "--source",
            source.toString(),
            "--mapping",
            "generator",
            "--conf",
            "segpipe.lake.root=" + lake,
            "--conf",
            CUTOFF);
  }

  private Process submitIngest(Path lake, String name) {
    return Scripts.start(
        dir.resolve(name + ".log"),
        "segpipe",
        "ingest",
        "--master",
        "local[2]",
        "--source",
        all.toString(),
        "--mapping",
        "generator",
        "--conf",
        "segpipe.lake.root=" + lake,
        "--conf",
        CUTOFF,
        "--spark-conf",
        "spark.sql.files.maxRecordsPerFile=1");
  }

  private Path lakeCopy() {
    return GeneratedLake.copyLake(
        base.getParent(), dir.resolve("lake"), List.of(TABLE, Tables.RUN_METRICS.name()));
  }

  @Test
  void aRunKilledWhileWritingLeavesThePreviousVersionAndARerunCompletes() throws Exception {
    Path lake = lakeCopy();
    Path table = lake.resolve(TABLE);
    long version = LakeTables.version(spark, lake, TABLE);
    long runsBefore = LakeTables.read(spark, lake, Tables.RUN_METRICS.name()).count();
    Set<Path> filesBefore = dataFiles(table);

    Set<Path> written =
        killWhileWriting(
            submitIngest(lake, "killed"), table, filesBefore, version, dir.resolve("killed.log"));

    // The files it wrote stay on disk, outside the table: readers still see the previous version,
    // whole.
    assertEquals(version, lastCommit(table), "no commit after the kill");
    assertEquals(version, LakeTables.version(spark, lake, TABLE));
    Set<Path> leftover = new HashSet<>(dataFiles(table));
    leftover.removeAll(filesBefore);
    assertTrue(
        leftover.containsAll(written) && !written.isEmpty(),
        "the partial files are on disk: " + leftover.size());
    Dataset<Row> current = LakeTables.read(spark, lake, TABLE);
    Set<Path> visible =
        Arrays.stream(current.inputFiles())
            .map(f -> Path.of(URI.create(f)))
            .collect(Collectors.toSet());
    assertTrue(
        visible.stream().noneMatch(leftover::contains), "no partial file is part of the table");
    LakeTables.assertSameRows(
        TABLE + " after the kill", LakeTables.readVersion(spark, lake, TABLE, version), current);

    // Running it again completes: every event of the source once, in one new version; one run
    // recorded.
    assertEquals(0, ingest(all, lake));
    assertEquals(version + 1, LakeTables.version(spark, lake, TABLE));
    Dataset<Row> events = LakeTables.read(spark, lake, TABLE);
    assertEquals(expected, events.count());
    assertEquals(
        0,
        spark
            .read()
            .parquet(all.toString())
            .select("event_id")
            .except(events.select("event_id"))
            .count());
    List<Row> runs =
        LakeTables.read(spark, lake, Tables.RUN_METRICS.name())
            .orderBy("finished_at")
            .collectAsList();
    assertEquals(
        runsBefore + 1,
        runs.size(),
        "the killed run recorded nothing, the re-run its success: " + runs);
    Row rerun = runs.get(runs.size() - 1);
    assertEquals("succeeded", rerun.getAs("status"));
    assertEquals(expected - 1000, (long) rerun.getAs("rows_out"));
  }

  @Test
  void twoRunsAtOnceNeverDuplicateOrCorruptTheTable() throws Exception {
    Path lake = lakeCopy();
    long version = LakeTables.version(spark, lake, TABLE);
    Process first = submitIngest(lake, "first");
    Process second = submitIngest(lake, "second");
    int firstCode = exitCode(first, dir.resolve("first.log"));
    int secondCode = exitCode(second, dir.resolve("second.log"));

    // Whatever the order of the commits, each event is in the table once.
    Dataset<Row> events = LakeTables.read(spark, lake, TABLE);
    assertEquals(expected, events.count(), "exit codes " + firstCode + ", " + secondCode);
    assertEquals(expected, events.select("event_id").distinct().count());
    List<Row> runs =
        LakeTables.read(spark, lake, Tables.RUN_METRICS.name())
            .where(
                col("finished_at")
                    .gt(
                        LakeTables.read(spark, base, Tables.RUN_METRICS.name())
                            .agg(max("finished_at"))
                            .first()
                            .getTimestamp(0)))
            .orderBy("status")
            .collectAsList();
    assertEquals(2, runs.size(), "both runs recorded: " + runs);
    if (firstCode == 0 && secondCode == 0) {
      System.out.println(
          "JobProcessFaultsIT: the two runs serialised: the second found the first's events");
      assertEquals(
          expected - 1000,
          runs.stream().mapToLong(r -> r.getAs("rows_out")).sum(),
          runs.toString());
      return;
    }
    assertEquals(
        2,
        firstCode + secondCode,
        "one run succeeded and the other failed with exit code 2: "
            + firstCode
            + ", "
            + secondCode);
    System.out.println("JobProcessFaultsIT: the two runs overlapped; one was refused");
    String loserLog = Scripts.read(dir.resolve(firstCode == 2 ? "first.log" : "second.log"));
    String told = "segpipe ingest: Another run wrote events at the same time as this one";
    assertTrue(
        loserLog.lines().anyMatch(line -> line.startsWith(told)),
        "the failed run says another run wrote the table:\n" + loserLog);
    assertTrue(loserLog.contains("run the job again once the other has finished"), loserLog);
    assertEquals(
        version + 1,
        LakeTables.version(spark, lake, TABLE),
        "one commit: the run that got through");
    Row failed = runs.get(0);
    assertEquals("failed", failed.getAs("status"));
    assertTrue(
        failed.<String>getAs("message").startsWith(told.substring("segpipe ingest: ".length())),
        failed.toString());
    assertEquals("succeeded", runs.get(1).getAs("status"));
    assertEquals(expected - 1000, (long) runs.get(1).getAs("rows_out"));
  }

  /**
   * The features job killed while it replaces the partition of a date the table already holds:
   * readers still see that date's previous snapshot, whole (no file of the half-written one is part
   * of the table), and a re-run writes the same snapshot again in one new commit.
   */
  @Test
  void aFeaturesRunKilledWhileReplacingItsPartitionLeavesThePreviousSnapshot() throws Exception {
    Path lake = featuresLake();
    Path table = lake.resolve(Tables.CUSTOMER_FEATURES.name());
    long version = LakeTables.version(spark, lake, Tables.CUSTOMER_FEATURES.name());
    Dataset<Row> previous =
        asOf(LakeTables.readVersion(spark, lake, Tables.CUSTOMER_FEATURES.name(), version));
    assertTrue(previous.count() > 300, "the lake holds the snapshot of " + OpsData.AS_OF);
    Set<Path> filesBefore = dataFiles(table);

    Set<Path> written =
        killWhileWriting(
            submitFeatures(lake, "features-killed"),
            table,
            filesBefore,
            version,
            dir.resolve("features-killed.log"));

    assertEquals(version, lastCommit(table), "no commit after the kill");
    Dataset<Row> current = LakeTables.read(spark, lake, Tables.CUSTOMER_FEATURES.name());
    Set<Path> visible =
        Arrays.stream(current.inputFiles())
            .map(f -> Path.of(URI.create(f)))
            .collect(Collectors.toSet());
    assertTrue(
        visible.stream().noneMatch(written::contains),
        "no file of the killed run is part of the table");
    LakeTables.assertSameRows(OpsData.AS_OF + " after the kill", previous, asOf(current));
    LakeTables.assertSameRows(
        "every snapshot after the kill",
        LakeTables.readVersion(spark, lake, Tables.CUSTOMER_FEATURES.name(), version),
        current);

    assertEquals(
        0,
        new FeaturesJob().execute("--as-of", OpsData.AS_OF, "--conf", "segpipe.lake.root=" + lake));
    assertEquals(
        version + 1,
        LakeTables.version(spark, lake, Tables.CUSTOMER_FEATURES.name()),
        "the re-run's one commit");
    LakeTables.assertSameRows(
        OpsData.AS_OF + " re-run",
        previous,
        asOf(LakeTables.read(spark, lake, Tables.CUSTOMER_FEATURES.name())));
  }

  /**
   * Two features runs for the same date at once: the date's snapshot is in the table once, as it
   * should be, whatever the order of the commits; a refused run says which table and date another
   * run wrote.
   */
  @Test
  void twoFeaturesRunsForTheSameDateAtOnceLeaveOneSnapshot() throws Exception {
    Path lake = featuresLake();
    Dataset<Row> previous =
        asOf(LakeTables.read(spark, lake, Tables.CUSTOMER_FEATURES.name())).localCheckpoint();
    Process first = submitFeatures(lake, "features-first");
    Process second = submitFeatures(lake, "features-second");
    int firstCode = exitCode(first, dir.resolve("features-first.log"));
    int secondCode = exitCode(second, dir.resolve("features-second.log"));

    LakeTables.assertSameRows(
        OpsData.AS_OF + " after two runs (exit codes " + firstCode + ", " + secondCode + ")",
        previous,
        asOf(LakeTables.read(spark, lake, Tables.CUSTOMER_FEATURES.name())));
    if (firstCode == 0 && secondCode == 0) {
      System.out.println("JobProcessFaultsIT: the two features runs serialised");
      return;
    }
    assertEquals(
        2, firstCode + secondCode, "one run succeeded and the other failed with exit code 2");
    System.out.println("JobProcessFaultsIT: the two features runs overlapped; one was refused");
    String loserLog =
        Scripts.read(dir.resolve(firstCode == 2 ? "features-first.log" : "features-second.log"));
    Pattern told =
        Pattern.compile(
            "segpipe features: Another run wrote ("
                + Tables.CUSTOMER_FEATURES.name()
                + "|"
                + Tables.RFM_BOUNDARIES.name()
                + ") for as_of_date = "
                + OpsData.AS_OF
                + " at the same time as this one.*");
    assertTrue(
        loserLog.lines().anyMatch(line -> told.matcher(line).matches()),
        "the refused run says so:\n" + loserLog);
    Row failed =
        LakeTables.read(spark, lake, Tables.RUN_METRICS.name())
            .where("job = 'features' and status = 'failed'")
            .first();
    assertTrue(failed.<String>getAs("message").startsWith("Another run wrote"), failed.toString());
  }

  private Path featuresLake() {
    return GeneratedLake.copyLake(
        OpsData.built(),
        dir.resolve("features-lake"),
        List.of(
            Tables.EVENTS.name(),
            Tables.CUSTOMER_DAILY.name(),
            Tables.CUSTOMERS.name(),
            Tables.CUSTOMER_FEATURES.name(),
            Tables.RFM_BOUNDARIES.name(),
            Tables.RUN_METRICS.name()));
  }

  private Process submitFeatures(Path lake, String name) {
    return Scripts.start(
        dir.resolve(name + ".log"),
        "segpipe",
        "features",
        "--master",
        "local[2]",
        "--as-of",
        OpsData.AS_OF,
        "--conf",
        "segpipe.lake.root=" + lake,
        "--spark-conf",
        "spark.sql.files.maxRecordsPerFile=1");
  }

  private static Dataset<Row> asOf(Dataset<Row> features) {
    return features.where(
        col(FeatureSnapshot.PARTITION).equalTo(functions.lit(OpsData.AS_OF).cast("date")));
  }

  private static int exitCode(Process run, Path log) throws InterruptedException {
    if (!run.waitFor(5, TimeUnit.MINUTES)) {
      run.destroyForcibly().waitFor();
      fail("the run did not end within 5 min:\n" + Scripts.tail(log));
    }
    int code = run.exitValue();
    if (code != 0 && code != 2) {
      fail("exit code " + code + ":\n" + Scripts.tail(log));
    }
    return code;
  }

  /**
   * Kills the run with SIGKILL as soon as it has written data files the table did not have, before
   * its commit (the table is still at {@code version}), and returns those files.
   */
  private static Set<Path> killWhileWriting(
      Process run, Path table, Set<Path> before, long version, Path log) throws Exception {
    Set<Path> written = awaitNewDataFiles(run, table, before, log);
    assertEquals(version, lastCommit(table), "caught writing: data files, no commit yet");
    assertEquals(0, new ProcessBuilder("kill", "-9", String.valueOf(run.pid())).start().waitFor());
    assertTrue(run.waitFor(30, TimeUnit.SECONDS), "the killed run ended");
    assertEquals(137, run.exitValue(), "ended by SIGKILL");
    return written;
  }

  /** Waits until the run has written data files the table did not have, and returns them. */
  private static Set<Path> awaitNewDataFiles(Process run, Path table, Set<Path> before, Path log)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (!run.isAlive()) {
        fail(
            "the run ended (exit code "
                + run.exitValue()
                + ") before it was caught writing:\n"
                + Scripts.tail(log));
      }
      try {
        Set<Path> now = dataFiles(table);
        now.removeAll(before);
        if (!now.isEmpty()) {
          return now;
        }
      } catch (UncheckedIOException e) {
        // a file went away while the folder was listed (a checksum file renamed): look again
      }
      Thread.sleep(2);
    }
    run.destroyForcibly();
    fail("the run wrote no data file within 3 min:\n" + Scripts.tail(log));
    return Set.of();
  }

  /** The Parquet files under a table's folder, its log left out. */
  private static Set<Path> dataFiles(Path table) {
    try (Stream<Path> files = Files.walk(table)) {
      return files
          .filter(
              p ->
                  p.getFileName().toString().endsWith(".parquet")
                      && !p.toString().contains("_delta_log"))
          .collect(Collectors.toCollection(HashSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest commit in the table's _delta_log, read from the folder (not through Delta). */
  private static long lastCommit(Path table) {
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
          .max()
          .orElse(-1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

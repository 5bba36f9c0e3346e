package io.segpipe.jobs.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.Required;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest job cannot write its output: the events folder is read-only, or a file stands where
 * the table folder should be. The run fails with a message naming the path and what to check, exit
 * code 2, the existing tables keep their version and content, and where the lake is writable
 * run_metrics has the failed run.
 *
 * <p>A read-only folder is made with chmod; tests often run as root, whom chmod does not stop, so
 * there it is made immutable with {@code chattr +i} (root may do that on ext4 and most Linux file
 * systems). Where neither stops a write the read-only case is skipped (a failure on CI).
 */
@ExtendWith(SharedSpark.class)
class OutputPermissionTest {
  @TempDir Path dir;

  /** 300 events of the generated export under new ids: events the lake does not hold yet. */
  private Path newEvents(SparkSession spark) {
    Path source = dir.resolve("new-events");
    spark
        .read()
        .parquet(OpsData.generated("events").toString())
        .orderBy("event_id")
        .limit(300)
        .withColumn("event_id", concat(lit("new-"), col("event_id")))
        .coalesce(1)
        .write()
        .parquet(source.toString());
    return source;
  }

  private static JobRun ingest(Path source, Path lake) {
    return JobRun.of(
        () ->
            new IngestJob()
                .execute(
                    "--source",
                    source.toString(),
                    "--mapping",
                    "generator",
                    "--conf",
                    "segpipe.lake.root=" + lake,
                    "--conf",
                    OpsData.CUTOFF));
  }

  private static void assertToldClearly(JobRun run, Path named) {
    assertEquals(2, run.code(), run.toString());
    assertTrue(
        run.err().contains("segpipe ingest: The storage refused a read or write: "), run.err());
    assertTrue(run.err().contains(named.toString()), "names the folder: " + run.err());
    assertTrue(run.err().contains("segpipe.lake.root"), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace:\n" + run.err());
  }

  @Test
  void aReadOnlyTableFolderFailsTheRunAndTheTableKeepsItsVersion(SparkSession spark)
      throws Exception {
    Path source = newEvents(spark);
    Path lake = OpsData.lakeCopy(dir.resolve("lake"), Tables.EVENTS.name());
    Path table = lake.resolve(Tables.EVENTS.name());
    long version = LakeTables.version(spark, lake, Tables.EVENTS.name());
    String how = makeReadOnly(table);
    JobRun run;
    try {
      run = ingest(source, lake);
    } finally {
      makeWritable(table);
    }
    assertToldClearly(run, table);
    assertTrue(
        run.err()
            .contains(how.startsWith("chmod") ? "Permission denied" : "Operation not permitted"),
        how + ": " + run.err());

    assertEquals(version, LakeTables.version(spark, lake, Tables.EVENTS.name()));
    LakeTables.assertSameRows(
        Tables.EVENTS.name(),
        LakeTables.readVersion(spark, lake, Tables.EVENTS.name(), version),
        LakeTables.read(spark, lake, Tables.EVENTS.name()));
    Row metrics = OpsData.lastRun(spark, lake);
    assertEquals("failed", metrics.getAs("status"));
    assertTrue(
        metrics.<String>getAs("message").startsWith("The storage refused a read or write"),
        metrics.toString());
  }

  @Test
  void aFileWhereTheTableFolderShouldBeFailsTheRun(SparkSession spark) throws IOException {
    Path source = newEvents(spark);
    Path lake = Files.createDirectories(dir.resolve("lake"));
    Path notAFolder = lake.resolve(Tables.EVENTS.name());
    Files.writeString(notAFolder, "a file, not a table folder\n");
    JobRun run = ingest(source, lake);
    assertToldClearly(run, notAFolder);
    assertEquals("a file, not a table folder\n", Files.readString(notAFolder));
    Row metrics = OpsData.lastRun(spark, lake);
    assertEquals("ingest", metrics.getAs("job"));
    assertEquals("failed", metrics.getAs("status"));
  }

  /**
   * Makes a folder and everything in it read-only, in a way that stops this user; says which way.
   */
  private static String makeReadOnly(Path folder) throws Exception {
    run("chmod", "-R", "a-w", folder.toString());
    if (!writable(folder)) {
      return "chmod -R a-w";
    }
    run("chmod", "-R", "u+w", folder.toString());
    if (run("chattr", "-R", "+i", folder.toString()) == 0 && !writable(folder)) {
      return "chattr -R +i";
    }
    makeWritable(folder);
    String why =
        "neither chmod nor chattr +i stops this user ("
            + System.getProperty("user.name")
            + ") writing "
            + "to "
            + folder;
    Required.that(false, why);
    return "";
  }

  private static void makeWritable(Path folder) throws Exception {
    run("chattr", "-R", "-i", folder.toString());
    run("chmod", "-R", "u+w", folder.toString());
  }

  private static boolean writable(Path folder) {
    Path probe = folder.resolve("write-probe");
    try {
      Files.createFile(probe);
      Files.delete(probe);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      return -1; // the tool is not installed
    }
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}

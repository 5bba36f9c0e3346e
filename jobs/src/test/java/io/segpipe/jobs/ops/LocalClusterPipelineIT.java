package io.segpipe.jobs.ops;

import static io.segpipe.jobs.ops.OpsData.AS_OF;
import static io.segpipe.jobs.ops.OpsData.CUTOFF;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.LocalCluster;
import io.segpipe.common.test.Scripts;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.generate.GenerateJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole pipeline as a user submits it (scripts/segpipe pipeline, the bundle jar) on the small
 * generated data set (400 people, seed 5, as the operations tests' lake, here with the generator's
 * identities: emails, devices, loyalty cards, second store accounts) with identity stitching on, so
 * every job after ingest works per profile; first on an embedded local Spark, then again for the
 * same date on a real standalone cluster started with scripts/local-cluster (a master and two
 * workers on 127.0.0.1, executors in their own JVMs, 16 shuffle partitions against local.conf's 8).
 * The cluster runs on a copy of the local lake without its events table: it ingests the events
 * afresh and re-runs every other job on tables that already hold that date. Every Delta table found
 * under the lakes must then hold the same rows: events as the local run wrote them, each snapshot
 * table its date replaced with the same rows (its history showing both runs), the per-run logs
 * (run_metrics, model_runs, events_quarantine) the local run's rows and the same rows again under
 * the cluster run's ids. So one cluster run checks that the cluster computes what local Spark
 * computes and that re-running a date changes nothing.
 *
 * <p>The tables are discovered, not listed, so the checks cover the pipeline's steps as they are.
 */
@ExtendWith(SharedSpark.class)
class LocalClusterPipelineIT {
  /**
   * What the pipeline writes today (ingest, features, train); later steps add tables, found the
   * same way.
   */
  private static final List<String> AT_LEAST =
      List.of(
          "events",
          "customers",
          "identity_map",
          "identity_quarantine",
          "customer_features",
          "rfm_boundaries",
          "model_runs",
          "run_metrics");

  /** The HMAC key for the generated identifiers: a test's, not a secret. */
  private static final Map<String, String> KEY =
      Map.of("SEGPIPE_IDENTITY_KEY", "local-cluster-pipeline-it-key-0123456789");

  private static SparkSession spark;
  private static Path dir;
  private static Path localLake;
  private static Path generated;
  private static LocalCluster cluster;

  @BeforeAll
  static void runThePipelineLocally(SparkSession session) throws IOException {
    spark = session;
    dir = TestFolders.folder("segpipe-pipeline-it");
    localLake = dir.resolve("lake-local");
    generated = dir.resolve("generated");
    assertEquals(
        0,
        new GenerateJob()
            .execute(
                "--output",
                generated.toString(),
                "--customers",
                "400",
                "--seed",
                "5",
                "--identities",
                "0.1",
                "--conf",
                "segpipe.lake.root=" + dir.resolve("generate-lake")),
        "generate");
    submitPipeline(
        dir.resolve("pipeline-local.log"),
        "--master",
        "local[2]",
        "--conf",
        "segpipe.lake.root=" + localLake);
  }

  @AfterAll
  static void stopTheCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * scripts/segpipe pipeline for the generated data set as of {@link OpsData#AS_OF}, with {@code
   * more}.
   */
  private static void submitPipeline(Path log, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "pipeline",
                "--as-of",
                AS_OF,
                "--source",
                generated.resolve("events").toString(),
                "--mapping",
                "generator",
                "--customers",
                generated.resolve("customers").toString(),
                "--conf",
                CUTOFF,
                "--conf",
                "segpipe.identity.enabled=true",
                // k from 3..4 rather than 3..8: the same model code, two fits fewer per k searched
                "--conf",
                "segpipe.train.k-max=4",
                // one training cut-off, the tree and the BG/NBD baseline: the candidates' figures
                // and the ensembles'
                // sameness on other partition layouts are TrainJobTest's; here the same output from
                // executor JVMs
                "--conf",
                "segpipe.train.churn.training-cut-offs=1",
                "--conf",
                "segpipe.train.churn.candidates=[tree,bgnbd]"));
    args.addAll(Arrays.asList(more));
    Scripts.succeed(log, KEY, 20, "segpipe", args.toArray(String[]::new));
  }

  @Test
  void aClusterReRunOfTheDateLeavesEveryTableHoldingTheSameRows() throws IOException {
    List<String> tables = LakeTables.find(localLake);
    assertTrue(tables.containsAll(AT_LEAST), "tables found: " + tables);
    List<String> localRuns = LakeTables.runIds(spark, localLake);
    assertStitched();
    Path clusterLake = dir.resolve("lake-cluster");
    // events and what is derived from it alone: the cluster run ingests and aggregates them again
    copyExcept(localLake, clusterLake, List.of(Tables.EVENTS.name(), Tables.CUSTOMER_DAILY.name()));

    cluster = LocalCluster.start(dir.resolve("cluster"));
    String status = cluster.status(dir.resolve("status.log"));
    assertTrue(status.startsWith("exit 0"), status);
    assertTrue(status.contains("master: " + cluster.masterUrl()), status);
    assertTrue(
        status.contains("worker-1: running") && status.contains("worker-2: running"), status);
    assertTrue(status.contains("workers registered with the master so far: 2"), status);
    submitPipeline(
        dir.resolve("pipeline-cluster.log"),
        "--master",
        cluster.masterUrl(),
        "--total-executor-cores",
        "2",
        "--spark-conf",
        "spark.sql.shuffle.partitions=16",
        // as docs/running.md advises for a cluster's executors (the driver's is scripts/segpipe's)
        "--spark-conf",
        "spark.executor.extraJavaOptions=-XX:+UseParallelGC",
        "--conf",
        "segpipe.lake.root=" + clusterLake);
    // The tasks ran in executor JVMs the workers started, one on each worker.
    for (String worker : List.of("work-1", "work-2")) {
      String executorLog = executorStderr(cluster.dir().resolve(worker));
      assertTrue(executorLog.contains("Finished task"), worker + " ran no task:\n" + executorLog);
    }
    cluster.close();
    assertFalse(cluster.anyAlive(), "the master and workers ended");
    String stopped = cluster.status(dir.resolve("status-stopped.log"));
    assertTrue(stopped.startsWith("exit 3") && stopped.contains("not running"), stopped);

    assertEquals(tables, LakeTables.find(clusterLake), "the same tables");
    List<String> allRuns = LakeTables.runIds(spark, clusterLake);
    Column clusterRun = col("run_id").isin(localRuns.toArray()).unary_$bang();
    for (String table : tables) {
      Dataset<Row> local =
          LakeTables.comparable(LakeTables.read(spark, localLake, table), localLake, localRuns);
      Dataset<Row> now = LakeTables.read(spark, clusterLake, table);
      if (Arrays.asList(now.columns()).contains("run_id")) {
        // A per-run log: the local run's rows as they were, and the same rows from the cluster run.
        LakeTables.assertSameRows(
            table + " (the local run's rows)",
            local,
            LakeTables.comparable(now.where(clusterRun.unary_$bang()), localLake, localRuns));
        LakeTables.assertSameRows(
            table + " (the cluster run's rows)",
            local,
            LakeTables.comparable(now.where(clusterRun), clusterLake, allRuns));
      } else {
        LakeTables.assertSameRows(table, local, LakeTables.comparable(now, clusterLake, allRuns));
      }
      if (Arrays.asList(now.columns()).contains("as_of_date")
          && !Arrays.asList(now.columns()).contains("run_id")) {
        // A snapshot table: its history shows both runs replacing the date's partition.
        long replacements =
            DeltaTable.forPath(spark, clusterLake.resolve(table).toString())
                .history()
                .where(
                    col("operation")
                        .equalTo("WRITE")
                        .and(col("operationParameters").getItem("predicate").contains(AS_OF)))
                .count();
        assertEquals(
            2, replacements, table + ": the local run and the cluster run each replaced " + AS_OF);
      }
    }
  }

  /**
   * The local run worked per profile: the generator's second accounts joined their people, and
   * customer_features holds one row per profile, under the profile's key.
   */
  private static void assertStitched() {
    long customerIds =
        spark
            .read()
            .parquet(generated.resolve("customers").toString())
            .select("customer_id")
            .distinct()
            .count();
    Dataset<Row> map =
        LakeTables.read(spark, localLake, Tables.IDENTITY_MAP.name())
            .where(col("as_of_date").equalTo(AS_OF));
    long profiles = map.select("customer_key").distinct().count();
    assertTrue(
        profiles < customerIds && profiles > customerIds * 9 / 10,
        customerIds + " customer ids stitched into " + profiles + " profiles");
    System.out.printf(
        "local run: %d customer ids stitched into %d profiles%n", customerIds, profiles);
    Dataset<Row> features =
        LakeTables.read(spark, localLake, Tables.CUSTOMER_FEATURES.name())
            .where(col("as_of_date").equalTo(AS_OF));
    assertEquals(
        0,
        features
            .join(map, features.col("customer_id").equalTo(map.col("customer_key")), "left_anti")
            .count(),
        "customer_features rows whose customer_id is no profile key");
    assertEquals(
        features.count(),
        features.select("customer_id").distinct().count(),
        "one customer_features row per profile");
  }

  private static void copyExcept(Path from, Path to, List<String> left) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path relative = from.relativize(p);
        if (left.stream().anyMatch(relative::startsWith)) {
          continue;
        }
        Path target = to.resolve(relative.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static String executorStderr(Path workDir) {
    try (Stream<Path> files = Files.walk(workDir)) {
      List<Path> logs = files.filter(p -> p.getFileName().toString().equals("stderr")).toList();
      assertFalse(logs.isEmpty(), "no executor was started in " + workDir);
      StringBuilder all = new StringBuilder();
      for (Path p : logs) {
        all.append(Files.readString(p));
      }
      return all.toString();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}

package io.segpipe.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.LocalCluster;
import io.segpipe.common.test.Scripts;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The endpoint as a company's platform runs it: its application jar
 * (target/segpipe-sql-endpoint.jar) submitted by a Spark distribution's bin/spark-submit (a
 * SPARK_HOME whose spark-submit is Spark's SparkSubmit with Spark, Hive and the Thrift Server on
 * its class path, and whose conf/spark-defaults.conf sets a probe value) to a standalone cluster
 * started by scripts/local-cluster. A JDBC client's aggregate over a Delta table is computed by the
 * cluster's executors, which run Delta's classes from the jar Spark shipped them, and equals
 * Spark's own reading of the table; the session has the platform's setting and the cluster's
 * master.
 */
@ExtendWith(SharedSpark.class)
class SqlEndpointClusterIT {
  private static final LocalDate AS_OF = LocalDate.parse("2024-12-31");

  @Test
  void theEndpointJarServesFromAStandaloneClusterUnderASparkHome(SparkSession spark)
      throws Exception {
    Path dir = TestFolders.folder("segpipe-endpoint-cluster");
    String root = dir.resolve("lake").toString();
    Lake lake = new Lake(spark, new LakeSettings(root, ""));
    lake.replacePartition(
        spark
            .range(0, 600)
            .selectExpr(
                "concat('C', id) AS customer_id",
                "element_at(array('champions', 'loyal', 'at_risk', 'lost'), CAST(id % 4 + 1 AS INT))"
                    + " AS rfm_segment",
                "CAST(id * 1.25 AS DECIMAL(18, 2)) AS monetary",
                "DATE'" + AS_OF + "' AS as_of_date")
            .repartition(4),
        "customer_segments",
        "as_of_date",
        AS_OF);
    List<List<String>> expected = new ArrayList<>();
    for (Row r :
        lake.read("customer_segments", "")
            .groupBy("rfm_segment")
            .agg(functions.count("*"), functions.sum("monetary"))
            .orderBy("rfm_segment")
            .collectAsList()) {
      expected.add(List.of(r.getString(0), String.valueOf(r.getLong(1)), r.get(2).toString()));
    }

    Path home =
        Scripts.sparkHome(
            dir.resolve("spark-home"),
            Scripts.projectRoot().resolve("sql-endpoint").resolve("target"),
            "endpoint-classpath.txt",
            List.of("spark.segpipe.probe set-by-the-platform"));
    Path log = dir.resolve("endpoint.log");
    try (LocalCluster cluster = LocalCluster.start(dir.resolve("cluster"))) {
      try (EndpointProcess endpoint =
          EndpointProcess.start(
              log,
              Map.of("SPARK_HOME", home.toString()),
              "--master",
              cluster.masterUrl(),
              "--conf",
              "segpipe.lake.root=" + root,
              "--spark-conf",
              "spark.executor.memory=768m")) {
        try (Connection c = endpoint.connect()) {
          assertEquals(
              expected,
              JdbcRows.of(
                  c,
                  "SELECT rfm_segment, count(*), sum(monetary) FROM customer_segments"
                      + " GROUP BY 1 ORDER BY 1"));
          assertEquals(
              List.of(List.of("spark.segpipe.probe", "set-by-the-platform")),
              JdbcRows.of(c, "SET spark.segpipe.probe"));
          assertEquals(
              List.of(List.of("spark.master", cluster.masterUrl())),
              JdbcRows.of(c, "SET spark.master"));
        }
        String executors = executorLogs(cluster.dir());
        assertTrue(
            executors.contains("segpipe-sql-endpoint.jar"),
            "an executor fetched the endpoint's jar:\n" + executors);
      }
    }
    assertTrue(
        Files.readString(log).contains("segpipe sql-endpoint: listening on jdbc:hive2://"),
        Scripts.tail(log));
  }

  /** The stderr of every executor the cluster's workers started (in their work folders). */
  private static String executorLogs(Path clusterDir) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(clusterDir)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList()) {
        all.append("== ").append(f).append('\n').append(Files.readString(f));
      }
    }
    return all.toString();
  }
}

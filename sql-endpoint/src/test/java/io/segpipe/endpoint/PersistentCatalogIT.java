package io.segpipe.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.PostgresServer;
import io.segpipe.common.test.Scripts;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A persistent catalog, as a user sets one up: a Hive metastore in a fresh PostgreSQL database (the
 * real server, started from Debian's packages), given to the jobs and the endpoint with Spark's
 * standard settings, its password only in SEGPIPE_METASTORE_PASSWORD. The first job creates the
 * metastore's tables; the tables it registers are in the metastore after it ends; an endpoint
 * started afterwards serves them, and serves a table a job creates while it runs.
 */
@ExtendWith(SharedSpark.class)
class PersistentCatalogIT {

  @Test
  void tablesOutliveTheJobAndReachTheEndpoint(SparkSession spark) throws Exception {
    Path dir = TestFolders.folder("segpipe-catalog-it");
    Path lake = dir.resolve("lake");
    try (PostgresServer postgres = PostgresServer.start()) {
      try (Connection c = postgres.connect();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE metastore");
      }
      String metastoreUrl = postgres.url().replace("/postgres", "/metastore");
      Map<String, String> environment = Map.of("SEGPIPE_METASTORE_PASSWORD", postgres.password());
      List<String> catalog =
          List.of(
              "--spark-conf",
              "spark.sql.catalogImplementation=hive",
              "--spark-conf",
              "spark.hadoop.javax.jdo.option.ConnectionURL=" + metastoreUrl,
              "--spark-conf",
              "spark.hadoop.javax.jdo.option.ConnectionDriverName=org.postgresql.Driver",
              "--spark-conf",
              "spark.hadoop.javax.jdo.option.ConnectionUserName=" + PostgresServer.USER,
              "--spark-conf",
              "spark.sql.warehouse.dir=" + dir.resolve("warehouse"),
              "--conf",
              "segpipe.lake.root=" + lake,
              "--conf",
              "segpipe.lake.database=segpipe");

      Scripts.succeed(
          dir.resolve("generate.log"),
          5,
          "segpipe",
          "generate",
          "--customers",
          "60",
          "--output",
          dir.resolve("generated").toString(),
          "--master",
          "local[2]");
      Path ingestLog = dir.resolve("ingest.log");
      job(
          ingestLog,
          environment,
          catalog,
          "ingest",
          "--source",
          dir.resolve("generated/events").toString(),
          "--mapping",
          "generator",
          "--customers",
          dir.resolve("generated/customers").toString());
      String ingest = Files.readString(ingestLog);
      assertTrue(ingest.contains("created the Hive metastore's tables"), ingest);
      assertFalse(ingest.contains(postgres.password()), "the password is not in the job's log");

      // After the job: its tables are in the metastore database, with their folders.
      Map<String, String> registered = new TreeMap<>();
      try (Connection c =
              DriverManager.getConnection(metastoreUrl, PostgresServer.USER, postgres.password());
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT t.\"TBL_NAME\", d.\"NAME\" FROM \"TBLS\" t"
                      + " JOIN \"DBS\" d ON d.\"DB_ID\" = t.\"DB_ID\"")) {
        while (rs.next()) {
          registered.put(rs.getString(1), rs.getString(2));
        }
      }
      for (String table : List.of("events", "customers", "customer_daily", "run_metrics")) {
        assertEquals("segpipe", registered.get(table), table + " in " + registered);
      }
      assertFalse(registered.containsKey("customer_features"), registered.toString());

      List<String> endpointArgs = new ArrayList<>(catalog);
      endpointArgs.addAll(
          List.of(
              "--conf",
              "segpipe.sql-endpoint.tables=[run_metrics,customer_features]",
              "--driver-memory",
              "1g"));
      try (EndpointProcess endpoint =
          EndpointProcess.start(
              dir.resolve("endpoint.log"), environment, endpointArgs.toArray(String[]::new))) {
        try (Connection c = endpoint.connect()) {
          // generate wrote its run to the same lake (conf/local.conf's ./lake, the folder it ran
          // in)
          assertEquals(
              List.of(List.of("generate", "succeeded"), List.of("ingest", "succeeded")),
              JdbcRows.of(c, "SELECT job, status FROM run_metrics ORDER BY job"));
        }
        // A table first written while the endpoint runs: the job registers it in the metastore,
        // where the endpoint finds it.
        job(dir.resolve("features.log"), environment, catalog, "features", "--as-of", "2024-12-31");
        Lake read = new Lake(spark, new LakeSettings(lake.toString(), ""));
        List<List<String>> expected = new ArrayList<>();
        for (Row r :
            read.read("customer_features", "")
                .groupBy("rfm_segment")
                .count()
                .orderBy("rfm_segment")
                .collectAsList()) {
          expected.add(Arrays.asList(r.getString(0), String.valueOf(r.getLong(1))));
        }
        try (Connection c = endpoint.connect()) {
          assertEquals(
              expected,
              JdbcRows.of(
                  c, "SELECT rfm_segment, count(*) FROM customer_features GROUP BY 1 ORDER BY 1"));
        }
        assertFalse(endpoint.log().contains(postgres.password()), "not in the endpoint's log");
      }
    }
  }

  private static void job(
      Path log, Map<String, String> environment, List<String> catalog, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(catalog);
    all.addAll(List.of("--master", "local[2]"));
    int code = Scripts.run(log, environment, 10, "segpipe", all.toArray(String[]::new));
    assertEquals(0, code, Scripts.tail(log));
  }
}

package io.segpipe.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.Scripts;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.collection.JavaConverters;

/**
 * scripts/sql-endpoint as a BI tool meets it: started as its own process on a free loopback port
 * with password authentication and TLS (a keystore made with keytool at test time), queried with
 * the Hive JDBC driver over TLS (trusting the certificate through a trust store exported from the
 * keystore), its answers compared with the same tables read by Spark. The lake holds
 * customer_segments and segment_profiles (with map and array columns) for two dates.
 */
@ExtendWith(SharedSpark.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqlEndpointIT {
  private static final String PASSWORD = "endpoint-test-password";
  private static final String KEYSTORE_PASSWORD = "endpoint-keystore-password";
  private static final String TRUST_STORE_PASSWORD = "endpoint-truststore-password";
  private static final LocalDate FIRST = LocalDate.parse("2024-03-31");
  private static final LocalDate SECOND = LocalDate.parse("2024-04-30");
  private static final List<String> SEGMENTS = List.of("champions", "at_risk", "lost", "loyal");
  private static SparkSession spark;
  private static Lake lake;
  private static EndpointProcess endpoint;
  private static int port;
  private static Path trustStore;

  @BeforeAll
  static void start(SparkSession session) throws Exception {
    spark = session;
    String root = TestFolders.folder("segpipe-endpoint-lake").toString();
    lake = new Lake(spark, new LakeSettings(root, ""));
    for (LocalDate date : List.of(FIRST, SECOND)) {
      lake.replacePartition(segments(date), "customer_segments", "as_of_date", date);
      lake.replacePartition(profiles(date), "segment_profiles", "as_of_date", date);
    }
    // raw rows as they arrived: in the lake, not served
    lake.append(
        spark.sql("SELECT 'e1' AS event_id, 'customer C001, card 4111' AS raw_row"),
        "events_quarantine");
    Path keys = TestFolders.folder("segpipe-endpoint-tls");
    Path keystore = TestKeystores.keystore(keys, KEYSTORE_PASSWORD);
    trustStore = TestKeystores.trustStore(keystore, KEYSTORE_PASSWORD, TRUST_STORE_PASSWORD);
    endpoint =
        EndpointProcess.start(
            TestFolders.file("segpipe-endpoint", ".log"),
            Map.of(
                "SEGPIPE_SQL_PASSWORD",
                PASSWORD,
                "SEGPIPE_SQL_KEYSTORE",
                keystore.toString(),
                "SEGPIPE_SQL_KEYSTORE_PASSWORD",
                KEYSTORE_PASSWORD),
            "--conf",
            "segpipe.lake.root=" + root,
            "--conf",
            "segpipe.sql-endpoint.authentication=password",
            "--conf",
            "segpipe.sql-endpoint.tls=true",
            "--master",
            "local[2]",
            "--driver-memory",
            "1g",
            "--conf",
            "segpipe.spark.conf.\"spark.sql.shuffle.partitions\"=2");
    port = endpoint.port();
  }

  /** Stops the endpoint by its process id. */
  @AfterAll
  static void stop() throws Exception {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private static Dataset<Row> segments(LocalDate date) {
    StructType schema =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("rfm_segment", DataTypes.StringType)
            .add("monetary", DataTypes.createDecimalType(18, 2))
            .add("churn_probability", DataTypes.DoubleType)
            .add("marketing_opt_in", DataTypes.BooleanType)
            .add("as_of_date", DataTypes.DateType);
    List<Row> rows = new ArrayList<>();
    int shift = date.equals(FIRST) ? 0 : 1;
    for (int n = 1; n <= 40; n++) {
      rows.add(
          RowFactory.create(
              String.format("C%03d", n),
              SEGMENTS.get((n + shift) % SEGMENTS.size()),
              new BigDecimal(n * 13 + shift + ".25"),
              n % 5 == 0 ? null : (n % 8) / 8.0,
              n % 3 != 0,
              java.sql.Date.valueOf(date)));
    }
    return spark.createDataFrame(rows, schema);
  }

  private static Dataset<Row> profiles(LocalDate date) {
    StructType schema =
        new StructType()
            .add("segmentation", DataTypes.StringType)
            .add("segment", DataTypes.StringType)
            .add("customers", DataTypes.LongType)
            .add("share", DataTypes.DoubleType)
            .add("channel_mix", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
            .add("top_categories", DataTypes.createArrayType(DataTypes.StringType))
            .add("as_of_date", DataTypes.DateType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < SEGMENTS.size(); i++) {
      rows.add(
          RowFactory.create(
              "rfm_segment",
              SEGMENTS.get(i),
              10L + i,
              (10.0 + i) / 46,
              JavaConverters.mapAsScalaMap(Map.of("web", 0.25 * i / 4, "store", 1 - 0.25 * i / 4))
                  .toMap(scala.Predef.$conforms()),
              JavaConverters.asScalaBuffer(List.of("books", "toys")).toList(),
              java.sql.Date.valueOf(date)));
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * A connection over TLS, trusting the endpoint's certificate only through the exported trust
   * store.
   */
  private static Connection connect(String password) throws SQLException {
    return DriverManager.getConnection(
        url()
            + ";ssl=true;sslTrustStore="
            + trustStore
            + ";trustStorePassword="
            + TRUST_STORE_PASSWORD,
        "segpipe",
        password);
  }

  private static String url() {
    return "jdbc:hive2://127.0.0.1:" + port + "/segpipe";
  }

  /** Rows of a query over JDBC, each column as the driver's text of it. */
  private static List<List<String>> query(String sql) throws SQLException {
    try (Connection c = connect(PASSWORD)) {
      return JdbcRows.of(c, sql);
    }
  }

  /**
   * The same table read by Spark, every column as text: arrays as JSON and maps as JSON with the
   * keys sorted, as HiveServer2 sends them.
   */
  private static List<List<String>> spark(Dataset<Row> rows) {
    List<Column> text = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = functions.col(f.name());
      if (f.dataType() instanceof MapType) {
        text.add(
            functions.to_json(
                functions.map_from_entries(functions.array_sort(functions.map_entries(c)))));
      } else {
        text.add(f.dataType() instanceof ArrayType ? functions.to_json(c) : c.cast("string"));
      }
    }
    List<List<String>> out = new ArrayList<>();
    for (Row r : rows.select(text.toArray(Column[]::new)).collectAsList()) {
      List<String> row = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        row.add(r.getString(i));
      }
      out.add(row);
    }
    return out;
  }

  @Test
  void segmentCountsAreTheTablesCounts() throws Exception {
    List<List<String>> viaJdbc =
        query(
            "SELECT rfm_segment, count(*) FROM segpipe.customer_segments"
                + " WHERE as_of_date = DATE'"
                + FIRST
                + "' GROUP BY 1 ORDER BY 1");
    Dataset<Row> expected =
        lake.read("customer_segments", "")
            .where(functions.col("as_of_date").equalTo(functions.lit(FIRST)))
            .groupBy("rfm_segment")
            .count()
            .orderBy("rfm_segment");
    assertEquals(spark(expected), viaJdbc);
    assertEquals(4, viaJdbc.size());
    assertEquals(40, viaJdbc.stream().mapToInt(r -> Integer.parseInt(r.get(1))).sum());
  }

  /** Every table, every row and column (decimals, nulls, dates, maps, arrays) as Spark reads it. */
  @Test
  void everyTableReturnsWhatSparkReads() throws Exception {
    List<List<String>> tables = query("SHOW TABLES IN segpipe");
    assertEquals(
        List.of("customer_segments", "segment_profiles"),
        tables.stream().map(r -> r.get(1)).sorted().toList());
    assertEquals(
        spark(lake.read("customer_segments", "").orderBy("as_of_date", "customer_id")),
        query("SELECT * FROM segpipe.customer_segments ORDER BY as_of_date, customer_id"));
    assertEquals(
        spark(lake.read("segment_profiles", "").orderBy("as_of_date", "segment")),
        query("SELECT * FROM segpipe.segment_profiles ORDER BY as_of_date, segment"));
  }

  @Test
  void wrongPasswordIsRefused() {
    SQLException refused =
        assertThrows(SQLException.class, () -> connect("not-the-password").close());
    assertTrue(
        String.valueOf(refused.getMessage()).toLowerCase().contains("password")
            || String.valueOf(refused.getMessage()).contains("Peer indicated failure"),
        refused.getMessage());
  }

  /**
   * Bound to all addresses with a password but without TLS, the endpoint refuses to start (before
   * Spark; EndpointSettingsTest has the other combinations).
   */
  @Test
  void anyAddressWithoutTlsIsRefused() throws Exception {
    Path out = TestFolders.file("segpipe-endpoint-refused", ".log");
    Process p =
        Scripts.start(
            out,
            Map.of("SEGPIPE_SQL_PASSWORD", PASSWORD),
            "sql-endpoint",
            "--host",
            "0.0.0.0",
            "--port",
            String.valueOf(port + 1),
            "--conf",
            "segpipe.sql-endpoint.authentication=password");
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertTrue(
        Files.readString(out).contains("Refusing to listen on 0.0.0.0 without TLS"),
        Files.readString(out));
  }

  /** The startup line says TLS is on, and the URL BI tools need (with ;ssl=true). */
  @Test
  void theStartupMessageSaysTlsIsOn() throws Exception {
    assertTrue(
        endpoint.log().contains("listening on " + url() + ";ssl=true (TLS on, keystore "),
        endpoint.log());
  }

  /**
   * The port speaks only TLS: a client without it is refused, and so is a TLS client that does not
   * trust the endpoint's self-signed certificate (it checks against the JDK's default trust store).
   */
  @Test
  void connectionsWithoutTlsOrWithoutTrustAreRefused() {
    SQLException plain =
        assertTimeoutPreemptively(
            Duration.ofSeconds(120),
            () ->
                assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(url(), "segpipe", PASSWORD).close()),
            "a client without TLS");
    assertTrue(
        String.valueOf(plain.getMessage()).contains("Could not open client transport"),
        plain.getMessage());
    SQLException untrusted =
        assertTimeoutPreemptively(
            Duration.ofSeconds(120),
            () ->
                assertThrows(
                    SQLException.class,
                    () ->
                        DriverManager.getConnection(url() + ";ssl=true", "segpipe", PASSWORD)
                            .close()),
            "an untrusted certificate");
    assertTrue(
        chain(untrusted).contains("PKIX path building failed")
            || chain(untrusted).contains("certificate"),
        chain(untrusted));
  }

  private static String chain(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      out.append(t).append(" / ");
    }
    return out.toString();
  }

  /**
   * The keystore password reaches no setting a client can read (it is a system property only while
   * the server starts).
   */
  @Test
  void theKeystorePasswordCannotBeReadOverJdbc() throws Exception {
    List<List<String>> settings = query("SET");
    assertFalse(settings.isEmpty());
    assertFalse(settings.toString().contains(KEYSTORE_PASSWORD), settings.toString());
    for (String key :
        List.of("hive.server2.keystore.password", "spark.hadoop.hive.server2.keystore.password")) {
      List<List<String>> value = query("SET " + key);
      assertFalse(value.toString().contains(KEYSTORE_PASSWORD), key + ": " + value);
    }
  }

  /**
   * Last, after every connection above (good, wrong-password, plain and untrusted): neither
   * password is in the log.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void theLogHoldsNeitherPassword() throws Exception {
    String text = endpoint.log();
    assertTrue(text.contains("listening on"), text);
    assertFalse(text.contains(KEYSTORE_PASSWORD), "the keystore password is in the endpoint's log");
    assertFalse(text.contains(PASSWORD), "the SQL password is in the endpoint's log");
  }

  /**
   * Only the served tables are listed: events_quarantine is in the lake but not in
   * segpipe.sql-endpoint.tables.
   */
  @Test
  void onlyTheServedTablesAreListed() throws Exception {
    assertEquals(
        List.of(List.of("customer_segments"), List.of("segment_profiles")),
        query("SHOW TABLES IN segpipe").stream().map(r -> List.of(r.get(1))).toList());
  }

  /**
   * Everything but reading a served table is refused, each with a message saying why: writes, DDL,
   * ADD JAR, CREATE FUNCTION, TRANSFORM ... USING, SET with a value, reflect, file paths and other
   * tables.
   */
  @Test
  void whatIsNotAReadOfAServedTableIsRefused() throws Exception {
    String path = lake.path("customer_segments");
    Map<String, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put(
        "INSERT INTO segpipe.customer_segments SELECT * FROM segpipe.customer_segments",
        "read-only");
    refusals.put("DROP TABLE segpipe.segment_profiles", "read-only");
    refusals.put("CREATE TABLE segpipe.mine (id INT) USING parquet", "read-only");
    refusals.put("ADD JAR /tmp/segpipe-nothing.jar", "read-only");
    refusals.put("CREATE FUNCTION segpipe.f AS 'java.lang.String'", "read-only");
    refusals.put(
        "SELECT TRANSFORM(customer_id) USING 'cat' AS (c) FROM segpipe.customer_segments",
        "runs a command");
    refusals.put("SET spark.sql.runSQLOnFiles=true", "SET with a value");
    refusals.put(
        "SELECT reflect('java.lang.System', 'getProperty', 'user.home')",
        "reflect and java_method");
    refusals.put(
        "SELECT * FROM segpipe.customer_segments WHERE customer_id IN"
            + " (SELECT java_method('java.lang.System', 'getenv', 'HOME'))",
        "reflect and java_method");
    for (Map.Entry<String, String> r : refusals.entrySet()) {
      SQLException e = assertThrows(SQLException.class, () -> query(r.getKey()), r.getKey());
      assertTrue(
          String.valueOf(e.getMessage()).contains(r.getValue()),
          r.getKey() + ": " + e.getMessage());
    }
    // not registered, and not reachable by path either
    for (String sql :
        List.of(
            "SELECT * FROM segpipe.events_quarantine",
            "SELECT * FROM parquet.`" + path + "`",
            "SELECT * FROM delta.`" + path + "`",
            "SELECT * FROM delta.`" + lake.path("events_quarantine") + "`")) {
      assertThrows(SQLException.class, () -> query(sql), sql);
    }
    assertEquals(
        List.of(List.of("40")),
        query(
            "SELECT count(*) FROM segpipe.customer_segments WHERE as_of_date = DATE'"
                + FIRST
                + "'"),
        "reading a served table still works");
  }
}

package io.segpipe.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.PostgresServer;
import io.segpipe.common.test.SharedSpark;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PostgreSQL export against a real server ({@link PostgresServer}): the table holds exactly the
 * consenting rows, a date exported twice has the same rows, other dates are untouched, and a
 * failure half-way through leaves the previous rows. The tests run in order: each builds on the
 * table before.
 */
@ExtendWith(SharedSpark.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportPostgresTest {
  private static final LocalDate FIRST = LocalDate.parse("2024-03-31");
  private static final LocalDate SECOND = LocalDate.parse("2024-04-30");
  private static final int CUSTOMERS = 50;
  private static final String TABLE = "marketing.customer_segments";
  private static final List<String> COLUMNS =
      List.of(
          "customer_id",
          "rfm_segment",
          "lifecycle_stage",
          "value_tier",
          "cluster_id",
          "cluster_label",
          "churn_probability",
          "churn_risk",
          "recency_days",
          "frequency",
          "monetary",
          "avg_order_value",
          "marketing_opt_in");
  private static SparkSession spark;
  private static PostgresServer server;
  private static String lake;

  @BeforeAll
  static void start(SparkSession session) throws Exception {
    spark = session;
    server = PostgresServer.start();
    try (Connection c = server.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA marketing");
    }
    lake = SegmentRows.lake(spark, CUSTOMERS, FIRST, SECOND);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static int export(LocalDate asOf, String... extra) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "--as-of",
                asOf.toString(),
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.export.columns=[" + String.join(",", COLUMNS) + "]",
                "--conf",
                "segpipe.export.audiences.enabled=false",
                "--conf",
                "segpipe.export.postgres.enabled=true",
                "--conf",
                "segpipe.export.postgres.url=\"" + server.url() + "\"",
                "--conf",
                "segpipe.export.postgres.user=" + PostgresServer.USER,
                "--conf",
                "segpipe.export.postgres.password-env=TEST_PG_PASSWORD",
                "--conf",
                "segpipe.export.postgres.table=" + TABLE,
                "--conf",
                "segpipe.export.postgres.batch-size=7"));
    argv.addAll(List.of(extra));
    return new ExportJob(Map.of("TEST_PG_PASSWORD", server.password())::get)
        .execute(argv.toArray(String[]::new));
  }

  /** The rows of one date in PostgreSQL, read with Spark's JDBC source, sorted by customer_id. */
  private static List<Row> inPostgres(LocalDate asOf) {
    Properties p = new Properties();
    p.setProperty("user", PostgresServer.USER);
    p.setProperty("password", server.password());
    return spark
        .read()
        .jdbc(server.url(), TABLE, p)
        .where(functions.col("as_of_date").equalTo(functions.lit(asOf)))
        .orderBy("customer_id")
        .collectAsList();
  }

  /** The fixture's consenting rows of one date with the exported columns and as_of_date, sorted. */
  private static List<Row> consenting(LocalDate asOf, int shift) {
    List<Column> select = new ArrayList<>(COLUMNS.stream().map(functions::col).toList());
    select.add(functions.col("as_of_date"));
    Dataset<Row> rows = SegmentRows.snapshot(spark, CUSTOMERS, asOf, shift);
    return rows.where(functions.col("marketing_opt_in").equalTo(true))
        .select(select.toArray(Column[]::new))
        .orderBy("customer_id")
        .collectAsList();
  }

  private static long count(String where) throws Exception {
    try (Connection c = server.connect();
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM " + TABLE + " WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** 50 customers, of whom 12 said no and 6 are unknown: 32 rows, each equal to the fixture's. */
  @Test
  @Order(1)
  void tableHoldsExactlyTheConsentingRows() throws Exception {
    assertEquals(0, export(FIRST));
    List<Row> expected = consenting(FIRST, 0);
    assertEquals(32, expected.size());
    assertEquals(expected, inPostgres(FIRST));
    assertEquals(0, count("marketing_opt_in IS NOT TRUE"));
  }

  @Test
  @Order(2)
  void exportingADateAgainGivesTheSameRowsAndLeavesOtherDates() throws Exception {
    assertEquals(0, export(SECOND));
    assertEquals(0, export(FIRST));
    assertEquals(consenting(FIRST, 0), inPostgres(FIRST));
    assertEquals(consenting(SECOND, 3), inPostgres(SECOND));
    assertEquals(64, count("true"), "two dates of 32 rows, no duplicates");
  }

  /**
   * A constraint added after the first export (NOT VALID: it checks new rows only) rejects one
   * customer's row in a later batch of seven, after the date's rows were deleted and earlier
   * batches inserted: the transaction rolls back and the table keeps the previous rows.
   */
  @Test
  @Order(3)
  void failureHalfWayLeavesThePreviousRows() throws Exception {
    List<Row> before = inPostgres(FIRST);
    try (Connection c = server.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "ALTER TABLE "
              + TABLE
              + " ADD CONSTRAINT no_c039 CHECK (customer_id <> 'C039') NOT VALID");
    }
    try {
      String err = ExportJobTest.stderrOf(() -> assertEquals(1, export(FIRST)));
      assertTrue(err.contains("rolled back") && err.contains("no_c039"), err);
      assertEquals(before, inPostgres(FIRST));
      assertEquals(64, count("true"));
    } finally {
      try (Connection c = server.connect();
          Statement st = c.createStatement()) {
        st.execute("ALTER TABLE " + TABLE + " DROP CONSTRAINT no_c039");
      }
    }
  }

  /**
   * The connection dies in the middle of the inserts (a trigger makes the server end the export's
   * own session when C039 arrives, as a killed connection or a server restart would): the client
   * cannot even roll back, the server drops the open transaction, and the table keeps the previous
   * rows.
   */
  @Test
  @Order(4)
  void killedConnectionLeavesThePreviousRows() throws Exception {
    List<Row> before = inPostgres(FIRST);
    try (Connection c = server.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE FUNCTION marketing.end_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
              + " IF NEW.customer_id = 'C039' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
              + " RETURN NEW; END $$");
      st.execute(
          "CREATE TRIGGER end_session BEFORE INSERT ON "
              + TABLE
              + " FOR EACH ROW EXECUTE FUNCTION marketing.end_session()");
    }
    try {
      String err = ExportJobTest.stderrOf(() -> assertEquals(1, export(FIRST)));
      assertTrue(err.contains("rolled back"), err);
      assertEquals(before, inPostgres(FIRST));
      assertEquals(64, count("true"));
    } finally {
      try (Connection c = server.connect();
          Statement st = c.createStatement()) {
        st.execute("DROP TRIGGER end_session ON " + TABLE);
      }
    }
  }

  @Test
  @Order(5)
  void wrongPasswordIsAUserError() {
    String err =
        ExportJobTest.stderrOf(
            () ->
                assertEquals(
                    2,
                    new ExportJob(Map.of("TEST_PG_PASSWORD", "wrong")::get)
                        .execute(
                            "--as-of",
                            FIRST.toString(),
                            "--conf",
                            "segpipe.lake.root=" + lake,
                            "--conf",
                            "segpipe.export.audiences.enabled=false",
                            "--conf",
                            "segpipe.export.postgres.enabled=true",
                            "--conf",
                            "segpipe.export.postgres.url=\"" + server.url() + "\"",
                            "--conf",
                            "segpipe.export.postgres.user=" + PostgresServer.USER,
                            "--conf",
                            "segpipe.export.postgres.password-env=TEST_PG_PASSWORD")));
    assertTrue(err.contains("Cannot connect to PostgreSQL") && err.contains("password"), err);
  }

  /**
   * An opt-out reaches every date in the table on the next export of any date: after C001 and C002
   * (in both dates' rows) opt out, exporting the second date removes their rows of the first date
   * too, in the same transaction; the other rows of the first date stay as they were. Then every
   * row of the table is a consenting customer's, whatever its date.
   */
  @Test
  @Order(6)
  void anOptOutRemovesTheCustomersRowsOfEveryDateOnTheNextExport() throws Exception {
    assertEquals(0, export(FIRST));
    assertEquals(0, export(SECOND));
    assertEquals(64, count("true"));
    SegmentRows.consent(spark, lake, CUSTOMERS, n -> n <= 2 ? Boolean.FALSE : SegmentRows.optIn(n));
    try {
      assertEquals(0, export(SECOND));
      assertEquals(0, count("customer_id IN ('C001', 'C002')"));
      List<Row> firstKept =
          consenting(FIRST, 0).stream()
              .filter(r -> !List.of("C001", "C002").contains(r.getString(0)))
              .toList();
      assertEquals(30, firstKept.size());
      assertEquals(firstKept, inPostgres(FIRST), "the first date's other rows are untouched");
      assertEquals(60, count("true"));
    } finally {
      SegmentRows.consent(spark, lake, CUSTOMERS, SegmentRows::optIn);
    }
  }

  /**
   * A wrong password given in the environment and another in the URL: the job's message and the
   * run_metrics row it records say what failed without either (the URL's shown as *****). A URL's
   * user:password is SecretsTest's.
   */
  @Test
  @Order(7)
  void noPasswordAppearsInTheMessageOrRunMetrics() {
    String fromEnvironment = "env-Secret-" + System.nanoTime();
    String inUrl = "url-Secret-" + System.nanoTime();
    String url = server.url() + "?password=" + inUrl;
    String err =
        ExportJobTest.stderrOf(
            () ->
                assertEquals(
                    2,
                    new ExportJob(Map.of("TEST_PG_PASSWORD", fromEnvironment)::get)
                        .execute(
                            "--as-of",
                            FIRST.toString(),
                            "--conf",
                            "segpipe.lake.root=" + lake,
                            "--conf",
                            "segpipe.export.audiences.enabled=false",
                            "--conf",
                            "segpipe.export.postgres.enabled=true",
                            "--conf",
                            "segpipe.export.postgres.url=\"" + url + "\"",
                            "--conf",
                            "segpipe.export.postgres.user=" + PostgresServer.USER,
                            "--conf",
                            "segpipe.export.postgres.password-env=TEST_PG_PASSWORD")));
    assertTrue(err.contains("Cannot connect to PostgreSQL") && err.contains("password=*****"), err);
    String metrics =
        spark
            .read()
            .format("delta")
            .load(lake + "/run_metrics")
            .where("job = 'export'")
            .collectAsList()
            .toString();
    assertTrue(metrics.contains("Cannot connect to PostgreSQL"), metrics);
    for (String secret : List.of(fromEnvironment, inUrl)) {
      assertFalse(err.contains(secret), secret + " in the message: " + err);
      assertFalse(metrics.contains(secret), secret + " in run_metrics: " + metrics);
    }
  }

  /**
   * A campaign split on the second date holds its control customers out of the table: their rows of
   * every date are deleted, a re-export of the first date (before the window ends) does not bring
   * them back, and every other consenting row stays.
   */
  @Test
  @Order(8)
  void aCampaignsControlCustomersLeaveTheTableWhileItRuns() throws Exception {
    java.nio.file.Path file = io.segpipe.common.test.TestFolders.file("pg-campaign", ".conf");
    java.nio.file.Files.writeString(
        file,
        "campaigns = [ { id = pg-test, snapshot-date = \""
            + SECOND
            + "\","
            + " audience { where = \"frequency >= 1\" }, start-date = \""
            + SECOND.plusDays(1)
            + "\", window-days = 30,"
            + " control-share = 0.5 } ]");
    assertEquals(0, export(SECOND, "--campaigns", file.toString()));
    List<String> control =
        spark
            .read()
            .format("delta")
            .load(lake + "/campaign_assignments")
            .where("campaign_id = 'pg-test' AND test_group = 'control'")
            .collectAsList()
            .stream()
            .map(r -> r.getString(1))
            .sorted()
            .toList();
    assertTrue(control.size() >= 3, "control customers: " + control);
    assertEquals(0, export(FIRST, "--campaigns", file.toString()));
    assertEquals(0, count("customer_id IN ('" + String.join("', '", control) + "')"));
    for (LocalDate day : List.of(FIRST, SECOND)) {
      List<Row> expected =
          consenting(day, day.equals(FIRST) ? 0 : 3).stream()
              .filter(r -> !control.contains(r.getString(0)))
              .toList();
      assertEquals(expected, inPostgres(day));
    }
  }

  /**
   * A table created before the label columns existed gains them on the next export (ADD COLUMN IF
   * NOT EXISTS): that date's rows carry the labels, Chinese text intact; rows of dates not exported
   * again read null there.
   */
  @Test
  @Order(9)
  void anExistingTableGainsTheLabelColumnsOfANewerExport() throws Exception {
    List<String> labelled = new ArrayList<>(COLUMNS);
    labelled.addAll(List.of("rfm_segment_name", "lifecycle_stage_name", "cluster_name"));
    assertEquals(
        0, export(FIRST, "--conf", "segpipe.export.columns=[" + String.join(",", labelled) + "]"));
    List<Row> first = inPostgres(FIRST);
    assertTrue(first.size() >= 10, "rows: " + first.size());
    for (Row r : first) {
      String code = r.getAs("rfm_segment");
      assertEquals(
          code == null ? null : SegmentRows.RFM_NAMES.get(SegmentRows.RFM.indexOf(code)),
          r.getAs("rfm_segment_name"),
          r.toString());
      assertTrue(r.getAs("lifecycle_stage_name") != null, r.toString());
    }
    assertTrue(first.stream().anyMatch(r -> "冠军客户".equals(r.getAs("rfm_segment_name"))));
    assertEquals(
        count("as_of_date = DATE '" + SECOND + "'"),
        count(
            "as_of_date = DATE '"
                + SECOND
                + "' AND rfm_segment_name IS NULL AND cluster_name IS NULL"),
        "the other date was not exported again");
  }
}

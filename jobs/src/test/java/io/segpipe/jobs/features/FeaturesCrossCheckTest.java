package io.segpipe.jobs.features;

import io.segpipe.common.test.Required;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.ingest.IngestJob;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent engine agrees: DuckDB computes recency, frequency and monetary straight from the raw
 * files, with the same semantics (window, as-of end, what ingest quarantines), and segpipe's values
 * must equal them for every customer. Skipped, saying why, where a data set is absent.
 */
@ExtendWith(SharedSpark.class)
class FeaturesCrossCheckTest {
  @TempDir
  Path lake;

  /** What both engines compute per customer with at least one event in the window. */
  record Rfm(long frequency, BigDecimal monetary, Integer recencyDays) {}

  private static Path projectRoot() {
    return Paths.get(System.getProperty("segpipe.project.root", ".")).toAbsolutePath().normalize();
  }

  /**
   * The per-customer RFM in DuckDB from {@code valid}, a query of the valid events with customer_id,
   * is_return, order_id, amount and event_ts (UTC), over the window ending with {@code asOf}.
   */
  private static String duckRfm(String valid, LocalDate asOf) {
    LocalDate windowStart = asOf.minusDays(364);
    return """
        WITH valid AS (%s),
        in_window AS (
          SELECT * FROM valid
          WHERE customer_id IS NOT NULL
            AND event_ts >= TIMESTAMP '%s 00:00:00' AND event_ts < TIMESTAMP '%s 00:00:00'
        ),
        orders AS (
          SELECT customer_id, order_id, min(CAST(event_ts AS DATE)) AS order_date
          FROM in_window WHERE event_type = 'purchase' GROUP BY customer_id, order_id
        ),
        money AS (
          SELECT customer_id,
            sum(CASE WHEN event_type = 'purchase' THEN amount WHEN event_type = 'return' THEN -amount ELSE 0 END)
              AS monetary
          FROM in_window GROUP BY customer_id
        )
        SELECT m.customer_id, count(o.order_id) AS frequency, CAST(m.monetary AS DECIMAL(18, 2)) AS monetary,
          date_diff('day', max(o.order_date), DATE '%s') AS recency_days
        FROM money m LEFT JOIN orders o ON o.customer_id = m.customer_id
        GROUP BY m.customer_id, m.monetary
        """.formatted(valid, windowStart, asOf.plusDays(1), asOf);
  }

  private static Map<String, Rfm> duckDb(String sql) throws Exception {
    Map<String, Rfm> result = new HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        Object recency = r.getObject("recency_days");
        result.put(r.getString("customer_id"), new Rfm(r.getLong("frequency"),
            r.getBigDecimal("monetary").setScale(2), recency == null ? null : ((Number) recency).intValue()));
      }
    }
    return result;
  }

  private Map<String, Rfm> segpipe(SparkSession spark, LocalDate asOf) {
    assertEquals(0, new FeaturesJob().execute("--as-of", asOf.toString(), "--conf", "segpipe.lake.root=" + lake));
    Map<String, Rfm> result = new HashMap<>();
    for (Row row : spark.read().format("delta").load(lake.resolve(FeatureSnapshot.TABLE).toString())
        .where("as_of_date = DATE'" + asOf + "' AND events_in_window > 0")
        .select("customer_id", "frequency", "monetary", "recency_days").collectAsList()) {
      result.put(row.getString(0), new Rfm(row.getLong(1), row.getDecimal(2), row.isNullAt(3) ? null : row.getInt(3)));
    }
    return result;
  }

  private static void assertSameRfm(Map<String, Rfm> duck, Map<String, Rfm> spark) {
    assertTrue(duck.size() > 100, "DuckDB found only " + duck.size() + " customers");
    List<String> differences = new ArrayList<>();
    for (String customer : new TreeSet<>(duck.keySet())) {
      if (!duck.get(customer).equals(spark.get(customer))) {
        differences.add(customer + ": DuckDB " + duck.get(customer) + ", segpipe " + spark.get(customer));
      }
    }
    spark.keySet().stream().filter(c -> !duck.containsKey(c)).sorted().forEach(c -> differences.add(c + ": segpipe only"));
    assertTrue(differences.isEmpty(), differences.size() + " of " + duck.size() + " customers differ, e.g. "
        + differences.subList(0, Math.min(10, differences.size())));
  }

  @Test
  void uciOnlineRetail(SparkSession spark) throws Exception {
    Path file = projectRoot().resolve("../shared/datasets/online-retail/online_retail.csv.gz").normalize();
    Required.that(Files.isRegularFile(file), "UCI Online Retail is not at " + file);
    assertEquals(0, new IngestJob().execute("--source", file.toString(), "--mapping", "uci-online-retail",
        "--conf", "segpipe.lake.root=" + lake));
    LocalDate asOf = LocalDate.parse("2011-12-09");
    // conf/sources/uci-online-retail.conf: C invoices are returns, amount = |Quantity| x UnitPrice rounded
    // to pennies, UK local time to UTC; bad debt (StockCode B) and prices <= 0 are quarantined.
    String valid = """
        SELECT
          split_part(CustomerID, '.', 1) AS customer_id,
          CASE WHEN InvoiceNo LIKE 'C%%' THEN 'return' ELSE 'purchase' END AS event_type,
          InvoiceNo AS order_id,
          round(abs(CAST(Quantity AS INTEGER)) * CAST(UnitPrice AS DECIMAL(18, 3)), 2) AS amount,
          (strptime(InvoiceDate, '%%Y-%%m-%%d %%H:%%M:%%S') AT TIME ZONE 'Europe/London') AT TIME ZONE 'UTC' AS event_ts
        FROM read_csv('%s', header = true, all_varchar = true)
        WHERE StockCode <> 'B' AND CAST(UnitPrice AS DECIMAL(18, 3)) > 0
        """.formatted(file);
    assertSameRfm(duckDb(duckRfm(valid, asOf)), segpipe(spark, asOf));
  }

  @Test
  void generatedSample(SparkSession spark) throws Exception {
    Path samples = Paths.get(System.getenv().getOrDefault("SEGPIPE_SAMPLES", projectRoot().resolve("data-samples").toString()));
    Required.that(Files.isDirectory(samples.resolve("events")),
        "the generated sample is not at " + samples + "/events (set SEGPIPE_SAMPLES to use another)");
    assertEquals(0, new IngestJob().execute("--source", samples.resolve("events").toString(), "--mapping", "generator",
        "--customers", samples.resolve("customers").toString(), "--conf", "segpipe.lake.root=" + lake));
    LocalDate asOf = LocalDate.parse("2024-12-31");
    // conf/sources/generator.conf and the contract checks ingest applies: required columns present,
    // configured channels and event types, amounts >= 0 and present on purchases and returns, ratings
    // 1-5, the reporting currency; duplicated event ids are exact copies.
    String valid = """
        SELECT DISTINCT event_id, customer_id, event_type, order_id, line_amount AS amount, event_time AS event_ts
        FROM read_parquet('%s/*.parquet')
        WHERE event_id IS NOT NULL AND event_time IS NOT NULL
          AND channel IN ('web', 'app', 'store', 'social', 'marketplace', 'call_center')
          AND event_type IN ('purchase', 'return', 'visit', 'view', 'add_to_cart', 'coupon_redeem', 'feedback')
          AND (line_amount IS NULL OR line_amount >= 0)
          AND NOT (line_amount IS NULL AND event_type IN ('purchase', 'return'))
          AND (rating IS NULL OR rating BETWEEN 1 AND 5)
          AND (currency IS NULL OR currency = 'GBP')
        """.formatted(samples.resolve("events"));
    assertSameRfm(duckDb(duckRfm(valid, asOf)), segpipe(spark, asOf));
  }
}

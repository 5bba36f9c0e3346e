package io.segpipe.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.schema.Events;
import io.segpipe.common.test.DataFrames;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SharedSpark.class)
class GenerateJobTest {
  private static final int CUSTOMERS = 150;
  private static final int CN_CUSTOMERS = 300;

  /** The --identities run's customers: its first CUSTOMERS are the baseline's. */
  private static final int IDENTITY_CUSTOMERS = 400;

  @TempDir static Path tmp;
  private static SparkSession spark;
  private static String baseline;

  /** --retailer cn, seed 7: generated on first use. */
  private static String chinese;

  /** --identities 0.3, seed 7: generated on first use. */
  private static String identities;

  @BeforeAll
  static void generateBaseline(SparkSession session) {
    spark = session;
    baseline = generate("baseline", "--customers", String.valueOf(CUSTOMERS), "--seed", "7");
    // Cached: most tests query the baseline, and re-reading the files each time would dominate.
    events(baseline).cache().createOrReplaceTempView("ev");
    spark.read().parquet(baseline + "/ground_truth").cache().createOrReplaceTempView("truth");
    spark.read().parquet(baseline + "/customers").cache().createOrReplaceTempView("cust");
  }

  /** Runs the job into a fresh folder under the test's temp dir; fails unless it exits 0. */
  private static String generate(String name, String... options) {
    String out = tmp.resolve(name).toString();
    List<String> args =
        new ArrayList<>(
            List.of("--output", out, "--conf", "segpipe.lake.root=" + tmp.resolve("lake")));
    args.addAll(Arrays.asList(options));
    assertEquals(0, new GenerateJob().execute(args.toArray(String[]::new)), "generate " + args);
    return out;
  }

  private static Dataset<Row> events(String out) {
    return spark.read().parquet(out + "/events");
  }

  private static long count(String sql) {
    return spark.sql(sql).first().getLong(0);
  }

  private static List<String> columns(StructType schema) {
    return Arrays.stream(schema.fields())
        .map(f -> f.name() + " " + f.dataType().simpleString())
        .toList();
  }

  @Test
  void eventsHaveExactlyTheExportColumnsAndTypes() {
    assertEquals(
        List.of(
            "event_id string",
            "event_time timestamp",
            "customer_id string",
            "channel string",
            "event_type string",
            "order_id string",
            "sku string",
            "category string",
            "qty int",
            "line_amount decimal(18,2)",
            "currency string",
            "store_id string",
            "rating int",
            "line_discount decimal(18,2)",
            "email string",
            "device_id string",
            "loyalty_id string"),
        columns(events(baseline).schema()));
    // The customers dimension as a source gives it (the contract's first ten columns; ingest
    // derives any later ones), then email and phone.
    List<String> customers = new ArrayList<>(columns(Events.CUSTOMERS).subList(0, 10));
    customers.addAll(List.of("email string", "phone string"));
    assertEquals(customers, columns(spark.table("cust").schema()));
    assertEquals(customers, columns(ExportShape.CUSTOMERS));
    assertEquals(
        List.of("customer_id string", "archetype string", "churn_date date"),
        columns(spark.table("truth").schema()));
  }

  @Test
  void sameSeedGivesTheSameRowsWhateverThePartitioning() {
    String again =
        generate(
            "again", "--customers", String.valueOf(CUSTOMERS), "--seed", "7", "--partitions", "3");
    DataFrames.assertSameRows(events(baseline), events(again));
    DataFrames.assertSameRows(spark.table("cust"), spark.read().parquet(again + "/customers"));
    DataFrames.assertSameRows(spark.table("truth"), spark.read().parquet(again + "/ground_truth"));
  }

  /**
   * A planted campaign adds orders in its window for treated customers (by the split rule) with
   * consent who would not have bought there, and changes nothing else: the data set is the baseline
   * plus those orders.
   */
  @Test
  void aPlantedCampaignAddsOrdersOnlyForTreatedConsentingCustomersWhoWouldNotHaveBought()
      throws Exception {
    java.nio.file.Path file = tmp.resolve("campaign.conf");
    java.nio.file.Files.writeString(
        file,
        "campaigns = [ { id = spring, snapshot-date = \"2024-03-31\","
            + " audience { where = \"frequency >= 1\" }, start-date = \"2024-04-01\", window-days = 30,"
            + " control-share = 0.3 } ]");
    String planted =
        generate(
            "planted",
            "--customers",
            String.valueOf(CUSTOMERS),
            "--seed",
            "7",
            "--campaigns",
            file.toString(),
            "--campaign-lift",
            "0.5");
    Dataset<Row> before = events(baseline);
    Dataset<Row> after = events(planted);
    assertEquals(0, before.except(after).count(), "every baseline row is still there");
    Dataset<Row> added = after.except(before);
    List<Row> truth = spark.read().parquet(planted + "/campaign_truth").collectAsList();
    java.util.Set<String> moved =
        truth.stream()
            .filter(r -> r.getBoolean(4))
            .map(r -> r.getString(1))
            .collect(Collectors.toSet());
    assertTrue(moved.size() >= 5, "customers moved: " + moved.size());
    java.util.Set<String> consenting =
        spark.table("cust").where("marketing_opt_in").collectAsList().stream()
            .map(r -> r.getString(0))
            .collect(Collectors.toSet());
    for (Row r : truth) {
      String id = r.getString(1);
      assertTrue(consenting.contains(id), "only consenting customers are in the truth: " + id);
      assertEquals(
          io.segpipe.campaign.CampaignAssignment.control("spring", id, 0.3)
              ? "control"
              : "treatment",
          r.getString(2));
      if (r.getBoolean(4)) {
        assertEquals("treatment", r.getString(2));
        assertTrue(!r.getBoolean(3), "moved customers had not bought in the window");
      }
    }
    // Every added purchase belongs to a moved customer and falls in the window; every moved
    // customer has one.
    List<Row> purchases = added.where("event_type = 'purchase'").collectAsList();
    java.util.Set<String> buyers = new java.util.HashSet<>();
    for (Row p : purchases) {
      if (p.isNullAt(2)) {
        continue; // a row --dirty-share broke is not in the baseline either; none here (dirty share
        // 0)
      }
      assertTrue(moved.contains(p.getString(2)), "an added purchase of " + p.getString(2));
      java.time.LocalDate day = p.getTimestamp(1).toLocalDateTime().toLocalDate();
      assertTrue(
          !day.isBefore(java.time.LocalDate.parse("2024-04-01"))
              && !day.isAfter(java.time.LocalDate.parse("2024-04-30")),
          "in the window: " + day);
      buyers.add(p.getString(2));
    }
    assertEquals(moved, buyers);
    // The baseline's own purchases in the window: nobody moved had one.
    long movedWithOwn =
        before
            .where(
                "event_type = 'purchase' AND event_time >= '2024-04-01' AND event_time < '2024-05-01'")
            .select("customer_id")
            .distinct()
            .collectAsList()
            .stream()
            .filter(r -> moved.contains(r.getString(0)))
            .count();
    assertEquals(0, movedWithOwn);
  }

  /**
   * A planted affinity adds rows of the consequent to the planted archetype's customers, with ids
   * of their own, and changes no other row; affinity_truth has one row per planting, in the shape
   * ExportShape declares.
   */
  @Test
  void aPlantedAffinityAddsLinesAndWritesItsTruth() {
    String planted =
        generate(
            "affinity",
            "--customers",
            String.valueOf(CUSTOMERS),
            "--seed",
            "7",
            "--affinity",
            "loyal_high_spender:home+garden:1.8");
    Dataset<Row> before = events(baseline);
    Dataset<Row> after = events(planted);
    assertEquals(0, before.except(after).count(), "every baseline row is still there");
    Dataset<Row> added = after.except(before);
    long addedRows = added.count();
    assertTrue(addedRows > 0, "rows added");
    assertEquals(
        0,
        added.where("category <> 'garden' OR NOT event_id RLIKE '^e[0-9]+-a[0-9]+$'").count(),
        "added rows are lines of the consequent with ids of their own");
    assertEquals(
        addedRows,
        added
            .join(spark.table("truth").where("archetype = 'loyal_high_spender'"), "customer_id")
            .count(),
        "added rows belong to the planted archetype");
    Dataset<Row> truth = spark.read().parquet(planted + "/affinity_truth");
    assertEquals(columns(ExportShape.AFFINITY_TRUTH), columns(truth.schema()));
    List<Row> rows = truth.collectAsList();
    assertEquals(1, rows.size());
    assertEquals(
        List.of("loyal_high_spender", "home", "garden"),
        List.of(rows.get(0).getString(0), rows.get(0).getString(1), rows.get(0).getString(2)));
    assertEquals(1.8, rows.get(0).getDouble(3));
    assertTrue(
        !Files.exists(Paths.get(baseline, "affinity_truth")), "no affinity_truth without it");
  }

  @Test
  void anotherSeedGivesOtherRows() {
    String other = generate("other-seed", "--customers", String.valueOf(CUSTOMERS), "--seed", "8");
    Dataset<Row> mine = events(baseline).drop("event_id");
    Dataset<Row> theirs = events(other).drop("event_id");
    long common = mine.intersect(theirs).count();
    assertTrue(common < mine.count() / 100, "rows in common with another seed: " + common);
    assertNotEquals(
        spark.table("truth").collectAsList(),
        spark.read().parquet(other + "/ground_truth").collectAsList());
  }

  @Test
  void valuesKeepTheContract() {
    assertEquals(CUSTOMERS, count("SELECT count(*) FROM cust"));
    assertEquals(CUSTOMERS, count("SELECT count(DISTINCT customer_id) FROM truth"));
    assertEquals(
        count("SELECT count(*) FROM ev"),
        count("SELECT count(DISTINCT event_id) FROM ev"),
        "event ids unique");
    assertNoRows(
        "ev LEFT JOIN cust c USING (customer_id)",
        Map.of(
            "negative amount", "line_amount < 0",
            "purchase or return without a positive amount",
                "event_type IN ('purchase', 'return') AND NOT line_amount > 0",
            "currency other than GBP", "currency IS DISTINCT FROM 'GBP'",
            "time missing or out of range",
                "event_time IS NULL OR event_time < TIMESTAMP'2023-01-01 00:00:00'"
                    + " OR event_time >= TIMESTAMP'2025-01-01 00:00:00'",
            "rating off feedback", "rating IS NOT NULL AND event_type <> 'feedback'",
            "feedback without a rating 1-5",
                "event_type = 'feedback' AND (rating IS NULL OR rating NOT BETWEEN 1 AND 5)",
            "store_id not exactly on store events", "(channel = 'store') <> (store_id IS NOT NULL)",
            "unknown customer", "customer_id IS NOT NULL AND c.signup_date IS NULL"));
    assertEquals(
        List.of("app", "call_center", "marketplace", "social", "store", "web"),
        strings("SELECT DISTINCT channel FROM ev ORDER BY 1"));
    assertEquals(
        List.of("add_to_cart", "coupon_redeem", "feedback", "purchase", "return", "view", "visit"),
        strings("SELECT DISTINCT event_type FROM ev ORDER BY 1"));
  }

  /**
   * line_discount says what the order's coupon took off each purchase line: 20 % of the full price
   * (line_amount + line_discount), rounded down to the penny for the amount paid, on the lines of
   * an order with a coupon_redeem event; 0 on every other purchase line; null on other events.
   */
  @Test
  void purchaseLinesSayWhatTheCouponTookOff() {
    Row counts =
        spark
            .sql(
                """
        SELECT
          count_if(e.event_type = 'purchase' AND k.order_id IS NOT NULL) AS coupon_lines,
          count_if(e.event_type = 'purchase' AND k.order_id IS NULL) AS full_price_lines,
          count_if((e.event_type = 'purchase') <> (e.line_discount IS NOT NULL)) AS misplaced,
          count_if(e.event_type = 'purchase' AND k.order_id IS NULL AND e.line_discount <> 0)
            AS full_price_discounted,
          count_if(e.event_type = 'purchase' AND k.order_id IS NOT NULL
            AND (e.line_discount <= 0
              OR floor((e.line_amount + e.line_discount) * 80) <> e.line_amount * 100))
            AS not_a_fifth_off
        FROM ev e
        LEFT JOIN (SELECT DISTINCT order_id FROM ev WHERE event_type = 'coupon_redeem') k
          ON k.order_id = e.order_id""")
            .first();
    assertTrue(counts.getLong(0) > 100, counts.toString());
    assertTrue(counts.getLong(1) > 100, counts.toString());
    assertEquals(List.of(0L, 0L, 0L), List.of(counts.get(2), counts.get(3), counts.get(4)));
  }

  /** Counts the rows of {@code from} meeting each named condition, in one pass; all must be 0. */
  private static void assertNoRows(String from, Map<String, String> conditions) {
    List<String> names = new ArrayList<>(new TreeMap<>(conditions).keySet());
    String counts =
        names.stream()
            .map(n -> "count_if(" + conditions.get(n) + ")")
            .collect(Collectors.joining(", "));
    Row row = spark.sql("SELECT " + counts + " FROM " + from).first();
    Map<String, Long> found = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      found.put(names.get(i), row.getLong(i));
    }
    assertEquals(
        names.stream().collect(Collectors.toMap(n -> n, n -> 0L, (a, b) -> a, TreeMap::new)),
        found);
  }

  @Test
  void everyReturnFollowsAPurchaseOfTheSameLine() {
    assertTrue(count("SELECT count(*) FROM ev WHERE event_type = 'return'") > 20);
    assertEquals(
        0,
        count(
            """
        SELECT count(*) FROM ev r WHERE r.event_type = 'return' AND NOT EXISTS (
          SELECT 1 FROM ev p WHERE p.event_type = 'purchase' AND p.order_id = r.order_id
            AND p.customer_id = r.customer_id AND p.sku = r.sku AND p.line_amount = r.line_amount
            AND p.event_time < r.event_time)"""));
  }

  @Test
  void archetypesKeepTheirPromises() {
    spark
        .sql(
            """
        SELECT t.customer_id, t.archetype, t.churn_date, c.signup_date,
          count(DISTINCT CASE WHEN e.event_type = 'purchase' THEN e.order_id END) AS orders,
          max(CASE WHEN e.event_type = 'purchase' THEN to_date(e.event_time) END) AS last_purchase,
          sum(CASE WHEN e.event_type = 'purchase' THEN e.line_amount END) AS spend,
          count(DISTINCT e.channel) AS channels,
          max(CASE WHEN e.channel <> 'store' THEN 1 ELSE 0 END) AS off_store
        FROM truth t JOIN cust c USING (customer_id) LEFT JOIN ev e USING (customer_id)
        GROUP BY t.customer_id, t.archetype, t.churn_date, c.signup_date""")
        .createOrReplaceTempView("per_customer");
    spark.table("per_customer").cache();
    assertNoRows(
        "per_customer",
        Map.of(
            "one-time buyer without exactly one order",
                "archetype = 'one_time_buyer' AND orders <> 1",
            "purchase after churn", "churn_date IS NOT NULL AND last_purchase > churn_date",
            "new signup joined early, churned, or without 1-3 orders",
                "archetype = 'new_signup' AND (signup_date"
                    + " < DATE'2024-12-31' - INTERVAL 89 DAYS OR orders NOT BETWEEN 1 AND 3 OR churn_date IS NOT NULL)",
            "lapsing regular not lapsing mid-range",
                "archetype = 'lapsing_regular' AND (churn_date IS NULL"
                    + " OR churn_date NOT BETWEEN DATE'2023-06-01' AND DATE'2024-08-01' OR orders = 0)",
            "store-only customer off the store channel",
                "archetype = 'store_only' AND off_store = 1"));
    assertEquals(6, count("SELECT count(DISTINCT archetype) FROM per_customer"));
    // The differences clustering must find are large: frequency and order value far apart.
    double loyalOrders = mean("orders", "loyal_high_spender");
    double bargainAov = mean("spend / orders", "bargain_hunter");
    double loyalAov = mean("spend / orders", "loyal_high_spender");
    assertTrue(loyalOrders > 8, "loyal orders " + loyalOrders);
    assertTrue(
        loyalAov > 4 * bargainAov, "order values loyal " + loyalAov + " bargain " + bargainAov);
    assertTrue(mean("channels", "loyal_high_spender") >= 3, "loyal customers use several channels");
    spark.table("per_customer").unpersist();
  }

  private static double mean(String expression, String archetype) {
    return spark
        .sql(
            "SELECT CAST(avg("
                + expression
                + ") AS DOUBLE) FROM per_customer WHERE orders > 0 AND archetype = '"
                + archetype
                + "'")
        .first()
        .getDouble(0);
  }

  @Test
  void anonymousShareIsAboutAsAsked() {
    double share =
        (double) count("SELECT count(*) FROM ev WHERE customer_id IS NULL")
            / count("SELECT count(*) FROM ev");
    assertEquals(0.05, share, 0.01);
    String more = generate("anonymous", "--customers", "100", "--anonymous-share", "0.3");
    Dataset<Row> ev = events(more);
    assertEquals(0.3, (double) ev.where("customer_id IS NULL").count() / ev.count(), 0.03);
  }

  @Test
  void eventsTargetIsMet() {
    // Below the natural activity (about 90 events a customer), so the rates are scaled down.
    String out = generate("target", "--customers", "150", "--events", "6000");
    long events = events(out).count();
    assertTrue(Math.abs(events - 6000) <= 6000 * 0.15, "events " + events);
  }

  @Test
  void dirtyShareBreaksRowsInKnownWaysAndDuplicatesSome() {
    String out =
        generate(
            "dirty",
            "--customers",
            String.valueOf(CUSTOMERS),
            "--seed",
            "7",
            "--dirty-share",
            "0.03");
    Dataset<Row> dirty = events(out).cache();
    long rows = dirty.count();
    long duplicates = rows - dirty.select("event_id").distinct().count();
    assertEquals(
        duplicates,
        rows - dirty.distinct().count(),
        "a duplicate repeats the whole row, event_id included");
    long clean = events(baseline).count();
    assertEquals(
        clean, rows - duplicates, "dirt breaks and repeats rows; the same rows are generated");
    assertEquals(0.03, (double) duplicates / clean, 0.01);

    List<String> kinds =
        List.of(
            "channel = 'fax'",
            "event_type = 'ping'",
            "line_amount < 0",
            "event_time IS NULL",
            "rating = 9");
    long broken = dirty.where(String.join(" OR ", kinds)).count();
    assertEquals(0.03, (double) broken / clean, 0.01);
    for (String kind : kinds) {
      long ofKind = dirty.where(kind).count();
      assertTrue(ofKind > broken / 10, kind + ": " + ofKind + " of " + broken);
    }
    dirty.unpersist();
  }

  @Test
  void helpAndBadOptions() {
    Captured help = run("--help");
    assertEquals(0, help.code);
    assertTrue(help.out.contains("--dirty-share X") && help.out.contains("--events N"), help.out);
    assertTrue(
        help.out.contains("--retailer NAME")
            && help.out.contains("tmall, jd, wechat_mini, douyin, store")
            && help.out.contains("conf/retailer-cn.conf"),
        help.out);
    assertRefused("--retailer must be uk or cn, got 'fr'", "--output", "x", "--retailer", "fr");
    assertRefused(
        "--retailer cn goes with the archetypes model",
        "--output",
        "x",
        "--retailer",
        "cn",
        "--model",
        "btyd");
    assertTrue(
        help.out.contains("--identities SHARE") && help.out.contains("identity_truth/"), help.out);
    assertRefused(
        "--identities must be between 0 and 1.0, got 2", "--output", "x", "--identities", "2");
    assertRefused(
        "--identities goes with the archetypes model",
        "--output",
        "x",
        "--identities",
        "0.1",
        "--model",
        "btyd");
    assertRefused(
        "--identities writes a UK retailer's identifiers",
        "--output",
        "x",
        "--identities",
        "0.1",
        "--retailer",
        "cn");
    assertRefused("--output DIR is required", "--customers", "10");
    assertRefused(
        "--customers must be a whole number, got 'many'", "--output", "x", "--customers", "many");
    assertRefused(
        "at least 90 days after --from",
        "--output",
        "x",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-01");
    assertRefused(
        "--dirty-share must be between 0 and 0.2", "--output", "x", "--dirty-share", "0.9");
    assertRefused(
        "--events 10 is too few for --customers 1000",
        "--output",
        "x",
        "--customers",
        "1000",
        "--events",
        "10");
    assertRefused("Unknown option --colour", "--output", "x", "--colour", "blue");
  }

  /**
   * --identities on the baseline's options and more customers, generated once for the tests that
   * read it; its views: id_ev (events), id_cust (customers), id_truth (identity_truth), id_all
   * (every identifier written, with the account it was written for, normalised by the test's own
   * rules) and id_people (each account's person, from the truth).
   */
  private static synchronized String identities() {
    if (identities == null) {
      identities =
          generate(
              "identities",
              "--customers",
              String.valueOf(IDENTITY_CUSTOMERS),
              "--seed",
              "7",
              "--identities",
              "0.3");
      events(identities).cache().createOrReplaceTempView("id_ev");
      spark.read().parquet(identities + "/customers").cache().createOrReplaceTempView("id_cust");
      spark
          .read()
          .parquet(identities + "/identity_truth")
          .cache()
          .createOrReplaceTempView("id_truth");
      spark
          .sql(
              """
          SELECT customer_id AS account, channel, event_type, store_id, 'email' AS id_type,
            email AS written, lower(trim(email)) AS value FROM id_ev WHERE email IS NOT NULL
          UNION ALL
          SELECT customer_id, channel, event_type, store_id, 'device_id', device_id,
            trim(device_id) FROM id_ev WHERE device_id IS NOT NULL
          UNION ALL
          SELECT customer_id, channel, event_type, store_id, 'loyalty_id', loyalty_id,
            upper(trim(loyalty_id)) FROM id_ev WHERE loyalty_id IS NOT NULL
          UNION ALL
          SELECT customer_id, 'customers', NULL, NULL, 'email', email, lower(trim(email))
          FROM id_cust WHERE email IS NOT NULL
          UNION ALL
          SELECT customer_id, 'customers', NULL, NULL, 'phone', phone,
            CASE WHEN trim(phone) LIKE '+%' THEN concat('+', regexp_replace(phone, '[^0-9]', ''))
              WHEN trim(phone) LIKE '0%'
                THEN concat('+44', substr(regexp_replace(phone, '[^0-9]', ''), 2)) END
          FROM id_cust WHERE phone IS NOT NULL
          UNION ALL
          SELECT customer_id, 'customers', NULL, NULL, 'customer_id', customer_id, customer_id
          FROM id_cust""")
          .cache()
          .createOrReplaceTempView("id_all");
      spark
          .sql(
              "SELECT value AS account, person_id AS person FROM id_truth"
                  + " WHERE id_type = 'customer_id'")
          .cache()
          .createOrReplaceTempView("id_people");
    }
    return identities;
  }

  /**
   * Without --identities the new columns are there and null and there is no identity_truth; with
   * it, every other column of every row is what it is without it, but for the customer id of the
   * second accounts' store events; the customers are the same with their email and phone, plus the
   * second accounts' records; the ground truth is the same.
   */
  @Test
  void identitiesChangeNothingButTheirColumnsAndTheSecondAccountsIds() {
    identities();
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM ev"
                + " WHERE email IS NOT NULL OR device_id IS NOT NULL OR loyalty_id IS NOT NULL"));
    assertEquals(
        0, count("SELECT count(*) FROM cust WHERE email IS NOT NULL OR phone IS NOT NULL"));
    assertTrue(!Files.exists(Paths.get(baseline, "identity_truth")), "no identity_truth without");
    // The baseline's customers are the first CUSTOMERS of the identities run.
    String mine = "CAST(regexp_extract(event_id, '^e([0-9]+)-', 1) AS INT) < " + CUSTOMERS;
    String old =
        "event_id, event_time, %s AS customer_id, channel, event_type, order_id, sku, category,"
            + " qty, line_amount, currency, store_id, rating, line_discount";
    Dataset<Row> before = spark.sql("SELECT " + String.format(old, "customer_id") + " FROM ev");
    Dataset<Row> after =
        spark.sql(
            "SELECT "
                + String.format(old, "regexp_replace(customer_id, '-S$', '')")
                + " FROM id_ev WHERE "
                + mine);
    assertEquals(before.count(), after.count());
    assertEquals(0, before.except(after).count(), "the baseline's rows, second accounts aside");
    assertEquals(0, after.except(before).count());
    long rekeyed = count("SELECT count(*) FROM id_ev WHERE customer_id LIKE '%-S' AND " + mine);
    assertTrue(rekeyed > 100, "store events of second accounts: " + rekeyed);
    assertEquals(
        rekeyed,
        count(
            "SELECT count(*) FROM id_ev i JOIN ev e USING (event_id)"
                + " WHERE i.customer_id = concat(e.customer_id, '-S') AND e.channel = 'store'"));
    String dimension =
        String.join(", ", Arrays.copyOfRange(ExportShape.CUSTOMERS.fieldNames(), 0, 10));
    DataFrames.assertSameRows(
        spark.sql("SELECT " + dimension + " FROM cust"),
        spark.sql(
            "SELECT "
                + dimension
                + " FROM id_cust WHERE customer_id NOT LIKE '%-S'"
                + " AND customer_id <= 'C"
                + String.format("%08d", CUSTOMERS)
                + "'"));
    DataFrames.assertSameRows(
        spark.table("truth"),
        spark
            .read()
            .parquet(identities + "/ground_truth")
            .where("customer_id <= 'C" + String.format("%08d", CUSTOMERS) + "'"));
  }

  @Test
  void identitiesAreTheSameWhateverThePartitioning() {
    identities();
    String again =
        generate(
            "identities-again",
            "--customers",
            String.valueOf(IDENTITY_CUSTOMERS),
            "--seed",
            "7",
            "--identities",
            "0.3",
            "--partitions",
            "3");
    DataFrames.assertSameRows(spark.table("id_ev"), events(again));
    DataFrames.assertSameRows(spark.table("id_cust"), spark.read().parquet(again + "/customers"));
    DataFrames.assertSameRows(
        spark.table("id_truth"), spark.read().parquet(again + "/identity_truth"));
  }

  /**
   * identity_truth has one row per identifier written anywhere, in its normal form (the test's own
   * normalisation gives the same), each with the person whose events or record carry it: nobody
   * else's events carry it, traps aside. Every customer id is there, both accounts with their
   * person.
   */
  @Test
  void everyIdentifierWrittenIsInTheTruthWithItsPerson() {
    identities();
    assertEquals(
        List.of("id_type string", "value string", "person_id string", "trap string"),
        columns(spark.table("id_truth").schema()));
    Row sizes =
        spark
            .sql(
                "SELECT (SELECT count(*) FROM id_truth),"
                    + " (SELECT count(*) FROM (SELECT DISTINCT id_type, value FROM id_truth)),"
                    + " (SELECT count(*) FROM (SELECT DISTINCT id_type, value FROM id_all))")
            .first();
    assertEquals(sizes.getLong(0), sizes.getLong(1), "one row per identifier");
    assertEquals(sizes.getLong(0), sizes.getLong(2), "as many rows as identifiers written");
    assertNoRows(
        "id_all a LEFT JOIN id_truth t USING (id_type, value) LEFT JOIN id_people p USING"
            + " (account)",
        Map.of(
            "an identifier missing from the truth", "t.id_type IS NULL",
            "an account with no person", "p.person IS NULL",
            "someone else's identifier", "t.trap IS NULL AND t.person_id <> p.person",
            "a trap with a person", "t.trap IS NOT NULL AND t.person_id IS NOT NULL",
            "a second account not the person's id and -S",
                "p.account <> p.person AND p.account <> concat(p.person, '-S')",
            "an email in another form than trimmed lower case",
                "a.id_type = 'email' AND NOT a.value RLIKE '^[a-z0-9._]+@[a-z0-9.]+$'",
            "a device id but d- and 16 hex digits or the tablet",
                "a.id_type = 'device_id'"
                    + " AND NOT a.value RLIKE '^(d-[0-9a-f]{16}|TABLET-ST[0-9]{3})$'",
            "a loyalty card but LC and 10 digits",
                "a.id_type = 'loyalty_id'" + " AND NOT a.value RLIKE '^LC[0-9]{10}$'",
            "a phone but +44 and a UK mobile number",
                "a.id_type = 'phone'" + " AND NOT a.value RLIKE '^\\\\+447[5789][0-9]{8}$'"));
    Map<String, Long> types = new TreeMap<>();
    for (Row r : spark.sql("SELECT id_type, count(*) FROM id_truth GROUP BY 1").collectAsList()) {
      types.put(r.getString(0), r.getLong(1));
    }
    long accounts = count("SELECT count(*) FROM id_cust");
    assertEquals(accounts, types.get("customer_id"), types.toString());
    // Every person has an email, about half a phone, 1-3 devices (if it shops online), one loyalty
    // card (if it shops in store); two traps.
    assertTrue(types.get("email") >= IDENTITY_CUSTOMERS, types.toString());
    assertEquals(0.5, types.get("phone") / (double) IDENTITY_CUSTOMERS, 0.07, types.toString());
    assertTrue(types.get("device_id") > IDENTITY_CUSTOMERS, types.toString());
    assertTrue(types.get("loyalty_id") > IDENTITY_CUSTOMERS / 4, types.toString());
    assertEquals(
        List.of("device_id shared_device", "email placeholder_email"),
        strings(
            "SELECT concat(id_type, ' ', trap) FROM id_truth WHERE trap IS NOT NULL ORDER BY 1"));
    // Written emails vary in case and spaces now and then; both phone forms are used; loyalty cards
    // are sometimes in lower case.
    Row written =
        spark
            .sql(
                "SELECT count_if(id_type = 'email' AND written <> value)"
                    + " / count_if(id_type = 'email'),"
                    + " count_if(id_type = 'phone' AND written LIKE '07% %'),"
                    + " count_if(id_type = 'phone' AND written LIKE '+44 7% %'),"
                    + " count_if(id_type = 'loyalty_id' AND written RLIKE '^lc[0-9]+$')"
                    + " FROM id_all")
            .first();
    assertEquals(0.1, ((Number) written.get(0)).doubleValue(), 0.03, written.toString());
    assertTrue(
        written.getLong(1) > 50 && written.getLong(2) > 50 && written.getLong(3) > 20,
        "both phone forms, loyalty cards in lower case: " + written);
  }

  /**
   * Where identifiers go: web and app events a device (app always, web mostly), online purchase
   * lines an email, store purchases and returns a loyalty card; nothing on anonymous events.
   */
  @Test
  void identifiersGoWhereTheirChannelsWriteThem() {
    identities();
    assertNoRows(
        "id_ev",
        Map.of(
            "an identifier on an anonymous event",
                "customer_id IS NULL"
                    + " AND (email IS NOT NULL OR device_id IS NOT NULL OR loyalty_id IS NOT NULL)",
            "an app event without a device",
                "customer_id IS NOT NULL AND channel = 'app'" + " AND device_id IS NULL",
            "an online purchase line without an email",
                "customer_id IS NOT NULL AND event_type = 'purchase'"
                    + " AND channel IN ('web', 'app', 'social', 'marketplace') AND email IS NULL",
            "an email off purchase lines or on call_center",
                "email IS NOT NULL AND (event_type <> 'purchase' OR channel = 'call_center')",
            "a store purchase or return without the loyalty card",
                "customer_id IS NOT NULL AND channel = 'store'"
                    + " AND event_type IN ('purchase', 'return') AND loyalty_id IS NULL",
            "a loyalty card off store purchases and returns",
                "loyalty_id IS NOT NULL"
                    + " AND (channel <> 'store' OR event_type NOT IN ('purchase', 'return'))",
            "a device on social, marketplace or call_center",
                "device_id IS NOT NULL AND channel IN ('social', 'marketplace', 'call_center')",
            "a device on a store event but the tablet",
                "channel = 'store' AND device_id IS NOT NULL AND device_id NOT LIKE 'TABLET-%'"));
    double web =
        (double)
                count(
                    "SELECT count(*) FROM id_ev WHERE channel = 'web' AND customer_id IS NOT NULL"
                        + " AND device_id IS NOT NULL")
            / count("SELECT count(*) FROM id_ev WHERE channel = 'web' AND customer_id IS NOT NULL");
    assertEquals(0.85, web, 0.05, "web events with a device");
  }

  /**
   * A second account holds all of a person's store events (planted campaign orders aside; none
   * here) and nothing else; its store purchases carry the person's loyalty card and at least one
   * the person's email, which its online purchases carry too. Its record is the person's, but for
   * its signup (its first store event, if later) and its consent (drawn anew), and it has no phone.
   * About the share asked of the people with store purchases have one.
   */
  @Test
  void secondAccountsAreStoreAccountsLinkedByLoyaltyCardAndEmail() {
    identities();
    assertEquals(
        0,
        count("SELECT count(*) FROM id_ev WHERE customer_id LIKE '%-S' AND channel <> 'store'"),
        "second accounts have store events only");
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM id_ev e JOIN id_cust c ON c.customer_id = concat(e.customer_id,"
                + " '-S') WHERE e.channel = 'store'"),
        "a person with a second account has no store events of its own");
    spark
        .sql(
            """
        WITH accounts AS (
          SELECT c.customer_id AS account, p.person FROM id_cust c
          JOIN id_people p ON p.account = c.customer_id WHERE c.customer_id LIKE '%-S'),
        marked AS (
          SELECT e.customer_id, e.event_type, e.event_time, e.loyalty_id,
            regexp_replace(e.customer_id, '-S$', '') AS person,
            te.person_id AS email_person, tl.person_id AS card_person
          FROM id_ev e
          LEFT JOIN id_truth te ON te.id_type = 'email' AND te.value = lower(trim(e.email))
          LEFT JOIN id_truth tl ON tl.id_type = 'loyalty_id'
            AND tl.value = upper(trim(e.loyalty_id)))
        SELECT a.account, a.person,
          min(CASE WHEN e.customer_id = a.account THEN to_date(e.event_time) END) AS first_event,
          count_if(e.customer_id = a.account AND e.event_type = 'purchase'
            AND e.email_person = a.person) AS receipts,
          count_if(e.customer_id = a.person AND e.event_type = 'purchase'
            AND e.email_person = a.person) AS online_with_email,
          count_if(e.customer_id = a.account AND e.event_type IN ('purchase', 'return')
            AND (e.loyalty_id IS NULL OR e.card_person IS DISTINCT FROM a.person)) AS without_card
        FROM accounts a LEFT JOIN marked e ON e.person = a.person
        GROUP BY a.account, a.person""")
        .createOrReplaceTempView("second_accounts");
    long seconds = count("SELECT count(*) FROM second_accounts");
    long storeBuyers =
        count(
            "SELECT count(DISTINCT regexp_replace(customer_id, '-S$', '')) FROM id_ev"
                + " WHERE channel = 'store' AND event_type = 'purchase'");
    // Within three standard deviations of the share asked (about 150 store buyers here).
    assertEquals(0.3, seconds / (double) storeBuyers, 0.11, seconds + " of " + storeBuyers);
    assertNoRows(
        "second_accounts",
        Map.of(
            "no store events", "first_event IS NULL",
            "no purchase line with the person's email", "receipts = 0",
            "a purchase or return without the person's card", "without_card > 0"));
    // Some of their people buy online with the email too; for the others (store-only people) the
    // email of the person's record is what links the accounts.
    assertTrue(
        count("SELECT count(*) FROM second_accounts WHERE online_with_email > 0") > 0,
        "second accounts' people buying online with the same email");
    String attributes =
        "birth_year, gender, region, city, income_band, member_tier, acquisition_channel, email";
    assertNoRows(
        "id_cust s JOIN second_accounts a ON a.account = s.customer_id"
            + " JOIN id_cust p ON p.customer_id = a.person",
        Map.of(
            "other attributes than the person's",
                "struct(s."
                    + attributes.replace(", ", ", s.")
                    + ") <> struct(p."
                    + attributes.replace(", ", ", p.")
                    + ")",
            "a phone", "s.phone IS NOT NULL",
            "signup not the first store event or the person's",
                "s.signup_date <> greatest(p.signup_date, a.first_event)"));
    assertTrue(
        count(
                "SELECT count(*) FROM id_cust s JOIN id_cust p"
                    + " ON s.customer_id = concat(p.customer_id, '-S')"
                    + " WHERE s.marketing_opt_in <> p.marketing_opt_in")
            > 0,
        "consent is drawn anew for the second account");
  }

  /**
   * The traps: the tablet of the store with the most purchase events is written on about 30 % of
   * its purchases and returns, whoever buys, and nowhere else; the placeholder email on about 2 %
   * of marketplace and store purchase lines. Both are seen with many people; no other device or
   * email is.
   */
  @Test
  void theTrapsAreSeenWithManyPeople() {
    identities();
    String busiest =
        strings(
                "SELECT store_id FROM id_ev WHERE channel = 'store' AND event_type = 'purchase'"
                    + " GROUP BY store_id ORDER BY count(*) DESC, store_id LIMIT 1")
            .get(0);
    assertEquals(
        List.of("TABLET-" + busiest),
        strings("SELECT DISTINCT device_id FROM id_ev WHERE device_id LIKE 'TABLET-%'"));
    Row tablet =
        spark
            .sql(
                "SELECT count_if(device_id IS NOT NULL) / count(*),"
                    + " count(DISTINCT CASE WHEN device_id IS NOT NULL THEN customer_id END),"
                    + " count(DISTINCT customer_id)"
                    + " FROM id_ev WHERE store_id = '"
                    + busiest
                    + "' AND event_type IN ('purchase', 'return')")
            .first();
    // Within three standard deviations (a few hundred events).
    assertEquals(0.3, ((Number) tablet.get(0)).doubleValue(), 0.08, tablet.toString());
    // At this scale the busiest store has about 20 buyers: the tablet is seen with most of them.
    // (At the sample's 3,000 people: with 125 of its 152, data-samples/README.md.)
    assertTrue(
        tablet.getLong(1) >= 10 && tablet.getLong(1) >= 0.6 * tablet.getLong(2), tablet.toString());
    Row placeholder =
        spark
            .sql(
                "SELECT count_if(email = 'none@none.com') / count(*),"
                    + " count(DISTINCT CASE WHEN email = 'none@none.com' THEN customer_id END)"
                    + " FROM id_ev WHERE event_type = 'purchase' AND customer_id IS NOT NULL"
                    + " AND channel IN ('marketplace', 'store')")
            .first();
    assertEquals(0.02, ((Number) placeholder.get(0)).doubleValue(), 0.01, placeholder.toString());
    assertTrue(placeholder.getLong(1) >= 30, placeholder.toString());
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM id_ev WHERE email = 'none@none.com'"
                + " AND NOT (event_type = 'purchase' AND channel IN ('marketplace', 'store'))"));
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM (SELECT a.id_type, a.value FROM id_all a"
                + " JOIN id_people p USING (account) JOIN id_truth t USING (id_type, value)"
                + " WHERE t.trap IS NULL GROUP BY 1, 2 HAVING count(DISTINCT p.person) > 1)"),
        "an identifier seen with more than one person that is not a trap");
  }

  /** The repository's root (the build sets segpipe.project.root; tests run in jobs/). */
  private static Path projectRoot() {
    return Paths.get(System.getProperty("segpipe.project.root", "..")).toAbsolutePath().normalize();
  }

  /** The Chinese retailer's data set, generated once for the tests that read it. */
  private static synchronized String chinese() {
    if (chinese == null) {
      chinese =
          generate(
              "retailer-cn",
              "--customers",
              String.valueOf(CN_CUSTOMERS),
              "--seed",
              "7",
              "--retailer",
              "cn");
    }
    return chinese;
  }

  /**
   * The default is the UK retailer, and it still writes exactly the bundled sample: its first 150
   * customers, generated with the options data-samples/README.md gives, are that sample's rows
   * (each customer's rows depend on the options, the seed and its index only; but for which store
   * has the shared tablet of --identities, the busiest of them all).
   */
  @Test
  void theDefaultRetailerStillWritesTheBundledSample() {
    Path samples = projectRoot().resolve("data-samples");
    String again =
        generate(
            "sample-again",
            "--customers",
            "150",
            "--from",
            "2023-01-01",
            "--to",
            "2024-12-31",
            "--seed",
            "42",
            "--dirty-share",
            "0.003",
            "--campaigns",
            samples.resolve("campaigns.conf").toString(),
            "--campaign-lift",
            "0.6",
            "--affinity",
            "loyal_high_spender:home+garden:1.8",
            "--identities",
            "0.1");
    Dataset<Row> sampleEvents =
        spark
            .read()
            .parquet(samples.resolve("events").toString())
            .where("CAST(regexp_extract(event_id, '^e([0-9]+)-', 1) AS INT) < 150");
    Dataset<Row> events = events(again);
    assertTrue(events.count() > 10_000, "events of 150 customers: " + events.count());
    // The shared tablet is at the store with the most purchase events of all 3,000 people, which
    // the first 150 alone need not have: its id is compared apart (below).
    DataFrames.assertSameRows(withoutTablet(sampleEvents), withoutTablet(events));
    assertEquals(
        1,
        events.where("device_id LIKE 'TABLET-%'").select("device_id").distinct().count(),
        "one tablet");
    // Second accounts ("C00000012-S") belong to their person's number.
    String first150 = "CAST(regexp_extract(%s, '^C([0-9]+)', 1) AS INT) <= 150";
    for (String table : List.of("customers", "ground_truth", "campaign_truth")) {
      DataFrames.assertSameRows(
          spark
              .read()
              .parquet(samples.resolve(table).toString())
              .where(String.format(first150, "customer_id")),
          spark.read().parquet(again + "/" + table));
    }
    DataFrames.assertSameRows(
        spark
            .read()
            .parquet(samples.resolve("identity_truth").toString())
            .where("trap IS NULL AND " + String.format(first150, "person_id")),
        spark.read().parquet(again + "/identity_truth").where("trap IS NULL"));
    DataFrames.assertSameRows(
        spark.read().parquet(samples.resolve("affinity_truth").toString()),
        spark.read().parquet(again + "/affinity_truth"));
    String uk =
        generate(
            "retailer-uk",
            "--customers",
            String.valueOf(CUSTOMERS),
            "--seed",
            "7",
            "--retailer",
            "UK");
    DataFrames.assertSameRows(events(baseline), events(uk));
    DataFrames.assertSameRows(spark.table("cust"), spark.read().parquet(uk + "/customers"));
  }

  /** The events with the shared tablet's id left out. */
  private static Dataset<Row> withoutTablet(Dataset<Row> events) {
    return events.withColumn(
        "device_id",
        functions
            .when(functions.col("device_id").startsWith("TABLET-"), functions.lit(null))
            .otherwise(functions.col("device_id")));
  }

  @Test
  void aChineseRetailerHasChineseProvincesAndCitiesCnyAndItsOwnChannels() {
    String cn = chinese();
    Dataset<Row> customers = spark.read().parquet(cn + "/customers");
    Dataset<Row> ev = events(cn);
    assertEquals(columns(ExportShape.CUSTOMERS), columns(customers.schema()));
    assertEquals(columns(events(baseline).schema()), columns(ev.schema()));
    assertEquals(CN_CUSTOMERS, customers.count());

    // Every city is in its province (a municipality is its own), written in Chinese characters.
    Map<String, String> provinceOf =
        Map.ofEntries(
            Map.entry("上海市", "上海市"),
            Map.entry("北京市", "北京市"),
            Map.entry("天津市", "天津市"),
            Map.entry("重庆市", "重庆市"),
            Map.entry("广州市", "广东省"),
            Map.entry("深圳市", "广东省"),
            Map.entry("东莞市", "广东省"),
            Map.entry("佛山市", "广东省"),
            Map.entry("杭州市", "浙江省"),
            Map.entry("宁波市", "浙江省"),
            Map.entry("温州市", "浙江省"),
            Map.entry("南京市", "江苏省"),
            Map.entry("苏州市", "江苏省"),
            Map.entry("无锡市", "江苏省"),
            Map.entry("成都市", "四川省"),
            Map.entry("武汉市", "湖北省"),
            Map.entry("西安市", "陕西省"),
            Map.entry("厦门市", "福建省"),
            Map.entry("福州市", "福建省"),
            Map.entry("青岛市", "山东省"),
            Map.entry("济南市", "山东省"),
            Map.entry("长沙市", "湖南省"),
            Map.entry("郑州市", "河南省"),
            Map.entry("合肥市", "安徽省"),
            Map.entry("沈阳市", "辽宁省"),
            Map.entry("昆明市", "云南省"),
            Map.entry("哈尔滨市", "黑龙江省"));
    Map<String, Long> perCity = new TreeMap<>();
    for (Row r : customers.groupBy("region", "city").count().collectAsList()) {
      assertEquals(
          provinceOf.get(r.getString(1)), r.getString(0), "the province of " + r.getString(1));
      perCity.put(r.getString(1), r.getLong(2));
    }
    assertTrue(perCity.size() >= 20, "cities with customers: " + perCity);
    // Weighted by size: Shanghai has far more customers than Harbin, Guangdong more than Sichuan.
    assertTrue(perCity.get("上海市") > 3 * perCity.getOrDefault("哈尔滨市", 0L), perCity.toString());
    assertTrue(
        customers.where("region = '广东省'").count() > customers.where("region = '四川省'").count());

    assertEquals(
        List.of("CNY"), strings("SELECT DISTINCT currency FROM parquet.`" + cn + "/events`"));
    List<String> channels =
        strings("SELECT DISTINCT channel FROM parquet.`" + cn + "/events` ORDER BY 1");
    assertEquals(List.of("douyin", "jd", "store", "tmall", "wechat_mini"), channels);
    channels.forEach(c -> assertTrue(c.matches("[a-z][a-z0-9_]*"), c));
    ev.createOrReplaceTempView("ev_cn");
    assertNoRows(
        "ev_cn LEFT JOIN parquet.`" + cn + "/customers` c USING (customer_id)",
        Map.of(
            "negative amount", "line_amount < 0",
            "purchase or return without a positive amount",
                "event_type IN ('purchase', 'return') AND NOT line_amount > 0",
            "store_id not exactly on store events", "(channel = 'store') <> (store_id IS NOT NULL)",
            "unknown customer", "customer_id IS NOT NULL AND c.signup_date IS NULL",
            // --from and --to are days in China Standard Time (UTC+8); event_time is the instant,
            // read in UTC.
            "time missing or out of range",
                "event_time IS NULL OR event_time < TIMESTAMP'2022-12-31 16:00:00'"
                    + " OR event_time >= TIMESTAMP'2024-12-31 16:00:00'",
            "store event outside opening hours, Beijing time",
                "channel = 'store' AND event_type = 'purchase'"
                    + " AND hour(from_utc_timestamp(event_time, 'Asia/Shanghai')) NOT BETWEEN 9 AND 20"));

    // Chinese price levels: a line costs several times the UK one (about ¥9 to the pound), in whole
    // yuan
    // ending in 9 before a coupon's 20 % off.
    double cnLine =
        spark
            .sql(
                "SELECT CAST(avg(line_amount / qty) AS DOUBLE) FROM ev_cn WHERE event_type = 'purchase'")
            .first()
            .getDouble(0);
    double ukLine =
        spark
            .sql(
                "SELECT CAST(avg(line_amount / qty) AS DOUBLE) FROM ev WHERE event_type = 'purchase'")
            .first()
            .getDouble(0);
    assertTrue(
        cnLine > 5 * ukLine && cnLine < 15 * ukLine,
        "mean unit price ¥" + cnLine + " against £" + ukLine);
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM ev_cn e WHERE event_type = 'purchase' AND NOT EXISTS (SELECT 1"
                + " FROM ev_cn k WHERE k.order_id = e.order_id AND k.event_type = 'coupon_redeem')"
                + " AND ((line_amount / qty) % 10 <> 9)"));
    // Double 11: November is the busiest month, far busier than the Spring Festival's February.
    List<Row> months =
        spark
            .sql(
                "SELECT month(from_utc_timestamp(event_time, 'Asia/Shanghai')) AS m, count(*) AS n"
                    + " FROM ev_cn WHERE event_type = 'purchase' GROUP BY 1 ORDER BY n DESC")
            .collectAsList();
    assertEquals(11, months.get(0).getInt(0), months.toString());
    long february =
        months.stream().filter(r -> r.getInt(0) == 2).findFirst().orElseThrow().getLong(1);
    assertTrue(months.get(0).getLong(1) > 2 * february, months.toString());
    // Who the customers are does not depend on the retailer: the same archetypes and churn dates.
    DataFrames.assertSameRows(
        spark.table("truth"),
        spark.read().parquet(cn + "/ground_truth").where("customer_id <= 'C00000150'"));
  }

  @Test
  void aChineseRetailerIsTheSameForTheSameSeedAndItsTextIsUtf8() {
    String cn = chinese();
    String again =
        generate(
            "retailer-cn-again",
            "--customers",
            String.valueOf(CN_CUSTOMERS),
            "--seed",
            "7",
            "--retailer",
            "cn",
            "--partitions",
            "3");
    DataFrames.assertSameRows(events(cn), events(again));
    DataFrames.assertSameRows(
        spark.read().parquet(cn + "/customers"), spark.read().parquet(again + "/customers"));
    // The Parquet strings are the characters, stored as UTF-8: 3 bytes each.
    Row guangzhou =
        spark
            .sql(
                "SELECT region, city, length(region), octet_length(region), octet_length(city)"
                    + " FROM parquet.`"
                    + cn
                    + "/customers` WHERE city = '广州市' LIMIT 1")
            .first();
    assertEquals("广东省", guangzhou.getString(0));
    assertEquals("广州市", guangzhou.getString(1));
    assertEquals(
        List.of(3, 9, 9), List.of(guangzhou.getInt(2), guangzhou.getInt(3), guangzhou.getInt(4)));
    assertEquals(9, "广东省".getBytes(StandardCharsets.UTF_8).length);
  }

  /**
   * conf/retailer-cn.conf is what ingest needs for the Chinese data, through the generator mapping
   * as it is: every row valid (the five channels, CNY), and the customers' Chinese names intact in
   * the Delta tables. A quarter of a year: events are partitioned by day, and fewer days write
   * faster.
   */
  @Test
  void theChineseRetailersConfigIngestsItsData() throws Exception {
    String cn =
        generate(
            "retailer-cn-quarter",
            "--customers",
            "100",
            "--seed",
            "7",
            "--retailer",
            "cn",
            "--from",
            "2024-10-01",
            "--to",
            "2024-12-31");
    Path config = projectRoot().resolve("conf/retailer-cn.conf");
    assertTrue(Files.isRegularFile(config), config.toString());
    String lake = tmp.resolve("lake-cn").toString();
    assertEquals(
        0,
        new IngestJob()
            .execute(
                "--config",
                config.toString(),
                "--source",
                cn + "/events",
                "--mapping",
                "generator",
                "--customers",
                cn + "/customers",
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""));
    Row metrics =
        spark.read().format("delta").load(lake + "/run_metrics").where("job = 'ingest'").first();
    long rows = events(cn).count();
    assertEquals(rows, (long) metrics.getAs("rows_in"));
    assertEquals(0L, (long) metrics.getAs("rows_rejected"));
    assertEquals(rows, spark.read().format("delta").load(lake + "/events").count());
    spark.read().format("delta").load(lake + "/events").createOrReplaceTempView("ingested_cn");
    assertEquals(
        List.of("douyin", "jd", "store", "tmall", "wechat_mini"),
        strings("SELECT DISTINCT channel FROM ingested_cn ORDER BY 1"));
    assertEquals(
        placesOf(spark.read().parquet(cn + "/customers")),
        placesOf(spark.read().format("delta").load(lake + "/customers")));
    String text = Files.readString(config, StandardCharsets.UTF_8);
    assertTrue(
        text.contains("wechat_mini = \"微信小程序\"") && text.contains("reporting-currency = \"CNY\""),
        text);
  }

  /** "customer_id region city" per customer, in customer order. */
  private static List<String> placesOf(Dataset<Row> customers) {
    return customers
        .selectExpr("concat_ws(' ', customer_id, region, city) AS p")
        .orderBy("p")
        .collectAsList()
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }

  /**
   * The job refuses the arguments before Spark starts: exit code 2 and a message saying what to
   * fix.
   */
  private static void assertRefused(String message, String... args) {
    Captured refused = run(args);
    assertEquals(2, refused.code, String.join(" ", args));
    assertTrue(refused.err.contains(message), refused.err);
  }

  private record Captured(int code, String out, String err) {}

  private static Captured run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int code = new GenerateJob().execute(args);
      return new Captured(
          code,
          outBytes.toString(StandardCharsets.UTF_8),
          errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static List<String> strings(String sql) {
    return spark.sql(sql).collectAsList().stream().map(r -> r.getString(0)).toList();
  }
}

package io.segpipe.jobs.clv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The clv job on data with a known answer: 50,000 customers simulated by the BG/NBD and Gamma-Gamma
 * processes with planted parameters (r 0.25, alpha 4, a 0.8, b 2.5 per week; p 6, q 4, gamma 15),
 * all first buying on {@link #FROM}, 52 weeks of calibration and 26 of holdout, generated and
 * ingested as a user would. The job counts purchase days, so the generator stretches each model
 * week over {@link #WEEK_DAYS} calendar days (hardly two purchases share a day); the fit, in 7-day
 * weeks, then has alpha = planted alpha x WEEK_DAYS / 7 and every other parameter as planted. The
 * fitted parameters must lie within three standard errors of the planted ones, the log-likelihood
 * must equal DuckDB's from the raw files, the scores must equal the papers' formulas computed here,
 * the validation table must equal direct counts, and the output must not depend on the
 * partitioning. The replicate coverage of the intervals is checked without Spark (BgNbdTest).
 */
@ExtendWith(SharedSpark.class)
class ClvJobTest {
  static final int WEEK_DAYS = 70;
  static final double SCALE = WEEK_DAYS / 7.0;
  static final LocalDate FROM = LocalDate.parse("2010-01-04");

  /** 52 model weeks after FROM, the last day of the calibration period. */
  static final LocalDate AS_OF = FROM.plusDays(52L * WEEK_DAYS - 1);

  static final LocalDate HOLDOUT_UNTIL = AS_OF.plusDays(26L * WEEK_DAYS);
  static final int CUSTOMERS = 50_000;
  static final Map<String, Double> PLANTED =
      Map.of("r", 0.25, "alpha", 4.0, "a", 0.8, "b", 2.5, "p", 6.0, "q", 4.0, "gamma", 15.0);

  private static SparkSession spark;
  private static Path dir;
  private static String lake;
  private static String models;
  private static JobRun fitted;

  @BeforeAll
  static void simulateIngestAndFit(SparkSession session) {
    spark = session;
    dir = TestFolders.folder("segpipe-clv");
    lake = dir.resolve("lake").toString();
    models = dir.resolve("models").toString();
    String generated = dir.resolve("generated").toString();
    assertEquals(
        0,
        new GenerateJob()
            .execute(
                "--output",
                generated,
                "--model",
                "btyd",
                "--customers",
                String.valueOf(CUSTOMERS),
                "--seed",
                "2005",
                "--from",
                FROM.toString(),
                "--calibration-weeks",
                "52",
                "--holdout-weeks",
                "26",
                "--week-days",
                String.valueOf(WEEK_DAYS),
                "--conf",
                "segpipe.lake.root=" + lake),
        "generate --model btyd");
    assertEquals(
        0,
        new IngestJob()
            .execute(
                "--source",
                generated + "/events",
                "--mapping",
                "generator",
                "--customers",
                generated + "/customers",
                "--conf",
                "segpipe.lake.root=" + lake),
        "ingest");
    fitted =
        JobRun.of(
            () -> clv("--as-of", AS_OF.toString(), "--holdout-until", HOLDOUT_UNTIL.toString()));
    assertEquals(0, fitted.code(), fitted.toString());
  }

  private static int clv(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--conf",
            "segpipe.lake.root=" + lake,
            "--conf",
            "segpipe.train.models=\"" + models + "\"",
            "--conf",
            "segpipe.clv.time-unit=weeks"));
    return new ClvJob().execute(all.toArray(String[]::new));
  }

  /** The model_runs row of the latest fit of {@code model}: its parameters and metrics. */
  private static Row run(String model) {
    return spark
        .read()
        .format("delta")
        .load(lake + "/model_runs")
        .where(functions.col("model").equalTo(model))
        .orderBy(functions.col("trained_at").desc())
        .limit(1)
        .collectAsList()
        .get(0);
  }

  private static double parameter(Row run, String name) {
    return Double.parseDouble(
        run.<String, String>getJavaMap(run.fieldIndex("parameters")).get(name));
  }

  private static double metric(Row run, String name) {
    return run.<String, Double>getJavaMap(run.fieldIndex("metrics")).get(name);
  }

  private static List<Row> clvRows(LocalDate date) {
    return spark
        .read()
        .format("delta")
        .load(lake + "/" + Tables.CUSTOMER_CLV.name())
        .where(functions.col("as_of_date").equalTo(Date.valueOf(date)))
        .orderBy("customer_id")
        .collectAsList();
  }

  @Test
  void plantedParametersLieWithinThreeStandardErrors() {
    Row bg = run(CustomerClv.BGNBD_MODEL);
    Row gg = run(CustomerClv.SPEND_MODEL);
    System.out.println("parameter  planted  fitted  se  |z|");
    for (String name : List.of("r", "alpha", "a", "b", "p", "q", "gamma")) {
      Row run = List.of("r", "alpha", "a", "b").contains(name) ? bg : gg;
      double scale =
          name.equals("alpha") ? SCALE : 1; // alpha is in 7-day weeks, the others have no unit
      double value = parameter(run, name) / scale;
      double se = metric(run, "se_" + name) / scale;
      double z = Math.abs(value - PLANTED.get(name)) / se;
      System.out.printf("%-9s %7.4f %8.4f %8.4f %5.2f%n", name, PLANTED.get(name), value, se, z);
      assertTrue(se > 0 && se < 0.2 * PLANTED.get(name), name + ": standard error " + se);
      assertTrue(
          z <= 3,
          name
              + " fitted "
              + value
              + " (se "
              + se
              + ") is "
              + z
              + " standard errors from the planted "
              + PLANTED.get(name));
      assertTrue(
          metric(run, "ci95_low_" + name) / scale < value
              && value < metric(run, "ci95_high_" + name) / scale,
          name);
    }
    assertEquals(CUSTOMERS, bg.getLong(bg.fieldIndex("training_rows")));
  }

  /**
   * The log-likelihood at the fitted parameters, computed by DuckDB from the generated Parquet
   * files (its own day arithmetic, one row per customer, lgamma in SQL), equals the job's (over
   * triples).
   */
  @Test
  void logLikelihoodEqualsDuckDbOverTheRawFiles() throws Exception {
    Row bg = run(CustomerClv.BGNBD_MODEL);
    double r = parameter(bg, "r");
    double alpha = parameter(bg, "alpha");
    double a = parameter(bg, "a");
    double b = parameter(bg, "b");
    String sql =
        """
        WITH days AS (
          SELECT customer_id, CAST(event_time AS DATE) AS d
          FROM read_parquet('%s/generated/events/*.parquet')
          WHERE event_type = 'purchase' AND CAST(event_time AS DATE) <= DATE '%s'
          GROUP BY 1, 2
        ),
        s AS (
          SELECT count(*) - 1 AS x, date_diff('day', min(d), max(d)) / 7.0 AS tx,
            date_diff('day', min(d), DATE '%s') / 7.0 AS t
          FROM days GROUP BY customer_id
        ),
        terms AS (
          SELECT x,
            lgamma(%s + x) - lgamma(%s) + %s * ln(%s) + lgamma(%s + %s) + lgamma(%s + x) - lgamma(%s) - lgamma(%s + %s + x)
              AS a12,
            -(%s + x) * ln(%s + t) AS a3,
            CASE WHEN x > 0 THEN ln(%s) - ln(%s + x - 1) - (%s + x) * ln(%s + tx) END AS a4
          FROM s
        )
        SELECT sum(a12 + greatest(a3, coalesce(a4, a3))
          + ln(exp(a3 - greatest(a3, coalesce(a4, a3))) + coalesce(exp(a4 - greatest(a3, coalesce(a4, a3))), 0))),
          count(*)
        FROM terms
        """
            .formatted(
                dir, AS_OF, AS_OF, r, r, r, alpha, a, b, b, b, a, b, r, alpha, a, b, r, alpha);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        double duck = rs.getDouble(1);
        double job = metric(bg, "log_likelihood");
        assertEquals(CUSTOMERS, rs.getLong(2));
        assertEquals(
            0,
            Math.abs(duck - job) / Math.abs(duck),
            1e-9,
            "DuckDB " + duck + " against the job's " + job);
      }
    }
  }

  /**
   * p_alive, expected purchases, expected value, CLV and tier of every customer against the
   * formulas here.
   */
  @Test
  void scoresFollowThePapersFormulas() {
    Row bg = run(CustomerClv.BGNBD_MODEL);
    Row gg = run(CustomerClv.SPEND_MODEL);
    double r = parameter(bg, "r");
    double alpha = parameter(bg, "alpha");
    double a = parameter(bg, "a");
    double b = parameter(bg, "b");
    double p = parameter(gg, "p");
    double q = parameter(gg, "q");
    double gamma = parameter(gg, "gamma");
    List<Row> rows = clvRows(AS_OF);
    assertEquals(CUSTOMERS, rows.size());
    double horizon = 365 / 7.0;
    double month = 365.25 / 12 / 7;
    double monthly = Math.pow(1.1, 1.0 / 12) - 1;
    int checked = 0;
    for (int i = 0; i < rows.size(); i += 97) {
      Row row = rows.get(i);
      int x = row.getAs("x");
      double tx = row.getAs("t_x");
      double t = row.getAs("t_cal");
      double odds = x == 0 ? 0 : a / (b + x - 1) * Math.pow((alpha + t) / (alpha + tx), r + x);
      assertEquals(1 / (1 + odds), row.<Double>getAs("p_alive"), 1e-12, row.toString());
      double expected = conditional(r, alpha, a, b, x, t, horizon) / (1 + odds);
      assertEquals(
          expected,
          row.<Double>getAs("expected_purchases"),
          1e-9 * Math.max(1, expected),
          row.toString());
      Double mean = row.getAs("mean_repeat_value");
      double value = p * (gamma + x * Math.max(mean == null ? 0 : mean, 0)) / (p * x + q - 1);
      assertEquals(value, row.<Double>getAs("expected_order_value"), 1e-9 * value, row.toString());
      double clv = 0;
      double before = 0;
      for (int m = 1; m <= Math.ceil(horizon / month); m++) {
        double cumulative =
            conditional(r, alpha, a, b, x, t, Math.min(m * month, horizon)) / (1 + odds);
        clv += (cumulative - before) * value / Math.pow(1 + monthly, m);
        before = cumulative;
      }
      assertEquals(clv, row.<Double>getAs("clv"), 1e-9 * Math.max(1, clv), row.toString());
      checked++;
    }
    assertTrue(checked > 500);
    // Tiers: high while the customers with a strictly higher clv hold less than 20 % of the total,
    // mid to 50 %.
    List<Row> byClv = new ArrayList<>(rows);
    byClv.sort((u, v) -> Double.compare(v.<Double>getAs("clv"), u.<Double>getAs("clv")));
    BigDecimal total = BigDecimal.ZERO;
    for (Row row : rows) {
      total = total.add(rounded(row.getAs("clv")));
    }
    BigDecimal above = BigDecimal.ZERO;
    BigDecimal level = null;
    BigDecimal levelStart = BigDecimal.ZERO;
    for (Row row : byClv) {
      BigDecimal c = rounded(row.getAs("clv"));
      if (!c.equals(level)) {
        levelStart = above;
        level = c;
      }
      String tier =
          levelStart.compareTo(total.multiply(new BigDecimal("0.2"))) < 0
              ? "high"
              : levelStart.compareTo(total.multiply(new BigDecimal("0.5"))) < 0 ? "mid" : "low";
      assertEquals(tier, row.getAs("clv_tier"), row.toString());
      above = above.add(c);
    }
  }

  private static BigDecimal rounded(double clv) {
    return new BigDecimal(clv).setScale(6, java.math.RoundingMode.HALF_UP);
  }

  /**
   * The bracket of E[Y(t) | x, t_x, T] before dividing by 1 + odds, with 2F1 summed here term by
   * term.
   */
  static double conditional(
      double r, double alpha, double a, double b, int x, double tCal, double t) {
    double z = t / (alpha + tCal + t);
    double aa = r + x;
    double bb = b + x;
    double cc = a + b + x - 1;
    double term = 1;
    double sum = 1;
    for (int k = 0; k < 100_000 && term > 1e-17 * sum; k++) {
      term *= (aa + k) * (bb + k) / ((cc + k) * (k + 1)) * z;
      sum += term;
    }
    return (a + b + x - 1)
        / (a - 1)
        * (1 - Math.pow((alpha + tCal) / (alpha + tCal + t), r + x) * sum);
  }

  /**
   * clv_validation against counts made here from the events, and the model (which is true here)
   * close to them.
   */
  @Test
  void validationEqualsDirectCountsAndTheTrueModelTracksThem() {
    Dataset<Row> days =
        spark
            .read()
            .format("delta")
            .load(lake + "/" + Tables.EVENTS.name())
            .where("event_type = 'purchase'")
            .select("customer_id", "event_date")
            .distinct();
    Dataset<Row> firsts = days.groupBy("customer_id").agg(functions.min("event_date").as("first"));
    List<Row> perCustomer =
        days.join(firsts, "customer_id")
            .groupBy("customer_id")
            .agg(
                functions
                    .sum(
                        functions
                            .when(functions.col("event_date").leq(Date.valueOf(AS_OF)), 1)
                            .otherwise(0))
                    .as("cal"),
                functions
                    .sum(
                        functions
                            .when(functions.col("event_date").gt(Date.valueOf(AS_OF)), 1)
                            .otherwise(0))
                    .as("hold"))
            .collectAsList();
    Map<String, long[]> buckets = new TreeMap<>();
    long repeatsThroughHoldout = 0;
    for (Row row : perCustomer) {
      long x = row.getLong(1) - 1;
      String bucket = x >= 7 ? "7+" : String.valueOf(x);
      long[] sums = buckets.computeIfAbsent(bucket, k -> new long[2]);
      sums[0]++;
      sums[1] += row.getLong(2);
      repeatsThroughHoldout += x + row.getLong(2);
    }
    List<Row> validation =
        spark
            .read()
            .format("delta")
            .load(lake + "/" + Tables.CLV_VALIDATION.name())
            .where(functions.col("as_of_date").equalTo(Date.valueOf(AS_OF)))
            .collectAsList();
    Map<String, Row> byCount = new HashMap<>();
    List<Row> tracking = new ArrayList<>();
    for (Row v : validation) {
      if (v.getString(v.fieldIndex("kind")).equals("by_repeat_count")) {
        byCount.put(v.getAs("calibration_repeats"), v);
      } else {
        tracking.add(v);
      }
    }
    assertEquals(buckets.keySet(), byCount.keySet());
    for (Map.Entry<String, long[]> e : buckets.entrySet()) {
      Row v = byCount.get(e.getKey());
      assertEquals(e.getValue()[0], v.<Long>getAs("customers"), e.getKey());
      double actual = (double) e.getValue()[1] / e.getValue()[0];
      assertEquals(actual, v.<Double>getAs("actual"), 1e-12, e.getKey());
      double expected = v.getAs("expected");
      if (e.getValue()[0]
          >= 2000) { // the fitted model is the true one: it predicts the big groups well
        assertEquals(
            actual, expected, 0.1 * actual + 0.02, "bucket " + e.getKey() + ": model " + expected);
      }
    }
    tracking.sort((u, v) -> u.<Date>getAs("period_end").compareTo(v.getAs("period_end")));
    Row last = tracking.get(tracking.size() - 1);
    assertEquals(Date.valueOf(HOLDOUT_UNTIL), last.getAs("period_end"));
    assertEquals(repeatsThroughHoldout, last.<Double>getAs("actual"), 0);
    assertEquals(CUSTOMERS, last.<Long>getAs("customers"));
    assertEquals(
        1, last.<Double>getAs("expected") / last.<Double>getAs("actual"), 0.05, last.toString());
    assertTrue(
        tracking.size() >= 78 * SCALE, "weekly points over 78 model weeks: " + tracking.size());
  }

  /**
   * The same rows and parameters with 1, 3 and 7 shuffle partitions, and --score-only reuses the
   * fit exactly.
   */
  @Test
  void sameOutputWhateverThePartitioningAndScoreOnlyReusesTheFit() {
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    List<Row> first = null;
    Map<String, String> firstParameters = null;
    try {
      for (int partitions : new int[] {1, 3, 7}) {
        spark.conf().set("spark.sql.shuffle.partitions", partitions);
        assertEquals(0, clv("--as-of", AS_OF.toString()), "clv with " + partitions + " partitions");
        List<Row> rows = withoutVersion(clvRows(AS_OF));
        Map<String, String> parameters =
            new TreeMap<>(
                run(CustomerClv.BGNBD_MODEL)
                    .<String, String>getJavaMap(
                        run(CustomerClv.BGNBD_MODEL).fieldIndex("parameters")));
        parameters.putAll(
            run(CustomerClv.SPEND_MODEL)
                .<String, String>getJavaMap(run(CustomerClv.SPEND_MODEL).fieldIndex("parameters")));
        if (first == null) {
          first = rows;
          firstParameters = parameters;
        } else {
          assertEquals(firstParameters, parameters, partitions + " partitions");
          assertEquals(first, rows, partitions + " partitions");
        }
      }
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
    String version = clvRows(AS_OF).get(0).getAs("clv_model_version");
    LocalDate later = AS_OF.plusDays(28);
    assertEquals(0, clv("--as-of", later.toString(), "--score-only"));
    List<Row> scored = clvRows(later);
    assertTrue(scored.stream().allMatch(r -> version.equals(r.getAs("clv_model_version"))));
    assertTrue(scored.size() > CUSTOMERS * 0.99, "customers as of " + later + ": " + scored.size());
  }

  private static List<Row> withoutVersion(List<Row> rows) {
    return rows.stream()
        .map(
            r -> {
              Object[] values = new Object[r.size()];
              for (int i = 0; i < r.size(); i++) {
                values[i] =
                    r.schema().fieldNames()[i].equals("clv_model_version") ? null : r.get(i);
              }
              return RowFactory.create(values);
            })
        .toList();
  }

  /**
   * Each bad input stops the job with exit code 2 and a message naming the value and what to
   * change; tables stay.
   */
  @Test
  void badInputIsRefusedClearlyAndLeavesTheTablesAsTheyWere() {
    long version =
        DeltaTable.forPath(spark, lake + "/" + Tables.CUSTOMER_CLV.name())
            .history(1)
            .first()
            .getLong(0);

    JobRun early = JobRun.of(() -> clv("--as-of", FROM.minusDays(1).toString()));
    assertEquals(2, early.code(), early.toString());
    assertTrue(
        early.err().contains("no purchases of known customers") && early.err().contains("--as-of"),
        early.err());

    JobRun few =
        JobRun.of(
            () ->
                clv(
                    "--as-of",
                    AS_OF.toString(),
                    "--conf",
                    "segpipe.clv.min-repeat-customers=1000000"));
    assertEquals(2, few.code(), few.toString());
    assertTrue(few.err().contains("segpipe.clv.min-repeat-customers = 1000000"), few.err());

    JobRun horizon =
        JobRun.of(() -> clv("--as-of", AS_OF.toString(), "--conf", "segpipe.clv.horizon-days=0"));
    assertEquals(2, horizon.code(), horizon.toString());
    assertTrue(
        horizon.err().contains("segpipe.clv.horizon-days") && horizon.err().contains("value 0"),
        horizon.err());

    assertEquals(
        version,
        DeltaTable.forPath(spark, lake + "/" + Tables.CUSTOMER_CLV.name())
            .history(1)
            .first()
            .getLong(0));

    // Every repeat purchase cancelled by a same-day return: nothing for the spend model to fit.
    String zero = TestFolders.folder("segpipe-clv-zero").resolve("lake").toString();
    List<Row> events = new ArrayList<>();
    for (int c = 0; c < 150; c++) {
      for (int d = 0; d < 3; d++) {
        LocalDate day = FROM.plusDays(10L * d + c % 7);
        java.sql.Timestamp ts = java.sql.Timestamp.valueOf(day.atTime(12, 0));
        events.add(event("p" + c + "-" + d, ts, "c" + c, "purchase", new BigDecimal("20.00"), day));
        if (d > 0) {
          events.add(event("r" + c + "-" + d, ts, "c" + c, "return", new BigDecimal("20.00"), day));
        }
      }
    }
    spark
        .createDataFrame(events, Events.SCHEMA)
        .write()
        .format("delta")
        .partitionBy("event_date")
        .save(zero + "/events");
    JobRun returns =
        JobRun.of(
            () ->
                new ClvJob()
                    .execute(
                        "--as-of",
                        FROM.plusDays(60).toString(),
                        "--conf",
                        "segpipe.lake.root=" + zero,
                        "--conf",
                        "segpipe.train.models=\"" + models + "-zero\""));
    assertEquals(2, returns.code(), returns.toString());
    assertTrue(returns.err().contains("mean repeat transaction value of 0 or less"), returns.err());
  }

  private static Row event(
      String id,
      java.sql.Timestamp ts,
      String customer,
      String type,
      BigDecimal amount,
      LocalDate day) {
    return RowFactory.create(
        id,
        ts,
        customer,
        "web",
        type,
        "o-" + id,
        "sku",
        "general",
        1,
        amount,
        "GBP",
        null,
        null,
        Date.valueOf(day),
        null,
        null);
  }
}

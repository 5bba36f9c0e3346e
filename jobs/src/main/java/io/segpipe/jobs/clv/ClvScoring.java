package io.segpipe.jobs.clv;

import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.sql.ShareThresholds;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.modelling.Btyd;
import io.segpipe.modelling.ClvFit;
import io.segpipe.modelling.ClvSettings;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores with a fit: the BG/NBD scores once per distinct (x, t_x, t_cal) triple (a Spark UDF: the
 * triples stay distributed, and customers sharing a triple share its scores), then per customer the
 * Gamma-Gamma expected value, the CLV and the CLV tier (customer_clv.sql, clv_tier_levels.sql and
 * common's ShareThresholds).
 */
final class ClvScoring {
  private ClvScoring() {}

  static final StructType SCORES =
      new StructType()
          .add("p_alive", DataTypes.DoubleType, false)
          .add("expected_purchases", DataTypes.DoubleType, false)
          .add("discounted_purchases", DataTypes.DoubleType, false);

  /** The clv column rounded to the tier thresholds' DECIMAL(30, 6), in {@link #values}. */
  static final String LEVEL = "clv_level";

  private static final DataType LEVEL_TYPE = DataTypes.createDecimalType(30, 6);

  /**
   * One row per triple of {@code triples} (x, t_x_days, t_cal_days, ...) with p_alive, expected and
   * discounted purchases.
   */
  static Dataset<Row> scoreTriples(Dataset<Row> triples, ClvFit fit, ClvSettings s) {
    double r = fit.r();
    double alpha = fit.alpha();
    double a = fit.a();
    double b = fit.b();
    double unit = s.unitDays();
    double horizon = s.horizonUnits();
    double month = s.monthUnits();
    double monthlyRate = s.monthlyRate();
    UDF3<Integer, Integer, Integer, Row> score =
        (x, txDays, tCalDays) -> {
          Btyd model = new Btyd(r, alpha, a, b);
          double tx = txDays / unit;
          double tCal = tCalDays / unit;
          return RowFactory.create(
              model.pAlive(x, tx, tCal),
              model.expectedPurchases(horizon, x, tx, tCal),
              model.discountedPurchases(x, tx, tCal, horizon, month, monthlyRate));
        };
    UserDefinedFunction udf = functions.udf(score, SCORES);
    return triples
        .select(
            functions.col("x"),
            functions.col("t_x_days"),
            functions.col("t_cal_days"),
            udf.apply(functions.col("x"), functions.col("t_x_days"), functions.col("t_cal_days"))
                .as("s"))
        .select(
            "x",
            "t_x_days",
            "t_cal_days",
            "s.p_alive",
            "s.expected_purchases",
            "s.discounted_purchases");
  }

  /**
   * customer_clv's values per customer (every contract column but clv_tier) from the summary and
   * the triples' scores, with {@link #LEVEL}: the clv rounded as the tiers compare it. Lazy; the
   * job keeps it, as both the tier thresholds and the write read it.
   */
  static Dataset<Row> values(Dataset<Row> summary, Dataset<Row> scores, ClvFit fit, ClvSettings s) {
    // The rounding is a cast through Double.toString, the dearest step of the scoring: once per
    // customer here, not in each of the thresholds' aggregation (twice) and the tier.
    return SqlResource.load("sql/clv/customer_clv.sql")
        .withView("summary", summary)
        .withView("scores", scores)
        .with("unit_days", s.unitDays())
        .with("p", fit.p())
        .with("q", fit.q())
        .with("gamma", fit.gamma())
        .with("margin", s.margin())
        .with("model_version", fit.version())
        .run(summary.sparkSession())
        .withColumn(LEVEL, functions.col("clv").cast(LEVEL_TYPE));
  }

  /**
   * customer_clv's rows: {@code values} with the tier from this snapshot's thresholds
   * (ShareThresholds: two small aggregations, the first of which computes {@code values}).
   */
  static Dataset<Row> withTiers(Dataset<Row> values, ClvSettings s) {
    Row thresholds =
        ShareThresholds.of(
                SqlResource.load("sql/clv/clv_tier_levels.sql")
                    .withView("clv_rows", values)
                    .run(values.sparkSession()),
                s.tierHighShare(),
                s.tierMidShare())
            .first();
    // Compared as ranked: clv rounded to the thresholds' DECIMAL(30, 6). No positive clv: everyone
    // is low.
    Column clv = functions.col(LEVEL);
    Column tier =
        thresholds.isNullAt(0)
            ? functions.lit("low")
            : functions
                .when(clv.geq(functions.lit(thresholds.getDecimal(0))), "high")
                .when(clv.geq(functions.lit(thresholds.getDecimal(1))), "mid")
                .otherwise("low");
    return values
        .withColumn("clv_tier", tier)
        .withColumn(CustomerClv.PARTITION, functions.lit(s.asOf()))
        .select(CustomerClv.COLUMNS.stream().map(functions::col).toArray(Column[]::new));
  }
}

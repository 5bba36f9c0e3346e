package io.segpipe.modelling;

import io.segpipe.btyd.BgNbd;
import io.segpipe.btyd.BgNbdParams;
import io.segpipe.common.UserError;
import io.segpipe.common.sql.SqlResource;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * BG/NBD as a churn model: the probability that a customer makes no purchase in the next horizon,
 * from the same summary and fit as the clv job (segpipe.clv's history and time unit), fitted on the
 * purchases up to the end of a cut-off day and nothing after it. The train job uses it as a
 * baseline candidate and as a feature of the tree ensembles; the segment job scores customer_clv
 * with the clv job's fit.
 */
public final class ChurnBaseline {
  /** The column the baseline adds: P(no purchase in the horizon). */
  public static final String COLUMN = "bgnbd_p_no_purchase";

  /**
   * Fitted BG/NBD parameters, the days in their time unit, and whether the fit stopped at the
   * boundary.
   */
  public record Fit(double r, double alpha, double a, double b, int unitDays, boolean atBoundary) {}

  /** A fit at one cut-off, or why there is none. */
  public record Outcome(Optional<Fit> fit, String reason) {}

  private ChurnBaseline() {}

  /**
   * The BTYD summary (customer_id, x, t_x_days, t_cal_days, ...) of the purchases up to the end of
   * {@code cutOff}, from {@code daily}: rows of customer_daily.
   */
  public static Dataset<Row> summary(Dataset<Row> daily, ClvSettings s, LocalDate cutOff) {
    return SqlResource.load("sql/clv/customer_summary.sql")
        .withView("daily", daily)
        .with(
            "history_start",
            s.historyDays() == 0 ? LocalDate.of(1, 1, 1) : cutOff.minusDays(s.historyDays() - 1L))
        .with("as_of", cutOff)
        .run(daily.sparkSession());
  }

  /**
   * Fits BG/NBD on {@code summary}'s triples; no fit (with the reason) when there are too few
   * repeat customers.
   */
  public static Outcome fit(Dataset<Row> summary, ClvSettings s, LocalDate cutOff) {
    List<Row> rows =
        summary
            .groupBy("x", "t_x_days", "t_cal_days")
            .count()
            .orderBy("x", "t_x_days", "t_cal_days")
            .collectAsList();
    ClvData data = ClvData.of(rows, s.unitDays());
    if (data.repeatCustomers() < s.minRepeatCustomers()) {
      return new Outcome(
          Optional.empty(),
          data.repeatCustomers()
              + " repeat customers up to "
              + cutOff
              + ", fewer than segpipe.clv.min-repeat-customers = "
              + s.minRepeatCustomers());
    }
    try {
      ParameterFit fit = Btyd.fitBgNbd(data, s.maxIterations());
      return new Outcome(
          Optional.of(
              new Fit(
                  fit.values().get("r"),
                  fit.values().get("alpha"),
                  fit.values().get("a"),
                  fit.values().get("b"),
                  s.unitDays(),
                  fit.atBoundary())),
          "");
    } catch (UserError e) {
      return new Outcome(
          Optional.empty(), "the fit up to " + cutOff + " failed: " + e.getMessage());
    }
  }

  /**
   * customer_id and {@link #COLUMN} for each row of {@code summary} (a BTYD summary with x,
   * t_x_days and t_cal_days), over the next {@code horizonDays}.
   */
  public static Dataset<Row> scoreSummary(Dataset<Row> summary, Fit fit, int horizonDays) {
    int unitDays = fit.unitDays();
    UserDefinedFunction p = udf(fit, horizonDays / (double) unitDays);
    return summary.select(
        functions.col("customer_id"),
        p.apply(
                functions.col("x"),
                functions.col("t_x_days").cast("double").divide(unitDays),
                functions.col("t_cal_days").cast("double").divide(unitDays))
            .as(COLUMN));
  }

  /**
   * The probability of no purchase over the next {@code horizonDays} for a row of a customer_clv
   * snapshot (its x, t_x and t_cal, already in model units).
   */
  public static Column clvScore(Fit fit, int horizonDays) {
    return udf(fit, horizonDays / (double) fit.unitDays())
        .apply(functions.col("x"), functions.col("t_x"), functions.col("t_cal"));
  }

  private static UserDefinedFunction udf(Fit fit, double horizonUnits) {
    double r = fit.r();
    double alpha = fit.alpha();
    double a = fit.a();
    double b = fit.b();
    UDF3<Integer, Double, Double, Double> score =
        (x, tx, tCal) ->
            BgNbd.probabilityNoTransaction(
                new BgNbdParams(r, alpha, a, b), x, tx, tCal, horizonUnits);
    return functions.udf(score, DataTypes.DoubleType).asNonNullable();
  }

  /** The BG/NBD fit of a clv model version (the one customer_clv names). */
  public static Fit load(ModelRegistry registry, String version) {
    ModelMetadata model =
        registry.versions(ClvFit.BGNBD).stream()
            .filter(m -> m.version().equals(version))
            .findFirst()
            .orElseThrow(
                () ->
                    new UserError(
                        "customer_clv was scored with the "
                            + ClvFit.BGNBD
                            + " model "
                            + version
                            + ", which is not in "
                            + registry.root()
                            + "/"
                            + ClvFit.BGNBD
                            + ". Rerun `scripts/segpipe clv`"
                            + " for the date."));
    int unitDays = "weeks".equals(model.parameters().get("time_unit")) ? 7 : 1;
    return new Fit(
        ClvFit.number(model, "r"),
        ClvFit.number(model, "alpha"),
        ClvFit.number(model, "a"),
        ClvFit.number(model, "b"),
        unitDays,
        false);
  }
}

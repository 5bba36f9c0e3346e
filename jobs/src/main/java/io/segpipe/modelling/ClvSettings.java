package io.segpipe.modelling;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.ConfigReader;
import java.time.LocalDate;
import java.util.Optional;

/**
 * What one clv run needs: the as-of date, the segpipe.clv section (checked before Spark starts),
 * the optional holdout end and whether to fit or only score with the latest fit.
 *
 * @param historyDays days of history read (0: all)
 * @param unitDays days in one model time unit (1 for days, 7 for weeks)
 * @param holdoutUntil with a value: write clv_validation for the period after the as-of date up to
 *     it
 * @param scoreOnly score with the latest fit at or before the as-of date instead of fitting
 * @param models the models folder (segpipe.train.models)
 */
public record ClvSettings(
    LocalDate asOf,
    int historyDays,
    String timeUnit,
    int unitDays,
    int horizonDays,
    double discountRate,
    double margin,
    int minRepeatCustomers,
    int maxIterations,
    double tierHighShare,
    double tierMidShare,
    Optional<LocalDate> holdoutUntil,
    boolean scoreOnly,
    String models) {

  static final String PREFIX = "segpipe.clv.";

  /** Months of the CLV sum: 365.25 / 12 days each. */
  static final double MONTH_DAYS = 365.25 / 12;

  public static ClvSettings read(ConfigReader r, JobArguments arguments, LocalDate asOf) {
    Optional<LocalDate> holdout =
        arguments.option("holdout-until").map(v -> JobArguments.parseDate("--holdout-until", v));
    return read(r, asOf, holdout, arguments.flag("score-only"));
  }

  /**
   * The segpipe.clv section as another job reads it (the churn model's BG/NBD baseline): no
   * holdout, fitting.
   */
  public static ClvSettings read(ConfigReader r, LocalDate asOf) {
    return read(r, asOf, Optional.empty(), false);
  }

  private static ClvSettings read(
      ConfigReader r, LocalDate asOf, Optional<LocalDate> holdout, boolean scoreOnly) {
    int historyDays =
        r.integer(
            PREFIX + "history-days",
            d -> d >= 0 && d <= 36600,
            "0 (the whole history) or a number of days up to 36600");
    String unit = r.string(PREFIX + "time-unit");
    int unitDays =
        switch (unit) {
          case "days" -> 1;
          case "weeks" -> 7;
          default -> {
            r.problem(PREFIX + "time-unit", "'" + unit + "' is not days or weeks");
            yield 1;
          }
        };
    int horizon =
        r.integer(
            PREFIX + "horizon-days",
            d -> d > 0 && d <= 3650,
            "a number of days between 1 and 3650 (the horizon expected purchases and CLV look ahead)");
    double rate =
        r.number(
            PREFIX + "discount-rate",
            d -> d >= 0 && d <= 1,
            "an annual rate between 0 and 1, e.g. 0.1");
    double margin =
        r.number(
            PREFIX + "margin", d -> d > 0 && d <= 1, "a share above 0 and at most 1, e.g. 0.3");
    int minRepeat =
        r.integer(PREFIX + "min-repeat-customers", n -> n >= 2, "a whole number, at least 2");
    int maxIterations =
        r.integer(
            PREFIX + "max-iterations",
            n -> n >= 10 && n <= 100_000,
            "a whole number between 10 and 100000");
    String share = "a share between 0 and 1, e.g. 0.2";
    double high = r.number(PREFIX + "tier.high-share", s -> s > 0 && s < 1, share);
    double mid = r.number(PREFIX + "tier.mid-share", s -> s > 0 && s < 1, share);
    if (high + mid > 1) {
      r.problem(
          PREFIX + "tier.mid-share",
          "high-share + mid-share is " + (high + mid) + "; it must be at most 1");
    }
    String models = r.string("segpipe.train.models");
    holdout.ifPresent(
        h -> {
          if (!h.isAfter(asOf)) {
            throw new UserError(
                "--holdout-until "
                    + h
                    + " must be after --as-of "
                    + asOf
                    + ": the holdout period is the"
                    + " time after the calibration period that ends on the as-of date.");
          }
        });
    if (scoreOnly && holdout.isPresent()) {
      throw new UserError(
          "--holdout-until validates a fit made on the calibration period; it cannot be combined"
              + " with --score-only. Drop one of them.");
    }
    return new ClvSettings(
        asOf,
        historyDays,
        unit,
        unitDays,
        horizon,
        rate,
        margin,
        minRepeat,
        maxIterations,
        high,
        mid,
        holdout,
        scoreOnly,
        models);
  }

  /** The first day of history read: the start of the window, or empty for the whole history. */
  public Optional<LocalDate> historyStart() {
    return historyDays == 0 ? Optional.empty() : Optional.of(asOf.minusDays(historyDays - 1L));
  }

  /** The horizon in model time units. */
  public double horizonUnits() {
    return horizonDays / (double) unitDays;
  }

  /** One month of the CLV sum in model time units. */
  public double monthUnits() {
    return MONTH_DAYS / unitDays;
  }

  /** The monthly discount rate from the annual one. */
  public double monthlyRate() {
    return Math.pow(1 + discountRate, 1.0 / 12) - 1;
  }
}

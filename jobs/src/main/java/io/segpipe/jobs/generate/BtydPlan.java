package io.segpipe.jobs.generate;

import io.segpipe.btyd.BgNbdParams;
import io.segpipe.btyd.BtydSimulator;
import io.segpipe.btyd.GammaGammaParams;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code generate --model btyd}: customers who behave exactly as the BG/NBD and Gamma-Gamma models
 * say, with parameters in weeks, so a lifetime value fit can be checked against known values. Every
 * customer's first purchase is at the start of --from (plus a uniform offset up to --cohort-weeks);
 * purchases follow until --calibration-weeks + --holdout-weeks after --from. One purchase event per
 * transaction (channel web, its value as the amount, rounded to pence and at least 0.01).
 *
 * <p>The clv job counts purchase days (two purchases on one day are one transaction), so a customer
 * who buys several times a week loses transactions to that rule and the data are no longer exactly
 * BG/NBD. --week-days stretches the calendar (e.g. 70: one model week is 70 days) so that hardly
 * two purchases share a day; the rates fitted in 7-day weeks are then the planted ones divided by
 * weekDays / 7 (alpha and the time scale multiplied by it).
 */
record BtydPlan(
    BgNbdParams transactions,
    GammaGammaParams spend,
    double calibrationWeeks,
    double holdoutWeeks,
    double cohortWeeks,
    int weekDays) {

  static final String DEFAULT_PARAMETERS = "r=0.25,alpha=4,a=0.8,b=2.5,p=6,q=4,gamma=15";
  static final double DEFAULT_CALIBRATION_WEEKS = 52;
  static final double DEFAULT_HOLDOUT_WEEKS = 26;

  static final List<JobArguments.Option> OPTIONS =
      List.of(
          new JobArguments.Option(
              "model",
              "NAME",
              "archetypes (default: the omnichannel archetypes) or btyd (customers"
                  + " simulated by the BG/NBD and Gamma-Gamma lifetime value models, for checking the clv job)"),
          new JobArguments.Option(
              "btyd",
              "PARAMETERS",
              "with --model btyd: the planted parameters, in weeks (default "
                  + DEFAULT_PARAMETERS
                  + ")"),
          new JobArguments.Option(
              "calibration-weeks",
              "N",
              "with --model btyd: weeks from --from to the end of the"
                  + " calibration period (default 52)"),
          new JobArguments.Option(
              "holdout-weeks", "N", "with --model btyd: weeks simulated after it (default 26)"),
          new JobArguments.Option(
              "cohort-weeks",
              "N",
              "with --model btyd: first purchases spread uniformly over the first"
                  + " N weeks (default 0: all on --from)"),
          new JobArguments.Option(
              "week-days",
              "N",
              "with --model btyd: calendar days per model week (default 7); more"
                  + " spreads purchases so that hardly two fall on one day (clv counts purchase days)"));

  /** The ground truth of a btyd data set: each customer's own rates and the planted parameters. */
  static final StructType GROUND_TRUTH =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("lambda_per_week", DataTypes.DoubleType, false)
          .add("dropout_probability", DataTypes.DoubleType, false)
          .add("spend_nu", DataTypes.DoubleType, false)
          .add("purchases_calibration", DataTypes.IntegerType, false)
          .add("purchases_holdout", DataTypes.IntegerType, false)
          .add(
              "parameters",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
              false);

  /** The btyd plan the arguments ask for, or empty for the archetypes. */
  static Optional<BtydPlan> parse(JobArguments arguments) {
    String model = arguments.option("model").orElse("archetypes");
    if (model.equals("archetypes")) {
      for (String o :
          List.of("btyd", "calibration-weeks", "holdout-weeks", "cohort-weeks", "week-days")) {
        if (arguments.option(o).isPresent()) {
          throw new UserError("--" + o + " goes with --model btyd.");
        }
      }
      return Optional.empty();
    }
    if (!model.equals("btyd")) {
      throw new UserError("--model must be archetypes or btyd, got '" + model + "'.");
    }
    Map<String, Double> p = parameters(arguments.option("btyd").orElse(DEFAULT_PARAMETERS));
    double calibration = weeks(arguments, "calibration-weeks", DEFAULT_CALIBRATION_WEEKS, 1);
    double holdout = weeks(arguments, "holdout-weeks", DEFAULT_HOLDOUT_WEEKS, 0);
    double cohort = weeks(arguments, "cohort-weeks", 0, 0);
    if (cohort > calibration) {
      throw new UserError(
          "--cohort-weeks " + cohort + " must not exceed --calibration-weeks " + calibration + ".");
    }
    double weekDays = weeks(arguments, "week-days", 7, 1);
    if (weekDays != Math.rint(weekDays)) {
      throw new UserError("--week-days must be a whole number of days, got " + weekDays + ".");
    }
    return Optional.of(
        new BtydPlan(
            new BgNbdParams(p.get("r"), p.get("alpha"), p.get("a"), p.get("b")),
            new GammaGammaParams(p.get("p"), p.get("q"), p.get("gamma")),
            calibration,
            holdout,
            cohort,
            (int) weekDays));
  }

  private static Map<String, Double> parameters(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String[] kv = part.split("=", 2);
      try {
        out.put(kv[0].trim().toLowerCase(Locale.ROOT), Double.parseDouble(kv[1].trim()));
      } catch (RuntimeException e) {
        throw new UserError(
            "--btyd takes name=value pairs separated by commas, e.g. "
                + DEFAULT_PARAMETERS
                + "; could"
                + " not read '"
                + part
                + "'.");
      }
    }
    for (String name : List.of("r", "alpha", "a", "b", "p", "q", "gamma")) {
      Double v = out.get(name);
      if (v == null || !(v > 0) || v.isInfinite()) {
        throw new UserError(
            "--btyd needs a positive "
                + name
                + " (all of r, alpha, a, b, p, q, gamma), e.g. "
                + DEFAULT_PARAMETERS
                + ".");
      }
    }
    return out;
  }

  private static double weeks(JobArguments arguments, String name, double fallback, double min) {
    Optional<String> raw = arguments.option(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      double v = Double.parseDouble(raw.get().trim());
      if (v >= min && v <= 5200) {
        return v;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UserError(
        "--"
            + name
            + " must be a number of weeks between "
            + min
            + " and 5200, got '"
            + raw.get()
            + "'.");
  }

  /** The simulated customers, the same for the same seed. */
  List<BtydSimulator.Customer> simulate(long customers, long seed) {
    if (customers > 5_000_000) {
      throw new UserError(
          "--model btyd simulates on the driver; use at most 5000000 customers, got "
              + customers
              + ".");
    }
    return new BtydSimulator(transactions, spend, calibrationWeeks, holdoutWeeks, cohortWeeks)
        .simulate((int) customers, seed);
  }

  static String customerId(int index) {
    return String.format("B%07d", index);
  }

  /** Purchase events of one customer in the generator's export shape. */
  List<Row> events(int index, BtydSimulator.Customer c, LocalDate from) {
    double weekSeconds = weekDays * 24.0 * 3600;
    long start = from.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    double[] times = c.purchaseTimes();
    double[] values = c.values();
    List<Row> rows = new ArrayList<>(times.length);
    for (int k = 0; k < times.length; k++) {
      long second = start + (long) Math.floor(times[k] * weekSeconds);
      BigDecimal amount =
          BigDecimal.valueOf(values[k])
              .setScale(2, RoundingMode.HALF_UP)
              .max(new BigDecimal("0.01"));
      rows.add(
          RowFactory.create(
              "b" + index + "-" + k,
              new Timestamp(second * 1000),
              customerId(index),
              "web",
              "purchase",
              "o" + index + "-" + k,
              "sku-btyd",
              "general",
              1,
              amount,
              ExportShape.CURRENCY_CODE,
              null,
              null,
              // the model's purchases have no coupons and say nothing of discounts
              null,
              // nor of identifiers
              null,
              null,
              null));
    }
    return rows;
  }

  /** The customers dimension row: signed up on the day of the first purchase, opted in. */
  Row customer(int index, BtydSimulator.Customer c, LocalDate from) {
    LocalDate first = from.plusDays((long) Math.floor(c.start() * weekDays));
    Object[] values = new Object[ExportShape.CUSTOMERS.size()];
    values[0] = customerId(index);
    values[1] = Date.valueOf(first);
    values[ExportShape.CUSTOMERS.fieldIndex("marketing_opt_in")] = true;
    return RowFactory.create(values);
  }

  Row truth(int index, BtydSimulator.Customer c) {
    Map<String, Double> planted = new LinkedHashMap<>();
    planted.put("r", transactions.r());
    planted.put("alpha", transactions.alpha());
    planted.put("a", transactions.a());
    planted.put("b", transactions.b());
    planted.put("p", spend.p());
    planted.put("q", spend.q());
    planted.put("gamma", spend.gamma());
    int calibration = c.purchasesUpTo(calibrationWeeks);
    return RowFactory.create(
        customerId(index),
        c.lambda(),
        c.dropout(),
        c.nu(),
        calibration,
        c.purchasesBetween(calibrationWeeks, calibrationWeeks + holdoutWeeks),
        planted);
  }
}

package io.segpipe.jobs.clv;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import io.segpipe.modelling.ChurnBaseline;
import io.segpipe.modelling.ClvData;
import io.segpipe.modelling.ClvFit;
import io.segpipe.modelling.ClvSettings;
import io.segpipe.modelling.ModelRegistry;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clv job: per --as-of date, the BTYD summary of every customer who has bought (Spark SQL), the
 * BG/NBD and Gamma-Gamma models fitted by maximum likelihood on the driver over the distinct (x,
 * t_x, t_cal) triples and the repeat customers' mean values (or, with --score-only, the latest fit
 * at or before the date), and customer_clv: P(alive), expected purchases over the horizon, expected
 * order value, discounted CLV and its tier. With --holdout-until, clv_validation compares the fit
 * with the holdout period. Everything is computed before the first write; each table replaces its
 * date only.
 */
public final class ClvJob extends SegpipeJob<ClvSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(ClvJob.class);

  public static void main(String[] args) {
    SegpipeJob.main(new ClvJob(), args);
  }

  @Override
  public String name() {
    return "clv";
  }

  @Override
  protected String summary() {
    return """
        Customer lifetime value as of --as-of: fits the BG/NBD model (how many more purchase days a customer will
        have, and whether the customer is still active) and the Gamma-Gamma spend model on the events up to the end
        of that date, and writes customer_clv (x, t_x, t_cal, mean repeat value, p_alive, expected_purchases,
        expected_order_value, clv, clv_tier per customer who has bought). The fitted parameters, their standard
        errors and the log-likelihood go to the models folder and model_runs (models clv-bgnbd, clv-gamma-gamma).
        Settings: segpipe.clv (history, time unit, horizon, discount rate, margin, tiers).
        Examples:
          segpipe clv --as-of 2024-12-31
          segpipe clv --as-of 2024-06-30 --holdout-until 2024-12-31   # validate the fit on the second half-year""";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            "holdout-until",
            "YYYY-MM-DD",
            "fit on the events up to --as-of and compare the"
                + " model with the purchases after it up to this date: writes clv_validation"),
        new JobArguments.Option(
            "score-only",
            null,
            "do not fit: score with the latest clv models fitted at or before"
                + " --as-of (what the pipeline does when training is not due)"));
  }

  @Override
  protected ClvSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(reader -> ClvSettings.read(reader, arguments, asOf));
  }

  @Override
  protected JobOutcome run(JobContext context, ClvSettings s) {
    LocalDate asOf = s.asOf();
    context.phase("read events and customer_daily");
    Optional<Dataset<Row>> keys = Profiles.keys(context.config(), context.lake(), asOf);
    Dataset<Row> events =
        Profiles.rekey(
            context
                .lake()
                .read(Tables.EVENTS, "Run `scripts/segpipe ingest` first to load the events."),
            keys);
    CustomerDaily.catchUp(context.lake());
    Dataset<Row> daily =
        Profiles.rekey(
            CustomerDaily.read(
                context.lake(), s.historyStart().orElse(LocalDate.of(1, 1, 1)), asOf),
            keys);
    ModelRegistry registry = new ModelRegistry(context.spark(), context.lake(), s.models());

    context.phase("customer summary");
    Dataset<Row> summary =
        ChurnBaseline.summary(daily, s, asOf).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> triples =
        summary
            .groupBy("x", "t_x_days", "t_cal_days")
            .count()
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      ClvData data = fitData(context, s, triples);
      ClvFit fit = fitOrLoad(context, s, registry, data, summary);

      context.phase("score customers");
      Dataset<Row> scores = ClvScoring.scoreTriples(triples, fit, s);
      Dataset<Row> values =
          ClvScoring.values(summary, scores, fit, s).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        Dataset<Row> rows = ClvScoring.withTiers(values, s);
        // Exact sums (decimals), so the totals in run_metrics do not depend on the order Spark adds
        // rows in.
        Row totals =
            rows.agg(functions.count("*"), exactSum("clv"), exactSum("expected_purchases")).first();
        Optional<Dataset<Row>> validation =
            s.holdoutUntil()
                .map(until -> ClvValidation.of(context, s, fit, data, summary, events, until));

        context.phase("write " + Tables.CUSTOMER_CLV + " " + asOf);
        if (!s.scoreOnly()) {
          fit.save(registry);
        }
        context.lake().replacePartition(rows, Tables.CUSTOMER_CLV, asOf);
        validation.ifPresent(v -> context.lake().replacePartition(v, Tables.CLV_VALIDATION, asOf));
        return outcome(s, data, fit, rows, totals);
      } finally {
        values.unpersist();
      }
    } finally {
      triples.unpersist();
      summary.unpersist();
    }
  }

  /** The (x, t_x, t_cal) triples the fit reads; fails when no known customer bought anything. */
  private static ClvData fitData(JobContext context, ClvSettings s, Dataset<Row> triples) {
    List<Row> tripleRows = triples.orderBy("x", "t_x_days", "t_cal_days").collectAsList();
    ClvData data = ClvData.of(tripleRows, s.unitDays());
    if (data.customers() == 0) {
      throw new UserError(
          "There are no purchases of known customers "
              + s.historyStart().map(d -> "from " + d + " ").orElse("")
              + "up to the end of "
              + s.asOf()
              + " in "
              + context.lake().path(Tables.EVENTS)
              + ", so there is no"
              + " customer to fit or score. Check --as-of (and segpipe.clv.history-days = "
              + s.historyDays()
              + "), and"
              + " that ingest loaded this period.");
    }
    LOG.info(
        "{} customers with a purchase up to {}: {} repeat customers, {} distinct (x, t_x, t_cal) triples",
        data.customers(),
        s.asOf(),
        data.repeatCustomers(),
        data.triples());
    return data;
  }

  /** Fits BG/NBD and Gamma-Gamma, or with --score-only loads the latest fit. */
  private static ClvFit fitOrLoad(
      JobContext context,
      ClvSettings s,
      ModelRegistry registry,
      ClvData data,
      Dataset<Row> summary) {
    if (s.scoreOnly()) {
      context.phase("load the latest clv fit");
      ClvFit fit = ClvFit.load(registry, s);
      LOG.info("scoring with the clv models {} (fitted as of {})", fit.version(), fit.asOfDate());
      return fit;
    }
    context.phase("fit BG/NBD and Gamma-Gamma");
    return ClvFit.fit(context, s, data, summary);
  }

  private static JobOutcome outcome(
      ClvSettings s, ClvData data, ClvFit fit, Dataset<Row> rows, Row totals) {
    Map<String, Long> tiers = new LinkedHashMap<>();
    CustomerClv.TIERS.forEach(t -> tiers.put(t, 0L));
    rows.groupBy("clv_tier")
        .count()
        .collectAsList()
        .forEach(r -> tiers.put(r.getString(0), r.getLong(1)));
    long customers = totals.getLong(0);
    String summaryLine =
        String.format(
            "%d customers as of %s (%d distinct x, t_x, t_cal triples), %s %s: total clv"
                + " %.2f over %d days, %.1f expected purchases; tiers %s%s",
            customers,
            s.asOf(),
            data.triples(),
            s.scoreOnly() ? "scored with" : "fitted",
            fit.version(),
            totals.getDouble(1),
            s.horizonDays(),
            totals.getDouble(2),
            tiers,
            s.holdoutUntil().map(u -> "; clv_validation up to " + u).orElse(""));
    Map<String, String> details = new LinkedHashMap<>(fit.details());
    details.put("customers", String.valueOf(customers));
    details.put("repeat_customers", String.valueOf(data.repeatCustomers()));
    details.put("distinct_triples", String.valueOf(data.triples()));
    details.put("clv.total", String.valueOf(totals.getDouble(1)));
    tiers.forEach((t, n) -> details.put("clv_tier." + t, String.valueOf(n)));
    return new JobOutcome(customers, customers, 0, 0, summaryLine, details);
  }

  private static Column exactSum(String column) {
    return functions.sum(functions.col(column).cast("decimal(38,18)")).cast("double");
  }
}

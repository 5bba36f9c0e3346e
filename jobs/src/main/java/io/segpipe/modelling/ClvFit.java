package io.segpipe.modelling;

import io.segpipe.common.UserError;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.schema.CustomerClv;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two fitted models a clv run scores with: BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q,
 * gamma), fitted now or loaded from the models folder, where each is one version with its
 * parameters, their standard errors and the log-likelihood in metadata.json.
 */
public record ClvFit(
    double r,
    double alpha,
    double a,
    double b,
    double p,
    double q,
    double gamma,
    String version,
    String asOfDate,
    List<ModelMetadata> metadata,
    Map<String, String> details) {
  private static final Logger LOG = LoggerFactory.getLogger(ClvFit.class);

  static final String BGNBD = CustomerClv.BGNBD_MODEL;
  static final String GAMMA_GAMMA = CustomerClv.SPEND_MODEL;
  static final List<String> BGNBD_INPUTS = List.of("x", "t_x", "t_cal");
  static final List<String> GAMMA_GAMMA_INPUTS = List.of("x", "mean_repeat_value");

  /** The model assumes spend independent of frequency; above this |correlation| the log warns. */
  static final double CORRELATION_WARNING = 0.3;

  /** Fits both models on the summary's triples and repeat customers' mean values. */
  public static ClvFit fit(JobContext context, ClvSettings s, ClvData data, Dataset<Row> summary) {
    long repeat = data.repeatCustomers();
    if (repeat < s.minRepeatCustomers()) {
      throw new UserError(
          "Only "
              + repeat
              + " of the "
              + data.customers()
              + " customers who bought up to "
              + s.asOf()
              + " bought again on another day; fitting the lifetime value models needs at least segpipe.clv.min-repeat-customers"
              + " = "
              + s.minRepeatCustomers()
              + " repeat customers. Use a later --as-of or more history"
              + " (segpipe.clv.history-days = "
              + s.historyDays()
              + "), or lower segpipe.clv.min-repeat-customers.");
    }
    ParameterFit bgnbd = Btyd.fitBgNbd(data, s.maxIterations());
    LOG.info(
        "BG/NBD fitted in {} iterations: {} (log-likelihood {})",
        bgnbd.iterations(),
        bgnbd.describe(),
        bgnbd.logLikelihood());
    if (bgnbd.atBoundary()) {
      LOG.warn(
          "The BG/NBD likelihood has no maximum inside the parameter space: it keeps rising towards the edge ({})."
              + " Either a -> 0 (the history shows too little dropout to measure: customers seem never to stop) or a and b"
              + " grow together (every customer seems to have the same dropout probability a / (a + b)). The scores are"
              + " those of the limiting model and the parameters have no standard errors; a longer history"
              + " (segpipe.clv.history-days = 0) or a later --as-of usually gives an interior fit",
          bgnbd.describe());
    }

    List<Row> spend =
        summary
            .where(functions.col("x").gt(0).and(functions.col("mean_repeat_value").gt(0)))
            .select("x", "mean_repeat_value")
            .orderBy("x", "mean_repeat_value")
            .collectAsList();
    long leftOut = repeat - spend.size();
    if (spend.isEmpty()) {
      throw new UserError(
          "Every one of the "
              + repeat
              + " repeat customers up to "
              + s.asOf()
              + " has a mean repeat"
              + " transaction value of 0 or less (returns cancel their repeat purchases), so the Gamma-Gamma spend model"
              + " has nothing to fit. Check the amounts of purchases and returns in the events.");
    }
    if (spend.size() < s.minRepeatCustomers()) {
      throw new UserError(
          "Only "
              + spend.size()
              + " repeat customers up to "
              + s.asOf()
              + " have a positive mean repeat"
              + " value ("
              + leftOut
              + " have 0 or less); the Gamma-Gamma model needs at least segpipe.clv.min-repeat-customers"
              + " = "
              + s.minRepeatCustomers()
              + ". Use more history or lower that setting.");
    }
    if (leftOut > 0) {
      LOG.info(
          "Gamma-Gamma: {} repeat customers with a mean repeat value of 0 or less are left out of the fit",
          leftOut);
    }
    int[] x = new int[spend.size()];
    double[] m = new double[spend.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = spend.get(i).getInt(0);
      m[i] = spend.get(i).getDouble(1);
    }
    double correlation = Btyd.pearson(x, m);
    if (Math.abs(correlation) > CORRELATION_WARNING) {
      LOG.warn(
          "Gamma-Gamma assumes that how much a customer spends per transaction does not depend on how often they"
              + " buy, but the Pearson correlation of repeat transactions and mean value is {} (|r| > {}): expected"
              + " order values and CLV may be biased",
          String.format("%.3f", correlation),
          CORRELATION_WARNING);
    } else {
      LOG.info(
          "Pearson correlation of repeat transactions and mean value: {}",
          String.format("%.3f", correlation));
    }
    ParameterFit spendFit = Btyd.fitGammaGamma(x, m, s.maxIterations());
    LOG.info(
        "Gamma-Gamma fitted in {} iterations: {} (log-likelihood {})",
        spendFit.iterations(),
        spendFit.describe(),
        spendFit.logLikelihood());
    if (spendFit.atBoundary()) {
      LOG.warn(
          "The Gamma-Gamma likelihood has no maximum inside the parameter space: it keeps rising towards the edge"
              + " ({}). Typically each customer's transactions vary too little around the customer's own mean to measure"
              + " (p very large); the expected order values are those of the limiting model and the parameters have no"
              + " standard errors",
          spendFit.describe());
    }

    String version = s.asOf() + "_" + context.runId();
    String trainedAt = Instant.now().toString();
    String dataFrom = s.historyStart().map(Object::toString).orElse(null);
    Map<String, Object> common = new LinkedHashMap<>();
    common.put("time_unit", s.timeUnit());
    common.put("history_days", s.historyDays());
    common.put("max_iterations", s.maxIterations());
    String snapshot = "events up to the end of " + s.asOf();
    Map<String, Object> bgParameters = new LinkedHashMap<>(common);
    bgParameters.putAll(bgnbd.values());
    Map<String, Object> bgMetrics = new LinkedHashMap<>(bgnbd.metrics());
    bgMetrics.put("distinct_triples", data.triples());
    ModelMetadata bgMeta =
        new ModelMetadata(
            BGNBD,
            version,
            s.asOf().toString(),
            context.runId(),
            trainedAt,
            BGNBD_INPUTS,
            bgParameters,
            bgMetrics,
            data.customers(),
            snapshot,
            dataFrom,
            s.asOf().toString(),
            ModelMetadata.currentLibraries());
    Map<String, Object> ggParameters = new LinkedHashMap<>(common);
    ggParameters.putAll(spendFit.values());
    Map<String, Object> ggMetrics = new LinkedHashMap<>(spendFit.metrics());
    ggMetrics.put("pearson_x_mean_value", ModelMetadata.reported(correlation));
    ggMetrics.put("left_out_non_positive_mean", leftOut);
    ModelMetadata ggMeta =
        new ModelMetadata(
            GAMMA_GAMMA,
            version,
            s.asOf().toString(),
            context.runId(),
            trainedAt,
            GAMMA_GAMMA_INPUTS,
            ggParameters,
            ggMetrics,
            spend.size(),
            snapshot,
            dataFrom,
            s.asOf().toString(),
            ModelMetadata.currentLibraries());

    Map<String, String> details = new LinkedHashMap<>();
    details.put("version", version);
    bgnbd.values().forEach((k, v) -> details.put("bgnbd." + k, String.valueOf(v)));
    bgnbd.standardErrors().forEach((k, v) -> details.put("bgnbd.se_" + k, String.valueOf(v)));
    details.put("bgnbd.log_likelihood", String.valueOf(bgnbd.logLikelihood()));
    details.put("bgnbd.iterations", String.valueOf(bgnbd.iterations()));
    details.put("bgnbd.at_boundary", String.valueOf(bgnbd.atBoundary()));
    spendFit.values().forEach((k, v) -> details.put("gamma_gamma." + k, String.valueOf(v)));
    spendFit
        .standardErrors()
        .forEach((k, v) -> details.put("gamma_gamma.se_" + k, String.valueOf(v)));
    details.put("gamma_gamma.log_likelihood", String.valueOf(spendFit.logLikelihood()));
    details.put("gamma_gamma.left_out", String.valueOf(leftOut));
    details.put("gamma_gamma.at_boundary", String.valueOf(spendFit.atBoundary()));
    details.put("gamma_gamma.pearson", String.valueOf(correlation));
    Map<String, Double> bg = bgnbd.values();
    Map<String, Double> gg = spendFit.values();
    return new ClvFit(
        bg.get("r"),
        bg.get("alpha"),
        bg.get("a"),
        bg.get("b"),
        gg.get("p"),
        gg.get("q"),
        gg.get("gamma"),
        version,
        s.asOf().toString(),
        List.of(bgMeta, ggMeta),
        details);
  }

  /** The latest fit at or before the as-of date (both models of one version), for --score-only. */
  public static ClvFit load(ModelRegistry registry, ClvSettings s) {
    Optional<ModelMetadata> latest = registry.latestAtOrBefore(BGNBD, s.asOf());
    if (latest.isEmpty()) {
      throw new UserError(
          "There is no "
              + BGNBD
              + " model fitted as of "
              + s.asOf()
              + " or before in "
              + registry.root()
              + "/"
              + BGNBD
              + ", so there is nothing to score with. Fit one with `scripts/segpipe clv --as-of "
              + s.asOf()
              + "` (without --score-only).");
    }
    ModelMetadata bg = latest.get();
    ModelMetadata gg =
        registry.versions(GAMMA_GAMMA).stream()
            .filter(m -> m.version().equals(bg.version()))
            .findFirst()
            .orElseThrow(
                () ->
                    new UserError(
                        "The "
                            + BGNBD
                            + " model "
                            + bg.version()
                            + " has no "
                            + GAMMA_GAMMA
                            + " model of the same version in "
                            + registry.root()
                            + "; the models folder is incomplete. Refit with"
                            + " `scripts/segpipe clv --as-of "
                            + s.asOf()
                            + "`."));
    Object unit = bg.parameters().get("time_unit");
    if (!s.timeUnit().equals(unit)) {
      throw new UserError(
          "The clv models "
              + bg.version()
              + " were fitted with segpipe.clv.time-unit = "
              + unit
              + " but the configuration says "
              + s.timeUnit()
              + "; their rates would be misread. Refit with"
              + " `scripts/segpipe clv --as-of "
              + s.asOf()
              + "` or set the time unit back.");
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("version", bg.version());
    details.put("scored_with_fit_as_of", bg.asOfDate());
    return new ClvFit(
        number(bg, "r"),
        number(bg, "alpha"),
        number(bg, "a"),
        number(bg, "b"),
        number(gg, "p"),
        number(gg, "q"),
        number(gg, "gamma"),
        bg.version(),
        bg.asOfDate(),
        List.of(),
        details);
  }

  static double number(ModelMetadata model, String parameter) {
    Object value = model.parameters().get(parameter);
    if (!(value instanceof Number n)) {
      throw new UserError(
          "The "
              + model.name()
              + " model "
              + model.version()
              + " has no parameter "
              + parameter
              + " in its metadata.json; refit with `scripts/segpipe clv`.");
    }
    return n.doubleValue();
  }

  /** Saves both models (metadata only: the parameters are the model) and their model_runs rows. */
  public void save(ModelRegistry registry) {
    metadata.forEach(registry::saveParameters);
    registry.record(metadata);
  }
}

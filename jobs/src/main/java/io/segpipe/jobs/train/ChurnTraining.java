package io.segpipe.jobs.train;

import io.segpipe.common.UserError;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.identity.Profiles;
import io.segpipe.modelling.ChurnBaseline;
import io.segpipe.modelling.ChurnModel;
import io.segpipe.modelling.ChurnSettings;
import io.segpipe.modelling.ModelMetadata;
import io.segpipe.modelling.ModelRegistry;
import io.segpipe.modelling.TrainSettings;
import io.segpipe.modelling.TrainingInput;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The churn part of a train run. Labelled rows from several cut-offs (features as of each, label
 * from the horizon after it); the candidates fit on the training cut-offs; on the validation
 * cut-off the customers not held out pick the candidate (AUC) and fit its isotonic calibration, and
 * the held-out test customers measure every candidate and the calibrated model. Every test
 * prediction is kept in churn_validation, so each figure can be recomputed from it.
 */
final class ChurnTraining {
  private static final Logger LOG = LoggerFactory.getLogger(ChurnTraining.class);
  private static final LocalDate FIRST_DAY = LocalDate.of(1, 1, 1);
  private static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
  static final String CUT_OFF = "cut_off";
  static final String PART = "part";
  static final String TEST = "test";
  static final String VALIDATION = "validation";

  /**
   * The chosen, calibrated churn model, its test figures and its metadata; predictions for
   * churn_validation.
   */
  record Trained(
      PipelineModel model,
      String chosen,
      ChurnMetrics calibrated,
      Map<String, ChurnMetrics> candidates,
      ModelMetadata metadata,
      Dataset<Row> predictions,
      List<Dataset<Row>> cached) {
    /** Frees the cached rows the predictions are computed from (after they are written). */
    void release() {
      cached.forEach(Dataset::unpersist);
    }
  }

  private ChurnTraining() {}

  /** Trains on rows arranged in {@code partitions} partitions (TrainSettings.partitionsFor). */
  static Trained run(
      JobContext context, TrainSettings s, int partitions, String version, Instant trainedAt) {
    ChurnSettings c = s.churn();
    // per profile when identity stitching is on: the latest resolution covers the whole history
    Optional<Dataset<Row>> keys = Profiles.keys(context.config(), context.lake(), s.asOf());
    // The features at every cut-off and the labels after it come from customer_daily, as the
    // features job's do (per profile when identity stitching is on).
    context
        .lake()
        .require(
            Tables.EVENTS,
            "Run `scripts/segpipe ingest` first: the churn model learns from the events before and after its cut-offs.");
    CustomerDaily.catchUp(context.lake());
    checkHistory(context.lake(), s);
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      ChurnModel churn =
          new ChurnModel(s.churnFeatures(), c, s.churnDepth(), s.seed(), s.testShare());
      List<String> candidates = new ArrayList<>(c.candidates());
      boolean bgnbd = c.needsBgNbd();
      // BG/NBD's summaries read the whole history up to each cut-off
      Dataset<Row> daily =
          bgnbd
              ? Profiles.rekey(
                  CustomerDaily.read(context.lake(), FIRST_DAY, Collections.max(c.cutOffs())), keys)
              : null;
      Map<String, Object> baselineFits = new LinkedHashMap<>();
      Dataset<Row> noProspects =
          context
              .spark()
              .createDataFrame(List.of(), Events.CUSTOMERS)
              .select("customer_id", "signup_date");
      List<String> columns = new ArrayList<>(churn.treeSpace().features());
      columns.add(ChurnModel.LABEL);
      columns.add(CUT_OFF);
      Dataset<Row> all = null;
      List<LocalDate> cutOffs = c.cutOffs();
      for (int i = 0; i < cutOffs.size(); i++) {
        LocalDate cutOff = cutOffs.get(i);
        FeaturesSettings at = c.featuresAt().get(i);
        LocalDate labelEnd = cutOff.plusDays(s.horizonDays());
        Dataset<Row> rows =
            ChurnModel.labelled(
                Profiles.rekey(
                    CustomerDaily.read(context.lake(), at.activity().windowStart(), labelEnd),
                    keys),
                noProspects,
                at.activity(),
                labelEnd);
        if (bgnbd) {
          context.phase("churn: BG/NBD as of " + cutOff);
          Dataset<Row> summary = ChurnBaseline.summary(daily, c.clv(), cutOff);
          ChurnBaseline.Outcome outcome = ChurnBaseline.fit(summary, c.clv(), cutOff);
          if (outcome.fit().isEmpty()) {
            throw new UserError(
                "The churn model's BG/NBD probability cannot be computed at the cut-off "
                    + cutOff
                    + ": "
                    + outcome.reason()
                    + ". Drop bgnbd from segpipe.train.churn.candidates and set"
                    + " segpipe.train.churn.bgnbd-feature = false, or use fewer or closer cut-offs"
                    + " (segpipe.train.churn.training-cut-offs, cut-off-step-days).");
          }
          ChurnBaseline.Fit fit = outcome.fit().get();
          Map<String, Object> parameters =
              new LinkedHashMap<>(); // metadata.json in the same order on every JVM
          parameters.put("r", fit.r());
          parameters.put("alpha", fit.alpha());
          parameters.put("a", fit.a());
          parameters.put("b", fit.b());
          parameters.put("at_boundary", fit.atBoundary());
          baselineFits.put(cutOff.toString(), parameters);
          LOG.info(
              "churn: BG/NBD as of {}: r {} alpha {} a {} b {}{}",
              cutOff,
              fit.r(),
              fit.alpha(),
              fit.a(),
              fit.b(),
              fit.atBoundary() ? " (at the boundary)" : "");
          Dataset<Row> p =
              ChurnBaseline.scoreSummary(summary, fit, s.horizonDays())
                  .withColumnRenamed("customer_id", "bgnbd_customer_id");
          // Every customer who bought in the window has a summary row unless
          // segpipe.clv.history-days is
          // shorter than the window; such a customer reads 1, as in the segment job.
          rows =
              rows.join(p, rows.col("customer_id").equalTo(p.col("bgnbd_customer_id")), "left")
                  .drop("bgnbd_customer_id")
                  .withColumn(
                      ChurnBaseline.COLUMN,
                      functions.coalesce(functions.col(ChurnBaseline.COLUMN), functions.lit(1.0)));
        }
        rows = rows.withColumn(CUT_OFF, functions.lit(Date.valueOf(cutOff)));
        all = all == null ? rows : all.unionByName(rows);
      }
      context.phase("churn: label " + cutOffs.size() + " cut-offs");
      Dataset<Row> persisted =
          TrainingInput.arranged(all, columns, partitions, CUT_OFF)
              .persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(persisted);
      Dataset<Row> labelled = TrainingInput.detached(persisted);
      long trainingRows = checkClasses(labelled, s);
      Column isValidation =
          functions.col(CUT_OFF).equalTo(functions.lit(Date.valueOf(c.validationCutOff())));
      Dataset<Row> training = labelled.where(functions.not(isValidation));
      Dataset<Row> validation =
          labelled
              .where(isValidation)
              .withColumn(PART, functions.when(churn.heldOut(), TEST).otherwise(VALIDATION));

      Map<String, PipelineModel> models = new LinkedHashMap<>();
      Map<String, ChurnMetrics> chooseOn = new LinkedHashMap<>();
      Map<String, ChurnMetrics> tested = new LinkedHashMap<>();
      Dataset<Row> predictions = null;
      for (String candidate : candidates) {
        context.phase("churn: fit " + candidate);
        PipelineModel model = churn.pipeline(candidate).fit(training);
        models.put(candidate, model);
        Dataset<Row> scored =
            model
                .transform(validation)
                .select(
                    functions.col("customer_id"),
                    functions.col(CUT_OFF),
                    functions.col(PART),
                    functions.col(ChurnModel.LABEL),
                    ChurnModel.score(candidate).as(ChurnModel.SCORE))
                .withColumn("candidate", functions.lit(candidate))
                .persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(scored);
        chooseOn.put(
            candidate,
            metrics(
                scored.where(functions.col(PART).equalTo(VALIDATION)),
                ChurnModel.SCORE,
                s.churnThreshold()));
        tested.put(
            candidate,
            metrics(
                scored.where(functions.col(PART).equalTo(TEST)),
                ChurnModel.SCORE,
                s.churnThreshold()));
        LOG.info(
            "churn candidate {}: validation AUC {}, test AUC {}, log loss {}, Brier {}, top-decile lift {}",
            candidate,
            chooseOn.get(candidate).auc(),
            tested.get(candidate).auc(),
            tested.get(candidate).logLoss(),
            tested.get(candidate).brier(),
            tested.get(candidate).liftTopDecile());
        predictions = predictions == null ? scored : predictions.unionByName(scored);
      }
      String chosen = candidates.get(0);
      for (String candidate : candidates) {
        if (chooseOn.get(candidate).auc() > chooseOn.get(chosen).auc()) {
          chosen = candidate;
        }
      }

      context.phase("churn: calibrate " + chosen);
      Dataset<Row> calibrationRows = validation.where(functions.col(PART).equalTo(VALIDATION));
      PipelineModel calibrated =
          new Pipeline()
              .setStages(new PipelineStage[] {models.get(chosen), ChurnModel.calibration(chosen)})
              .fit(calibrationRows);
      Dataset<Row> calibratedTest =
          calibrated
              .transform(validation.where(functions.col(PART).equalTo(TEST)))
              .select(
                  functions.col("customer_id"),
                  functions.col(ChurnModel.LABEL),
                  functions.col(ChurnModel.CALIBRATED))
              .persist(StorageLevel.MEMORY_AND_DISK());
      cached.add(calibratedTest);
      ChurnMetrics calibratedMetrics =
          metrics(calibratedTest, ChurnModel.CALIBRATED, s.churnThreshold());
      String best = chosen;
      Dataset<Row> withCalibrated =
          predictions
              .join(
                  calibratedTest
                      .drop(ChurnModel.LABEL)
                      .withColumnRenamed("customer_id", "calibrated_id"),
                  functions
                      .col("customer_id")
                      .equalTo(functions.col("calibrated_id"))
                      .and(functions.col("candidate").equalTo(functions.lit(best))),
                  "left")
              .drop("calibrated_id");
      LOG.info(
          "churn: chose {} (validation AUC {}); calibrated on {} customers: test AUC {}, log loss {}, Brier {},"
              + " expected calibration error {} (uncalibrated {})",
          chosen,
          chooseOn.get(chosen).auc(),
          chooseOn.get(chosen).rows(),
          calibratedMetrics.auc(),
          calibratedMetrics.logLoss(),
          calibratedMetrics.brier(),
          calibratedMetrics.ece(),
          tested.get(chosen).ece());
      ModelMetadata metadata =
          metadata(
              context,
              s,
              version,
              trainedAt,
              chosen,
              chooseOn,
              tested,
              calibratedMetrics,
              models,
              churn,
              baselineFits,
              trainingRows);
      return new Trained(
          calibrated, chosen, calibratedMetrics, tested, metadata, withCalibrated, cached);
    } catch (RuntimeException e) {
      cached.forEach(Dataset::unpersist);
      throw e;
    }
  }

  /**
   * Fails when the earliest cut-off's features window would start before the first purchase in
   * events.
   */
  private static void checkHistory(Lake lake, TrainSettings s) {
    ChurnSettings c = s.churn();
    Row first =
        CustomerDaily.read(lake, FIRST_DAY, LAST_DAY)
            .where(functions.col("purchased"))
            .agg(functions.min(CustomerDaily.DATE))
            .first();
    if (first.isNullAt(0)) {
      throw new UserError(
          "There are no purchases in events, so there is no churn to learn. Run `scripts/segpipe"
              + " ingest` on data with purchases.");
    }
    LocalDate firstPurchase = first.getDate(0).toLocalDate();
    if (c.earliestCutOff().isBefore(firstPurchase)) {
      throw new UserError(
          "The churn model's earliest training cut-off is "
              + c.earliestCutOff()
              + " (as-of "
              + s.asOf()
              + " − horizon "
              + s.horizonDays()
              + " days for validation, then "
              + c.trainingCutOffs().size()
              + " training cut-offs from another horizon back, "
              + c.stepDays()
              + " days apart), but the first purchase in"
              + " events is on "
              + firstPurchase
              + ": the history is too short. Lower segpipe.train.churn.horizon-days = "
              + s.horizonDays()
              + ", segpipe.train.churn.training-cut-offs = "
              + c.trainingCutOffs().size()
              + " or segpipe.train.churn.cut-off-step-days = "
              + c.stepDays()
              + ", or use a later --as-of.");
    }
  }

  /**
   * Fails, naming the cut-off and the counts, when a cut-off has too few churners or stayers; else
   * returns the number of training rows (all cut-offs but the validation one).
   */
  private static long checkClasses(Dataset<Row> labelled, TrainSettings s) {
    ChurnSettings c = s.churn();
    Map<LocalDate, long[]> counts = new LinkedHashMap<>();
    c.cutOffs().forEach(d -> counts.put(d, new long[2]));
    labelled
        .groupBy(CUT_OFF)
        .agg(functions.count("*"), functions.count_if(functions.col(ChurnModel.LABEL).equalTo(1.0)))
        .collectAsList()
        .forEach(
            r -> counts.put(r.getDate(0).toLocalDate(), new long[] {r.getLong(1), r.getLong(2)}));
    counts.forEach(
        (cutOff, n) -> {
          long churners = n[1];
          long stayers = n[0] - n[1];
          LOG.info(
              "churn: cut-off {}: {} customers, {} churned in the next {} days",
              cutOff,
              n[0],
              churners,
              s.horizonDays());
          if (churners < c.minClassRows() || stayers < c.minClassRows()) {
            throw new UserError(
                "At the churn cut-off "
                    + cutOff
                    + (cutOff.equals(c.validationCutOff()) ? " (validation)" : " (training)")
                    + ", "
                    + n[0]
                    + " customers had bought in the features window: "
                    + churners
                    + " churned and "
                    + stayers
                    + " stayed in the next "
                    + s.horizonDays()
                    + " days; each must be at least"
                    + " segpipe.train.churn.min-class-rows = "
                    + c.minClassRows()
                    + ". Use fewer or later cut-offs"
                    + " (segpipe.train.churn.training-cut-offs, cut-off-step-days), a different horizon-days, or more data.");
          }
        });
    return counts.entrySet().stream()
        .filter(e -> !e.getKey().equals(c.validationCutOff()))
        .mapToLong(e -> e.getValue()[0])
        .sum();
  }

  /**
   * The figures of {@code column} against the label, over the rows in ascending order of the score
   * (ties by customer). Collected in one Spark job and ordered here: a sorted toLocalIterator ran a
   * sampling job and then one job per partition.
   */
  static ChurnMetrics metrics(Dataset<Row> rows, String column, double threshold) {
    List<Row> collected =
        new ArrayList<>(
            rows.select(
                    functions.col(column),
                    functions.col(ChurnModel.LABEL),
                    functions.col("customer_id"))
                .collectAsList());
    collected.sort(
        Comparator.<Row>comparingDouble(r -> r.getDouble(0)).thenComparing(r -> r.getString(2)));
    double[] p = new double[collected.size()];
    double[] y = new double[collected.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = collected.get(i).getDouble(0);
      y[i] = collected.get(i).getDouble(1);
    }
    return ChurnMetrics.of(p, y, threshold);
  }

  private static ModelMetadata metadata(
      JobContext context,
      TrainSettings s,
      String version,
      Instant trainedAt,
      String chosen,
      Map<String, ChurnMetrics> chooseOn,
      Map<String, ChurnMetrics> tested,
      ChurnMetrics calibrated,
      Map<String, PipelineModel> models,
      ChurnModel churn,
      Map<String, Object> baselineFits,
      long trainingRows) {
    ChurnSettings c = s.churn();
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("candidate", chosen);
    parameters.put("calibrated", true);
    parameters.put("calibration", "isotonic");
    parameters.put("bgnbd_feature", c.bgnbdFeature() && !chosen.equals(ChurnSettings.BGNBD));
    parameters.put("uses_bgnbd", c.bgnbdFeature() || chosen.equals(ChurnSettings.BGNBD));
    parameters.put("candidates", c.candidates());
    parameters.put("horizon_days", s.horizonDays());
    parameters.put("cut_off", c.validationCutOff().toString());
    parameters.put(
        "training_cut_offs", c.trainingCutOffs().stream().map(LocalDate::toString).toList());
    parameters.put("cut_off_step_days", c.stepDays());
    parameters.put("tree_features", churn.treeSpace().features());
    parameters.put("max_depth", s.churnDepth());
    parameters.put("forest_trees", c.forestTrees());
    parameters.put("forest_depth", c.forestDepth());
    parameters.put("gbt_iterations", c.gbtIterations());
    parameters.put("gbt_depth", c.gbtDepth());
    parameters.put("test_share", s.testShare());
    parameters.put("threshold", s.churnThreshold());
    parameters.put("seed", s.seed());
    if (!baselineFits.isEmpty()) {
      parameters.put("bgnbd_fits", baselineFits);
    }
    Map<String, Object> metrics = new LinkedHashMap<>(calibrated.asMetrics(""));
    metrics.put("uncalibrated_ece", ModelMetadata.reported(tested.get(chosen).ece()));
    metrics.put("validation_auc", ModelMetadata.reported(chooseOn.get(chosen).auc()));
    metrics.put("test_rows", calibrated.rows());
    metrics.put("test_churners", calibrated.churners());
    metrics.put(
        "churn_rate", ModelMetadata.reported(calibrated.churners() / (double) calibrated.rows()));
    tested.forEach(
        (name, m) -> {
          metrics.putAll(m.asMetrics("candidate." + name + "."));
          metrics.put(
              "candidate." + name + ".validation_auc",
              ModelMetadata.reported(chooseOn.get(name).auc()));
        });
    metrics.putAll(calibrated.reliabilityMetrics(""));
    metrics.putAll(tested.get(chosen).reliabilityMetrics("uncalibrated_"));
    List<String> features = churn.treeSpace().features();
    models.forEach(
        (name, model) -> {
          Transformer last = model.stages()[model.stages().length - 1];
          Vector v =
              last instanceof RandomForestClassificationModel f
                  ? f.featureImportances()
                  : last instanceof GBTClassificationModel g ? g.featureImportances() : null;
          if (v != null) {
            for (int i = 0; i < features.size(); i++) {
              metrics.put(
                  "candidate." + name + ".importance." + features.get(i),
                  ModelMetadata.reported(v.apply(i)));
            }
          }
        });
    return new ModelMetadata(
        ModelRegistry.CHURN,
        version,
        s.asOf().toString(),
        context.runId(),
        trainedAt.toString(),
        s.churnFeatures().features(),
        parameters,
        metrics,
        trainingRows,
        "features as of "
            + c.trainingCutOffs().size()
            + " training cut-offs "
            + c.earliestCutOff()
            + " .. "
            + c.trainingCutOffs().get(0)
            + " and the validation cut-off "
            + c.validationCutOff()
            + ", computed from "
            + Tables.EVENTS
            + "; each label from the purchases in the "
            + s.horizonDays()
            + " days after its cut-off;"
            + " applies to "
            + Tables.CUSTOMER_FEATURES,
        c.featuresAt().get(c.featuresAt().size() - 1).activity().windowStart().toString(),
        s.asOf().toString(),
        ModelMetadata.currentLibraries());
  }
}

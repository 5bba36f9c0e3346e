package io.segpipe.modelling;

import io.segpipe.common.sql.SqlResource;
import io.segpipe.features.CustomerActivity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.regression.IsotonicRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Churn: a customer with a purchase in the features window as of a cut-off who buys nothing in the
 * horizon after it. The candidates' pipelines start from customer_features columns (plus, for the
 * BG/NBD feature, {@link ChurnBaseline#COLUMN}); the chosen one is saved with its isotonic
 * calibration as one pipeline whose output {@link #CALIBRATED} is the churn probability the segment
 * job uses.
 */
public record ChurnModel(
    FeatureSpace space, ChurnSettings settings, int treeDepth, long seed, double testShare) {
  public static final String LABEL = "churned";
  public static final String PREFIX = "churn_";
  public static final String PREDICTION = "churn_prediction";

  /** A tree model's class probabilities (a vector: [stays, churns]). */
  public static final String PROBABILITY = "churn_probability";

  /** The calibrated probability of churning: the last stage of a saved churn model. */
  public static final String CALIBRATED = "churn_calibrated";

  /** A candidate's uncalibrated probability of churning, as a plain double. */
  public static final String SCORE = "churn_score";

  /**
   * Where a churn model version keeps every candidate's probability for every customer of the
   * validation cut-off (Parquet: candidate, part = validation | test, customer_id, cut_off,
   * churned, churn_score, and churn_calibrated for the chosen candidate's test customers): each
   * figure in model_runs can be recomputed from it.
   */
  public static String predictionsPath(ModelRegistry registry, String version) {
    return registry.path(ModelRegistry.CHURN, version) + "/predictions";
  }

  /**
   * The customers with a purchase in the window as of the cut-off, their features then, and whether
   * they bought nothing in (cut-off, label end] (1.0) or did (0.0), from {@code daily}: rows of
   * customer_daily (or {@code CustomerDaily.aggregate} of events) covering the window and the
   * horizon.
   */
  public static Dataset<Row> labelled(
      Dataset<Row> daily, Dataset<Row> customers, CustomerActivity atCutOff, LocalDate labelEnd) {
    Dataset<Row> before =
        atCutOff
            .features(atCutOff.windowDaily(daily), customers)
            .where(org.apache.spark.sql.functions.col("frequency").gt(0));
    Dataset<Row> buyers =
        SqlResource.load("sql/train/horizon_buyers.sql")
            .withView("daily", daily)
            .with("cut_off", atCutOff.asOf())
            .with("as_of", labelEnd)
            .run(daily.sparkSession());
    return before
        .join(buyers, before.col("customer_id").equalTo(buyers.col("buyer_id")), "left")
        .withColumn(
            LABEL,
            org.apache
                .spark
                .sql
                .functions
                .when(org.apache.spark.sql.functions.col("buyer_id").isNull(), 1.0)
                .otherwise(0.0))
        .drop("buyer_id");
  }

  /**
   * The features a tree candidate learns from: the configured ones, and the BG/NBD probability when
   * asked.
   */
  public FeatureSpace treeSpace() {
    if (!settings.bgnbdFeature()) {
      return space;
    }
    List<String> features = new ArrayList<>(space.features());
    features.add(ChurnBaseline.COLUMN);
    return new FeatureSpace(features, List.of());
  }

  /**
   * The pipeline of a candidate: raw features then the classifier (bgnbd: the probability as it
   * is).
   */
  public Pipeline pipeline(String candidate) {
    if (candidate.equals(ChurnSettings.BGNBD)) {
      return new Pipeline()
          .setStages(
              new PipelineStage[] {new SQLTransformer().setStatement("SELECT * FROM __THIS__")});
    }
    ProbabilisticClassifier<?, ?, ?> classifier =
        switch (candidate) {
          case ChurnSettings.TREE ->
              new DecisionTreeClassifier()
                  .setMaxDepth(treeDepth)
                  .setSeed(seed)
                  .setMinInstancesPerNode(5);
          case ChurnSettings.FOREST ->
              new RandomForestClassifier()
                  .setNumTrees(settings.forestTrees())
                  .setMaxDepth(settings.forestDepth())
                  .setSeed(seed)
                  .setMinInstancesPerNode(5);
          case ChurnSettings.GBT ->
              new GBTClassifier()
                  .setMaxIter(settings.gbtIterations())
                  .setMaxDepth(settings.gbtDepth())
                  .setSeed(seed)
                  .setMinInstancesPerNode(5);
          default -> throw new IllegalArgumentException("unknown churn candidate " + candidate);
        };
    classifier
        .setFeaturesCol(PREFIX + FeatureSpace.RAW_VECTOR)
        .setLabelCol(LABEL)
        .setPredictionCol(PREDICTION);
    classifier.setRawPredictionCol(PREFIX + "raw").setProbabilityCol(PROBABILITY);
    List<PipelineStage> stages = new ArrayList<>(treeSpace().rawStages(PREFIX));
    stages.add(classifier);
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /** A candidate's probability of churning as a plain double column, from its pipeline's output. */
  public static Column score(String candidate) {
    return candidate.equals(ChurnSettings.BGNBD)
        ? org.apache.spark.sql.functions.col(ChurnBaseline.COLUMN)
        : functions
            .vector_to_array(org.apache.spark.sql.functions.col(PROBABILITY), "float64")
            .getItem(1);
  }

  /**
   * Isotonic regression of the label on a candidate's probability: increasing, fitted by
   * pool-adjacent-violators.
   */
  public static IsotonicRegression calibration(String candidate) {
    IsotonicRegression isotonic =
        new IsotonicRegression().setIsotonic(true).setLabelCol(LABEL).setPredictionCol(CALIBRATED);
    return candidate.equals(ChurnSettings.BGNBD)
        ? isotonic.setFeaturesCol(ChurnBaseline.COLUMN)
        : isotonic.setFeaturesCol(PROBABILITY).setFeatureIndex(1);
  }

  /**
   * Rows held out as the test set: a seeded hash of customer_id, the same whatever the
   * partitioning.
   */
  public Column heldOut() {
    return TrainingInput.inSample(testShare, seed + 1);
  }

  /**
   * The churn probability of a loaded model's output: the calibrated column, or (a model trained by
   * an earlier segpipe, uncalibrated) the tree's probability vector.
   */
  public static Column churnProbability(boolean calibrated) {
    return calibrated ? org.apache.spark.sql.functions.col(CALIBRATED) : score(ChurnSettings.TREE);
  }
}

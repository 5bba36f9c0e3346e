package io.segpipe.jobs.train;

import io.segpipe.common.sql.SqlResource;
import io.segpipe.jobs.features.CustomerActivity;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Churn risk with a time split: features as of {@code as_of - horizon} (computed by the features
 * logic from events before the end of that day), label from the purchases in the horizon after it,
 * (as_of - horizon, as_of]. Nothing the model learns from comes after the cut-off, so applied to
 * today's features it predicts "no purchase in the next horizon days".
 */
public record ChurnModel(FeatureSpace space, int depth, long seed, double testShare, double threshold) {
  public static final String LABEL = "churned";
  public static final String PREFIX = "churn_";
  public static final String PREDICTION = "churn_prediction";
  public static final String PROBABILITY = "churn_probability";

  /** Held-out quality and how many customers each part had. */
  public record Evaluation(double auc, double precision, double recall, long trainRows, long testRows,
      long testChurners) {}

  /**
   * The customers with a purchase in the window as of the cut-off, their features then, and whether
   * they bought nothing in (cut-off, as-of] (1.0) or did (0.0).
   */
  public static Dataset<Row> labelled(Dataset<Row> events, Dataset<Row> customers, CustomerActivity atCutOff,
      LocalDate asOf) {
    Dataset<Row> before = atCutOff.features(atCutOff.windowEvents(events), customers)
        .where(org.apache.spark.sql.functions.col("frequency").gt(0));
    events.createOrReplaceTempView("events");
    Dataset<Row> buyers = SqlResource.load("sql/train/horizon_buyers.sql")
        .with("cut_off", atCutOff.asOf())
        .with("as_of", asOf)
        .run(events.sparkSession());
    return before.join(buyers, before.col("customer_id").equalTo(buyers.col("buyer_id")), "left")
        .withColumn(LABEL, org.apache.spark.sql.functions
            .when(org.apache.spark.sql.functions.col("buyer_id").isNull(), 1.0).otherwise(0.0))
        .drop("buyer_id");
  }

  /** Raw features, then the tree; its output adds churn_probability (a vector: [stays, churns]). */
  public Pipeline pipeline() {
    List<PipelineStage> stages = new ArrayList<>(space.rawStages(PREFIX));
    stages.add(new DecisionTreeClassifier().setMaxDepth(depth).setSeed(seed).setMinInstancesPerNode(5)
        .setFeaturesCol(PREFIX + FeatureSpace.RAW_VECTOR).setLabelCol(LABEL).setPredictionCol(PREDICTION)
        .setRawPredictionCol(PREFIX + "raw").setProbabilityCol(PROBABILITY));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  /** Rows held out for evaluation: a seeded hash of customer_id, the same whatever the partitioning. */
  public Column heldOut() {
    return TrainingInput.inSample(testShare, seed + 1);
  }

  /** The probability of churning, as a plain double column, from a model's output. */
  public static Column churnProbability() {
    return functions.vector_to_array(org.apache.spark.sql.functions.col(PROBABILITY), "float64")
        .getItem(1).as("churn_probability");
  }

  /** AUC, precision and recall of {@code model} on held-out rows. */
  public Evaluation evaluate(PipelineModel model, Dataset<Row> test, long trainRows) {
    Dataset<Row> scored = model.transform(test);
    double auc = new BinaryClassificationEvaluator().setLabelCol(LABEL).setRawPredictionCol(PROBABILITY)
        .setMetricName("areaUnderROC").evaluate(scored);
    Column predicted = churnProbability().geq(threshold);
    Column actual = org.apache.spark.sql.functions.col(LABEL).equalTo(1.0);
    Row counts = scored.agg(
        org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.count_if(actual),
        org.apache.spark.sql.functions.count_if(predicted),
        org.apache.spark.sql.functions.count_if(predicted.and(actual))).first();
    long rows = counts.getLong(0);
    long churners = counts.getLong(1);
    long flagged = counts.getLong(2);
    long hits = counts.getLong(3);
    return new Evaluation(ModelMetadata.reported(auc), ModelMetadata.reported(flagged == 0 ? 0 : (double) hits / flagged),
        ModelMetadata.reported(churners == 0 ? 0 : (double) hits / churners),
        trainRows, rows, churners);
  }
}

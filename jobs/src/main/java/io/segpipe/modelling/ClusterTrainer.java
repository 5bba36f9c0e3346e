package io.segpipe.modelling;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * KMeans on the log-scaled, standardised behaviour features, as one MLlib Pipeline with a fixed
 * seed.
 */
public record ClusterTrainer(FeatureSpace space, long seed, int maxIterations) {
  public static final String CLUSTER = "cluster_id";

  /** The KMeans stage for {@code k}, reading the scaled vector. */
  public KMeans kmeans(int k) {
    return new KMeans()
        .setK(k)
        .setSeed(seed)
        .setMaxIter(maxIterations)
        .setTol(1e-4)
        .setFeaturesCol(FeatureSpace.SCALED_VECTOR)
        .setPredictionCol(CLUSTER);
  }

  /** Feature preparation, scaling and KMeans: the whole clusters model. */
  public Pipeline pipeline(int k) {
    List<PipelineStage> stages = new ArrayList<>(space.scaledStages());
    stages.add(kmeans(k));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  public static KMeansModel kmeansOf(PipelineModel model) {
    return (KMeansModel) model.stages()[model.stages().length - 1];
  }

  /** Mean silhouette (squared Euclidean, in the scaled space) of clustered rows. */
  public static double silhouette(Dataset<Row> clustered) {
    return new ClusteringEvaluator()
        .setFeaturesCol(FeatureSpace.SCALED_VECTOR)
        .setPredictionCol(CLUSTER)
        .setMetricName("silhouette")
        .setDistanceMeasure("squaredEuclidean")
        .evaluate(clustered);
  }
}

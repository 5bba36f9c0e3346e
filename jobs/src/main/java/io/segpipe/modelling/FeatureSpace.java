package io.segpipe.modelling;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;

/**
 * The numeric features a model learns from, and the pipeline stages that turn customer_features
 * columns into its feature vector. The stages are part of every saved model, so the segment job
 * applies a model to a customer_features snapshot as it is, with no preparation of its own.
 *
 * <p>A missing value counts as 0 (e.g. mean_days_between_orders of a one-order customer). The same
 * {@link #sqlValue} is what the rules' SQL predicates compare, so a warehouse sees exactly the
 * values the tree saw.
 */
public record FeatureSpace(List<String> features, List<String> logFeatures) {
  public static final String RAW_VECTOR = "raw_features";
  public static final String SCALED_VECTOR = "scaled_features";

  public FeatureSpace {
    features = List.copyOf(features);
    logFeatures = List.copyOf(logFeatures);
    if (!features.containsAll(logFeatures)) {
      throw new IllegalArgumentException(
          "log features " + logFeatures + " must be among " + features);
    }
  }

  /** The value of {@code feature} as the models see it, as a portable SQL expression. */
  public static String sqlValue(String feature) {
    return "coalesce(" + feature + ", 0)";
  }

  /**
   * Plain numbers, unscaled: what the decision trees split on, so their thresholds read as real
   * values.
   */
  public List<PipelineStage> rawStages(String prefix) {
    String select =
        features.stream()
            .map(f -> "CAST(" + sqlValue(f) + " AS DOUBLE) AS " + prefix + f)
            .collect(Collectors.joining(", "));
    return List.of(
        new SQLTransformer().setStatement("SELECT *, " + select + " FROM __THIS__"),
        new VectorAssembler().setInputCols(prefixed(prefix)).setOutputCol(prefix + RAW_VECTOR));
  }

  /**
   * Log-scaled where skewed, then standardised (mean 0, variance 1): what KMeans measures distances
   * in.
   */
  public List<PipelineStage> scaledStages() {
    String select =
        features.stream()
            .map(
                f ->
                    (logFeatures.contains(f)
                            ? "ln(1 + greatest(CAST(" + sqlValue(f) + " AS DOUBLE), 0))"
                            : "CAST(" + sqlValue(f) + " AS DOUBLE)")
                        + " AS "
                        + KMEANS_PREFIX
                        + f)
            .collect(Collectors.joining(", "));
    VectorAssembler assembler =
        new VectorAssembler().setInputCols(prefixed(KMEANS_PREFIX)).setOutputCol(RAW_VECTOR);
    StandardScaler scaler =
        new StandardScaler()
            .setWithMean(true)
            .setWithStd(true)
            .setInputCol(assembler.getOutputCol())
            .setOutputCol(SCALED_VECTOR);
    return List.of(
        new SQLTransformer().setStatement("SELECT *, " + select + " FROM __THIS__"),
        assembler,
        scaler);
  }

  private static final String KMEANS_PREFIX = "kmeans_";

  private String[] prefixed(String prefix) {
    return features.stream().map(f -> prefix + f).toArray(String[]::new);
  }
}

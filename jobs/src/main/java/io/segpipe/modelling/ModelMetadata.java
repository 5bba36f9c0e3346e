package io.segpipe.modelling;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import scala.util.Properties;

/**
 * What a saved model is (metadata.json beside it): enough to judge it and to refuse to apply it to
 * data it was not made for.
 *
 * @param name model name, e.g. "clusters"
 * @param version as-of date and run id, e.g. 2024-12-31_ab12cd34
 * @param trainedAt when it was trained (ISO-8601 instant)
 * @param features the customer_features columns it reads, in order; a model only applies to these
 * @param parameters how it was trained (k, depth, seed, ...)
 * @param metrics how good it is (silhouette, fidelity, AUC, ...); k_search is a list per k
 * @param trainingRows customers it was trained on
 * @param trainingSnapshot the data it learnt from, e.g. "customer_features as_of_date=2024-12-31"
 * @param dataFrom first day of the events behind the training data
 * @param dataTo last day of the events behind the training data
 * @param libraries versions of Spark, Scala, Java and segpipe it was trained with
 */
public record ModelMetadata(
    String name,
    String version,
    String asOfDate,
    String runId,
    String trainedAt,
    List<String> features,
    Map<String, Object> parameters,
    Map<String, Object> metrics,
    long trainingRows,
    String trainingSnapshot,
    String dataFrom,
    String dataTo,
    Map<String, String> libraries) {

  public ModelMetadata {
    features = List.copyOf(features);
    parameters = Map.copyOf(parameters);
    metrics = Map.copyOf(metrics);
    libraries = Map.copyOf(libraries);
  }

  /**
   * A metric as recorded: ten significant digits. MLlib adds up per-partition sums on the driver in
   * the order tasks finish, so the last bits of a cost can differ between identical runs; the
   * recorded figures are the same run after run.
   */
  public static double reported(double value) {
    return Double.isFinite(value)
        ? new BigDecimal(value).round(new MathContext(10)).doubleValue()
        : value;
  }

  /** The library versions of this JVM, for the metadata of a model trained now. */
  public static Map<String, String> currentLibraries() {
    String segpipe = ModelMetadata.class.getPackage().getImplementationVersion();
    return Map.of(
        "spark", org.apache.spark.package$.MODULE$.SPARK_VERSION(),
        "scala", Properties.versionNumberString(),
        "java", System.getProperty("java.version"),
        "segpipe", segpipe == null ? "development" : segpipe);
  }
}

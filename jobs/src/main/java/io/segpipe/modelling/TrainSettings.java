package io.segpipe.modelling;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.FeaturesSettings;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * What one train run needs: the as-of date and the segpipe.train section, checked before Spark
 * starts.
 */
public record TrainSettings(
    LocalDate asOf,
    FeatureSpace clusterFeatures,
    int kMin,
    int kMax,
    int searchSample,
    int maxIterations,
    long seed,
    int partitions,
    int rulesDepth,
    String models,
    int horizonDays,
    FeatureSpace churnFeatures,
    double testShare,
    int churnDepth,
    double churnThreshold,
    FeaturesSettings featuresAtCutOff,
    ChurnSettings churn) {
  /** Training rows per partition below which fewer partitions are used: see partitionsFor. */
  public static final long ROWS_PER_PARTITION = 50_000;

  /**
   * The customer_features columns a model could learn from: the contract's numbers (ints, longs,
   * decimals, doubles); dates, codes such as rfm_segment or preferred_daypart and the as-of date
   * are not.
   */
  static List<String> numericColumns(List<String> channels) {
    return Arrays.stream(Tables.CUSTOMER_FEATURES.schema(channels).fields())
        .filter(f -> f.dataType() instanceof NumericType)
        .map(StructField::name)
        .toList();
  }

  public static TrainSettings read(ConfigReader r, LocalDate asOf, List<String> channels) {
    List<String> numeric = numericColumns(channels);
    List<String> features = numericColumns(r, "segpipe.train.features", numeric);
    List<String> logFeatures = r.nonEmptyStrings("segpipe.train.log-features");
    logFeatures.stream()
        .filter(f -> !features.contains(f))
        .forEach(
            f ->
                r.problem(
                    "segpipe.train.log-features",
                    "'"
                        + f
                        + "' is not in segpipe.train.features "
                        + features
                        + "; only clustered features can be log-scaled"));
    int kMin =
        r.integer(
            "segpipe.train.k-min", k -> k >= 2 && k <= 30, "a number of clusters between 2 and 30");
    int kMax =
        r.integer(
            "segpipe.train.k-max", k -> k >= 2 && k <= 30, "a number of clusters between 2 and 30");
    if (kMin > kMax) {
      r.problem(
          "segpipe.train.k-min",
          "k-min " + kMin + " is above k-max " + kMax + "; the k search needs k-min <= k-max");
    }
    int sample =
        r.integer(
            "segpipe.train.k-search-sample", n -> n >= 100, "a number of customers, at least 100");
    int iterations =
        r.integer(
            "segpipe.train.kmeans-max-iterations", n -> n >= 1 && n <= 1000, "between 1 and 1000");
    long seed = (long) r.number("segpipe.train.seed", s -> s == Math.rint(s), "a whole number");
    int partitions =
        r.integer("segpipe.train.partitions", n -> n >= 1 && n <= 100_000, "between 1 and 100000");
    int rulesDepth =
        r.integer(
            "segpipe.train.rules-tree-depth",
            d -> d >= 1 && d <= 10,
            "a tree depth between 1 and 10");
    String models = r.string("segpipe.train.models");
    if (models.isBlank()) {
      r.problem(
          "segpipe.train.models",
          "is empty; expected a folder such as models (under the lake root) or an absolute path");
    }
    int horizon =
        r.integer(
            "segpipe.train.churn.horizon-days",
            d -> d >= 7 && d <= 730,
            "a number of days between 7 and 730");
    List<String> churnFeatures = numericColumns(r, "segpipe.train.churn.features", numeric);
    double testShare =
        r.number(
            "segpipe.train.churn.test-share",
            s -> s >= 0.05 && s <= 0.95,
            "a share between 0.05 and 0.95");
    int churnDepth =
        r.integer(
            "segpipe.train.churn.tree-depth",
            d -> d >= 1 && d <= 15,
            "a tree depth between 1 and 15");
    double threshold =
        r.number(
            "segpipe.train.churn.threshold", t -> t > 0 && t < 1, "a probability between 0 and 1");
    FeaturesSettings atCutOff = FeaturesSettings.read(r, asOf.minusDays(horizon), channels);
    return new TrainSettings(
        asOf,
        new FeatureSpace(features, logFeatures.stream().filter(features::contains).toList()),
        kMin,
        kMax,
        sample,
        iterations,
        seed,
        partitions,
        rulesDepth,
        models,
        horizon,
        new FeatureSpace(churnFeatures, List.of()),
        testShare,
        churnDepth,
        threshold,
        atCutOff,
        ChurnSettings.read(r, asOf, horizon, channels));
  }

  private static List<String> numericColumns(ConfigReader r, String key, List<String> numeric) {
    List<String> columns = r.nonEmptyStrings(key);
    columns.stream()
        .filter(c -> !numeric.contains(c))
        .forEach(
            c ->
                r.problem(
                    key,
                    "'"
                        + c
                        + "' is not a numeric customer_features column; choose from "
                        + numeric));
    if (columns.stream().distinct().count() < columns.size()) {
      r.problem(key, "lists a column twice");
    }
    return columns.stream().filter(numeric::contains).distinct().toList();
  }

  public LocalDate cutOff() {
    return asOf.minusDays(horizonDays);
  }

  /**
   * The partitions the training rows of {@code customers} customers (with a purchase) are arranged
   * in: one per {@link #ROWS_PER_PARTITION}, at least two, at most segpipe.train.partitions. A
   * small training set in few partitions runs each of the models' many Spark jobs as a few tasks
   * (the sample's train job: 72 -> 61 s); a large one keeps the configured number. It depends on
   * the data only, so the models still do not depend on the cluster.
   */
  public int partitionsFor(long customers) {
    long wanted = Math.max(2, (customers + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
    return (int) Math.min(partitions, wanted);
  }
}

package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.features.FeatureSnapshot;
import io.segpipe.modelling.ChurnModel;
import io.segpipe.modelling.ClusterLabels;
import io.segpipe.modelling.ClusterRule;
import io.segpipe.modelling.ClusterTrainer;
import io.segpipe.modelling.ModelMetadata;
import io.segpipe.modelling.ModelRegistry;
import io.segpipe.modelling.TrainingInput;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Date;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The train job end to end on generated data with planted archetypes (generate → ingest → features
 * → train, see {@link GeneratedLake}): what it finds, what it keeps, and that it finds the same
 * again.
 */
@ExtendWith(SharedSpark.class)
class TrainJobTest {
  private static final List<String> FEATURES =
      List.of(
          "recency_days",
          "frequency",
          "monetary",
          "avg_order_value",
          "channel_breadth",
          "tenure_days");
  private static SparkSession spark;
  private static Lake lake;
  private static ModelRegistry first;

  @BeforeAll
  static void train(SparkSession session) throws IOException {
    spark = session;
    lake = new Lake(spark, new LakeSettings(GeneratedLake.lake(), ""));
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    try {
      spark.conf().set("spark.sql.shuffle.partitions", "1");
      first = trainInto(TestFolders.folder("segpipe-models").toString());
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
  }

  /**
   * Runs the job with its own models folder (the generated lake is shared between test runs), on 2
   * training partitions instead of 8: on two cores every KMeans iteration is a Spark job, and fewer
   * tasks per job halve the test's time without changing what is tested.
   */
  private static ModelRegistry trainInto(String models) {
    assertEquals(
        0,
        new TrainJob()
            .execute(
                "--as-of",
                GeneratedLake.AS_OF,
                "--conf",
                "segpipe.lake.root=" + GeneratedLake.lake(),
                "--conf",
                "segpipe.train.models=\"" + models + "\"",
                "--conf",
                "segpipe.train.partitions=2",
                "--conf",
                "segpipe.train.churn.training-cut-offs=6"));
    return new ModelRegistry(spark, lake, models);
  }

  private static Dataset<Row> purchasers() {
    return TrainingInput.purchasers(
        lake.read(Tables.CUSTOMER_FEATURES.name(), "")
            .where(
                functions
                    .col(FeatureSnapshot.PARTITION)
                    .equalTo(functions.lit(Date.valueOf(GeneratedLake.AS_OF)))));
  }

  private static ModelRegistry.LoadedModel latest(
      ModelRegistry registry, String model, List<String> features) {
    return registry.load(model, Optional.empty(), features);
  }

  private static double metric(ModelMetadata metadata, String name) {
    return ((Number) metadata.metrics().get(name)).doubleValue();
  }

  /**
   * Measured with 3000 generated customers (seed 11; 2246 with a purchase in the window): k = 5,
   * silhouette 0.566, ARI 0.71. The clusters separate loyal high spenders, bargain hunters,
   * store-only customers and new signups almost cleanly; what keeps ARI well below 1 is that
   * lapsing regulars and one-time buyers look the same a year on (one or two old orders, low
   * spend), so they share a cluster, as they should on behaviour. The floor sits below the measured
   * value by a margin for generator changes, and far above chance (0).
   */
  @Test
  void clustersRecoverThePlantedArchetypes() {
    Dataset<Row> clustered =
        latest(first, ModelRegistry.CLUSTERS, FEATURES)
            .model()
            .transform(purchasers())
            .join(spark.read().parquet(GeneratedLake.groundTruth()), "customer_id");
    double ari = AdjustedRandIndex.of(clustered, ClusterTrainer.CLUSTER, "archetype");
    System.out.printf("adjusted Rand index, clusters vs planted archetypes: %.4f%n", ari);
    assertTrue(ari >= 0.6, "adjusted Rand index clusters vs archetypes " + ari);
  }

  private static final List<String> CHURN_FEATURES =
      List.of(
          "recency_days",
          "frequency",
          "monetary",
          "avg_order_value",
          "channel_breadth",
          "tenure_days",
          "mean_days_between_orders",
          "return_rate");
  private static final List<String> CANDIDATES = List.of("tree", "forest", "gbt", "bgnbd");

  /**
   * Every candidate is measured; the chosen one has the best validation AUC, and after calibration
   * its probabilities hold on the test customers. Figures: see the README's churn section.
   */
  @Test
  void churnCandidatesAreComparedAndTheBestIsCalibrated() {
    ModelMetadata churn = latest(first, ModelRegistry.CHURN, CHURN_FEATURES).metadata();
    String chosen = (String) churn.parameters().get("candidate");
    assertTrue(CANDIDATES.contains(chosen), chosen);
    for (String c : CANDIDATES) {
      assertTrue(
          metric(churn, "candidate." + c + ".validation_auc") <= metric(churn, "validation_auc"),
          c + " ranked the validation customers better than the chosen " + chosen);
      System.out.printf(
          "churn candidate %s: validation AUC %.4f, test AUC %.4f, log loss %.4f, Brier %.4f, lift %.3f,"
              + " ECE %.4f%n",
          c,
          metric(churn, "candidate." + c + ".validation_auc"),
          metric(churn, "candidate." + c + ".auc"),
          metric(churn, "candidate." + c + ".log_loss"),
          metric(churn, "candidate." + c + ".brier"),
          metric(churn, "candidate." + c + ".lift_top_decile"),
          metric(churn, "candidate." + c + ".ece"));
    }
    System.out.printf(
        "churn chosen %s calibrated: AUC %.4f, ECE %.4f (uncalibrated %.4f), test rows %d%n",
        chosen,
        metric(churn, "auc"),
        metric(churn, "ece"),
        metric(churn, "uncalibrated_ece"),
        (long) metric(churn, "test_rows"));
    assertTrue(metric(churn, "auc") >= 0.85, "test AUC " + metric(churn, "auc"));
    assertTrue(metric(churn, "ece") <= 0.03, "calibration error " + metric(churn, "ece"));
    assertEquals("2024-10-02", churn.parameters().get("cut_off"));
    assertEquals(
        List.of("2024-07-04", "2024-06-04", "2024-05-05", "2024-04-05", "2024-03-06", "2024-02-05"),
        churn.parameters().get("training_cut_offs"),
        "each training label window ends by the validation cut-off");
  }

  /**
   * A history too short for the horizon and cut-offs, and a cut-off with too few churners, stop the
   * job (exit code 2) before any model is saved, naming the dates, counts and keys; checked before
   * the clusters are searched, so they fail fast.
   */
  @Test
  void churnRefusesTooShortAHistoryAndTooFewChurners() throws IOException {
    String models = TestFolders.folder("segpipe-models-refused").toString();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    int tooLong;
    int tooFew;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      tooLong =
          new TrainJob()
              .execute(
                  "--as-of",
                  GeneratedLake.AS_OF,
                  "--conf",
                  "segpipe.lake.root=" + GeneratedLake.lake(),
                  "--conf",
                  "segpipe.train.models=\"" + models + "\"",
                  "--conf",
                  "segpipe.train.churn.horizon-days=400");
      tooFew =
          new TrainJob()
              .execute(
                  "--as-of",
                  GeneratedLake.AS_OF,
                  "--conf",
                  "segpipe.lake.root=" + GeneratedLake.lake(),
                  "--conf",
                  "segpipe.train.models=\"" + models + "\"",
                  "--conf",
                  "segpipe.train.churn.min-class-rows=1500",
                  "--conf",
                  "segpipe.train.churn.training-cut-offs=1",
                  "--conf",
                  "segpipe.train.churn.candidates=[tree]",
                  "--conf",
                  "segpipe.train.churn.bgnbd-feature=false");
    } finally {
      System.setErr(before);
    }
    String out = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(2, tooLong, out);
    assertEquals(2, tooFew, out);
    assertTrue(
        out.contains("The churn model's earliest training cut-off is 2022-08-24")
            && out.contains("the history is" + " too short")
            && out.contains("segpipe.train.churn.horizon-days = 400"),
        out);
    assertTrue(
        out.contains("At the churn cut-off 2024-10-02 (validation)")
            && out.contains("churned and")
            && out.contains("segpipe.train.churn.min-class-rows = 1500"),
        out);
    assertTrue(
        Files.notExists(java.nio.file.Path.of(models, ModelRegistry.CHURN)), "no model saved");
  }

  /**
   * Every figure in model_runs, recomputed from the stored predictions another way: AUC by the rank
   * formula, Brier score and log loss by hand, the lift and reliability bins from a sort of our
   * own.
   */
  @Test
  void everyChurnFigureIsRecomputedFromTheStoredPredictions() {
    ModelMetadata churn = latest(first, ModelRegistry.CHURN, CHURN_FEATURES).metadata();
    List<Row> predictions =
        spark
            .read()
            .parquet(ChurnModel.predictionsPath(first, churn.version()))
            .where("part = 'test'")
            .select("candidate", "customer_id", "churned", "churn_score", "churn_calibrated")
            .collectAsList();
    for (String c : CANDIDATES) {
      List<Row> rows = predictions.stream().filter(r -> r.getString(0).equals(c)).toList();
      assertEquals((long) metric(churn, "test_rows"), rows.size(), c);
      checkFigures(churn, "candidate." + c + ".", rows, 3);
    }
    String chosen = (String) churn.parameters().get("candidate");
    List<Row> calibrated = predictions.stream().filter(r -> r.getString(0).equals(chosen)).toList();
    assertTrue(
        calibrated.stream().noneMatch(r -> r.isNullAt(4)),
        "every test customer has a calibrated probability");
    assertTrue(
        predictions.stream()
            .filter(r -> !r.getString(0).equals(chosen))
            .allMatch(r -> r.isNullAt(4)));
    checkFigures(churn, "", calibrated, 4);
    // the reliability bins: ten of equal count in ascending order of probability, ties by customer
    List<Row> sorted = sorted(calibrated, 4);
    int n = sorted.size();
    for (int bin = 1; bin <= 10; bin++) {
      int from = (int) Math.ceil((bin - 1) * n / 10.0);
      int to = (int) Math.ceil(bin * n / 10.0);
      double predicted = 0;
      double observed = 0;
      for (int i = from; i < to; i++) {
        predicted += sorted.get(i).getDouble(4);
        observed += sorted.get(i).getDouble(2);
      }
      assertEquals(to - from, (long) metric(churn, "reliability_" + bin + "_rows"), "bin " + bin);
      assertEquals(
          predicted / (to - from),
          metric(churn, "reliability_" + bin + "_predicted"),
          1e-9,
          "bin " + bin);
      assertEquals(
          observed / (to - from),
          metric(churn, "reliability_" + bin + "_observed"),
          1e-9,
          "bin " + bin);
    }
  }

  private static List<Row> sorted(List<Row> rows, int column) {
    return rows.stream()
        .sorted(
            Comparator.<Row>comparingDouble(r -> r.getDouble(column))
                .thenComparing(r -> r.getString(1)))
        .toList();
  }

  private static void checkFigures(ModelMetadata churn, String prefix, List<Row> rows, int column) {
    double[] p = rows.stream().mapToDouble(r -> r.getDouble(column)).toArray();
    double[] y = rows.stream().mapToDouble(r -> r.getDouble(2)).toArray();
    double brier = 0;
    double logLoss = 0;
    for (int i = 0; i < p.length; i++) {
      brier += (p[i] - y[i]) * (p[i] - y[i]);
      double q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
      logLoss -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
    }
    assertEquals(
        ChurnMetricsTest.rankAuc(p, y), metric(churn, prefix + "auc"), 1e-9, prefix + "auc");
    assertEquals(brier / p.length, metric(churn, prefix + "brier"), 1e-9, prefix + "brier");
    assertEquals(logLoss / p.length, metric(churn, prefix + "log_loss"), 1e-9, prefix + "log loss");
    List<Row> byScore = sorted(rows, column);
    int top = (int) Math.ceil(rows.size() / 10.0);
    double topChurners =
        byScore.subList(rows.size() - top, rows.size()).stream()
            .mapToDouble(r -> r.getDouble(2))
            .sum();
    double rate = java.util.Arrays.stream(y).sum() / y.length;
    assertEquals(
        topChurners / top / rate, metric(churn, prefix + "lift_top_decile"), 1e-9, prefix + "lift");
  }

  @Test
  void theChosenKHasTheBestSilhouetteOfEveryKTried() {
    ModelMetadata clusters = latest(first, ModelRegistry.CLUSTERS, FEATURES).metadata();
    @SuppressWarnings("unchecked")
    List<Map<String, Number>> search =
        (List<Map<String, Number>>) clusters.metrics().get("k_search");
    assertEquals(
        List.of(3, 4, 5, 6, 7, 8), search.stream().map(s -> s.get("k").intValue()).toList());
    Map<String, Number> best =
        search.stream()
            .max(Comparator.comparingDouble(s -> s.get("silhouette").doubleValue()))
            .orElseThrow();
    assertEquals(best.get("k").intValue(), ((Number) clusters.parameters().get("k")).intValue());
    assertTrue(
        metric(clusters, "silhouette") > 0.4, "silhouette " + metric(clusters, "silhouette"));
    @SuppressWarnings("unchecked")
    Map<String, String> codes = (Map<String, String>) clusters.parameters().get("label_codes");
    assertEquals(
        best.get("k").intValue(),
        codes.values().stream().distinct().count(),
        "one distinct label per cluster: " + codes);
    // the English labels stay beside the codes, for segpipe versions that read only those
    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) clusters.parameters().get("labels");
    Messages english = Messages.builtIn("en-GB");
    codes.forEach(
        (c, code) -> {
          assertTrue(code.matches("[a-z0-9_]+(-[a-z0-9_]+)*"), code);
          assertEquals(ClusterLabels.name(english, code), labels.get(c), code);
          assertEquals(
              code,
              ClusterLabels.fromLegacy(labels.get(c)),
              "an older model's English label reads as its code");
        });
  }

  @Test
  void rulesCoverEveryCustomerAndRecordTheirFidelity() {
    ModelRegistry.LoadedModel rules = latest(first, ModelRegistry.CLUSTER_RULES, FEATURES);
    long customers = rules.rules().stream().mapToLong(ClusterRule::customers).sum();
    assertEquals(purchasers().count(), customers);
    assertEquals(
        RuleCounts.fidelity(rules.rules()),
        metric(rules.metadata(), "fidelity"),
        1e-9,
        "recorded to ten digits");
    assertTrue(
        metric(rules.metadata(), "fidelity") > 0.9,
        "a depth-4 tree reproduces the clusters: " + rules.rules());
    assertTrue(
        rules.rules().stream().allMatch(r -> r.modelVersion().equals(rules.metadata().version())));
    @SuppressWarnings("unchecked")
    Map<String, String> codes =
        (Map<String, String>)
            latest(first, ModelRegistry.CLUSTERS, FEATURES)
                .metadata()
                .parameters()
                .get("label_codes");
    for (ClusterRule rule : rules.rules()) {
      assertFalse(rule.legacy(), "saved with its conditions: " + rule);
      assertEquals(
          codes.get(String.valueOf(rule.clusterId())), rule.clusterLabel(), rule.ruleText());
    }
  }

  @Test
  void modelRunsListsTheThreeModelsOfTheVersion() {
    String version = latest(first, ModelRegistry.CLUSTERS, FEATURES).metadata().version();
    List<Row> runs =
        lake.read(Tables.MODEL_RUNS.name(), "")
            .where(functions.col("version").equalTo(version))
            .orderBy("model")
            .collectAsList();
    assertEquals(
        List.of("churn", "cluster-rules", "clusters"),
        runs.stream().map(r -> r.<String>getAs("model")).toList());
    assertTrue(version.startsWith(GeneratedLake.AS_OF + "_"), version);
    assertTrue(runs.stream().allMatch(r -> r.<String>getAs("path").startsWith(first.root())));
  }

  /**
   * The same snapshot and seed give the same clusters, labels, rules, churn candidates, choice,
   * calibration and metrics, whether Spark shuffles into 1 partition (the first run) or 7.
   */
  @Test
  void sameSnapshotAndSeedGiveTheSameModels() throws IOException {
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    ModelRegistry second;
    try {
      spark.conf().set("spark.sql.shuffle.partitions", "7");
      second = trainInto(TestFolders.folder("segpipe-models-again").toString());
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
    for (String model :
        List.of(ModelRegistry.CLUSTERS, ModelRegistry.CLUSTER_RULES, ModelRegistry.CHURN)) {
      ModelMetadata a = first.versions(model).get(0);
      ModelMetadata b = second.versions(model).get(0);
      assertEquals(a.parameters(), b.parameters(), model);
      assertEquals(
          a.metrics(),
          b.metrics(),
          model + " (recorded to ten significant digits, see ModelMetadata.reported)");
    }
    ModelMetadata churnA = first.versions(ModelRegistry.CHURN).get(0);
    ModelMetadata churnB = second.versions(ModelRegistry.CHURN).get(0);
    assertEquals(
        spark.read().parquet(ChurnModel.predictionsPath(first, churnA.version())).collectAsList(),
        spark.read().parquet(ChurnModel.predictionsPath(second, churnB.version())).collectAsList(),
        "every candidate's probability for every validation customer");
    List<String> features = FEATURES;
    ModelRegistry.LoadedModel rulesA = latest(first, ModelRegistry.CLUSTER_RULES, features);
    ModelRegistry.LoadedModel rulesB = latest(second, ModelRegistry.CLUSTER_RULES, features);
    assertEquals(
        rulesA.rules().stream().map(TrainJobTest::withoutVersion).toList(),
        rulesB.rules().stream().map(TrainJobTest::withoutVersion).toList());
    Dataset<Row> a =
        latest(first, ModelRegistry.CLUSTERS, features)
            .model()
            .transform(purchasers())
            .select("customer_id", ClusterTrainer.CLUSTER);
    Dataset<Row> b =
        latest(second, ModelRegistry.CLUSTERS, features)
            .model()
            .transform(purchasers())
            .select(
                functions.col("customer_id"), functions.col(ClusterTrainer.CLUSTER).as("again"));
    assertEquals(0, a.join(b, "customer_id").where("cluster_id != again").count());
  }

  private static ClusterRule withoutVersion(ClusterRule rule) {
    return new ClusterRule(
        rule.ruleId(),
        "",
        rule.clusterId(),
        rule.clusterLabel(),
        rule.ruleText(),
        rule.sqlPredicate(),
        rule.conditions(),
        rule.customers(),
        rule.fidelity());
  }
}

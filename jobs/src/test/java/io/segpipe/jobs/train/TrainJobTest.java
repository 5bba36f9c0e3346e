package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.features.FeatureSnapshot;
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
 * The train job end to end on generated data with planted archetypes (generate → ingest → features →
 * train, see {@link GeneratedLake}): what it finds, what it keeps, and that it finds the same again.
 */
@ExtendWith(SharedSpark.class)
class TrainJobTest {
  private static final List<String> FEATURES =
      List.of("recency_days", "frequency", "monetary", "avg_order_value", "channel_breadth", "tenure_days");
  private static SparkSession spark;
  private static Lake lake;
  private static ModelRegistry first;

  @BeforeAll
  static void train(SparkSession session) throws IOException {
    spark = session;
    lake = new Lake(spark, new LakeSettings(GeneratedLake.lake(), ""));
    first = trainInto(TestFolders.folder("segpipe-models").toString());
  }

  /**
   * Runs the job with its own models folder (the generated lake is shared between test runs), on 2
   * training partitions instead of 8: on two cores every KMeans iteration is a Spark job, and fewer
   * tasks per job halve the test's time without changing what is tested.
   */
  private static ModelRegistry trainInto(String models) {
    assertEquals(0, new TrainJob().execute("--as-of", GeneratedLake.AS_OF,
        "--conf", "segpipe.lake.root=" + GeneratedLake.lake(), "--conf", "segpipe.train.models=\"" + models + "\"",
        "--conf", "segpipe.train.partitions=2"));
    return new ModelRegistry(spark, lake, models);
  }

  private static Dataset<Row> purchasers() {
    return TrainingInput.purchasers(lake.read(FeatureSnapshot.TABLE, "")
        .where(functions.col(FeatureSnapshot.PARTITION).equalTo(functions.lit(Date.valueOf(GeneratedLake.AS_OF)))));
  }

  private static ModelRegistry.LoadedModel latest(ModelRegistry registry, String model, List<String> features) {
    return registry.load(model, Optional.empty(), features);
  }

  private static double metric(ModelMetadata metadata, String name) {
    return ((Number) metadata.metrics().get(name)).doubleValue();
  }

  /**
   * Measured with 3000 generated customers (seed 11; 2246 with a purchase in the window): k = 5,
   * silhouette 0.566, ARI 0.71. The clusters separate loyal high spenders, bargain hunters, store-only
   * customers and new signups almost cleanly; what keeps ARI well below 1 is that lapsing regulars
   * and one-time buyers look the same a year on (one or two old orders, low spend), so they share a
   * cluster, as they should on behaviour. The floor sits below the measured value by a margin for
   * generator changes, and far above chance (0).
   */
  @Test
  void clustersRecoverThePlantedArchetypes() {
    Dataset<Row> clustered = latest(first, ModelRegistry.CLUSTERS, FEATURES).model().transform(purchasers())
        .join(spark.read().parquet(GeneratedLake.groundTruth()), "customer_id");
    double ari = AdjustedRandIndex.of(clustered, ClusterTrainer.CLUSTER, "archetype");
    System.out.printf("adjusted Rand index, clusters vs planted archetypes: %.4f%n", ari);
    assertTrue(ari >= 0.6, "adjusted Rand index clusters vs archetypes " + ari);
  }

  /** Measured 0.89 held-out AUC (599 customers held out, 234 churners); the issue asks for at least 0.75. */
  @Test
  void churnModelFindsThePlantedChurners() {
    ModelMetadata churn = latest(first, ModelRegistry.CHURN, List.of("recency_days", "frequency", "monetary",
        "avg_order_value", "channel_breadth", "tenure_days", "mean_days_between_orders", "return_rate")).metadata();
    assertTrue(metric(churn, "auc") >= 0.75, "held-out AUC " + metric(churn, "auc"));
    assertTrue(metric(churn, "test_rows") > 400, "a held-out set big enough for a stable AUC");
    assertEquals("2024-10-02", churn.parameters().get("cut_off"));
  }

  @Test
  void theChosenKHasTheBestSilhouetteOfEveryKTried() {
    ModelMetadata clusters = latest(first, ModelRegistry.CLUSTERS, FEATURES).metadata();
    @SuppressWarnings("unchecked")
    List<Map<String, Number>> search = (List<Map<String, Number>>) clusters.metrics().get("k_search");
    assertEquals(List.of(3, 4, 5, 6, 7, 8), search.stream().map(s -> s.get("k").intValue()).toList());
    Map<String, Number> best = search.stream().max(Comparator.comparingDouble(s -> s.get("silhouette").doubleValue())).orElseThrow();
    assertEquals(best.get("k").intValue(), ((Number) clusters.parameters().get("k")).intValue());
    assertTrue(metric(clusters, "silhouette") > 0.4, "silhouette " + metric(clusters, "silhouette"));
    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) clusters.parameters().get("labels");
    assertEquals(best.get("k").intValue(), labels.values().stream().distinct().count(), "one distinct label per cluster: " + labels);
  }

  @Test
  void rulesCoverEveryCustomerAndRecordTheirFidelity() {
    ModelRegistry.LoadedModel rules = latest(first, ModelRegistry.CLUSTER_RULES, FEATURES);
    long customers = rules.rules().stream().mapToLong(ClusterRule::customers).sum();
    assertEquals(purchasers().count(), customers);
    assertEquals(RuleCounts.fidelity(rules.rules()), metric(rules.metadata(), "fidelity"), 1e-9, "recorded to ten digits");
    assertTrue(metric(rules.metadata(), "fidelity") > 0.9, "a depth-4 tree reproduces the clusters: " + rules.rules());
    assertTrue(rules.rules().stream().allMatch(r -> r.modelVersion().equals(rules.metadata().version())));
  }

  @Test
  void modelRunsListsTheThreeModelsOfTheVersion() {
    String version = latest(first, ModelRegistry.CLUSTERS, FEATURES).metadata().version();
    List<Row> runs = lake.read(ModelRegistry.RUNS_TABLE, "").where(functions.col("version").equalTo(version))
        .orderBy("model").collectAsList();
    assertEquals(List.of("churn", "cluster-rules", "clusters"), runs.stream().map(r -> r.<String>getAs("model")).toList());
    assertTrue(version.startsWith(GeneratedLake.AS_OF + "_"), version);
    assertTrue(runs.stream().allMatch(r -> r.<String>getAs("path").startsWith(first.root())));
  }

  /**
   * The same snapshot and seed give the same clusters, labels, rules and metrics, even when Spark
   * shuffles into a different number of partitions.
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
    for (String model : List.of(ModelRegistry.CLUSTERS, ModelRegistry.CLUSTER_RULES, ModelRegistry.CHURN)) {
      ModelMetadata a = first.versions(model).get(0);
      ModelMetadata b = second.versions(model).get(0);
      assertEquals(a.parameters(), b.parameters(), model);
      assertEquals(a.metrics(), b.metrics(), model + " (recorded to ten significant digits, see ModelMetadata.reported)");
    }
    List<String> features = FEATURES;
    ModelRegistry.LoadedModel rulesA = latest(first, ModelRegistry.CLUSTER_RULES, features);
    ModelRegistry.LoadedModel rulesB = latest(second, ModelRegistry.CLUSTER_RULES, features);
    assertEquals(rulesA.rules().stream().map(TrainJobTest::withoutVersion).toList(),
        rulesB.rules().stream().map(TrainJobTest::withoutVersion).toList());
    Dataset<Row> a = latest(first, ModelRegistry.CLUSTERS, features).model().transform(purchasers())
        .select("customer_id", ClusterTrainer.CLUSTER);
    Dataset<Row> b = latest(second, ModelRegistry.CLUSTERS, features).model().transform(purchasers())
        .select(functions.col("customer_id"), functions.col(ClusterTrainer.CLUSTER).as("again"));
    assertEquals(0, a.join(b, "customer_id").where("cluster_id != again").count());
  }

  private static ClusterRule withoutVersion(ClusterRule rule) {
    return new ClusterRule(rule.ruleId(), "", rule.clusterId(), rule.clusterLabel(), rule.ruleText(),
        rule.sqlPredicate(), rule.customers(), rule.fidelity());
  }
}

package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.SharedSpark;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Saving, listing and loading model versions, and the messages when a model cannot be used. */
@ExtendWith(SharedSpark.class)
class ModelRegistryTest {
  private static final List<String> FEATURES = List.of("frequency", "monetary");
  @TempDir static Path lakeRoot;
  private static ModelRegistry registry;
  private static Lake lake;
  private static PipelineModel model;
  private static Dataset<Row> customers;
  private static ClusterRule rule;

  @BeforeAll
  static void saveTwoVersions(SparkSession spark) {
    lake = new Lake(spark, new LakeSettings(lakeRoot.toString(), ""));
    registry = new ModelRegistry(spark, lake, "models");
    customers =
        spark
            .range(60)
            .selectExpr(
                "concat('c', id) AS customer_id",
                "CAST(1 + id % 3 AS BIGINT) AS frequency",
                "CAST(id * 10 AS DECIMAL(18, 2)) AS monetary");
    model =
        new ClusterTrainer(new FeatureSpace(FEATURES, List.of("monetary")), 1, 20)
            .pipeline(2)
            .fit(customers);
    rule =
        new ClusterRule(
            "R01",
            "2024-06-30_bbbbbbbb",
            0,
            "typical",
            "frequency ≥ 2 → cluster 0, typical",
            "coalesce(frequency, 0) > 1.5",
            List.of(new ClusterRule.Condition("frequency", 1.5, null, true)),
            40,
            0.5);
    registry.save(
        model,
        metadata("2024-06-30_bbbbbbbb", "2024-06-30", "2024-07-01T10:00:00Z"),
        List.of(rule));
    registry.save(
        model, metadata("2024-03-31_aaaaaaaa", "2024-03-31", "2024-07-02T10:00:00Z"), List.of());
    registry.record(List.of(metadata("2024-06-30_bbbbbbbb", "2024-06-30", "2024-07-01T10:00:00Z")));
  }

  private static ModelMetadata metadata(String version, String asOf, String trainedAt) {
    return new ModelMetadata(
        ModelRegistry.CLUSTERS,
        version,
        asOf,
        version.substring(11),
        trainedAt,
        FEATURES,
        Map.of("k", 2),
        Map.of("silhouette", 0.5, "k_search", List.of(new KSearch.Score(2, 0.5, 10.0))),
        60,
        "customer_features as_of_date=" + asOf,
        "2023-07-01",
        asOf,
        ModelMetadata.currentLibraries());
  }

  @Test
  void aParameterHoldingMapsIsWrittenInKeyOrderWhateverTheMapsOrder() {
    // Map.of iterates in an order that differs between JVMs: model_runs of two runs must not differ
    // by it
    Map<String, Object> inner = new java.util.LinkedHashMap<>();
    inner.put("r", 1.5);
    inner.put("alpha", 2.0);
    Map<String, Object> outer = new java.util.LinkedHashMap<>();
    outer.put("2024-10-02", inner);
    outer.put("2024-07-04", List.of(Map.of("z", 1), "x"));
    Map<String, Object> parameters = new java.util.LinkedHashMap<>();
    parameters.put("fits", outer);
    parameters.put("depth", 5);
    assertEquals(
        Map.of("fits", "{2024-07-04=[{z=1}, x], 2024-10-02={alpha=2.0, r=1.5}}", "depth", "5"),
        ModelRegistry.stringParameters(parameters));
  }

  @Test
  void latestIsTheLatestAsOfDateAndLoadsAWorkingModel() {
    ModelRegistry.LoadedModel loaded =
        registry.load(ModelRegistry.CLUSTERS, Optional.empty(), FEATURES);
    assertEquals("2024-06-30_bbbbbbbb", loaded.metadata().version());
    assertEquals(List.of(rule), loaded.rules(), "rules.json keeps every field, the conditions too");
    assertEquals(
        model.transform(customers).select(ClusterTrainer.CLUSTER).collectAsList(),
        loaded.model().transform(customers).select(ClusterTrainer.CLUSTER).collectAsList());
  }

  @Test
  void aVersionLoadedOnceIsReusedUntilItIsSavedAgain() {
    String version = "2024-05-31_cccccccc";
    registry.save(model, metadata(version, "2024-05-31", "2024-07-03T10:00:00Z"), List.of());
    PipelineModel first =
        registry.load(ModelRegistry.CLUSTERS, Optional.of(version), FEATURES).model();
    assertSame(
        first,
        registry.load(ModelRegistry.CLUSTERS, Optional.of(version), FEATURES).model(),
        "a second date of a backfill applies the pipeline loaded for the first");
    // trained again under the same version: its files, not the pipeline held, are what is applied
    registry.save(model, metadata(version, "2024-05-31", "2024-07-04T10:00:00Z"), List.of());
    ModelRegistry.LoadedModel again =
        registry.load(ModelRegistry.CLUSTERS, Optional.of(version), FEATURES);
    assertNotSame(first, again.model());
    assertEquals("2024-07-04T10:00:00Z", again.metadata().trainedAt());
    assertEquals(
        model.transform(customers).select(ClusterTrainer.CLUSTER).collectAsList(),
        again.model().transform(customers).select(ClusterTrainer.CLUSTER).collectAsList());
  }

  @Test
  void aPinnedVersionIsLoadedAsAsked() {
    ModelRegistry.LoadedModel loaded =
        registry.load(ModelRegistry.CLUSTERS, Optional.of("2024-03-31_aaaaaaaa"), FEATURES);
    assertEquals("2024-03-31", loaded.metadata().asOfDate());
    assertEquals(List.of(), loaded.rules());
  }

  @Test
  void missingAndIncompatibleModelsSayWhatToDo() {
    String none =
        assertThrows(UserError.class, () -> registry.load("churn", Optional.empty(), FEATURES))
            .getMessage();
    assertTrue(none.contains("There is no churn model") && none.contains("segpipe train"), none);
    String pinned =
        assertThrows(
                UserError.class,
                () -> registry.load(ModelRegistry.CLUSTERS, Optional.of("2023-01-01_x"), FEATURES))
            .getMessage();
    assertTrue(
        pinned.contains("no version 2023-01-01_x") && pinned.contains("2024-03-31_aaaaaaaa"),
        pinned);
    String other =
        assertThrows(
                UserError.class,
                () ->
                    registry.load(
                        ModelRegistry.CLUSTERS, Optional.empty(), List.of("monetary", "frequency")))
            .getMessage();
    assertTrue(
        other.contains("trained on the features [frequency, monetary]")
            && other.contains("asks for [monetary, frequency]"),
        other);
  }

  @Test
  void modelRunsListsVersionsWithFlatMetrics(SparkSession spark) {
    Row run = lake.read(Tables.MODEL_RUNS.name(), "").first();
    assertEquals("2024-06-30_bbbbbbbb", run.getAs("version"));
    scala.collection.Map<String, Double> metrics = run.getAs("metrics");
    assertEquals(0.5, metrics.apply("silhouette_k2"), 0);
    assertEquals(10.0, metrics.apply("cost_k2"), 0);
    assertEquals(lakeRoot + "/models/clusters/2024-06-30_bbbbbbbb", run.getAs("path"));
  }
}

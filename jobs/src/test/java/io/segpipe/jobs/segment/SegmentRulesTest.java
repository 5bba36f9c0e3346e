package io.segpipe.jobs.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.modelling.ClusterRule;
import io.segpipe.modelling.ClusterRule.Condition;
import io.segpipe.modelling.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment_rules' cluster codes, names and rule texts per locale, for rules saved with their
 * conditions and for rules of models trained before label codes and conditions (English label and
 * text only).
 */
@ExtendWith(SharedSpark.class)
class SegmentRulesTest {
  private static final Messages EN = Messages.builtIn("en-GB");
  private static final Messages ZH = Messages.builtIn("zh-CN");
  private static final Set<String> WHOLE = Set.of("recency_days", "frequency", "orders_web");

  @Test
  void aRuleWithItsConditionsIsShownInTheLocale() {
    ClusterRule rule =
        new ClusterRule(
            "R03",
            "2024-12-31_abcdefgh",
            2,
            "high_value-frequent-recent",
            "recency_days ≤ 30 and frequency ≥ 4 → cluster 2, high value, frequent, recent",
            "coalesce(recency_days, 0) <= 30.5 AND coalesce(frequency, 0) > 3.5",
            List.of(
                new Condition("recency_days", null, 30.5, true),
                new Condition("frequency", 3.5, null, true)),
            120,
            0.97);
    assertEquals(
        new SegmentRules.Shown(
            "high_value-frequent-recent", "high value, frequent, recent", rule.ruleText()),
        SegmentRules.shown(rule, EN, Set.of()));
    assertEquals(
        new SegmentRules.Shown(
            "high_value-frequent-recent",
            "高消费、高频、近期活跃",
            "最近购买天数 ≤ 30 且 订单数 ≥ 4 → 第 2 类，高消费、高频、近期活跃"),
        SegmentRules.shown(rule, ZH, Set.of()));
  }

  @Test
  void anOldRuleWhosePredicateIsNotOursKeepsItsText() {
    ClusterRule rule =
        new ClusterRule(
            "R01",
            "2024-06-30_0ld0ld00",
            1,
            "typical (cluster 1)",
            "frequency ≥ 2 → cluster 1, typical (cluster 1)",
            "frequency >= 2",
            null,
            10,
            1.0);
    assertEquals(
        new SegmentRules.Shown("typical-cluster_1", "普通（第 1 类）", rule.ruleText()),
        SegmentRules.shown(rule, ZH, WHOLE));
  }

  private static final String VERSION = "2024-06-30_0ld0ld00";
  private static final List<String> FEATURES =
      List.of("recency_days", "frequency", "monetary", "orders_web");

  /** metadata.json of a model as segpipe wrote it before label codes. */
  private static String oldMetadata(String name, String parameters) {
    return """
        {
          "name" : "%s",
          "version" : "%s",
          "asOfDate" : "2024-06-30",
          "runId" : "0ld0ld00",
          "trainedAt" : "2024-07-01T10:00:00Z",
          "features" : [ "recency_days", "frequency", "monetary", "orders_web" ],
          "parameters" : %s,
          "metrics" : { "silhouette" : 0.61 },
          "trainingRows" : 5,
          "trainingSnapshot" : "customer_features as_of_date=2024-06-30",
          "dataFrom" : "2023-07-02",
          "dataTo" : "2024-06-30",
          "libraries" : { "java" : "17.0.12", "scala" : "2.12.18", "segpipe" : "0.1.0-SNAPSHOT", "spark" : "3.5.1" }
        }
        """
        .formatted(name, VERSION, parameters);
  }

  private static String oldRule(
      int number, int cluster, String label, String text, String predicate, int customers) {
    return """
        {
          "ruleId" : "R0%d",
          "modelVersion" : "%s",
          "clusterId" : %d,
          "clusterLabel" : "%s",
          "ruleText" : "%s",
          "sqlPredicate" : "%s",
          "customers" : %d,
          "fidelity" : 1.0
        }"""
        .formatted(number, VERSION, cluster, label, text, predicate, customers);
  }

  /**
   * A clusters and a cluster-rules model saved by segpipe before label codes (labels and rule texts
   * in English, no conditions) are applied: the labels read as codes, the rules are counted, and
   * their texts are rendered in Chinese from their predicates, in English as they were stored.
   */
  @Test
  void modelsTrainedBeforeLabelCodesAreApplied(SparkSession spark, @TempDir Path root)
      throws IOException {
    Path models = root.resolve("models");
    Dataset<Row> snapshot =
        spark.sql(
            "SELECT customer_id, CAST(r AS INT) AS recency_days, CAST(f AS BIGINT) AS frequency,"
                + " CAST(m AS DECIMAL(18, 2)) AS monetary, CAST(w AS BIGINT) AS orders_web FROM VALUES"
                + " ('c1', 10, 5, 900.00, 3), ('c2', 30, 2, 80.00, 2), ('c3', 200, 1, 40.00, 0), ('c4', 400, 2, 250.13, 1),"
                + " ('c5', 120, 6, 250.12, 4), ('c6', 500, 0, 0.00, 0) AS t(customer_id, r, f, m, w)");
    var pipeline =
        new Pipeline()
            .setStages(
                new PipelineStage[] {new SQLTransformer().setStatement("SELECT * FROM __THIS__")})
            .fit(snapshot);
    for (String name : List.of(ModelRegistry.CLUSTERS, ModelRegistry.CLUSTER_RULES)) {
      pipeline.write().save(models.resolve(name).resolve(VERSION).resolve("model").toString());
    }
    Files.writeString(
        models.resolve(ModelRegistry.CLUSTERS).resolve(VERSION).resolve("metadata.json"),
        oldMetadata(
            ModelRegistry.CLUSTERS,
            """
            { "k" : 3, "labels" : { "0" : "high value, frequent, recent", "1" : "lapsed, rare orders, low spend",
              "2" : "high orders_web, low spend" }, "seed" : 42 }"""));
    Path rulesVersion = models.resolve(ModelRegistry.CLUSTER_RULES).resolve(VERSION);
    Files.writeString(
        rulesVersion.resolve("rules.json"),
        "[ "
            + String.join(
                ", ",
                oldRule(
                    1,
                    0,
                    "high value, frequent, recent",
                    "recency_days ≤ 90 and frequency ≥ 4 → cluster 0, high value,"
                        + " frequent, recent",
                    "coalesce(recency_days, 0) <= 90.5 AND coalesce(frequency, 0) > 3.5",
                    1),
                oldRule(
                    2,
                    2,
                    "high orders_web, low spend",
                    "recency_days ≤ 90 and frequency ≤ 3 → cluster 2, high orders_web,"
                        + " low spend",
                    "coalesce(recency_days, 0) <= 90.5 AND coalesce(frequency, 0) <= 3.5",
                    1),
                oldRule(
                    3,
                    1,
                    "lapsed, rare orders, low spend",
                    "recency_days ≥ 91 and monetary ≤ 250.13 → cluster 1, lapsed,"
                        + " rare orders, low spend",
                    "coalesce(recency_days, 0) > 90.5 AND coalesce(monetary, 0) <= 250.125",
                    2),
                oldRule(
                    4,
                    0,
                    "high value, frequent, recent",
                    "recency_days ≥ 91 and monetary > 250.13 → cluster 0, high value,"
                        + " frequent, recent",
                    "coalesce(recency_days, 0) > 90.5 AND coalesce(monetary, 0) > 250.125",
                    1))
            + " ]");
    Files.writeString(
        rulesVersion.resolve("metadata.json"),
        oldMetadata(
            ModelRegistry.CLUSTER_RULES, "{ \"max_depth\" : 2, \"rules\" : 4, \"seed\" : 42 }"));

    ModelRegistry registry =
        new ModelRegistry(spark, new Lake(spark, new LakeSettings(root.toString(), "")), "models");
    ModelRegistry.LoadedModel rules =
        registry.load(ModelRegistry.CLUSTER_RULES, Optional.of(VERSION), FEATURES);
    SegmentModels applied =
        new SegmentModels(
            registry.load(ModelRegistry.CLUSTERS, Optional.empty(), FEATURES),
            new SegmentRules.Model(rules, ZH),
            null);
    assertTrue(
        rules.rules().stream().allMatch(ClusterRule::legacy), "no conditions in an old rules.json");
    assertEquals(
        Map.of(
            0,
            "high_value-frequent-recent",
            1,
            "lapsed-rare_orders-low_spend",
            2,
            "high_orders_web-low_spend"),
        applied.labels());

    List<List<Object>> rows = new ArrayList<>();
    SegmentRules.of(applied.rules(), snapshot, LocalDate.parse("2024-12-31"))
        .orderBy("rule_id")
        .collectAsList()
        .forEach(
            r ->
                rows.add(
                    Arrays.asList(
                        r.getInt(1),
                        r.getInt(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getLong(7))));
    assertEquals(
        List.of(
            List.of(
                1,
                0,
                "high_value-frequent-recent",
                "高消费、高频、近期活跃",
                "最近购买天数 ≤ 90 且 订单数 ≥ 4 → 第 0 类，高消费、高频、近期活跃",
                1L),
            List.of(
                2,
                2,
                "high_orders_web-low_spend",
                "网店订单数高、低消费",
                "最近购买天数 ≤ 90 且 订单数 ≤ 3 → 第 2 类，网店订单数高、低消费",
                1L),
            List.of(
                3,
                1,
                "lapsed-rare_orders-low_spend",
                "久未购买、低频、低消费",
                "最近购买天数 ≥ 91 且 消费金额 ≤ 250.13 → 第 1 类，久未购买、低频、低消费",
                2L),
            List.of(
                4,
                0,
                "high_value-frequent-recent",
                "高消费、高频、近期活跃",
                "最近购买天数 ≥ 91 且 消费金额 > 250.13 → 第 0 类，高消费、高频、近期活跃",
                1L)),
        rows);
    assertEquals(
        List.of(
            "model_version",
            "rule_id",
            "cluster_id",
            "cluster_label",
            "cluster_name",
            "rule_text",
            "sql_predicate",
            "customers",
            "as_of_date"),
        Arrays.asList(SegmentRules.SCHEMA.fieldNames()));
    // in British English the rules read as they were stored
    Set<String> whole = io.segpipe.modelling.TreeRules.wholeNumbers(snapshot.schema());
    for (ClusterRule rule : rules.rules()) {
      assertEquals(rule.ruleText(), SegmentRules.shown(rule, EN, whole).ruleText());
    }

    List<Row> names =
        spark
            .sql("SELECT * FROM VALUES ('high_orders_web-low_spend'), (NULL) AS t(cluster_label)")
            .select(applied.clusterName(ZH, functions.col("cluster_label")))
            .collectAsList();
    assertEquals("网店订单数高、低消费", names.get(0).getString(0));
    assertTrue(names.get(1).isNullAt(0), "a prospect has no cluster and no name");
  }
}

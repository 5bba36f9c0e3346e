package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.i18n.Messages;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.train.RuleCounts;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rules' SQL predicates, run by Spark SQL, assign every customer exactly as the tree model
 * does, and every customer matches exactly one predicate.
 */
@ExtendWith(SharedSpark.class)
class TreeRulesTest {
  private static final List<String> FEATURES =
      List.of("recency_days", "frequency", "monetary", "avg_order_value");
  private static final Messages EN = Messages.builtIn("en-GB");
  private static Dataset<Row> customers;
  private static PipelineModel model;
  private static List<ClusterRule> rules;

  /**
   * 3000 customers with spread-out integer, long and decimal features (some nulls, which the models
   * read as 0), and a "cluster" that depends on them in a way a depth-4 tree cannot copy exactly.
   */
  @BeforeAll
  static void fit(SparkSession spark) {
    customers =
        spark
            .range(3000)
            .selectExpr(
                "concat('c', id) AS customer_id",
                "CAST(pmod(hash(id, 1), 365) AS INT) AS recency_days",
                "CAST(1 + pmod(hash(id, 2), 20) AS BIGINT) AS frequency",
                "CAST(pmod(hash(id, 3), 500000) / 100.0 AS DECIMAL(18, 2)) AS monetary",
                "CASE WHEN id % 17 = 0 THEN NULL ELSE CAST(pmod(hash(id, 4), 30000) / 100.0 AS DECIMAL(18, 2)) END"
                    + " AS avg_order_value")
            .withColumn(
                ClusterTrainer.CLUSTER,
                functions.expr(
                    "CASE WHEN recency_days > 200 THEN 0 WHEN frequency * 100 + coalesce(avg_order_value, 0) > 1200 THEN 1"
                        + " WHEN monetary > 2500 THEN 2 ELSE 3 END"))
            .repartition(3)
            .cache();
    FeatureSpace space = new FeatureSpace(FEATURES, List.of());
    model = TreeRules.pipeline(space, 4, 42).fit(customers);
    rules =
        TreeRules.rules(
            TreeRules.treeOf(model),
            FEATURES,
            TreeRules.wholeNumbers(customers.schema()),
            Map.of(0, "lapsed", 1, "frequent", 2, "high_value-recent", 3, "typical"),
            "2024-12-31_test",
            EN);
  }

  @Test
  void predicatesAssignEveryCustomerAsTheTreeDoes() {
    Map<String, Integer> clusterOfRule =
        rules.stream().collect(Collectors.toMap(ClusterRule::ruleId, ClusterRule::clusterId));
    StringBuilder ruleCluster = new StringBuilder("CASE");
    rules.forEach(
        r ->
            ruleCluster
                .append(" WHEN ")
                .append(r.sqlPredicate())
                .append(" THEN ")
                .append(r.clusterId()));
    Dataset<Row> scored =
        model
            .transform(customers)
            .withColumn("sql_cluster", functions.expr(ruleCluster.append(" END").toString()));
    assertTrue(
        clusterOfRule.size() > 4,
        "a depth-4 tree on this data has more leaves than clusters: " + rules);
    assertEquals(
        0,
        scored
            .where(
                "sql_cluster IS NULL OR sql_cluster != CAST(" + TreeRules.PREDICTION + " AS INT)")
            .count());
  }

  @Test
  void predicatesAreExclusiveAndCoverEveryone(SparkSession spark) {
    customers.createOrReplaceTempView("rule_customers");
    String matches =
        rules.stream()
            .map(r -> "CAST((" + r.sqlPredicate() + ") AS INT)")
            .collect(Collectors.joining(" + "));
    Row counts =
        spark.sql("SELECT count(*), count_if(" + matches + " = 1) FROM rule_customers").first();
    assertEquals(3000L, counts.getLong(0));
    assertEquals(3000L, counts.getLong(1), "customers matching exactly one rule");
  }

  @Test
  void countsAndFidelityComeFromThePredicates() {
    Dataset<Row> withPrediction = model.transform(customers);
    List<ClusterRule> counted = RuleCounts.fill(rules, withPrediction);
    assertEquals(3000L, counted.stream().mapToLong(ClusterRule::customers).sum());
    long agreeing =
        withPrediction.where(TreeRules.PREDICTION + " = " + ClusterTrainer.CLUSTER).count();
    assertEquals(agreeing / 3000.0, RuleCounts.fidelity(counted), 1e-12);
  }

  @Test
  void rulesReadAsBoundsOnTheFeatures() {
    assertEquals("R01", rules.get(0).ruleId());
    Map<Integer, String> names =
        Map.of(0, "lapsed", 1, "frequent", 2, "high value, recent", 3, "typical");
    for (ClusterRule rule : rules) {
      assertTrue(
          rule.ruleText()
              .endsWith(" → cluster " + rule.clusterId() + ", " + names.get(rule.clusterId())),
          rule.ruleText());
      assertTrue(
          !rule.ruleText().matches(".*(recency_days|frequency) [^a]*\\.5.*"),
          "whole-number features read as whole numbers: " + rule.ruleText());
      assertEquals("2024-12-31_test", rule.modelVersion());
    }
  }

  /**
   * Each rule keeps its conditions (features in order, whole numbers marked), its predicate is
   * theirs, and a rule saved without them (before they were kept) reads them back from its
   * predicate, so the segment job gives it the same text as a rule saved with them.
   */
  @Test
  void rulesKeepTheirConditionsAndOldRulesReadThemFromTheirPredicate() {
    Set<String> whole = TreeRules.wholeNumbers(customers.schema());
    assertEquals(
        List.of("recency_days", "frequency"),
        FEATURES.stream().filter(whole::contains).toList(),
        "INT and BIGINT are whole numbers, DECIMAL(18, 2) is not");
    for (ClusterRule rule : rules) {
      List<String> features =
          rule.conditions().stream().map(ClusterRule.Condition::feature).toList();
      assertEquals(
          FEATURES.stream().filter(features::contains).toList(), features, rule.ruleText());
      rule.conditions()
          .forEach(
              c -> assertEquals(whole.contains(c.feature()), c.wholeNumber(), rule.ruleText()));
      assertEquals(TreeRules.predicate(rule.conditions()), rule.sqlPredicate());
      assertEquals(
          Optional.of(rule.conditions()),
          TreeRules.conditions(rule.sqlPredicate(), whole),
          rule.sqlPredicate());
      assertEquals(
          rule.ruleText(),
          TreeRules.text(EN, rule.conditions(), rule.clusterId(), rule.clusterLabel()));
    }
    assertTrue(
        rules.stream()
            .anyMatch(
                r -> r.conditions().stream().anyMatch(c -> c.lower() != null && c.upper() != null)),
        "some feature bounded on both sides: " + rules);
  }

  @Test
  void thresholdsArePlainDecimalLiterals() {
    assertEquals("42.5", TreeRules.literal(42.5));
    assertEquals("3", TreeRules.literal(3.0));
    assertEquals("0.00001", TreeRules.literal(1e-5));
    assertEquals("1234567.125", TreeRules.literal(1234567.125));
  }
}

package io.segpipe.jobs.train;

import io.segpipe.modelling.ClusterRule;
import io.segpipe.modelling.ClusterTrainer;
import io.segpipe.modelling.TreeRules;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * How many customers each rule selects and how many of them KMeans put in the rule's cluster,
 * counted by running the rules' own SQL predicates (so the numbers are what a warehouse would see).
 */
public final class RuleCounts {
  private RuleCounts() {}

  /**
   * The rules with customers and fidelity filled in, from clustered rows (cluster_id and the
   * features).
   */
  public static List<ClusterRule> fill(List<ClusterRule> rules, Dataset<Row> clustered) {
    Map<String, Map<Integer, Long>> counts = new HashMap<>();
    clustered
        .withColumn("rule_id", TreeRules.ruleIdColumn(rules))
        .groupBy(functions.col("rule_id"), functions.col(ClusterTrainer.CLUSTER))
        .count()
        .collectAsList()
        .forEach(
            r ->
                counts
                    .computeIfAbsent(r.isNullAt(0) ? "" : r.getString(0), k -> new HashMap<>())
                    .put(r.getInt(1), r.getLong(2)));
    if (counts.containsKey("")) {
      throw new IllegalStateException("the rules leave customers unassigned: " + counts.get(""));
    }
    return rules.stream()
        .map(
            rule -> {
              Map<Integer, Long> byCluster = counts.getOrDefault(rule.ruleId(), Map.of());
              long customers = byCluster.values().stream().mapToLong(Long::longValue).sum();
              long inCluster = byCluster.getOrDefault(rule.clusterId(), 0L);
              return rule.withCounts(
                  customers, customers == 0 ? 0 : (double) inCluster / customers);
            })
        .toList();
  }

  /** Share of all customers the rules put in their own KMeans cluster. */
  public static double fidelity(List<ClusterRule> rules) {
    double customers = rules.stream().mapToLong(ClusterRule::customers).sum();
    double inCluster = rules.stream().mapToDouble(r -> r.fidelity() * r.customers()).sum();
    return customers == 0 ? 0 : inCluster / customers;
  }
}

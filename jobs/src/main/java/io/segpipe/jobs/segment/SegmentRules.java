package io.segpipe.jobs.segment;

import io.segpipe.jobs.train.ClusterRule;
import io.segpipe.jobs.train.ModelRegistry.LoadedModel;
import io.segpipe.jobs.train.TreeRules;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * segment_rules: the cluster-rules model's rules, each with the customers its SQL predicate selects in
 * this snapshot (counted by running the predicates, as a warehouse would).
 */
public final class SegmentRules {
  public static final String TABLE = "segment_rules";

  static final StructType SCHEMA = new StructType()
      .add("model_version", DataTypes.StringType, false)
      .add("rule_id", DataTypes.IntegerType, false)
      .add("cluster_id", DataTypes.IntegerType, false)
      .add("cluster_label", DataTypes.StringType, false)
      .add("rule_text", DataTypes.StringType, false)
      .add("sql_predicate", DataTypes.StringType, false)
      .add("customers", DataTypes.LongType, false)
      .add(CustomerSegments.PARTITION, DataTypes.DateType, false);

  private SegmentRules() {}

  /** The rules with their customers among the purchasers of {@code snapshot} (customer_features rows). */
  public static Dataset<Row> of(LoadedModel rulesModel, Dataset<Row> snapshot, LocalDate asOf) {
    List<ClusterRule> rules = rulesModel.rules();
    Map<String, Long> counts = new HashMap<>();
    snapshot.where(functions.col("frequency").gt(0))
        .groupBy(TreeRules.ruleIdColumn(rules).as("rule_id")).count().collectAsList()
        .forEach(r -> counts.put(r.isNullAt(0) ? null : r.getString(0), r.getLong(1)));
    if (counts.containsKey(null)) {
      throw new IllegalStateException("the rules of " + rulesModel.path() + " leave " + counts.get(null)
          + " customers unassigned; the tree's rules must cover every customer");
    }
    List<Row> rows = rules.stream().map(rule -> RowFactory.create(rulesModel.metadata().version(), number(rule),
        rule.clusterId(), rule.clusterLabel(), rule.ruleText(), rule.sqlPredicate(),
        counts.getOrDefault(rule.ruleId(), 0L), Date.valueOf(asOf))).toList();
    SparkSession spark = snapshot.sparkSession();
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** R07 → 7: the rule's place in the tree, left to right. */
  static int number(ClusterRule rule) {
    if (!rule.ruleId().matches("R\\d+")) {
      throw new IllegalStateException("rule id " + rule.ruleId() + " is not R followed by its number");
    }
    return Integer.parseInt(rule.ruleId().substring(1));
  }
}

package io.segpipe.jobs.segment;

import io.segpipe.common.i18n.Messages;
import io.segpipe.common.tables.Tables;
import io.segpipe.modelling.ClusterLabels;
import io.segpipe.modelling.ClusterRule;
import io.segpipe.modelling.ModelRegistry.LoadedModel;
import io.segpipe.modelling.TreeRules;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * segment_rules: the cluster-rules model's rules, each with the customers its SQL predicate selects
 * in this snapshot (counted by running the predicates, as a warehouse would), its cluster's code
 * (cluster_label) and, in the configured locale, the cluster's name and the rule's text.
 */
public final class SegmentRules {

  static final StructType SCHEMA = Tables.SEGMENT_RULES.columns();

  /**
   * The cluster-rules model as a segment run applies it: its rules, shown in the locale of {@code
   * messages}.
   */
  public record Model(LoadedModel loaded, Messages messages) {
    public List<ClusterRule> rules() {
      return loaded.rules();
    }
  }

  /** What segment_rules shows of a rule: its cluster's code and name, and its text. */
  record Shown(String clusterLabel, String clusterName, String ruleText) {}

  private SegmentRules() {}

  /**
   * The rules with their customers among the purchasers of {@code snapshot} (customer_features
   * rows).
   */
  public static Dataset<Row> of(Model rulesModel, Dataset<Row> snapshot, LocalDate asOf) {
    List<ClusterRule> rules = rulesModel.rules();
    Map<String, Long> counts = new HashMap<>();
    snapshot
        .where(functions.col("frequency").gt(0))
        .groupBy(TreeRules.ruleIdColumn(rules).as("rule_id"))
        .count()
        .collectAsList()
        .forEach(r -> counts.put(r.isNullAt(0) ? null : r.getString(0), r.getLong(1)));
    if (counts.containsKey(null)) {
      throw new IllegalStateException(
          "the rules of "
              + rulesModel.loaded().path()
              + " leave "
              + counts.get(null)
              + " customers unassigned; the tree's rules must cover every customer");
    }
    Set<String> wholeNumbers = TreeRules.wholeNumbers(snapshot.schema());
    List<Row> rows =
        rules.stream()
            .map(
                rule -> {
                  Shown shown = shown(rule, rulesModel.messages(), wholeNumbers);
                  return RowFactory.create(
                      rulesModel.loaded().metadata().version(),
                      number(rule),
                      rule.clusterId(),
                      shown.clusterLabel(),
                      shown.clusterName(),
                      shown.ruleText(),
                      rule.sqlPredicate(),
                      counts.getOrDefault(rule.ruleId(), 0L),
                      Date.valueOf(asOf));
                })
            .toList();
    SparkSession spark = snapshot.sparkSession();
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * A rule in the locale of {@code messages}. A rule saved before rules kept their conditions has
   * the English label, whose code {@link ClusterLabels#fromLegacy} gives, and its conditions are
   * read back from its SQL predicate (our own format), with {@code wholeNumbers} (the snapshot's
   * integer columns, as at training) for how bounds read; a predicate that is not in that format
   * keeps its stored text.
   */
  static Shown shown(ClusterRule rule, Messages messages, Set<String> wholeNumbers) {
    if (!rule.legacy()) {
      return new Shown(
          rule.clusterLabel(),
          ClusterLabels.name(messages, rule.clusterLabel()),
          TreeRules.text(messages, rule.conditions(), rule.clusterId(), rule.clusterLabel()));
    }
    String code =
        rule.clusterLabel() == null
            ? ClusterLabels.unnamed(rule.clusterId())
            : ClusterLabels.fromLegacy(rule.clusterLabel());
    String text =
        TreeRules.conditions(rule.sqlPredicate(), wholeNumbers)
            .map(conditions -> TreeRules.text(messages, conditions, rule.clusterId(), code))
            .orElse(rule.ruleText());
    return new Shown(code, ClusterLabels.name(messages, code), text);
  }

  /** R07 → 7: the rule's place in the tree, left to right. */
  static int number(ClusterRule rule) {
    if (!rule.ruleId().matches("R\\d+")) {
      throw new IllegalStateException(
          "rule id " + rule.ruleId() + " is not R followed by its number");
    }
    return Integer.parseInt(rule.ruleId().substring(1));
  }
}

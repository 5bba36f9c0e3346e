package io.segpipe.modelling;

import java.util.List;

/**
 * One leaf of the rules tree, shaped like a segment_rules row: the customers the predicate selects
 * are put in {@code clusterId}; {@code fidelity} is the share of them KMeans also put there.
 *
 * <p>Kept in the cluster-rules model's rules.json. {@code clusterLabel} is the cluster's code
 * ({@link ClusterLabels}), {@code ruleText} the rule in British English, and {@code conditions} the
 * rule as structure, which the segment job renders in the configured locale. Rules trained before
 * there were codes have the English label as {@code clusterLabel} and no {@code conditions} (null):
 * see {@link #legacy()}.
 *
 * @param conditions the bounds the rule puts on each feature, in the features' order; empty for a
 *     rule that takes every customer; null in rules.json written before they were kept
 */
public record ClusterRule(
    String ruleId,
    String modelVersion,
    int clusterId,
    String clusterLabel,
    String ruleText,
    String sqlPredicate,
    List<Condition> conditions,
    long customers,
    double fidelity) {

  /**
   * What a rule asks of one feature: {@code lower < value <= upper}, a side open when null.
   *
   * @param wholeNumber whether the feature only takes whole values (its bounds then read as
   *     integers, "frequency ≥ 4" for "frequency > 3.5")
   */
  public record Condition(String feature, Double lower, Double upper, boolean wholeNumber) {}

  public ClusterRule {
    conditions = conditions == null ? null : List.copyOf(conditions);
  }

  public ClusterRule withCounts(long customers, double fidelity) {
    return new ClusterRule(
        ruleId,
        modelVersion,
        clusterId,
        clusterLabel,
        ruleText,
        sqlPredicate,
        conditions,
        customers,
        fidelity);
  }

  /** Whether the rule was saved before rules kept their conditions and cluster codes. */
  public boolean legacy() {
    return conditions == null;
  }
}

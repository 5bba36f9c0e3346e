package io.segpipe.jobs.train;

/**
 * One leaf of the rules tree, shaped like a segment_rules row: the customers the predicate selects are
 * put in {@code clusterId}; {@code fidelity} is the share of them KMeans also put there.
 */
public record ClusterRule(String ruleId, String modelVersion, int clusterId, String clusterLabel, String ruleText,
    String sqlPredicate, long customers, double fidelity) {

  public ClusterRule withCounts(long customers, double fidelity) {
    return new ClusterRule(ruleId, modelVersion, clusterId, clusterLabel, ruleText, sqlPredicate, customers, fidelity);
  }
}

package io.segpipe.jobs.train;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Rules a marketer can read and a warehouse can run: a decision tree learns the cluster assignment
 * from the unscaled features, and each leaf becomes one rule, the conjunction of the splits on its
 * path (left branch: feature &lt;= threshold). Because every customer reaches exactly one leaf, the
 * rules are exclusive and cover everyone, and they assign each customer as the tree does.
 */
public final class TreeRules {
  public static final String PREFIX = "rule_";
  public static final String PREDICTION = "rule_cluster_id";

  private TreeRules() {}

  /** Raw feature vector, then the tree, which learns {@link ClusterTrainer#CLUSTER}. */
  public static Pipeline pipeline(FeatureSpace space, int depth, long seed) {
    List<PipelineStage> stages = new ArrayList<>(space.rawStages(PREFIX));
    stages.add(new DecisionTreeClassifier().setMaxDepth(depth).setSeed(seed).setMaxBins(64)
        .setFeaturesCol(PREFIX + FeatureSpace.RAW_VECTOR).setLabelCol(ClusterTrainer.CLUSTER)
        .setPredictionCol(PREDICTION).setRawPredictionCol(PREFIX + "raw").setProbabilityCol(PREFIX + "probability"));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  public static DecisionTreeClassificationModel treeOf(PipelineModel model) {
    return (DecisionTreeClassificationModel) model.stages()[model.stages().length - 1];
  }

  /**
   * One rule per leaf, in the tree's left-to-right order (R01, R02, ...), counts not yet filled in.
   *
   * @param wholeNumbers features that only take whole values, whose bounds read better as integers
   */
  public static List<ClusterRule> rules(DecisionTreeClassificationModel tree, List<String> features,
      Set<String> wholeNumbers, Map<Integer, String> labels, String modelVersion) {
    List<ClusterRule> rules = new ArrayList<>();
    walk(tree.rootNode(), new TreeMap<>(), features, wholeNumbers, labels, modelVersion, rules);
    return rules;
  }

  /** The bounds a path puts on one feature: lower &lt; value &lt;= upper, either side open when null. */
  private record Bounds(Double lower, Double upper) {
    Bounds below(double threshold) {
      return new Bounds(lower, upper == null ? threshold : Math.min(upper, threshold));
    }

    Bounds above(double threshold) {
      return new Bounds(lower == null ? threshold : Math.max(lower, threshold), upper);
    }
  }

  private static void walk(Node node, TreeMap<Integer, Bounds> path, List<String> features, Set<String> whole,
      Map<Integer, String> labels, String version, List<ClusterRule> out) {
    if (node instanceof LeafNode leaf) {
      int cluster = (int) leaf.prediction();
      String label = labels.getOrDefault(cluster, "cluster " + cluster);
      String id = String.format("R%02d", out.size() + 1);
      String text = (path.isEmpty() ? "every customer" : text(path, features, whole)) + " → cluster " + cluster + ", " + label;
      out.add(new ClusterRule(id, version, cluster, label, text, predicate(path, features), 0, 0));
      return;
    }
    InternalNode internal = (InternalNode) node;
    if (!(internal.split() instanceof ContinuousSplit split)) {
      throw new IllegalStateException("the rules tree has a categorical split; the features must all be numeric");
    }
    int feature = split.featureIndex();
    Bounds current = path.getOrDefault(feature, new Bounds(null, null));
    TreeMap<Integer, Bounds> left = new TreeMap<>(path);
    left.put(feature, current.below(split.threshold()));
    walk(internal.leftChild(), left, features, whole, labels, version, out);
    TreeMap<Integer, Bounds> right = new TreeMap<>(path);
    right.put(feature, current.above(split.threshold()));
    walk(internal.rightChild(), right, features, whole, labels, version, out);
  }

  private static String predicate(TreeMap<Integer, Bounds> path, List<String> features) {
    if (path.isEmpty()) {
      return "TRUE";
    }
    List<String> terms = new ArrayList<>();
    path.forEach((i, b) -> {
      String value = FeatureSpace.sqlValue(features.get(i));
      if (b.lower() != null) {
        terms.add(value + " > " + literal(b.lower()));
      }
      if (b.upper() != null) {
        terms.add(value + " <= " + literal(b.upper()));
      }
    });
    return String.join(" AND ", terms);
  }

  /**
   * A plain decimal literal that reads back as exactly the threshold: the thresholds are midpoints
   * between observed values, so no observed value lies between the literal and the double.
   */
  static String literal(double threshold) {
    return BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
  }

  private static String text(TreeMap<Integer, Bounds> path, List<String> features, Set<String> whole) {
    List<String> parts = new ArrayList<>();
    path.forEach((i, b) -> {
      String f = features.get(i);
      boolean integral = whole.contains(f);
      // For whole numbers, "> 3.5" is "≥ 4" and "≤ 42.5" is "≤ 42".
      String low = b.lower() == null ? null
          : integral ? "≥ " + (long) Math.floor(b.lower() + 1) : "> " + shown(b.lower());
      String high = b.upper() == null ? null
          : integral ? "≤ " + (long) Math.floor(b.upper()) : "≤ " + shown(b.upper());
      if (low != null && high != null) {
        parts.add(f + " " + low + " and " + high);
      } else {
        parts.add(f + " " + (low != null ? low : high));
      }
    });
    return String.join(" and ", parts);
  }

  private static String shown(double value) {
    return BigDecimal.valueOf(value).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  /** A column naming the rule (rule_id) that each row matches, from the rules' SQL predicates. */
  public static Column ruleIdColumn(List<ClusterRule> rules) {
    StringBuilder sql = new StringBuilder("CASE");
    rules.forEach(r -> sql.append(" WHEN ").append(r.sqlPredicate()).append(" THEN '").append(r.ruleId()).append("'"));
    return functions.expr(sql.append(" END").toString());
  }
}

package io.segpipe.modelling;

import io.segpipe.common.i18n.Messages;
import io.segpipe.modelling.ClusterRule.Condition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

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
    stages.add(
        new DecisionTreeClassifier()
            .setMaxDepth(depth)
            .setSeed(seed)
            .setMaxBins(64)
            .setFeaturesCol(PREFIX + FeatureSpace.RAW_VECTOR)
            .setLabelCol(ClusterTrainer.CLUSTER)
            .setPredictionCol(PREDICTION)
            .setRawPredictionCol(PREFIX + "raw")
            .setProbabilityCol(PREFIX + "probability"));
    return new Pipeline().setStages(stages.toArray(PipelineStage[]::new));
  }

  public static DecisionTreeClassificationModel treeOf(PipelineModel model) {
    return (DecisionTreeClassificationModel) model.stages()[model.stages().length - 1];
  }

  /**
   * One rule per leaf, in the tree's left-to-right order (R01, R02, ...), counts not yet filled in:
   * its conditions, the SQL predicate they make, and its text in {@code english} (the British
   * English messages; the segment job renders the conditions in the configured locale).
   *
   * @param wholeNumbers features that only take whole values, whose bounds read better as integers
   * @param codes cluster id to label code ({@link ClusterLabels#of})
   */
  public static List<ClusterRule> rules(
      DecisionTreeClassificationModel tree,
      List<String> features,
      Set<String> wholeNumbers,
      Map<Integer, String> codes,
      String modelVersion,
      Messages english) {
    List<ClusterRule> rules = new ArrayList<>();
    walk(
        tree.rootNode(),
        new TreeMap<>(),
        features,
        wholeNumbers,
        codes,
        modelVersion,
        english,
        rules);
    return rules;
  }

  /**
   * The bounds a path puts on one feature: lower &lt; value &lt;= upper, either side open when
   * null.
   */
  private record Bounds(Double lower, Double upper) {
    Bounds below(double threshold) {
      return new Bounds(lower, upper == null ? threshold : Math.min(upper, threshold));
    }

    Bounds above(double threshold) {
      return new Bounds(lower == null ? threshold : Math.max(lower, threshold), upper);
    }
  }

  private static void walk(
      Node node,
      TreeMap<Integer, Bounds> path,
      List<String> features,
      Set<String> whole,
      Map<Integer, String> codes,
      String version,
      Messages english,
      List<ClusterRule> out) {
    if (node instanceof LeafNode leaf) {
      int cluster = (int) leaf.prediction();
      String code = codes.getOrDefault(cluster, ClusterLabels.unnamed(cluster));
      String id = String.format("R%02d", out.size() + 1);
      List<Condition> conditions = new ArrayList<>();
      path.forEach(
          (i, b) ->
              conditions.add(
                  new Condition(
                      features.get(i), b.lower(), b.upper(), whole.contains(features.get(i)))));
      out.add(
          new ClusterRule(
              id,
              version,
              cluster,
              code,
              text(english, conditions, cluster, code),
              predicate(conditions),
              conditions,
              0,
              0));
      return;
    }
    InternalNode internal = (InternalNode) node;
    if (!(internal.split() instanceof ContinuousSplit split)) {
      throw new IllegalStateException(
          "the rules tree has a categorical split; the features must all be numeric");
    }
    int feature = split.featureIndex();
    Bounds current = path.getOrDefault(feature, new Bounds(null, null));
    TreeMap<Integer, Bounds> left = new TreeMap<>(path);
    left.put(feature, current.below(split.threshold()));
    walk(internal.leftChild(), left, features, whole, codes, version, english, out);
    TreeMap<Integer, Bounds> right = new TreeMap<>(path);
    right.put(feature, current.above(split.threshold()));
    walk(internal.rightChild(), right, features, whole, codes, version, english, out);
  }

  /**
   * The SQL predicate of conditions ("coalesce(f, 0) > x AND coalesce(f, 0) <= y"; TRUE when there
   * are none).
   */
  public static String predicate(List<Condition> conditions) {
    if (conditions.isEmpty()) {
      return "TRUE";
    }
    List<String> terms = new ArrayList<>();
    for (Condition c : conditions) {
      String value = FeatureSpace.sqlValue(c.feature());
      if (c.lower() != null) {
        terms.add(value + " > " + literal(c.lower()));
      }
      if (c.upper() != null) {
        terms.add(value + " <= " + literal(c.upper()));
      }
    }
    return String.join(" AND ", terms);
  }

  /**
   * A plain decimal literal that reads back as exactly the threshold: the thresholds are midpoints
   * between observed values, so no observed value lies between the literal and the double.
   */
  static String literal(double threshold) {
    return BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
  }

  private static final Pattern TERM =
      Pattern.compile("coalesce\\(([A-Za-z_][A-Za-z0-9_]*), 0\\) (>|<=) (-?[0-9]+(?:\\.[0-9]+)?)");

  /**
   * The conditions of a predicate this class wrote ({@link #predicate}), for rules saved before
   * their conditions were: empty when the predicate is not one, i.e. does not read back as itself.
   *
   * @param wholeNumbers features that only take whole values (from the snapshot's column types)
   */
  public static Optional<List<Condition>> conditions(String predicate, Set<String> wholeNumbers) {
    if (predicate == null) {
      return Optional.empty();
    }
    if (predicate.equals("TRUE")) {
      return Optional.of(List.of());
    }
    Map<String, Double[]> bounds = new LinkedHashMap<>();
    for (String term : predicate.split(" AND ", -1)) {
      Matcher m = TERM.matcher(term);
      if (!m.matches()) {
        return Optional.empty();
      }
      Double[] b = bounds.computeIfAbsent(m.group(1), f -> new Double[2]);
      int side = m.group(2).equals(">") ? 0 : 1;
      if (b[side] != null) {
        return Optional.empty();
      }
      b[side] = Double.valueOf(m.group(3));
    }
    List<Condition> conditions = new ArrayList<>();
    bounds.forEach(
        (f, b) -> conditions.add(new Condition(f, b[0], b[1], wholeNumbers.contains(f))));
    return predicate(conditions).equals(predicate) ? Optional.of(conditions) : Optional.empty();
  }

  /**
   * A rule in the locale of {@code messages}: "recency_days ≤ 30 and frequency ≥ 4 → cluster 2,
   * high value, frequent, recent" in British English. Features are named by {@link
   * ClusterLabels#feature}, the cluster by {@link ClusterLabels#name}; keys cluster.rule.*.
   */
  public static String text(
      Messages messages, List<Condition> conditions, int cluster, String code) {
    return messages.format(
        "cluster.rule.text",
        conditionsText(messages, conditions),
        cluster,
        ClusterLabels.name(messages, code));
  }

  /**
   * The conditions alone in the locale of {@code messages} ("recency_days ≤ 30 and frequency ≥ 4",
   * "every customer").
   */
  public static String conditionsText(Messages messages, List<Condition> conditions) {
    String and = messages.text("cluster.rule.and");
    return conditions.isEmpty()
        ? messages.text("cluster.rule.everyone")
        : String.join(and, conditions.stream().map(c -> condition(messages, c, and)).toList());
  }

  private static String condition(Messages messages, Condition c, String and) {
    // For whole numbers, "> 3.5" is "≥ 4" and "≤ 42.5" is "≤ 42".
    String low =
        c.lower() == null
            ? null
            : c.wholeNumber() ? "≥ " + (long) Math.floor(c.lower() + 1) : "> " + shown(c.lower());
    String high =
        c.upper() == null
            ? null
            : c.wholeNumber() ? "≤ " + (long) Math.floor(c.upper()) : "≤ " + shown(c.upper());
    String feature = ClusterLabels.feature(messages, c.feature());
    if (low != null && high != null) {
      return feature + " " + low + and + high;
    }
    return feature + " " + (low != null ? low : high);
  }

  private static String shown(double value) {
    return BigDecimal.valueOf(value)
        .setScale(2, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /** Integer-valued column types, whose rule bounds read as whole numbers ("frequency ≥ 4"). */
  private static final Set<DataType> WHOLE_TYPES =
      Set.of(DataTypes.ByteType, DataTypes.ShortType, DataTypes.IntegerType, DataTypes.LongType);

  /** The columns of {@code schema} (customer_features) that only hold whole numbers. */
  public static Set<String> wholeNumbers(StructType schema) {
    return Arrays.stream(schema.fields())
        .filter(
            f ->
                WHOLE_TYPES.contains(f.dataType())
                    || f.dataType() instanceof DecimalType d && d.scale() == 0)
        .map(StructField::name)
        .collect(Collectors.toSet());
  }

  /** A column naming the rule (rule_id) that each row matches, from the rules' SQL predicates. */
  public static Column ruleIdColumn(List<ClusterRule> rules) {
    StringBuilder sql = new StringBuilder("CASE");
    rules.forEach(
        r ->
            sql.append(" WHEN ")
                .append(r.sqlPredicate())
                .append(" THEN '")
                .append(r.ruleId())
                .append("'"));
    return functions.expr(sql.append(" END").toString());
  }
}

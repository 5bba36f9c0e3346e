package io.segpipe.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.tables.Tables;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The needs-based segment map from config (segpipe.segment.needs): each segment states conditions
 * on numeric customer_features columns; a feature a segment does not name accepts any value, null
 * included. It must put every customer in exactly one segment, which is checked before Spark starts
 * on the cells the thresholds cut each feature into (and its null, where the contract lets the
 * column be null). customer_segments.needs_segment holds the code; {@link #sqlExpression} computes
 * it in Spark SQL and {@link #segmentOf} in Java, with the same comparisons.
 */
public final class NeedsSegmentMap {
  /** The config section: enabled, segments. */
  public static final String KEY = "segpipe.segment.needs";

  /** A segment's code: what needs_segment holds, the same in every locale. */
  public static final Pattern CODE = SegmentCodes.CODE;

  /** The most cells the exclusive-and-exhaustive check enumerates. */
  static final int MAX_CELLS = 1_000_000;

  private static final int EXAMPLES = 10;

  private static final Set<String> ENTRY_KEYS = Set.of("code", "when");
  private static final Set<String> CONDITION_KEYS = Set.of("from", "below", "missing");
  private static final Pattern QUALIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * What a segment accepts of one feature: a non-null value v when {@code from <= v < below} (a
   * null bound is unbounded), a null value when {@code missing}. Values compare as Spark compares
   * doubles: -0.0 equals 0.0, NaN is above every number.
   */
  public record Condition(Double from, Double below, boolean missing) {
    public boolean accepts(Double value) {
      if (value == null) {
        return missing;
      }
      return (from == null || compare(value, from) >= 0)
          && (below == null || compare(value, below) < 0);
    }

    /** Accepts every value, null included: the same as not naming the feature. */
    boolean acceptsAll() {
      return from == null && below == null && missing;
    }
  }

  /** One segment: its code and its conditions by feature, in the contract's column order. */
  public record Segment(String code, Map<String, Condition> when) {
    public Segment {
      when = Collections.unmodifiableMap(new LinkedHashMap<>(when));
    }

    /** Whether the customer with these feature values (null or absent: null) is in the segment. */
    public boolean accepts(Map<String, Double> values) {
      return when.entrySet().stream().allMatch(c -> c.getValue().accepts(values.get(c.getKey())));
    }
  }

  /**
   * A numeric feature as the contract declares it: the spacing of the values it can take ({@code
   * step}: 1 for whole numbers, 0.01 for DECIMAL(18, 2), null for DOUBLE) and whether it may be
   * null.
   */
  private record Feature(String name, BigDecimal step, boolean nullable) {}

  /** One cell of a feature: a value inside it (null for the null cell) and how to say it. */
  private record Cell(Double value, String text) {}

  private final boolean enabled;
  private final List<Segment> segments;
  private final List<String> features;

  private NeedsSegmentMap(boolean enabled, List<Segment> segments, List<String> features) {
    this.enabled = enabled;
    this.segments = List.copyOf(segments);
    this.features = List.copyOf(features);
  }

  /**
   * Checks the segments against the customer_features contract (with {@code channels} for the
   * per-channel columns such as orders_web) and that they put each cell in exactly one segment;
   * throws IllegalArgumentException naming what is wrong.
   */
  public static NeedsSegmentMap of(boolean enabled, List<Segment> segments, List<String> channels) {
    Map<String, Feature> numeric = numericFeatures(channels);
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("there are no segments; state at least one");
    }
    List<String> unknown =
        segments.stream()
            .flatMap(s -> s.when().keySet().stream())
            .filter(f -> !numeric.containsKey(f))
            .distinct()
            .sorted()
            .toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "not numeric customer_features columns: "
              + String.join(", ", unknown)
              + "; choose from "
              + String.join(", ", numeric.keySet()));
    }
    List<String> named =
        numeric.keySet().stream()
            .filter(f -> segments.stream().anyMatch(s -> s.when().containsKey(f)))
            .toList();
    List<Feature> used = named.stream().map(numeric::get).toList();
    check(segments, used);
    return new NeedsSegmentMap(enabled, segments, named);
  }

  /**
   * Reads {@code key} ({@code enabled} and {@code segments}, a list of {code, when { feature {
   * from, below, missing } }}) and checks it, reporting to the reader; null when there were
   * problems.
   */
  public static NeedsSegmentMap read(ConfigReader reader, String key) {
    boolean enabled = reader.bool(key + ".enabled");
    String listKey = key + ".segments";
    List<? extends Config> entries;
    try {
      entries = reader.config().getConfigList(listKey);
    } catch (ConfigException e) {
      reader.problem(
          listKey,
          "expected a list of segments like"
              + " { code = browsers, when { frequency { below = 1 }, views { from = 3 } } }");
      return null;
    }
    if (entries.isEmpty()) {
      reader.problem(listKey, "the list is empty; expected at least one segment");
      return null;
    }
    List<String> channels = channels(reader.config());
    Map<String, Feature> numeric = numericFeatures(channels);
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config entry = entries.get(i);
      ConfigReader one = new ConfigReader(entry);
      for (String k : new TreeSet<>(entry.root().keySet())) {
        if (!ENTRY_KEYS.contains(k)) {
          one.problem(k, "unknown key; a segment has a code and its conditions under when");
        }
      }
      String code = one.string("code");
      SegmentCodes.check(one, "code", code, "needs_segment", "price_sensitive");
      Map<String, Condition> when = when(one, numeric);
      String where = listKey + "[" + i + "]";
      one.problems().forEach(p -> reader.problems().add(where + ": " + p));
      if (one.problems().isEmpty()) {
        segments.add(new Segment(code, when));
      }
    }
    if (segments.size() != entries.size()) {
      return null;
    }
    if (!SegmentCodes.unique(reader, listKey, segments.stream().map(Segment::code).toList())) {
      return null;
    }
    try {
      return of(enabled, segments, channels);
    } catch (IllegalArgumentException e) {
      reader.problem(listKey, e.getMessage());
      return null;
    }
  }

  /** The conditions under {@code when}, in the contract's column order; problems to the reader. */
  private static Map<String, Condition> when(ConfigReader one, Map<String, Feature> numeric) {
    Map<String, Condition> when = new LinkedHashMap<>();
    if (!one.config().hasPath("when")) {
      return when;
    }
    Config conditions;
    try {
      conditions = one.config().getConfig("when");
    } catch (ConfigException e) {
      one.problem(
          "when", "expected conditions on features, like { frequency { from = 1 }, views {} }");
      return when;
    }
    List<String> names = new ArrayList<>(conditions.root().keySet());
    List<String> order = new ArrayList<>(numeric.keySet());
    names.sort(
        Comparator.comparingInt((String n) -> order.contains(n) ? order.indexOf(n) : order.size())
            .thenComparing(Comparator.naturalOrder()));
    for (String name : names) {
      String path = ConfigUtil.joinPath("when", name);
      if (!numeric.containsKey(name)) {
        one.problem(path, notAFeature(name, numeric));
        continue;
      }
      Condition condition = condition(one, path);
      if (condition != null) {
        when.put(name, condition);
      }
    }
    return when;
  }

  private static String notAFeature(String name, Map<String, Feature> numeric) {
    String allowed = "; choose from " + String.join(", ", numeric.keySet());
    StructType contract = Tables.CUSTOMER_FEATURES.columns();
    if (contract.getFieldIndex(name).isDefined()) {
      return "'"
          + name
          + "' is a "
          + contract.apply(name).dataType().simpleString()
          + " column of customer_features; a condition needs a numeric one (int, bigint, double or"
          + " decimal)"
          + allowed;
    }
    return "'" + name + "' is not a customer_features column" + allowed;
  }

  /** One feature's condition, or null after reporting what is wrong with it. */
  private static Condition condition(ConfigReader one, String path) {
    String example = "a condition like { from = 1, below = 5, missing = true }";
    if (!one.config().hasPath(path)
        || one.config().getValue(path).valueType() != ConfigValueType.OBJECT) {
      one.problem(path, "expected " + example);
      return null;
    }
    Config c = one.config().getConfig(path);
    int before = one.problems().size();
    for (String k : new TreeSet<>(c.root().keySet())) {
      if (!CONDITION_KEYS.contains(k)) {
        one.problem(path + "." + ConfigUtil.joinPath(k), "unknown key; expected " + example);
      }
    }
    Double from = bound(one, path + ".from");
    Double below = bound(one, path + ".below");
    boolean missing = c.hasPath("missing") && one.bool(path + ".missing");
    if (one.problems().size() > before) {
      return null;
    }
    if (from != null && below != null && from >= below) {
      one.problem(
          path,
          "from "
              + literal(from)
              + " must be less than below "
              + literal(below)
              + " (from is inclusive, below exclusive): the condition accepts no value");
      return null;
    }
    if (from == null && below == null && !missing) {
      one.problem(
          path,
          "states no bound: it accepts every value but null. Write from and/or below (e.g. { from"
              + " = 0 } for any value of 0 or more), { missing = true } to accept anything, null"
              + " included (the same as leaving the feature out)");
      return null;
    }
    return new Condition(from, below, missing);
  }

  private static Double bound(ConfigReader one, String path) {
    if (!one.config().hasPath(path)) {
      return null;
    }
    return one.number(path, Double::isFinite, "a number");
  }

  /**
   * The numeric columns of customer_features (per-channel families for these channels), in contract
   * order.
   */
  private static Map<String, Feature> numericFeatures(List<String> channels) {
    Map<String, Feature> numeric = new LinkedHashMap<>();
    for (StructField f : Tables.CUSTOMER_FEATURES.schema(channels).fields()) {
      DataType type = f.dataType();
      if (type.equals(DataTypes.IntegerType) || type.equals(DataTypes.LongType)) {
        numeric.put(f.name(), new Feature(f.name(), BigDecimal.ONE, f.nullable()));
      } else if (type instanceof DecimalType d) {
        BigDecimal step = BigDecimal.ONE.movePointLeft(d.scale());
        numeric.put(f.name(), new Feature(f.name(), step, f.nullable()));
      } else if (type.equals(DataTypes.DoubleType)) {
        numeric.put(f.name(), new Feature(f.name(), null, f.nullable()));
      }
    }
    return numeric;
  }

  private static List<String> channels(Config config) {
    try {
      return config.getStringList("segpipe.events.channels");
    } catch (ConfigException e) {
      return List.of();
    }
  }

  /**
   * Requires exactly one segment to accept each combination of the features' cells: per feature,
   * the intervals its thresholds (every from and below) cut it into, from each threshold to the
   * next, and null where the column may be null; cells of whole-number or decimal columns that hold
   * no value the column can take are left out.
   */
  private static void check(List<Segment> segments, List<Feature> used) {
    List<List<Cell>> cells = used.stream().map(f -> cells(f, segments)).toList();
    long total = 1;
    for (List<Cell> c : cells) {
      total *= c.size();
      if (total > MAX_CELLS) {
        throw new IllegalArgumentException(
            "the segments' thresholds cut the features "
                + used.stream().map(Feature::name).collect(Collectors.joining(", "))
                + " into more than "
                + MAX_CELLS
                + " combinations, too many to check; use fewer features or thresholds");
      }
    }
    // per segment, its condition on each used feature (null: not named, accepts anything)
    Condition[][] conditions = new Condition[segments.size()][used.size()];
    for (int s = 0; s < segments.size(); s++) {
      for (int f = 0; f < used.size(); f++) {
        conditions[s][f] = segments.get(s).when().get(used.get(f).name());
      }
    }
    List<String> uncovered = new ArrayList<>();
    List<String> overlapping = new ArrayList<>();
    int uncoveredCount = 0;
    int overlappingCount = 0;
    int[] at = new int[used.size()];
    for (long n = 0; n < total; n++) {
      List<String> claims = new ArrayList<>();
      for (int s = 0; s < segments.size(); s++) {
        if (accepts(conditions[s], cells, at)) {
          claims.add(segments.get(s).code());
        }
      }
      if (claims.isEmpty()) {
        if (uncoveredCount++ < EXAMPLES) {
          uncovered.add(describe(cells, at));
        }
      } else if (claims.size() > 1) {
        if (overlappingCount++ < EXAMPLES) {
          overlapping.add(describe(cells, at) + " (" + String.join(", ", claims) + ")");
        }
      }
      for (int f = used.size() - 1; f >= 0 && ++at[f] == cells.get(f).size(); f--) {
        at[f] = 0;
      }
    }
    List<String> problems = new ArrayList<>();
    if (uncoveredCount > 0) {
      problems.add(
          uncoveredCount
              + " cell(s) in no segment: "
              + examples(uncovered, uncoveredCount)
              + " (a feature a segment does not name accepts any value, null included)");
    }
    if (overlappingCount > 0) {
      problems.add(
          overlappingCount
              + " cell(s) in more than one segment: "
              + examples(overlapping, overlappingCount));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the needs segments must put every customer in exactly one segment; of the "
              + total
              + " cell(s) the thresholds and nulls cut the features into, "
              + String.join("; ", problems));
    }
  }

  private static boolean accepts(Condition[] conditions, List<List<Cell>> cells, int[] at) {
    for (int f = 0; f < conditions.length; f++) {
      if (conditions[f] != null && !conditions[f].accepts(cells.get(f).get(at[f]).value())) {
        return false;
      }
    }
    return true;
  }

  private static String describe(List<List<Cell>> cells, int[] at) {
    List<String> parts = new ArrayList<>();
    for (int f = 0; f < at.length; f++) {
      parts.add(cells.get(f).get(at[f]).text());
    }
    return parts.isEmpty() ? "[any customer]" : "[" + String.join(", ", parts) + "]";
  }

  private static String examples(List<String> shown, int count) {
    String listed = String.join(", ", shown);
    return count > shown.size() ? listed + " and " + (count - shown.size()) + " more" : listed;
  }

  /**
   * A feature's cells: below its smallest threshold, from each threshold to the next, from the
   * largest, then null where the contract allows it; each with a value inside it that the column
   * can take.
   */
  private static List<Cell> cells(Feature feature, List<Segment> segments) {
    TreeSet<BigDecimal> sorted = new TreeSet<>();
    for (Segment s : segments) {
      Condition c = s.when().get(feature.name());
      if (c != null) {
        for (Double bound : new Double[] {c.from(), c.below()}) {
          if (bound != null) {
            sorted.add(BigDecimal.valueOf(bound).stripTrailingZeros());
          }
        }
      }
    }
    List<BigDecimal> thresholds = new ArrayList<>(sorted);
    String name = feature.name();
    List<Cell> cells = new ArrayList<>();
    if (thresholds.isEmpty()) {
      cells.add(new Cell(0.0, name + " not null"));
    } else {
      BigDecimal first = thresholds.get(0);
      cells.add(new Cell(below(feature, first).doubleValue(), name + " < " + plain(first)));
      for (int i = 0; i < thresholds.size(); i++) {
        BigDecimal from = thresholds.get(i);
        BigDecimal value = atOrAbove(feature, from);
        if (i + 1 < thresholds.size()) {
          BigDecimal below = thresholds.get(i + 1);
          if (value.compareTo(below) < 0) {
            cells.add(
                new Cell(value.doubleValue(), plain(from) + " <= " + name + " < " + plain(below)));
          }
        } else {
          cells.add(new Cell(value.doubleValue(), name + " >= " + plain(from)));
        }
      }
    }
    if (feature.nullable()) {
      cells.add(new Cell(null, name + " null"));
    }
    return cells;
  }

  /** A value the feature can take below {@code threshold}. */
  private static BigDecimal below(Feature feature, BigDecimal threshold) {
    if (feature.step() == null) {
      return threshold.subtract(threshold.abs().max(BigDecimal.ONE));
    }
    BigDecimal steps = threshold.divide(feature.step()).setScale(0, RoundingMode.CEILING);
    return steps.subtract(BigDecimal.ONE).multiply(feature.step());
  }

  /** The least value the feature can take at or above {@code threshold}. */
  private static BigDecimal atOrAbove(Feature feature, BigDecimal threshold) {
    if (feature.step() == null) {
      return threshold;
    }
    return threshold
        .divide(feature.step())
        .setScale(0, RoundingMode.CEILING)
        .multiply(feature.step());
  }

  /** Spark's order of doubles: -0.0 equals 0.0, NaN is above every number. */
  private static int compare(double a, double b) {
    return a == b ? 0 : Double.compare(a, b);
  }

  public boolean enabled() {
    return enabled;
  }

  public List<Segment> segments() {
    return segments;
  }

  /** The segment codes, in config order. */
  public List<String> codes() {
    return segments.stream().map(Segment::code).toList();
  }

  /** The features any segment names, in the contract's column order. */
  public List<String> features() {
    return features;
  }

  /** The code of the segment a customer with these values is in (a null or absent value: null). */
  public String segmentOf(Map<String, Double> values) {
    return segments.stream()
        .filter(s -> s.accepts(values))
        .map(Segment::code)
        .findFirst()
        .orElse(null);
  }

  /** {@link #sqlExpression(String)} over unqualified column names. */
  public String sqlExpression() {
    return sqlExpression("");
  }

  /**
   * A Spark SQL expression giving the code of each row's segment, over the feature columns
   * qualified by {@code qualifier} (a table alias such as f; "" for none): {@code CASE WHEN <conds>
   * THEN 'code' ... END}. The columns compare as DOUBLE, as {@link #segmentOf} does.
   */
  public String sqlExpression(String qualifier) {
    if (!qualifier.isEmpty() && !QUALIFIER.matcher(qualifier).matches()) {
      throw new IllegalArgumentException("'" + qualifier + "' is not a table alias");
    }
    StringBuilder sql = new StringBuilder("CASE");
    for (Segment s : segments) {
      List<String> conditions = new ArrayList<>();
      s.when()
          .forEach(
              (feature, c) -> {
                if (!c.acceptsAll()) {
                  conditions.add(sql(column(qualifier, feature), c));
                }
              });
      sql.append(" WHEN ")
          .append(conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions))
          .append(" THEN ")
          .append(quote(s.code()));
    }
    return sql.append(" END").toString();
  }

  /** A Spark SQL string literal (codes are ASCII letters, digits and _, but quote them anyway). */
  private static String quote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static String column(String qualifier, String feature) {
    String quoted = "`" + feature.replace("`", "``") + "`";
    return qualifier.isEmpty() ? quoted : qualifier + "." + quoted;
  }

  private static String sql(String column, Condition c) {
    String value = "CAST(" + column + " AS DOUBLE)";
    List<String> bounds = new ArrayList<>();
    if (c.from() != null) {
      bounds.add(value + " >= " + literal(c.from()));
    }
    if (c.below() != null) {
      bounds.add(value + " < " + literal(c.below()));
    }
    String range = String.join(" AND ", bounds);
    if (!c.missing()) {
      return range;
    }
    return "(" + column + " IS NULL OR " + (bounds.size() > 1 ? "(" + range + ")" : range) + ")";
  }

  /**
   * A number as Spark SQL reads back the same double: its shortest decimal form (a DECIMAL literal,
   * which compares with a DOUBLE as that double), or a DOUBLE literal past DECIMAL's 38 digits.
   */
  static String literal(double value) {
    String plain = plain(BigDecimal.valueOf(value).stripTrailingZeros());
    return plain.replace("-", "").replace(".", "").length() <= 38
        ? plain
        : Double.toString(value) + "D";
  }

  private static String plain(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.toPlainString();
  }
}

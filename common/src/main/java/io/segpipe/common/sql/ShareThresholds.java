package io.segpipe.common.sql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Tiers by cumulative share of a total, shared by the value tiers of features and the CLV tiers of
 * clv. Levels are ranked highest first; a level is in the high tier while the levels strictly above
 * it hold less than the high share of the total, in the mid tier while they hold less than the high
 * and mid shares together. The result is where each tier starts: its lowest level (null when there
 * is none).
 *
 * <p>How, without a window that holds every level in one partition: the levels are keyed into
 * buckets (sql/tiers/share_levels.sql: at most 10,000 per magnitude of the level, each a range of
 * levels), whose sums are collected (one aggregation). On the driver, the sum above each bucket is
 * the sum of the buckets ranked before it, and the tier's lowest level lies in the lowest bucket
 * whose sum above is below the limit; then only that bucket's levels are collected (a second
 * aggregation, of at most two buckets' levels) and ranked. The limits (share times total) are
 * computed by Spark SQL with the types a single query over the levels gave them, and every sum is
 * an exact decimal, so the thresholds do not depend on partitioning or row order. The same
 * thresholds came from one query of windows and joins before: a dozen small Spark stages, most of
 * the time the tiers took on small data.
 */
public final class ShareThresholds {
  private ShareThresholds() {}

  /** A bucket of levels and the exact sum of its levels' sums. */
  private record Bucket(int magnitude, int bucket, BigDecimal sum) {}

  /** The bucket a tier ends in, with the sum of every level above its highest one. */
  private record Crossing(Bucket bucket, BigDecimal above) {}

  private static final Comparator<Bucket> HIGHEST_FIRST =
      Comparator.comparingInt(Bucket::magnitude).thenComparingInt(Bucket::bucket).reversed();

  /**
   * One row, high_tier_from and mid_tier_from (in the type of level), from {@code levels}: columns
   * level (a distinct decimal value; only positive ones count) and level_sum (the decimal sum of
   * the values at that level). The shares are bound as given: a BigDecimal keeps the limits exact,
   * a Double makes them doubles and the sums are compared as doubles, as Spark compares them.
   * Computed now (two small Spark jobs) and returned as a local one-row Dataset.
   */
  public static Dataset<Row> of(Dataset<Row> levels, Object highShare, Object midShare) {
    SparkSession spark = levels.sparkSession();
    DataType levelType = levels.schema().apply("level").dataType();
    DataType sumType = levels.schema().apply("level_sum").dataType();
    if (!(levelType instanceof DecimalType) || !(sumType instanceof DecimalType summed)) {
      throw new IllegalArgumentException(
          "tier levels and their sums must be decimals (exact sums); they are "
              + levelType
              + " and "
              + sumType);
    }
    StructType result =
        new StructType().add("high_tier_from", levelType).add("mid_tier_from", levelType);
    Dataset<Row> keyed =
        SqlResource.load("sql/tiers/share_levels.sql").withView("levels", levels).run(spark);
    List<Bucket> buckets = new ArrayList<>();
    for (Row r :
        keyed
            .groupBy("magnitude", "bucket")
            .agg(functions.sum("level_sum").as("bucket_sum"))
            .collectAsList()) {
      if (r.isNullAt(2)) {
        throw new IllegalStateException(
            "the sum of the tier levels overflows " + sumOf(summed) + "; the values are too large");
      }
      buckets.add(new Bucket(r.getInt(0), r.getInt(1), r.getDecimal(2)));
    }
    if (buckets.isEmpty()) {
      return spark.createDataFrame(List.of(RowFactory.create(null, null)), result);
    }
    buckets.sort(HIGHEST_FIRST);
    BigDecimal total = buckets.stream().map(Bucket::sum).reduce(BigDecimal.ZERO, BigDecimal::add);
    // typed as the sum of the sums per magnitude of the sums per bucket of level_sum
    DecimalType totalType = sumOf(sumOf(sumOf(summed)));
    Row limits =
        SqlResource.load("sql/tiers/share_limits.sql")
            .withView(
                "total",
                spark.createDataFrame(
                    List.of(RowFactory.create(total)), new StructType().add("total", totalType)))
            .with("high_share", highShare)
            .with("mid_share", midShare)
            .run(spark)
            .first();
    Object highLimit = limits.get(0);
    Object midLimit = limits.get(1);
    Optional<Crossing> high = crossing(buckets, highLimit);
    Optional<Crossing> mid = crossing(buckets, midLimit);
    Column wanted = functions.lit(false);
    for (Optional<Crossing> c : List.of(high, mid)) {
      if (c.isPresent()) {
        wanted =
            wanted.or(
                functions
                    .col("magnitude")
                    .equalTo(c.get().bucket().magnitude())
                    .and(functions.col("bucket").equalTo(c.get().bucket().bucket())));
      }
    }
    List<Row> candidates =
        high.isEmpty() && mid.isEmpty()
            ? List.of()
            : keyed
                .where(wanted)
                .select("level", "level_sum", "magnitude", "bucket")
                .collectAsList();
    return spark.createDataFrame(
        List.of(
            RowFactory.create(
                high.map(c -> lowest(c, candidates, highLimit)).orElse(null),
                mid.map(c -> lowest(c, candidates, midLimit)).orElse(null))),
        result);
  }

  /** Spark's type for the sum of a decimal column. */
  private static DecimalType sumOf(DecimalType t) {
    return DecimalType.apply(
        Math.min(DecimalType.MAX_PRECISION(), t.precision() + 10),
        Math.min(DecimalType.MAX_SCALE(), t.scale()));
  }

  /**
   * Whether a sum above a level is below the limit, as Spark compares them: decimals exactly, a
   * decimal with a double as doubles; nothing is below a null limit.
   */
  private static boolean below(BigDecimal above, Object limit) {
    if (limit == null) {
      return false;
    }
    if (limit instanceof BigDecimal d) {
      return above.compareTo(d) < 0;
    }
    if (limit instanceof Double d) {
      return above.doubleValue() < d;
    }
    throw new IllegalArgumentException(
        "a tier share must be a BigDecimal or a Double; the limit is a "
            + limit.getClass().getName());
  }

  /**
   * The lowest bucket whose sum above (the sums of the buckets ranked before it) is below the
   * limit: the one holding the tier's lowest level. Sums above only grow down the ranking.
   */
  private static Optional<Crossing> crossing(List<Bucket> highestFirst, Object limit) {
    BigDecimal above = BigDecimal.ZERO;
    Crossing found = null;
    for (Bucket b : highestFirst) {
      if (!below(above, limit)) {
        break;
      }
      found = new Crossing(b, above);
      above = above.add(b.sum());
    }
    return Optional.ofNullable(found);
  }

  /** The lowest level of the crossing bucket whose sum above is below the limit. */
  private static Object lowest(Crossing crossing, List<Row> candidates, Object limit) {
    List<Row> levels =
        candidates.stream()
            .filter(
                r ->
                    r.getInt(2) == crossing.bucket().magnitude()
                        && r.getInt(3) == crossing.bucket().bucket())
            .sorted(Comparator.comparing((Row r) -> r.getDecimal(0)).reversed())
            .toList();
    BigDecimal above = crossing.above();
    Object lowest = null;
    for (Row r : levels) {
      if (!below(above, limit)) {
        break;
      }
      lowest = r.get(0);
      above = above.add(r.getDecimal(1));
    }
    return lowest;
  }
}

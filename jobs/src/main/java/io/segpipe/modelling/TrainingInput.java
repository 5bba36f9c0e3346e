package io.segpipe.modelling;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Puts training rows in an order that does not depend on how Spark happened to read or shuffle
 * them. KMeans initialisation, the trees' split sampling and the floating-point sums all follow
 * partition layout and row order, so the rows are hash-partitioned by customer_id into a fixed
 * number of partitions and sorted within each: the same snapshot gives the same models whatever
 * spark.sql.shuffle.partitions or the number of executors.
 */
public final class TrainingInput {
  private TrainingInput() {}

  /** The customers with a purchase in the window (prospects have no behaviour to learn from). */
  public static Dataset<Row> purchasers(Dataset<Row> snapshot) {
    return snapshot.where(functions.col("frequency").gt(0));
  }

  /**
   * {@code columns} of {@code rows} (customer_id first), in the fixed layout; rows of one customer
   * (one per churn cut-off) in the order of {@code thenBy}.
   */
  public static Dataset<Row> arranged(
      Dataset<Row> rows, List<String> columns, int partitions, String... thenBy) {
    List<Column> select = new ArrayList<>();
    select.add(functions.col("customer_id"));
    columns.stream()
        .filter(c -> !c.equals("customer_id"))
        .distinct()
        .forEach(c -> select.add(functions.col(c)));
    return rows.select(select.toArray(Column[]::new))
        .repartition(partitions, functions.col("customer_id"))
        .sortWithinPartitions("customer_id", thenBy);
  }

  /**
   * The rows of a persisted dataset under a plan of their own: every query on the result starts
   * from the cached rows instead of analysing, and matching against the cache, the whole plan that
   * computed them (the churn rows' plan holds the features SQL of every cut-off: each model fit,
   * metric and write on it spent seconds on the driver). Lost cached blocks are still recomputed
   * from that plan. The result is valid while {@code persisted} stays persisted.
   */
  public static Dataset<Row> detached(Dataset<Row> persisted) {
    return persisted.sparkSession().createDataFrame(persisted.javaRDD(), persisted.schema());
  }

  /**
   * Whether a customer falls in a seeded share of all customers: a hash of its id, so the same
   * customers are picked whatever the partitioning (unlike Dataset.sample, which follows row
   * order).
   */
  public static Column inSample(double share, long seed) {
    Column bucket =
        functions.pmod(
            functions.xxhash64(functions.col("customer_id"), functions.lit(seed)),
            functions.lit(1_000_000L));
    return bucket.lt(functions.lit(Math.round(share * 1_000_000)));
  }
}

package io.segpipe.jobs.affinities;

import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.fpm.FPGrowth;
import org.apache.spark.ml.fpm.FPGrowthModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * What each segment buys together: MLlib's FPGrowth over the segments' baskets (orders as sets of
 * items), support, confidence and lift measured among each segment's own baskets; the rules
 * reaching the minimums, strongest first, as segment_affinities rows. And each customer's next-best
 * item from its segment's rules.
 */
public record SegmentAffinities(AffinitySettings settings) {
  /** Joins a segment to an item in the fit's items: no category or product id holds it. */
  private static final String TAG = "\u0001";

  private static final StructType SEGMENTS =
      new StructType()
          .add("segment", DataTypes.StringType, false)
          .add("baskets", DataTypes.LongType, false)
          .add("min_count", DataTypes.LongType, false);

  /** baskets.sql over {@code events}: customer_id, order_key, items (sorted, distinct). Lazy. */
  public Dataset<Row> baskets(Dataset<Row> events) {
    return SqlResource.load("sql/affinities/baskets.sql")
        .withView("events", events)
        .with("level", settings.level().code())
        .with("window_start", settings.window().windowStart())
        .with("as_of", settings.asOf())
        .run(events.sparkSession());
  }

  /**
   * The rules of every segment of {@code members} (customer_id, segment; customers without a
   * segment left out) among their {@code baskets}, as segment_affinities rows. One FPGrowth fit
   * over all segments' baskets with each item tagged by its segment, at the lowest count any
   * segment asks for; segment_rules.sql then holds each segment to its own minimums and measures
   * the rules among its own baskets. Computed here and collected: the result is a small local
   * table.
   */
  public Dataset<Row> rules(Dataset<Row> baskets, Dataset<Row> members) {
    SparkSession spark = baskets.sparkSession();
    Dataset<Row> segmented =
        baskets
            .join(members.where(functions.col("segment").isNotNull()), "customer_id")
            .select("segment", "items")
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Row> segments = new ArrayList<>();
      long fitted = 0;
      long lowest = Long.MAX_VALUE;
      for (Row size : segmented.groupBy("segment").count().orderBy("segment").collectAsList()) {
        long n = size.getLong(1);
        long minCount =
            Math.max((long) Math.ceil(settings.minSupport() * n), settings.minRuleBaskets());
        if (n >= minCount) {
          segments.add(RowFactory.create(size.getString(0), n, minCount));
          fitted += n;
          lowest = Math.min(lowest, minCount);
        }
      }
      if (segments.isEmpty()) {
        return spark.createDataFrame(List.of(), Tables.SEGMENT_AFFINITIES.columns());
      }
      Dataset<Row> sized = spark.createDataFrame(segments, SEGMENTS);
      Dataset<Row> tagged =
          segmented
              .join(functions.broadcast(sized.select("segment")), "segment")
              .select(
                  functions
                      .transform(
                          functions.col("items"),
                          x -> functions.concat(functions.col("segment"), functions.lit(TAG), x))
                      .as("items"));
      // FPGrowth keeps itemsets held by at least ceil(minSupport * fitted) baskets: half a basket
      // below the lowest count, so rounding cannot lift it by one.
      FPGrowthModel model =
          new FPGrowth().setItemsCol("items").setMinSupport((lowest - 0.5) / fitted).fit(tagged);
      Dataset<Row> itemsets =
          model
              .freqItemsets()
              .selectExpr(
                  "substring_index(items[0], '" + TAG + "', 1) AS segment",
                  "array_sort(transform(items, x -> substring_index(x, '"
                      + TAG
                      + "', -1))) AS items",
                  "freq");
      List<Row> kept =
          SqlResource.load("sql/affinities/segment_rules.sql")
              .withView("itemsets", itemsets)
              .withView("segments", sized)
              .with("min_confidence", settings.minConfidence())
              .with("min_lift", settings.minLift())
              .with("min_improvement", settings.minImprovement())
              .with("rules", settings.rulesPerSegment())
              .run(spark)
              .orderBy("segment", "rule_rank")
              .collectAsList();
      return spark.createDataFrame(rows(kept), Tables.SEGMENT_AFFINITIES.columns());
    } finally {
      segmented.unpersist();
    }
  }

  /** segment_affinities rows from segment_rules.sql's. */
  private List<Row> rows(List<Row> rules) {
    Date asOf = Date.valueOf(settings.asOf());
    List<Row> rows = new ArrayList<>();
    for (Row r : rules) {
      rows.add(
          RowFactory.create(
              settings.segmentation(),
              r.getAs("segment"),
              settings.level().code(),
              r.getAs("rule_rank"),
              r.getList(r.fieldIndex("antecedent")).toArray(),
              r.getAs("consequent"),
              r.getAs("baskets"),
              r.getAs("rule_baskets"),
              r.getAs("support"),
              r.getAs("confidence"),
              r.getAs("lift"),
              asOf));
    }
    return rows;
  }

  /**
   * Each customer's next-best item (next_best.sql) as customer_next_best rows: {@code members}
   * (customer_id, segment), {@code baskets} for what they bought, {@code rules} segment_affinities
   * rows. Lazy.
   */
  public Dataset<Row> nextBest(Dataset<Row> baskets, Dataset<Row> members, Dataset<Row> rules) {
    Dataset<Row> bought =
        baskets
            .select(
                functions.col("customer_id"), functions.explode(functions.col("items")).as("item"))
            .groupBy("customer_id")
            .agg(functions.collect_set("item").as("items"));
    return SqlResource.load("sql/affinities/next_best.sql")
        .withView("members", members.where(functions.col("segment").isNotNull()))
        .withView("bought", bought)
        .withView("rules", functions.broadcast(rules))
        .run(baskets.sparkSession())
        .selectExpr(
            "customer_id",
            "'" + settings.segmentation() + "' AS segmentation",
            "segment",
            "'" + settings.level().code() + "' AS item_level",
            "next_best_item",
            "rule_rank",
            "lift",
            "confidence",
            "CAST('" + settings.asOf() + "' AS DATE) AS " + Tables.AS_OF);
  }
}

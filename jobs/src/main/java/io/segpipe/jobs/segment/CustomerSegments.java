package io.segpipe.jobs.segment;

import io.segpipe.common.i18n.Labels;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import io.segpipe.modelling.ChurnBaseline;
import io.segpipe.modelling.ChurnModel;
import io.segpipe.modelling.ClusterTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * customer_segments: the models applied to one customer_features snapshot, with consent from the
 * customers dimension. Pure: datasets in, datasets out. The rows it builds carry, besides the
 * contract's columns, what the profiles summarise (see segment_customers.sql); {@link #table} keeps
 * the contract's.
 */
public record CustomerSegments(SegmentModels models, SegmentSettings settings) {
  public static final String PARTITION = Tables.AS_OF;

  /** The contract's columns, in order. */
  public static final List<String> COLUMNS =
      List.of(Tables.CUSTOMER_SEGMENTS.columns().fieldNames());

  /** The customers dimension columns the segments use. */
  static final StructType DIMS =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("marketing_opt_in", DataTypes.BooleanType, true)
          .add("birth_year", DataTypes.IntegerType, true)
          .add("gender", DataTypes.StringType, true)
          .add("region", DataTypes.StringType, true)
          .add("city", DataTypes.StringType, true)
          .add("income_band", DataTypes.StringType, true)
          .add("member_tier", DataTypes.StringType, true);

  private static final StructType LABELS =
      new StructType()
          .add("cluster_id", DataTypes.IntegerType, false)
          .add("cluster_label", DataTypes.StringType, false);

  /**
   * One row per customer of {@code snapshot} (one as-of date of customer_features); {@code dims}
   * has the {@link #DIMS} columns (empty when there is no customers table); {@code clv} is the
   * customer_clv snapshot of the same date (empty when the clv job has not run for it). Lazy.
   */
  public Dataset<Row> rows(Dataset<Row> snapshot, Dataset<Row> dims, Dataset<Row> clv) {
    return rows(snapshot, dims, clv, Optional.empty());
  }

  /**
   * As {@link #rows(Dataset, Dataset, Dataset)}; {@code bgnbd} (customer_id, bgnbd_p_no_purchase)
   * is what a churn model that reads the BG/NBD probability needs. A customer without it (no
   * purchase in the clv history: a prospect, whose churn prediction is dropped) reads 1.
   */
  public Dataset<Row> rows(
      Dataset<Row> snapshot, Dataset<Row> dims, Dataset<Row> clv, Optional<Dataset<Row>> bgnbd) {
    SparkSession spark = snapshot.sparkSession();
    if (bgnbd.isPresent()) {
      Dataset<Row> p = bgnbd.get().withColumnRenamed("customer_id", "bgnbd_customer_id");
      snapshot =
          snapshot
              .join(p, snapshot.col("customer_id").equalTo(p.col("bgnbd_customer_id")), "left")
              .drop("bgnbd_customer_id")
              .withColumn(
                  ChurnBaseline.COLUMN,
                  functions.coalesce(functions.col(ChurnBaseline.COLUMN), functions.lit(1.0)));
    }
    List<Column> kept =
        new ArrayList<>(Arrays.stream(snapshot.columns()).map(functions::col).toList());
    kept.add(functions.col(ClusterTrainer.CLUSTER).as("model_cluster_id"));
    kept.add(ChurnModel.churnProbability(models.churnCalibrated()).as("model_churn_probability"));
    // Both models applied to every row in one pass (prospects too: their predictions are dropped in
    // the SQL, which is cheaper than splitting and re-joining the snapshot).
    Dataset<Row> scored =
        models
            .churn()
            .model()
            .transform(models.clusters().model().transform(snapshot))
            .select(kept.toArray(Column[]::new));
    List<Row> labels =
        models.labels().entrySet().stream()
            .map(e -> RowFactory.create(e.getKey(), e.getValue()))
            .toList();
    Dataset<Row> rows =
        SqlResource.load("sql/segment/segment_customers.sql")
            .withView("scored_snapshot", scored)
            .withView("cluster_labels", spark.createDataFrame(labels, LABELS))
            .withView(
                "customer_dims",
                dims.select(
                    Arrays.stream(DIMS.fieldNames()).map(functions::col).toArray(Column[]::new)))
            .withFragment(
                "channel_orders",
                settings.features().channels().stream()
                    .map(c -> "s.orders_" + c)
                    .collect(Collectors.joining(", ")))
            .withFragment("age_band", settings.ageBands().sql("year(:as_of) - d.birth_year"))
            .withFragment(
                "needs_segment",
                settings.needs().enabled()
                    ? settings.needs().sqlExpression("s")
                    : "CAST(NULL AS STRING)")
            .withView(
                "customer_clv",
                clv.select("customer_id", CustomerClv.SEGMENT_COLUMNS.toArray(String[]::new)))
            .with("medium_from", settings.churnRisk().mediumFrom())
            .with("high_from", settings.churnRisk().highFrom())
            .with("clusters_version", models.clustersVersion())
            .with("churn_version", models.churnVersion())
            .with("as_of", settings.asOf())
            .run(spark);
    for (String column : Labels.CODED) {
      rows =
          rows.withColumn(
              Labels.nameColumn(column),
              Labels.label(settings.messages(), column, functions.col(column)));
    }
    return rows.withColumn(
        "cluster_name", models.clusterName(settings.messages(), functions.col("cluster_label")));
  }

  /** The customer_segments table's columns of {@link #rows}. */
  public static Dataset<Row> table(Dataset<Row> rows) {
    return rows.select(COLUMNS.stream().map(functions::col).toArray(Column[]::new));
  }

  /** An empty customer_clv snapshot, for a date the clv job has not scored. */
  static Dataset<Row> noClv(SparkSession spark) {
    return spark.createDataFrame(List.of(), CustomerClv.SCHEMA);
  }

  /** An empty customers dimension, for a lake without a customers table. */
  static Dataset<Row> noDims(SparkSession spark) {
    return spark.createDataFrame(List.of(), DIMS);
  }
}

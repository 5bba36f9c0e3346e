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

  private static final String CLV_KEY = "clv_customer_id";

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

  /**
   * One row per customer of {@code snapshot} (one as-of date of customer_features); {@code dims}
   * has the {@link #DIMS} columns (empty when there is no customers table); {@code clv} is the
   * customer_clv snapshot of the same date (empty when the clv job has not run for it). Lazy.
   */
  public Dataset<Row> rows(Dataset<Row> snapshot, Dataset<Row> dims, Dataset<Row> clv) {
    return rows(snapshot, dims, clv, Optional.empty());
  }

  /**
   * As {@link #rows(Dataset, Dataset, Dataset)}; {@code bgnbd} is the BG/NBD probability of no
   * purchase as an expression over a customer_clv row, which a churn model that reads it needs. A
   * customer without a clv row (no purchase in the clv history: a prospect, whose churn prediction
   * is dropped) reads 1.
   */
  public Dataset<Row> rows(
      Dataset<Row> snapshot, Dataset<Row> dims, Dataset<Row> clv, Optional<Column> bgnbd) {
    SparkSession spark = snapshot.sparkSession();
    // The clv snapshot joined once, for its columns and for the churn model's BG/NBD input.
    List<Column> values = new ArrayList<>(List.of(functions.col("customer_id").as(CLV_KEY)));
    CustomerClv.SEGMENT_COLUMNS.forEach(c -> values.add(functions.col(c)));
    bgnbd.ifPresent(score -> values.add(score.as(ChurnBaseline.COLUMN)));
    Dataset<Row> v = clv.select(values.toArray(Column[]::new));
    snapshot =
        snapshot.join(v, snapshot.col("customer_id").equalTo(v.col(CLV_KEY)), "left").drop(CLV_KEY);
    if (bgnbd.isPresent()) {
      snapshot =
          snapshot.withColumn(
              ChurnBaseline.COLUMN,
              functions.coalesce(functions.col(ChurnBaseline.COLUMN), functions.lit(1.0)));
    }
    // The models score the buyers only: a prospect (no purchase in the window) has no cluster or
    // churn prediction (segment_customers.sql), so the snapshot is split rather than scored whole,
    // and the two parts put together again without a join.
    Column buyer = functions.coalesce(functions.col("frequency").gt(0), functions.lit(false));
    List<Column> columns = Arrays.stream(snapshot.columns()).map(functions::col).toList();
    List<Column> kept = new ArrayList<>(columns);
    kept.add(functions.col(ClusterTrainer.CLUSTER).as("model_cluster_id"));
    kept.add(models.clusterLabel(functions.col(ClusterTrainer.CLUSTER)).as("model_cluster_label"));
    kept.add(ChurnModel.churnProbability(models.churnCalibrated()).as("model_churn_probability"));
    Dataset<Row> buyers =
        models
            .churn()
            .model()
            .transform(models.clusters().model().transform(snapshot.where(buyer)))
            .select(kept.toArray(Column[]::new));
    List<Column> unscored = new ArrayList<>(columns);
    unscored.add(functions.lit(null).cast(DataTypes.IntegerType).as("model_cluster_id"));
    unscored.add(functions.lit(null).cast(DataTypes.StringType).as("model_cluster_label"));
    unscored.add(functions.lit(null).cast(DataTypes.DoubleType).as("model_churn_probability"));
    Dataset<Row> prospects =
        snapshot.where(functions.not(buyer)).select(unscored.toArray(Column[]::new));
    Dataset<Row> scored = buyers.unionByName(prospects);
    Dataset<Row> rows =
        SqlResource.load("sql/segment/segment_customers.sql")
            .withView("scored_snapshot", scored)
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

package io.segpipe.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Working per profile: with identity stitching on, the jobs after identity read customer-keyed rows
 * (customer_daily, events, customers) with each source customer_id replaced by its profile's
 * customer_key from identity_map, so their tables keep a customer_id column that holds the profile
 * key, and identity_map leads back to the source ids.
 */
public final class Profiles {
  /** The identifier type of a source customer_id. */
  public static final String CUSTOMER_ID = "customer_id";

  private Profiles() {}

  /** The latest resolution strictly before {@code asOf}. */
  public static Optional<LocalDate> latestBefore(Lake lake, LocalDate asOf) {
    return latest(lake, col(Tables.AS_OF).lt(Date.valueOf(asOf)));
  }

  /** The latest resolution on or before {@code asOf}. */
  public static Optional<LocalDate> latestOnOrBefore(Lake lake, LocalDate asOf) {
    return latest(lake, col(Tables.AS_OF).leq(Date.valueOf(asOf)));
  }

  private static Optional<LocalDate> latest(Lake lake, Column condition) {
    if (!lake.exists(Tables.IDENTITY_MAP)) {
      return Optional.empty();
    }
    Row row = lake.read(Tables.IDENTITY_MAP, "").where(condition).agg(max(Tables.AS_OF)).first();
    return row.isNullAt(0) ? Optional.empty() : Optional.of(row.getDate(0).toLocalDate());
  }

  /** identity_map as resolved on {@code date}. */
  public static Dataset<Row> mapOn(Lake lake, LocalDate date) {
    return lake.read(Tables.IDENTITY_MAP, "").where(col(Tables.AS_OF).equalTo(Date.valueOf(date)));
  }

  /**
   * With identity stitching on, source customer_id to customer_key as resolved on or before {@code
   * asOf} (columns customer_id, customer_key); empty with it off.
   */
  public static Optional<Dataset<Row>> keys(SegpipeConfig config, Lake lake, LocalDate asOf) {
    return resolution(config, lake, asOf).map(date -> keysOn(lake, date));
  }

  /**
   * With identity stitching on, the date of the resolution the jobs use as of {@code asOf}: the
   * latest on or before it; empty with it off.
   */
  public static Optional<LocalDate> resolution(SegpipeConfig config, Lake lake, LocalDate asOf) {
    if (!IdentitySettings.enabled(config)) {
      return Optional.empty();
    }
    return Optional.of(
        latestOnOrBefore(lake, asOf)
            .orElseThrow(
                () ->
                    new UserError(
                        "Identity stitching is on ("
                            + IdentitySettings.ENABLED
                            + ") but identity_map has no resolution on or before "
                            + asOf
                            + ". Run `scripts/segpipe identity --as-of "
                            + asOf
                            + "` after ingest (pipeline does).")));
  }

  /**
   * Source customer_id to customer_key (columns customer_id, customer_key) as resolved on {@code
   * date}.
   */
  public static Dataset<Row> keysOn(Lake lake, LocalDate date) {
    return mapOn(lake, date)
        .where(col("id_type").equalTo(CUSTOMER_ID))
        .select(col("identifier").as("customer_id"), col("customer_key"));
  }

  /**
   * {@code rows} with customer_id replaced by its profile key (a customer_id the map does not hold
   * keeps its own); the columns and their order stay.
   */
  public static Dataset<Row> rekey(Dataset<Row> rows, Optional<Dataset<Row>> keys) {
    if (keys.isEmpty()) {
      return rows;
    }
    Column[] columns =
        Arrays.stream(rows.columns())
            .map(
                c ->
                    c.equals("customer_id")
                        ? functions
                            .coalesce(col("k.customer_key"), col("r.customer_id"))
                            .as("customer_id")
                        : col("r.`" + c + "`").as(c))
            .toArray(Column[]::new);
    return rows.as("r")
        .join(keys.get().as("k"), col("r.customer_id").equalTo(col("k.customer_id")), "left")
        .select(columns);
  }

  /**
   * The customers dimension per profile: one row per customer_key (as customer_id) with the
   * attributes of its earliest-signed-up record (ties by source id), the earliest signup date, and
   * marketing_opt_in true only when every linked record says true (a record saying false or nothing
   * withholds the profile's consent).
   */
  public static Dataset<Row> customers(Dataset<Row> customers, Optional<Dataset<Row>> keys) {
    if (keys.isEmpty()) {
      return customers;
    }
    Dataset<Row> keyed =
        customers
            .join(
                keys.get().withColumnRenamed("customer_id", "source_id"),
                col("customer_id").equalTo(col("source_id")))
            .drop("source_id");
    List<String> names = Arrays.asList(customers.columns());
    Column order =
        functions
            .row_number()
            .over(
                Window.partitionBy("customer_key")
                    .orderBy(col("signup_date").asc_nulls_last(), col("customer_id")));
    Column optIn =
        names.contains("marketing_opt_in")
            ? min(when(col("marketing_opt_in").isNull(), false).otherwise(col("marketing_opt_in")))
            : functions.lit(null);
    Dataset<Row> perProfile =
        keyed
            .withColumn("record_rank", order)
            .groupBy("customer_key")
            .agg(
                min("signup_date").as("profile_signup"),
                optIn.as("profile_opt_in"),
                first(
                        when(
                            col("record_rank").equalTo(1),
                            functions.struct(
                                names.stream().map(functions::col).toArray(Column[]::new))),
                        true)
                    .as("earliest"));
    Column[] columns =
        names.stream()
            .map(
                c ->
                    switch (c) {
                      case "customer_id" -> col("customer_key").as(c);
                      case "signup_date" -> col("profile_signup").as(c);
                      case "marketing_opt_in" -> col("profile_opt_in").as(c);
                      case Events.IDENTIFIERS -> Identifiers.none().as(c);
                      default -> col("earliest." + c).as(c);
                    })
            .toArray(Column[]::new);
    return perProfile.select(columns);
  }
}

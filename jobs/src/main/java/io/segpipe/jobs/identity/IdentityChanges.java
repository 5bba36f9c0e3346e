package io.segpipe.jobs.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.tables.Tables;
import io.segpipe.identity.IdentityResolution;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The identifiers whose profile key differs from the previous resolution's, and why: the profile
 * merged with another (the earliest identifier's key wins), split (the part without the identifier
 * that gave the key takes its own earliest), both, an earlier identifier joined, or the identifier
 * is now quarantined.
 */
final class IdentityChanges {
  /** Keys of the previous resolution, those whose identifiers all kept them, identifiers moved. */
  record Summary(long keysBefore, long keysUnchanged, long identifiersChanged) {}

  private IdentityChanges() {}

  static Dataset<Row> of(
      Dataset<Row> previous,
      Dataset<Row> current,
      Dataset<Row> quarantine,
      LocalDate previousAsOf,
      LocalDate asOf) {
    Dataset<Row> before =
        previous.select(col("id_type"), col("identifier"), col("customer_key").as("old_key"));
    Dataset<Row> after =
        current.select(col("id_type"), col("identifier"), col("customer_key").as("new_key"));
    Dataset<Row> both =
        before.join(after, IdentityResolution.using("id_type", "identifier"), "left");
    // a new profile holding identifiers of several old ones is a merge; an old profile whose
    // identifiers now sit in several new ones (or some in none) is a split
    Dataset<Row> merged =
        both.where(col("new_key").isNotNull())
            .groupBy("new_key")
            .agg(countDistinct("old_key").as("old_keys"));
    Dataset<Row> split =
        both.groupBy("old_key")
            .agg(
                countDistinct("new_key").as("new_keys"),
                count(when(col("new_key").isNull(), lit(1))).as("dropped"));
    Column reason =
        when(col("new_key").isNull(), concat(lit("quarantined: "), col("q.reason")))
            .when(
                col("old_keys").gt(1).and(col("new_keys").gt(1).or(col("dropped").gt(0))),
                lit("merged and split"))
            .when(col("old_keys").gt(1), lit("merged with another profile: the earliest key wins"))
            .when(
                col("new_keys").gt(1).or(col("dropped").gt(0)),
                lit("split: this part takes the key of its own earliest identifier"))
            .otherwise(lit("an earlier identifier joined the profile"));
    return both.where(col("new_key").isNull().or(col("new_key").notEqual(col("old_key"))))
        .join(merged, IdentityResolution.using("new_key"), "left")
        .join(split, IdentityResolution.using("old_key"), "left")
        .as("c")
        .join(
            quarantine.select("id_type", "identifier", "reason").as("q"),
            col("c.id_type")
                .equalTo(col("q.id_type"))
                .and(col("c.identifier").equalTo(col("q.identifier"))),
            "left")
        .select(
            col("c.id_type").as("id_type"),
            col("c.identifier").as("identifier"),
            lit(Date.valueOf(previousAsOf)).as("previous_as_of"),
            col("old_key"),
            col("new_key"),
            when(col("new_key").isNull().and(col("q.reason").isNull()), lit("no longer seen"))
                .otherwise(reason)
                .as("reason"),
            lit(Date.valueOf(asOf)).as(Tables.AS_OF));
  }

  static Summary summarise(Dataset<Row> previous, Dataset<Row> changes) {
    long keysBefore = previous.select("customer_key").distinct().count();
    Row changed = changes.agg(count(lit(1)), countDistinct(col("old_key"))).first();
    long identifiers = changed.getLong(0);
    long keysTouched = changed.getLong(1);
    return new Summary(keysBefore, keysBefore - keysTouched, identifiers);
  }
}

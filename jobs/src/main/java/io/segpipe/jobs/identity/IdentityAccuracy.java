package io.segpipe.jobs.identity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;

import io.segpipe.common.UserError;
import io.segpipe.identity.IdentityResolution;
import io.segpipe.identity.IdentityTypes;
import io.segpipe.identity.Profiles;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * How a resolution compares with a ground truth (a generator's identity_truth: id_type, value in
 * its normal form, person_id, null for identifiers shared by many): over pairs of the truth's
 * identifiers of real people, precision and recall of "same profile" against "same person", and how
 * many shared identifiers were linked into a profile. An identifier the resolution left out
 * (quarantined) is a profile of its own. Pairs are counted per group, never enumerated.
 *
 * @param identifiers identifiers of real people compared
 * @param sharedLinked shared identifiers (traps) that the resolution linked into a profile
 */
record IdentityAccuracy(
    long identifiers,
    long samePersonPairs,
    long sameProfilePairs,
    long bothPairs,
    long sharedLinked) {

  static final List<String> TRUTH_COLUMNS = List.of("id_type", "value", "person_id");

  double precision() {
    return sameProfilePairs == 0 ? 1.0 : (double) bothPairs / sameProfilePairs;
  }

  double recall() {
    return samePersonPairs == 0 ? 1.0 : (double) bothPairs / samePersonPairs;
  }

  String describe() {
    return String.format(
        "against the truth: precision %.4f, recall %.4f over %,d same-person pairs of %,d"
            + " identifiers; %d shared identifiers linked",
        precision(), recall(), samePersonPairs, identifiers, sharedLinked);
  }

  static IdentityAccuracy measure(
      SparkSession spark, String truthPath, Dataset<Row> map, IdentityTypes types) {
    Dataset<Row> truth = spark.read().parquet(truthPath);
    if (!Arrays.asList(truth.columns()).containsAll(TRUTH_COLUMNS)) {
      throw new UserError(
          "--truth "
              + truthPath
              + " must have the columns "
              + TRUTH_COLUMNS
              + " (a generator's identity_truth); it has "
              + Arrays.toString(truth.columns()));
    }
    UserDefinedFunction stored =
        udf(
            (UDF2<String, String, String>)
                (type, value) ->
                    type.equals(Profiles.CUSTOMER_ID)
                        ? value
                        : types.identifier(type, value).value(),
            DataTypes.StringType);
    Dataset<Row> known =
        truth
            .select(
                col("id_type"),
                stored.apply(col("id_type"), col("value")).as("identifier"),
                col("person_id"))
            .join(
                map.select("id_type", "identifier", "customer_key"),
                IdentityResolution.using("id_type", "identifier"),
                "left");
    long sharedLinked =
        known.where(col("person_id").isNull().and(col("customer_key").isNotNull())).count();
    Dataset<Row> people =
        known
            .where(col("person_id").isNotNull())
            .withColumn(
                "profile",
                coalesce(
                    col("customer_key"),
                    concat(lit("unlinked:"), col("id_type"), lit(":"), col("identifier"))))
            .cache();
    try {
      long identifiers = people.count();
      return new IdentityAccuracy(
          identifiers,
          pairs(people, col("person_id")),
          pairs(people, col("profile")),
          pairs(people, col("person_id"), col("profile")),
          sharedLinked);
    } finally {
      people.unpersist();
    }
  }

  /** Σ n(n-1)/2 over the groups of {@code by}. */
  private static long pairs(Dataset<Row> rows, Column... by) {
    Row r =
        rows.groupBy(by)
            .agg(count(lit(1)).as("n"))
            .agg(sum(col("n").multiply(col("n").minus(1)).divide(2)).cast("long"))
            .first();
    return r.isNullAt(0) ? 0 : r.getLong(0);
  }
}

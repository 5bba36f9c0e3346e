package io.segpipe.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.schema.Events;
import io.segpipe.identity.Normaliser.Normalised;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The identifiers of rows (events, customer records) as stored: per declared type, the raw value
 * normalised and, for personal types, replaced by its keyed hash ({@link IdentityTypes}). A value
 * that does not normalise gives the row a reason (ingest quarantines it); an empty or null value is
 * no identifier.
 */
public final class Identifiers {
  /** The column of reasons a row's identifiers give (empty when all normalise). */
  public static final String REASONS = "identifier_reasons";

  /** The prefix of a customer_id derived for a row that has identifiers but no customer_id. */
  public static final String DERIVED_PREFIX = "a-";

  private static final StructType RESULT =
      new StructType().add("value", DataTypes.StringType).add("reason", DataTypes.StringType);

  private Identifiers() {}

  /**
   * {@code rows} with {@value Events#IDENTIFIERS} (type to stored identifier; null when the row has
   * none) and {@value #REASONS} from the raw values {@code raw} gives per type; a row with
   * identifiers and a null {@code customer_id} gets one derived from its first identifier in type
   * order: {@value #DERIVED_PREFIX} and 20 hex digits of SHA-256 of "type:identifier", so a guest
   * known only by an email is scored as one customer (and linked into its profile by the identity
   * job).
   */
  public static Dataset<Row> attach(
      Dataset<Row> rows, IdentityTypes types, Map<String, Column> raw) {
    UserDefinedFunction store =
        udf(
            (UDF2<String, String, Row>)
                (type, value) -> {
                  if (value == null || value.isBlank()) {
                    return RowFactory.create(null, null);
                  }
                  Normalised n = types.identifier(type, value);
                  return RowFactory.create(n.value(), n.reason());
                },
            RESULT);
    List<Column> entries = new ArrayList<>();
    List<Column> reasons = new ArrayList<>();
    for (Map.Entry<String, Column> e : new TreeMap<>(raw).entrySet()) {
      Column result = store.apply(lit(e.getKey()), e.getValue().cast("string"));
      entries.add(struct(lit(e.getKey()).as("key"), result.getField("value").as("value")));
      reasons.add(result.getField("reason"));
    }
    String present = "present_identifiers";
    Dataset<Row> withEntries =
        rows.withColumn(
            present,
            filter(
                array(entries.toArray(Column[]::new)),
                entry -> entry.getField("value").isNotNull()));
    Column first = element_at(col(present), 1);
    Column derived =
        concat(
            lit(DERIVED_PREFIX),
            substring(
                sha2(concat(first.getField("key"), lit(":"), first.getField("value")), 256),
                1,
                20));
    return withEntries
        .withColumn(
            Events.IDENTIFIERS, when(size(col(present)).gt(0), map_from_entries(col(present))))
        .withColumn(REASONS, array_compact(array(reasons.toArray(Column[]::new))))
        .withColumn(
            "customer_id", coalesce(col("customer_id"), when(size(col(present)).gt(0), derived)))
        .drop(present);
  }

  /** The identifiers column of rows without any: a typed null. */
  public static Column none() {
    return lit(null).cast(DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));
  }
}

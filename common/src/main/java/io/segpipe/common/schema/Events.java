package io.segpipe.common.schema;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The canonical omnichannel event (docs/contracts.md): the {@code events} table's contract. */
public final class Events {
  private Events() {}

  public static final String TABLE = "events";
  public static final String QUARANTINE_TABLE = "events_quarantine";

  public static final DecimalType MONEY = DataTypes.createDecimalType(18, 2);

  /**
   * The columns a source mapping provides, in contract order (event_date is derived from event_ts).
   */
  public static final StructType MAPPED =
      new StructType()
          .add("event_id", DataTypes.StringType, false)
          .add("event_ts", DataTypes.TimestampType, false)
          .add("customer_id", DataTypes.StringType, true)
          .add("channel", DataTypes.StringType, false)
          .add("event_type", DataTypes.StringType, false)
          .add("order_id", DataTypes.StringType, true)
          .add("product_id", DataTypes.StringType, true)
          .add("category", DataTypes.StringType, true)
          .add("quantity", DataTypes.IntegerType, true)
          .add("amount", MONEY, true)
          .add("currency", DataTypes.StringType, true)
          .add("store_id", DataTypes.StringType, true)
          .add("rating", DataTypes.IntegerType, true);

  /** The events table: the mapped columns plus the event_date partition column. */
  public static final StructType SCHEMA = MAPPED.add("event_date", DataTypes.DateType, false);

  public static List<String> requiredColumns() {
    return Arrays.stream(MAPPED.fields())
        .filter(f -> !f.nullable())
        .map(StructField::name)
        .toList();
  }

  public static DataType typeOf(String column) {
    return SCHEMA.apply(column).dataType();
  }

  /** The customer dimension (optional input): demographics and marketing consent. */
  public static final String CUSTOMERS_TABLE = "customers";

  public static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("signup_date", DataTypes.DateType, true)
          .add("birth_year", DataTypes.IntegerType, true)
          .add("gender", DataTypes.StringType, true)
          .add("region", DataTypes.StringType, true)
          .add("city", DataTypes.StringType, true)
          .add("income_band", DataTypes.StringType, true)
          .add("member_tier", DataTypes.StringType, true)
          .add("acquisition_channel", DataTypes.StringType, true)
          .add("marketing_opt_in", DataTypes.BooleanType, true);
}

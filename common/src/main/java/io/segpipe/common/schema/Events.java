package io.segpipe.common.schema;

import io.segpipe.common.tables.Tables;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The canonical omnichannel event (docs/contracts.md): the {@code events} table's contract. */
public final class Events {
  private Events() {}

  public static final DecimalType MONEY = Tables.MONEY;

  /**
   * The column of identifiers (type to stored identifier), on events and customers: filled from a
   * mapping's identifiers section, not from its columns, so not among {@link #MAPPED}.
   */
  public static final String IDENTIFIERS = "identifiers";

  /**
   * The columns a source mapping provides, in contract order (event_date is derived from event_ts).
   */
  public static final StructType MAPPED =
      new StructType(
          Arrays.stream(Tables.EVENTS.columns().fields())
              .filter(f -> !f.name().equals("event_date") && !f.name().equals(IDENTIFIERS))
              .toArray(StructField[]::new));

  /** The events table: the mapped columns plus the event_date partition column. */
  public static final StructType SCHEMA = Tables.EVENTS.columns();

  /**
   * The mapped columns a source mapping may leave out, read as null: those added to the contract
   * after it was first written ({@code discount_amount}), so a mapping written before them still
   * loads.
   */
  public static List<String> optionalColumns() {
    return Tables.EVENTS.added().stream().filter(c -> !c.equals(IDENTIFIERS)).toList();
  }

  public static List<String> requiredColumns() {
    return Arrays.stream(MAPPED.fields())
        .filter(f -> !f.nullable())
        .map(StructField::name)
        .toList();
  }

  public static DataType typeOf(String column) {
    return SCHEMA.apply(column).dataType();
  }

  public static final StructType CUSTOMERS = Tables.CUSTOMERS.columns();
}

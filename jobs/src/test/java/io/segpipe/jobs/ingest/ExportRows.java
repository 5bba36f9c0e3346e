package io.segpipe.jobs.ingest;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Tiny inline sources in the generator's export shape (the one conf/sources/generator.conf maps).
 */
final class ExportRows {
  static final StructType SCHEMA =
      new StructType()
          .add("event_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("customer_id", DataTypes.StringType)
          .add("channel", DataTypes.StringType)
          .add("event_type", DataTypes.StringType)
          .add("order_id", DataTypes.StringType)
          .add("sku", DataTypes.StringType)
          .add("category", DataTypes.StringType)
          .add("qty", DataTypes.IntegerType)
          .add("line_amount", DataTypes.createDecimalType(18, 2))
          .add("currency", DataTypes.StringType)
          .add("store_id", DataTypes.StringType)
          .add("rating", DataTypes.IntegerType)
          .add("line_discount", DataTypes.createDecimalType(18, 2));

  private final List<Row> rows = new ArrayList<>();

  ExportRows purchase(String id, String ts, String customer, String order, String amount) {
    return row(id, ts, customer, "web", "purchase", order, amount, null);
  }

  ExportRows row(
      String id,
      String ts,
      String customer,
      String channel,
      String type,
      String order,
      String amount,
      Integer rating) {
    rows.add(
        RowFactory.create(
            id,
            ts == null ? null : Timestamp.valueOf(ts),
            customer,
            channel,
            type,
            order,
            "sku-1",
            "home",
            1,
            amount == null ? null : new BigDecimal(amount),
            "GBP",
            null,
            rating,
            null));
    return this;
  }

  ExportRows currency(String id, String ts, String customer, String currency) {
    rows.add(
        RowFactory.create(
            id,
            Timestamp.valueOf(ts),
            customer,
            "web",
            "purchase",
            "o-" + id,
            "sku-1",
            "home",
            1,
            new BigDecimal("1.00"),
            currency,
            null,
            null,
            null));
    return this;
  }

  Dataset<Row> frame(SparkSession spark) {
    return spark.createDataFrame(rows, SCHEMA);
  }

  int size() {
    return rows.size();
  }
}

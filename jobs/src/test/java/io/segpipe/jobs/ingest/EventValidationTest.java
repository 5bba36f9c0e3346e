package io.segpipe.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.schema.Events;
import io.segpipe.common.test.DataFrames;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.identity.Identifiers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedSpark.class)
class EventValidationTest {
  private static final SegpipeConfig CONFIG = SegpipeConfig.load(Optional.empty(), Map.of());
  private static final Instant CUTOFF = Instant.parse("2024-06-01T00:00:00Z");

  private Map<String, List<String>> reasonsById(Dataset<Row> source, SourceMapping mapping) {
    Map<String, List<String>> out = new TreeMap<>();
    EventValidation.validate(EventMapping.apply(source, mapping, false), CONFIG.events(), CUTOFF)
        .select("src_event_id", EventValidation.REASONS)
        .collectAsList()
        .forEach(r -> out.put(r.getString(0), r.getList(1)));
    return out;
  }

  @Test
  void everyBrokenRuleIsNamedAndGoodRowsPass(SparkSession spark) {
    Dataset<Row> source =
        new ExportRows()
            .purchase("ok", "2024-05-31 23:59:59", "c1", "o1", "10.00")
            .row("future", "2024-06-01 00:00:00", "c1", "web", "purchase", "o2", "5.00", null)
            .row("channel", "2024-05-01 10:00:00", "c1", "fax", "purchase", "o3", "5.00", null)
            .row("negative", "2024-05-01 10:00:00", "c1", "web", "return", "o1", "-3.00", null)
            .row("no-amount", "2024-05-01 10:00:00", "c1", "web", "purchase", "o4", null, null)
            .row("rating", "2024-05-01 10:00:00", "c1", "app", "feedback", null, null, 9)
            .row("no-ts-bad-type", null, "c2", "web", "teleport", null, null, null)
            .row("anonymous-visit", "2024-05-01 10:00:00", null, "web", "visit", null, null, null)
            .currency("usd", "2024-05-01 10:00:00", "c3", "USD")
            .frame(spark);
    Map<String, List<String>> reasons = reasonsById(source, SourceMapping.load("generator"));
    assertEquals(List.of(), reasons.get("ok"));
    assertEquals(List.of(), reasons.get("anonymous-visit"));
    assertEquals(
        List.of("event_ts 2024-06-01 00:00:00 is not before the cut-off 2024-06-01T00:00:00Z"),
        reasons.get("future"));
    assertEquals(
        List.of(
            "channel 'fax' is not one of the configured channels [web, app, store, social, marketplace, call_center]"),
        reasons.get("channel"));
    assertEquals(
        List.of(
            "amount -3.00 is negative; amounts are >= 0 (a return has event_type return and a positive amount)"),
        reasons.get("negative"));
    assertEquals(List.of("amount is missing on a purchase event"), reasons.get("no-amount"));
    assertEquals(List.of("rating 9 is outside 1-5"), reasons.get("rating"));
    assertEquals(
        List.of(
            "event_ts is missing",
            "event_type 'teleport' is not one of the configured event types [purchase, return, visit, view, add_to_cart, coupon_redeem, feedback]"),
        reasons.get("no-ts-bad-type"));
    assertEquals(List.of("currency 'USD' is not the reporting currency GBP"), reasons.get("usd"));
  }

  @Test
  void unparseableValuesAreReportedWithTheValue(SparkSession spark) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("when", DataTypes.StringType)
            .add("qty", DataTypes.StringType);
    Dataset<Row> source =
        spark.createDataFrame(
            List.of(
                RowFactory.create("a", "2024-01-02 03:04:05", "7"),
                RowFactory.create("b", "yesterday", "seven")),
            schema);
    SourceMapping mapping =
        SourceMapping.from(
            com.typesafe.config.ConfigFactory.parseString(
                """
        name = text, format = csv, event-id = id
        columns { event_ts = "when", customer_id = "'c'", channel = "'web'", event_type = "'visit'",
          order_id = null, product_id = null, category = null, quantity = qty, amount = null,
          currency = null, store_id = null, rating = null }
        """),
            "inline");
    Map<String, List<String>> reasons = reasonsById(source, mapping);
    assertEquals(List.of(), reasons.get("a"));
    assertEquals(
        List.of(
            "event_ts: cannot read 'yesterday' as timestamp",
            "quantity: cannot read 'seven' as int"),
        reasons.get("b"));
  }

  /**
   * discount_amount, optional in the contract, mapped from a source column: a negative one sends
   * the row to quarantine naming the value; 0, a positive one and none at all pass, with the value
   * mapped as a decimal.
   */
  @Test
  void aNegativeDiscountIsQuarantinedAndOthersAreKept(SparkSession spark) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.StringType)
            .add("paid", DataTypes.StringType)
            .add("off", DataTypes.StringType);
    Dataset<Row> source =
        spark.createDataFrame(
            List.of(
                RowFactory.create("minus", "10.00", "-1.00"),
                RowFactory.create("zero", "10.00", "0"),
                RowFactory.create("half", "10.00", "10.00"),
                RowFactory.create("unknown", "10.00", null)),
            schema);
    SourceMapping mapping =
        SourceMapping.from(
            com.typesafe.config.ConfigFactory.parseString(
                """
        name = discounts, format = csv, event-id = id
        columns { event_ts = "'2024-05-01 10:00:00'", customer_id = "'c'", channel = "'web'",
          event_type = "'purchase'", order_id = id, product_id = null, category = null,
          quantity = null, amount = paid, currency = null, store_id = null, rating = null,
          discount_amount = off }
        """),
            "inline");
    Map<String, List<String>> reasons = reasonsById(source, mapping);
    assertEquals(
        List.of(
            "discount_amount -1.00 is negative; discounts are >= 0 (what was taken off the price;"
                + " amount is what was paid)"),
        reasons.get("minus"));
    assertEquals(List.of(), reasons.get("zero"));
    assertEquals(List.of(), reasons.get("half"));
    assertEquals(List.of(), reasons.get("unknown"));
    Map<String, Object> discounts = new TreeMap<>();
    EventMapping.apply(source, mapping, false)
        .select("src_event_id", "discount_amount")
        .collectAsList()
        .forEach(r -> discounts.put(r.getString(0), r.get(1)));
    assertEquals(new java.math.BigDecimal("10.00"), discounts.get("half"));
    assertEquals(new java.math.BigDecimal("0.00"), discounts.get("zero"));
    assertEquals(null, discounts.get("unknown"));
  }

  @Test
  void mappingThatDoesNotFitTheSourceNamesTheColumn(SparkSession spark) {
    Dataset<Row> source =
        new ExportRows()
            .purchase("x", "2024-01-01 00:00:00", "c", "o", "1.00")
            .frame(spark)
            .drop("sku");
    UserError e =
        assertThrows(
            UserError.class,
            () -> EventMapping.apply(source, SourceMapping.load("generator"), false));
    assertTrue(e.getMessage().contains("columns.product_id = sku"), e.getMessage());
    assertTrue(
        e.getMessage().contains("The source has the columns [event_id, event_time"),
        e.getMessage());
  }

  @Test
  void firstRowPerEventIdWinsWhateverThePartitioning(SparkSession spark) {
    Dataset<Row> source =
        new ExportRows()
            .purchase("dup", "2024-01-02 00:00:00", "c1", "late", "2.00")
            .purchase("dup", "2024-01-01 00:00:00", "c1", "early", "1.00")
            .purchase("dup", "2024-01-01 00:00:00", "c1", "early-b", "1.00")
            .purchase("solo", "2024-01-03 00:00:00", "c2", "o", "3.00")
            .frame(spark);
    // with identity stitching off, as ingest has them: no identifiers
    Dataset<Row> mapped =
        EventMapping.apply(source, SourceMapping.load("generator"), false)
            .withColumn(Events.IDENTIFIERS, Identifiers.none());
    // The earliest event_ts wins ("late" never does); "early" and "early-b" tie on it, and the hash
    // of
    // their contract columns picks "early-b", the same one on every partitioning.
    Dataset<Row> expected =
        spark.createDataFrame(
            List.of(RowFactory.create("dup", "early-b"), RowFactory.create("solo", "o")),
            new StructType()
                .add("event_id", DataTypes.StringType)
                .add("order_id", DataTypes.StringType));
    for (int partitions : new int[] {1, 3, 7}) {
      DataFrames.assertSameRows(
          expected,
          EventDeduplication.firstPerEventId(mapped.repartition(partitions))
              .select("event_id", "order_id"));
    }
  }
}

package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.config.SegpipeConfig.EventRules;
import io.segpipe.common.schema.Events;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Checks mapped rows against the event contract and adds {@code reasons}: every rule a row breaks,
 * in words a person can act on. A row with no reasons is valid.
 */
public final class EventValidation {
  public static final String REASONS = "reasons";

  private EventValidation() {}

  /**
   * @param cutoff events later than this are rejected as in the future (exclusive: an event exactly
   *     at the cut-off is rejected too, so "as-of-end" keeps events strictly before the next day)
   */
  public static Dataset<Row> validate(Dataset<Row> mapped, EventRules rules, Instant cutoff) {
    List<Column> checks = new ArrayList<>();
    for (StructField f : Events.MAPPED.fields()) {
      Column typed = col(f.name());
      Column source = col(EventMapping.SRC + f.name());
      if (!f.nullable()) {
        checks.add(when(source.isNull(), lit(f.name() + " is missing")));
      }
      checks.add(
          when(
              source.isNotNull().and(typed.isNull()),
              concat(
                  lit(f.name() + ": cannot read '"),
                  source.cast("string"),
                  lit("' as " + f.dataType().simpleString()))));
    }
    checks.add(
        when(
            col("channel")
                .isNotNull()
                .and(col("channel").isin(rules.channels().toArray()).unary_$bang()),
            concat(
                lit("channel '"),
                col("channel"),
                lit("' is not one of the configured channels " + rules.channels()))));
    checks.add(
        when(
            col("event_type")
                .isNotNull()
                .and(col("event_type").isin(rules.eventTypes().toArray()).unary_$bang()),
            concat(
                lit("event_type '"),
                col("event_type"),
                lit("' is not one of the configured event types " + rules.eventTypes()))));
    checks.add(
        negative(
            "amount", "amounts are >= 0 (a return has event_type return and a positive amount)"));
    checks.add(
        negative(
            "discount_amount",
            "discounts are >= 0 (what was taken off the price; amount is what was paid)"));
    checks.add(
        when(
            col("amount").isNull().and(col("event_type").isin("purchase", "return")),
            concat(lit("amount is missing on a "), col("event_type"), lit(" event"))));
    checks.add(
        when(
            col("rating").isNotNull().and(col("rating").between(1, 5).unary_$bang()),
            concat(lit("rating "), col("rating").cast("string"), lit(" is outside 1-5"))));
    checks.add(
        when(
            col("currency").isNotNull().and(col("currency").notEqual(rules.reportingCurrency())),
            concat(
                lit("currency '"),
                col("currency"),
                lit("' is not the reporting currency " + rules.reportingCurrency()))));
    checks.add(
        when(
            col("event_ts").geq(lit(Timestamp.from(cutoff))),
            concat(
                lit("event_ts "),
                col("event_ts").cast("string"),
                lit(" is not before the cut-off " + cutoff))));
    Column reasons =
        concat(array_compact(array(checks.toArray(Column[]::new))), col(EventMapping.RULE_REASONS));
    return mapped.withColumn(REASONS, reasons);
  }

  /** The reason a negative {@code column} gives: its value, then what is allowed. */
  private static Column negative(String column, String allowed) {
    return when(
        col(column).lt(0),
        concat(lit(column + " "), col(column).cast("string"), lit(" is negative; " + allowed)));
  }
}

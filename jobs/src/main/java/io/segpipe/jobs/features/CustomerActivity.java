package io.segpipe.jobs.features;

import io.segpipe.common.sql.SqlResource;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The behaviour features of one snapshot, before scoring: window_events.sql picks the events that
 * count, customer_activity.sql aggregates them per customer (with one order count and one net spend
 * column per configured channel, composed here).
 */
public record CustomerActivity(LocalDate asOf, int windowDays, List<String> channels) {
  /** Channel names become column names (orders_web, spend_web), so they must be plain identifiers. */
  public static final Pattern CHANNEL = Pattern.compile("[a-z][a-z0-9_]*");

  public CustomerActivity {
    channels = List.copyOf(channels);
    channels.stream().filter(c -> !CHANNEL.matcher(c).matches()).findFirst().ifPresent(c -> {
      throw new IllegalArgumentException("channel '" + c + "' is not a lower-case identifier");
    });
  }

  /** The first day of the window: windowDays days ending with the as-of date. */
  public LocalDate windowStart() {
    return asOf.minusDays(windowDays - 1L);
  }

  /** The events that count (view window_events.sql over {@code events}), lazily. */
  public Dataset<Row> windowEvents(Dataset<Row> events) {
    events.createOrReplaceTempView("events");
    return SqlResource.load("sql/features/window_events.sql")
        .with("window_start", windowStart())
        .with("as_of", asOf)
        .run(events.sparkSession());
  }

  /**
   * Per-customer features from {@code windowEvents} and the customers dimension ({@code customers},
   * with at least customer_id and signup_date).
   */
  public Dataset<Row> features(Dataset<Row> windowEvents, Dataset<Row> customers) {
    SparkSession spark = windowEvents.sparkSession();
    windowEvents.createOrReplaceTempView("window_events");
    customers.createOrReplaceTempView("known_customers");
    return SqlResource.load("sql/features/customer_activity.sql")
        .withFragment("channel_order_counts", perChannel(c -> "size(collect_set(CASE WHEN event_type = 'purchase'"
            + " AND channel = '" + c + "' THEN order_key END)) AS orders_" + c))
        .withFragment("channel_spend", perChannel(c -> "sum(CASE WHEN channel = '" + c + "' AND event_type = 'purchase'"
            + " THEN amount WHEN channel = '" + c + "' AND event_type = 'return' THEN -amount ELSE 0 END) AS spend_" + c))
        .withFragment("channel_columns", perChannel(c -> "CAST(coalesce(e.orders_" + c + ", 0) AS BIGINT) AS orders_" + c
            + ", CAST(coalesce(e.spend_" + c + ", 0) AS DECIMAL(18, 2)) AS spend_" + c))
        .with("as_of", asOf)
        .run(spark);
  }

  private String perChannel(Function<String, String> column) {
    return channels.stream().map(column).collect(Collectors.joining(",\n    "));
  }
}

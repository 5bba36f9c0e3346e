package io.segpipe.features;

import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.sql.SqlResource;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The behaviour features of one snapshot, before scoring: customer_activity.sql aggregates the rows
 * of customer_daily in the window per customer (with one order count and one net spend column per
 * configured channel, composed here). {@link #fromEvents} computes the same from raw events,
 * aggregating their window into daily rows on the way.
 */
public record CustomerActivity(
    LocalDate asOf,
    int windowDays,
    List<String> channels,
    List<String> socialChannels,
    Dayparts dayparts) {
  /**
   * Channel names become column names (orders_web, spend_web), so they must be plain identifiers.
   */
  public static final Pattern CHANNEL = Pattern.compile("[a-z][a-z0-9_]*");

  /** Without social channels (social_events is 0 for everyone), with the standard dayparts. */
  public CustomerActivity(LocalDate asOf, int windowDays, List<String> channels) {
    this(asOf, windowDays, channels, List.of(), Dayparts.standard());
  }

  public CustomerActivity {
    List<String> known = List.copyOf(channels);
    channels = known;
    socialChannels = List.copyOf(socialChannels);
    socialChannels.stream()
        .filter(c -> !known.contains(c))
        .findFirst()
        .ifPresent(
            c -> {
              throw new IllegalArgumentException("social channel '" + c + "' is not a channel");
            });
    channels.stream()
        .filter(c -> !CHANNEL.matcher(c).matches())
        .findFirst()
        .ifPresent(
            c -> {
              throw new IllegalArgumentException(
                  "channel '" + c + "' is not a lower-case identifier");
            });
  }

  /** The first day of the window: windowDays days ending with the as-of date. */
  public LocalDate windowStart() {
    return asOf.minusDays(windowDays - 1L);
  }

  /** The events that count (window_events.sql over {@code events}), lazily. */
  public Dataset<Row> windowEvents(Dataset<Row> events) {
    return SqlResource.load("sql/features/window_events.sql")
        .withView("events", events)
        .with("window_start", windowStart())
        .with("as_of", asOf)
        .run(events.sparkSession());
  }

  /** The rows of customer_daily (or of events: both have event_date) in the window, lazily. */
  public Dataset<Row> windowDaily(Dataset<Row> daily) {
    return daily.where(
        functions.col(CustomerDaily.DATE).between(Date.valueOf(windowStart()), Date.valueOf(asOf)));
  }

  /**
   * Per-customer features from {@code daily}, rows of customer_daily (only those in the window
   * count), and the customers dimension ({@code customers}, with at least customer_id and
   * signup_date).
   */
  public Dataset<Row> features(Dataset<Row> daily, Dataset<Row> customers) {
    return SqlResource.load("sql/features/customer_activity.sql")
        .withView("daily", daily)
        .withView("known_customers", customers)
        .withFragment(
            "channel_order_counts",
            perChannel(
                c ->
                    "size(array_distinct(flatten(collect_list("
                        + "CASE WHEN channel = '"
                        + c
                        + "' THEN order_keys END)))) AS orders_"
                        + c))
        .withFragment(
            "channel_spend",
            perChannel(
                c ->
                    "sum(CASE WHEN channel = '"
                        + c
                        + "' THEN purchased_amount - returned_amount ELSE 0 END) AS spend_"
                        + c))
        .withFragment(
            "channel_columns",
            perChannel(
                c ->
                    "CAST(coalesce(e.orders_"
                        + c
                        + ", 0) AS BIGINT) AS orders_"
                        + c
                        + ", CAST(coalesce(e.spend_"
                        + c
                        + ", 0) AS DECIMAL(18, 2)) AS spend_"
                        + c))
        .withFragment("social_channel", socialChannel())
        .withFragment("order_daypart", dayparts.partSql("local_started_at"))
        .withFragment("order_on_weekend", dayparts.weekendSql("local_started_at"))
        .withFragment("preferred_daypart", dayparts.preferredSql("daypart"))
        .withFragment("time_zone", dayparts.zoneLiteral())
        .with("window_start", windowStart())
        .with("as_of", asOf)
        .run(daily.sparkSession());
  }

  /**
   * A SQL condition on a daily row's channel: one of the social channels (their codes are plain
   * identifiers, checked above).
   */
  public String socialChannel() {
    return socialChannels.isEmpty()
        ? "false"
        : socialChannels.stream()
            .map(c -> "'" + c + "'")
            .collect(Collectors.joining(", ", "channel IN (", ")"));
  }

  /**
   * The same features from raw {@code events} (rows of the events contract): the window's dates
   * aggregated into daily rows first, as ingest aggregates them into customer_daily.
   */
  public Dataset<Row> fromEvents(Dataset<Row> events, Dataset<Row> customers) {
    return features(CustomerDaily.aggregate(windowDaily(events)), customers);
  }

  private String perChannel(Function<String, String> column) {
    return channels.stream().map(column).collect(Collectors.joining(",\n    "));
  }
}

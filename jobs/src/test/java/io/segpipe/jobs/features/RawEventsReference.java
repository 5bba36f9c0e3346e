package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.sql.SqlResource;
import io.segpipe.features.CustomerActivity;
import io.segpipe.features.FeaturesSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * The features computed the way segpipe did before customer_daily: one query straight over the
 * window's raw events (test resource sql/reference/customer_activity_from_events.sql, the query as
 * it was), scored by the same code. A snapshot computed from customer_daily must equal it in every
 * column of every row.
 */
final class RawEventsReference {
  private RawEventsReference() {}

  /**
   * The customer_features rows of {@code settings}' snapshot, from raw {@code events}, sorted by
   * customer.
   */
  static List<Row> snapshot(
      FeaturesSettings settings, Dataset<Row> events, Dataset<Row> customers) {
    CustomerActivity activity = settings.activity();
    Dataset<Row> windowEvents =
        activity.windowEvents(events).persist(StorageLevel.MEMORY_AND_DISK());
    windowEvents.count();
    Dataset<Row> features =
        SqlResource.load("sql/reference/customer_activity_from_events.sql")
            .withView("window_events", windowEvents)
            .withView("known_customers", customers)
            .withFragment(
                "channel_order_counts",
                perChannel(
                    settings,
                    c ->
                        "size(collect_set(CASE WHEN event_type ="
                            + " 'purchase' AND channel = '"
                            + c
                            + "' THEN order_key END)) AS orders_"
                            + c))
            .withFragment(
                "channel_spend",
                perChannel(
                    settings,
                    c ->
                        "sum(CASE WHEN channel = '"
                            + c
                            + "' AND event_type ="
                            + " 'purchase' THEN amount WHEN channel = '"
                            + c
                            + "' AND event_type = 'return' THEN -amount ELSE 0 END)"
                            + " AS spend_"
                            + c))
            .withFragment(
                "channel_columns",
                perChannel(
                    settings,
                    c ->
                        "CAST(coalesce(e.orders_"
                            + c
                            + ", 0) AS BIGINT)"
                            + " AS orders_"
                            + c
                            + ", CAST(coalesce(e.spend_"
                            + c
                            + ", 0) AS DECIMAL(18, 2)) AS spend_"
                            + c))
            .withFragment("social_channel", activity.socialChannel())
            .withFragment("order_daypart", activity.dayparts().partSql("local_started_at"))
            .withFragment("order_on_weekend", activity.dayparts().weekendSql("local_started_at"))
            .withFragment("preferred_daypart", activity.dayparts().preferredSql("daypart"))
            .withFragment("time_zone", activity.dayparts().zoneLiteral())
            .with("as_of", settings.asOf())
            .run(events.sparkSession());
    try (CustomerFeatures.Snapshot snapshot =
        new CustomerFeatures(settings).score(features, List.of(windowEvents))) {
      return sorted(snapshot.rows().collectAsList());
    }
  }

  static List<Row> sorted(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort(Comparator.comparing(r -> r.<String>getAs("customer_id")));
    return out;
  }

  /** Every row equal, column by column; a difference is reported with its customer and column. */
  static void assertSameRows(List<Row> reference, List<Row> fromDaily, String data) {
    assertTrue(
        reference.size() > 100,
        data + ": the reference has only " + reference.size() + " customers");
    assertEquals(reference.size(), fromDaily.size(), data + ": customers in the snapshot");
    String[] columns = reference.get(0).schema().fieldNames();
    assertEquals(
        List.of(columns), List.of(fromDaily.get(0).schema().fieldNames()), data + ": columns");
    List<String> differences = new ArrayList<>();
    for (int i = 0; i < reference.size(); i++) {
      Row expected = reference.get(i);
      Row actual = fromDaily.get(i);
      for (int c = 0; c < columns.length; c++) {
        if (!java.util.Objects.equals(expected.get(c), actual.get(c))) {
          differences.add(
              expected.getAs("customer_id")
                  + "."
                  + columns[c]
                  + ": raw "
                  + expected.get(c)
                  + ", daily "
                  + actual.get(c));
        }
      }
    }
    assertTrue(
        differences.isEmpty(),
        data
            + ": "
            + differences.size()
            + " values differ, e.g. "
            + differences.subList(0, Math.min(10, differences.size())));
    System.out.printf(
        "%s: computed from customer_daily, equal to the raw-events reference in all %d columns"
            + " of all %d customers%n",
        data, columns.length, reference.size());
  }

  private static String perChannel(FeaturesSettings settings, Function<String, String> column) {
    return settings.channels().stream().map(column).collect(Collectors.joining(",\n    "));
  }
}

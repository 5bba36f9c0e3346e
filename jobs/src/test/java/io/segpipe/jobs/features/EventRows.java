package io.segpipe.jobs.features;

import io.segpipe.common.schema.Events;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** Canonical event rows for tests: written inline, or generated from a seed. */
public final class EventRows {
  private final List<Row> rows = new ArrayList<>();
  private int next;

  public EventRows add(
      String ts,
      String customer,
      String channel,
      String type,
      String order,
      String category,
      String amount,
      Integer rating) {
    return add(ts, customer, channel, type, order, category, amount, rating, null);
  }

  /** An event with its discount_amount (null: the source does not say). */
  private EventRows add(
      String ts,
      String customer,
      String channel,
      String type,
      String order,
      String category,
      String amount,
      Integer rating,
      String discount) {
    Instant at = Instant.parse(ts);
    rows.add(
        RowFactory.create(
            "e" + (next++),
            Timestamp.from(at),
            customer,
            channel,
            type,
            order,
            "p1",
            category,
            1,
            amount == null ? null : new BigDecimal(amount),
            "GBP",
            null,
            rating,
            Date.valueOf(LocalDate.ofInstant(at, ZoneOffset.UTC)),
            discount == null ? null : new BigDecimal(discount),
            null));
    return this;
  }

  public EventRows purchase(
      String ts, String customer, String channel, String order, String amount) {
    return add(ts, customer, channel, "purchase", order, "books", amount, null);
  }

  /**
   * A purchase line whose price was reduced by {@code discount} ("0.00": bought at full price;
   * null: the source does not say); {@code amount} is what the customer paid.
   */
  public EventRows purchaseAtDiscount(
      String ts, String customer, String channel, String order, String amount, String discount) {
    return add(ts, customer, channel, "purchase", order, "books", amount, null, discount);
  }

  public EventRows returned(String ts, String customer, String channel, String amount) {
    return add(ts, customer, channel, "return", null, "books", amount, null);
  }

  public EventRows visit(String ts, String customer, String channel) {
    return add(ts, customer, channel, "visit", null, null, null, null);
  }

  List<Row> rows() {
    return rows;
  }

  public Dataset<Row> frame(SparkSession spark) {
    return spark.createDataFrame(rows, Events.SCHEMA);
  }

  /**
   * A small omnichannel history: {@code customers} customers over 2024 (on the 1st and 15th of each
   * month, few event_date partitions keep tests fast), orders of 1-3 lines, some returns, visits
   * and feedback; the same seed gives the same rows.
   */
  static EventRows generated(long seed, int customers) {
    Random random = new Random(seed);
    String[] channels = {"web", "app", "store", "social", "marketplace", "call_center"};
    String[] categories = {"books", "toys", "garden", "food", "fashion"};
    EventRows out = new EventRows();
    for (int c = 0; c < customers; c++) {
      String customer = "c" + String.format("%04d", c);
      int orders = random.nextInt(10) < 6 ? 1 : 1 + random.nextInt(6);
      for (int o = 0; o < orders; o++) {
        String ts = someTime(random);
        String channel = channels[random.nextInt(channels.length)];
        String order = customer + "-o" + o;
        int lines = 1 + random.nextInt(3);
        for (int l = 0; l < lines; l++) {
          String amount = BigDecimal.valueOf(100 + random.nextInt(20000), 2).toPlainString();
          out.add(
              ts,
              customer,
              channel,
              "purchase",
              order,
              categories[random.nextInt(categories.length)],
              amount,
              null);
          if (random.nextInt(10) == 0) {
            String later = Instant.parse(ts).plusSeconds(86400L * 14).toString();
            out.add(later, customer, channel, "return", null, null, amount, null);
          }
        }
        if (random.nextInt(4) == 0) {
          out.add(
              Instant.parse(ts).plusSeconds(3600).toString(),
              customer,
              channel,
              "feedback",
              null,
              null,
              null,
              1 + random.nextInt(5));
        }
      }
      for (int v = random.nextInt(4); v > 0; v--) {
        out.visit(someTime(random), customer, channels[random.nextInt(channels.length)]);
      }
    }
    out.visit("2024-06-01T10:00:00Z", null, "web");
    return out;
  }

  private static String someTime(Random random) {
    LocalDate day = LocalDate.of(2024, 1 + random.nextInt(12), random.nextBoolean() ? 1 : 15);
    return day.atStartOfDay(ZoneOffset.UTC)
        .toInstant()
        .plusSeconds(random.nextInt(86400))
        .toString();
  }
}

package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segpipe.common.schema.Events;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.features.EventRows;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * window_events.sql and customer_activity.sql on a hand-computed fixture; as-of date is the leap
 * day 2024-02-29.
 */
@ExtendWith(SharedSpark.class)
class CustomerActivityTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-02-29");
  private static Map<String, Row> byCustomer;
  private static Map<String, Row> inLondon;
  private static Map<String, Row> inShanghai;

  @BeforeAll
  static void compute(SparkSession spark) {
    EventRows events =
        new EventRows()
            // a: two orders (one of two lines), a partial return; later events must not count
            .purchase("2024-01-15T09:00:00Z", "a", "web", "o1", "10.00")
            .purchase("2024-01-15T09:00:00Z", "a", "web", "o1", "5.00")
            .purchase("2024-02-28T18:30:00Z", "a", "store", "o2", "20.00")
            .returned("2024-02-29T23:59:59Z", "a", "web", "5.00")
            .purchase("2024-03-01T00:00:00Z", "a", "web", "o3", "99.00")
            .purchase("2024-03-01T00:00:01Z", "a", "app", "o4", "99.00")
            // b: the only order, fully returned
            .purchase("2024-02-10T12:00:00Z", "b", "app", "o5", "50.00")
            .returned("2024-02-12T12:00:00Z", "b", "app", "50.00")
            // c: visits on two days, a purchase on the second, feedback, one purchase on the leap
            // day itself
            .visit("2024-02-01T10:00:00Z", "c", "web")
            .visit("2024-02-02T10:00:00Z", "c", "web")
            .purchase("2024-02-02T10:05:00Z", "c", "web", "o6", "7.50")
            .add("2024-02-03T10:00:00Z", "c", "web", "feedback", null, null, null, 4)
            .add("2024-02-04T10:00:00Z", "c", "app", "feedback", null, null, null, 5)
            .purchase("2024-02-29T23:59:59Z", "c", "app", "o7", "2.50")
            // d: first day of the 365-day window (2023-03-02) counts, the day before does not
            .purchase("2023-03-01T23:59:59Z", "d", "web", "o8", "1000.00")
            .purchase("2023-03-02T00:00:00Z", "d", "web", "o9", "30.00")
            .purchase("2023-03-02T08:00:00Z", "d", "web", "o10", "30.00")
            .purchase("2023-09-02T08:00:00Z", "d", "store", "o11", "30.00")
            // nobody's: anonymous events are not scored
            .purchase("2024-02-20T10:00:00Z", null, "web", "o12", "70.00")
            // f: only visits
            .visit("2024-02-20T10:00:00Z", "f", "social")
            // g: the path to purchase, coupons and engagement. Three views on the web and one in
            // the social channel, two cart adds, two orders, a coupon on o20 (and one naming an
            // order it never placed), a visit in the social channel, feedback with and without a
            // rating; a view and a coupon after the as-of date do not count.
            .add("2024-02-10T09:00:00Z", "g", "web", "view", null, "books", null, null)
            .add("2024-02-10T09:01:00Z", "g", "web", "view", null, "books", null, null)
            .add("2024-02-10T09:02:00Z", "g", "web", "view", null, "toys", null, null)
            .add("2024-02-10T09:03:00Z", "g", "web", "add_to_cart", null, "books", null, null)
            .purchase("2024-02-10T09:05:00Z", "g", "web", "o20", "8.00")
            .add("2024-02-10T09:05:00Z", "g", "web", "coupon_redeem", "o20", null, null, null)
            .add("2024-02-11T20:00:00Z", "g", "social", "visit", null, null, null, null)
            .add("2024-02-11T20:01:00Z", "g", "social", "view", null, "toys", null, null)
            .add("2024-02-12T23:30:00Z", "g", "app", "add_to_cart", null, "toys", null, null)
            .purchase("2024-02-12T23:40:00Z", "g", "app", "o21", "12.00")
            .add("2024-02-13T10:00:00Z", "g", "app", "coupon_redeem", "o98", null, null, null)
            .add("2024-02-14T10:00:00Z", "g", "app", "feedback", null, null, null, 3)
            .add("2024-02-15T10:00:00Z", "g", "web", "feedback", null, null, null, null)
            .add("2024-03-01T00:00:00Z", "g", "web", "view", null, "toys", null, null)
            .add("2024-03-01T00:00:01Z", "g", "app", "coupon_redeem", "o21", null, null, null)
            // h: when orders are placed, around midnight and both 2023 daylight-saving changes in
            // London (26 March 01:00 UTC, 29 October 01:00 UTC). o31's first line is late on a
            // Friday (UTC), its second after midnight in another channel.
            .purchase("2024-02-09T17:30:00Z", "h", "web", "o30", "1.00")
            .purchase("2024-02-09T23:59:59Z", "h", "web", "o31", "1.00")
            .purchase("2024-02-10T00:10:00Z", "h", "app", "o31", "1.00")
            .purchase("2023-03-26T00:30:00Z", "h", "web", "o32", "1.00")
            .purchase("2023-03-26T17:30:00Z", "h", "web", "o33", "1.00")
            .purchase("2023-10-28T23:30:00Z", "h", "web", "o34", "1.00")
            .purchase("2023-10-29T17:30:00Z", "h", "web", "o35", "1.00")
            // i: price sensitivity. o40's lines: 30.00 paid after 5.00 off, 10.00 at full price
            // (a discount of 0.00); o41's line of 60.00 does not say; a line bought at a discount
            // after the as-of date does not count.
            .purchaseAtDiscount("2024-02-05T10:00:00Z", "i", "web", "o40", "30.00", "5.00")
            .purchaseAtDiscount("2024-02-05T10:00:00Z", "i", "web", "o40", "10.00", "0.00")
            .purchaseAtDiscount("2024-02-06T10:00:00Z", "i", "app", "o41", "60.00", null)
            .purchaseAtDiscount("2024-03-01T00:00:00Z", "i", "web", "o42", "50.00", "10.00");
    Dataset<Row> customers =
        spark.createDataFrame(
            List.of(
                RowFactory.create("a", Date.valueOf("2023-01-01")),
                RowFactory.create("p", Date.valueOf("2024-02-29")),
                RowFactory.create("later", Date.valueOf("2024-03-01"))),
            new org.apache.spark.sql.types.StructType(
                new org.apache.spark.sql.types.StructField[] {
                  Events.CUSTOMERS.apply("customer_id"), Events.CUSTOMERS.apply("signup_date")
                }));
    CustomerActivity activity =
        new CustomerActivity(
            AS_OF,
            365,
            List.of("web", "app", "store", "social"),
            List.of("social"),
            Dayparts.standard());
    byCustomer = byCustomer(activity, events.frame(spark), customers);
    Dataset<Row> frame = events.frame(spark);
    inLondon =
        onClock(
            new Dayparts(
                ZoneId.of("Europe/London"),
                Dayparts.standard().parts(),
                Dayparts.standard().weekend()),
            frame,
            customers);
    // a night from 22:00 to 06:00 and a Friday-Saturday weekend, on Beijing time
    inShanghai =
        onClock(
            new Dayparts(
                ZoneId.of("Asia/Shanghai"),
                List.of(
                    new Dayparts.Part("morning", 6),
                    new Dayparts.Part("afternoon", 12),
                    new Dayparts.Part("evening", 17),
                    new Dayparts.Part("night", 22)),
                EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY)),
            frame,
            customers);
  }

  private static Map<String, Row> onClock(
      Dayparts dayparts, Dataset<Row> events, Dataset<Row> customers) {
    return byCustomer(
        new CustomerActivity(AS_OF, 365, List.of("web", "app", "store"), List.of(), dayparts),
        events,
        customers);
  }

  private static Map<String, Row> byCustomer(
      CustomerActivity activity, Dataset<Row> events, Dataset<Row> customers) {
    return activity.fromEvents(events, customers).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
  }

  private static <T> T value(String customer, String column) {
    return byCustomer.get(customer).getAs(column);
  }

  @Test
  void customersInWindowAndDimensionOnly() {
    assertEquals(
        List.of("a", "b", "c", "d", "f", "g", "h", "i", "p"),
        byCustomer.keySet().stream().sorted().toList());
  }

  @Test
  void recencyAcrossTheLeapDayAndEventsAfterTheAsOfDateIgnored() {
    assertEquals(1, (int) value("a", "recency_days"));
    assertEquals(0, (int) value("c", "recency_days"));
    assertEquals(2L, (long) value("a", "frequency"));
    assertEquals(new BigDecimal("30.00"), value("a", "monetary"));
    assertEquals(new BigDecimal("15.00"), value("a", "avg_order_value"));
    assertEquals(Date.valueOf("2024-01-15"), value("a", "first_purchase_date"));
    assertEquals(Date.valueOf("2024-02-28"), value("a", "last_purchase_date"));
    // 2024-01-15 to 2024-02-29: 16 days of January left + 29 days of February
    assertEquals(45, (int) value("a", "tenure_days"));
    assertEquals(44.0, (double) value("a", "mean_days_between_orders"));
    assertEquals(44.0, (double) value("a", "median_days_between_orders"));
    assertEquals(44, (int) value("a", "days_before_last_purchase"));
    assertEquals(5.0 / 35.0, (double) value("a", "return_rate"), 1e-12);
    assertEquals(2, (int) value("a", "channel_breadth"));
    assertEquals(4L, (long) value("a", "events_in_window"));
  }

  @Test
  void perChannelOrdersAndNetSpend() {
    assertEquals(1L, (long) value("a", "orders_web"));
    assertEquals(1L, (long) value("a", "orders_store"));
    assertEquals(0L, (long) value("a", "orders_app"));
    assertEquals(new BigDecimal("10.00"), value("a", "spend_web"));
    assertEquals(new BigDecimal("20.00"), value("a", "spend_store"));
    assertEquals(new BigDecimal("0.00"), value("a", "spend_app"));
  }

  @Test
  void onlyOrderFullyReturnedKeepsTheOrderWithMonetaryZero() {
    assertEquals(1L, (long) value("b", "frequency"));
    assertEquals(new BigDecimal("0.00"), value("b", "monetary"));
    assertEquals(new BigDecimal("0.00"), value("b", "avg_order_value"));
    assertEquals(1.0, (double) value("b", "return_rate"));
    assertEquals(19, (int) value("b", "recency_days"));
    assertNull(value("b", "mean_days_between_orders"));
    assertNull(value("b", "days_before_last_purchase"));
  }

  @Test
  void visitsWithoutPurchaseRatingsAndBreadth() {
    assertEquals(1L, (long) value("c", "visits_without_purchase"));
    assertEquals(4.5, (double) value("c", "avg_rating"));
    assertEquals(2, (int) value("c", "channel_breadth"));
    assertEquals(1, (int) value("c", "category_breadth"));
    assertEquals(27.0, (double) value("c", "mean_days_between_orders"));
    assertEquals(0L, (long) value("f", "frequency"));
    assertEquals(1L, (long) value("f", "visits_without_purchase"));
    assertNull(value("f", "recency_days"));
  }

  /**
   * g: 4 views and 2 cart adds for 2 orders, 1 of them with a coupon; 2 events in the social
   * channel, 2 feedbacks. c: orders without views or coupons; f: no order; p: nothing at all.
   */
  @Test
  void pathToPurchaseCouponsAndEngagement() {
    assertEquals(4L, (long) value("g", "views"));
    assertEquals(2L, (long) value("g", "cart_adds"));
    assertEquals(0.5, (double) value("g", "view_to_purchase"));
    assertEquals(1.0, (double) value("g", "cart_to_purchase"));
    assertEquals(0.5, (double) value("g", "coupon_order_share"));
    assertEquals(2L, (long) value("g", "social_events"));
    assertEquals(2L, (long) value("g", "feedbacks"));

    assertEquals(0L, (long) value("c", "views"));
    assertNull(value("c", "view_to_purchase"), "no view: no rate");
    assertNull(value("c", "cart_to_purchase"), "no cart add: no rate");
    assertEquals(0.0, (double) value("c", "coupon_order_share"));
    assertEquals(2L, (long) value("c", "feedbacks"));
    assertEquals(0L, (long) value("c", "social_events"));

    assertNull(value("f", "coupon_order_share"), "no order: no share");
    assertEquals(1L, (long) value("f", "social_events"));
    assertEquals(0L, (long) value("p", "views"));
    assertEquals(0L, (long) value("p", "feedbacks"));
    assertNull(value("p", "coupon_order_share"));
  }

  /**
   * i: of the 40.00 spent on lines whose discount is known, 30.00 was at a discount; the 60.00 line
   * that does not say counts in neither. Customers none of whose lines says (the source has no
   * discounts) or without a purchase have no share.
   */
  @Test
  void discountSpendShareOverTheLinesWhoseDiscountIsKnown() {
    assertEquals(0.75, (double) value("i", "discount_spend_share"));
    assertEquals(2L, (long) value("i", "frequency"));
    assertEquals(new BigDecimal("100.00"), value("i", "monetary"));
    for (String customer : List.of("a", "b", "c", "f", "g", "p")) {
      assertNull(value(customer, "discount_spend_share"), customer);
    }
  }

  @Test
  void windowStartsWindowDaysBeforeTheEndOfTheAsOfDate() {
    assertEquals(3L, (long) value("d", "frequency"));
    assertEquals(new BigDecimal("90.00"), value("d", "monetary"));
    assertEquals(Date.valueOf("2023-03-02"), value("d", "first_purchase_date"));
    assertEquals(364, (int) value("d", "tenure_days"));
    // gaps 0 and 184 days: mean 92, median 92
    assertEquals(92.0, (double) value("d", "mean_days_between_orders"));
    assertEquals(92.0, (double) value("d", "median_days_between_orders"));
    assertEquals(184, (int) value("d", "days_before_last_purchase"));
  }

  @Test
  void prospectFromTheCustomersTableSignedUpByTheAsOfDate() {
    assertEquals(0L, (long) value("p", "frequency"));
    assertEquals(new BigDecimal("0.00"), value("p", "monetary"));
    assertNull(value("p", "avg_order_value"));
    assertNull(value("p", "recency_days"));
    assertEquals(0L, (long) value("p", "events_in_window"));
    assertFalse(byCustomer.containsKey("later"));
  }

  /**
   * h's six orders on three clocks. UTC: 17:30 Fri, 23:59 Fri (o31, dated by its first line), 00:30
   * Sun, 17:30 Sun, 23:30 Sat, 17:30 Sun. London: o32 is 00:30 GMT (before the change to BST at
   * 01:00 UTC), o33 18:30 BST, o34 00:30 BST on Sunday 29 October (the change back is at 01:00
   * UTC), o35 17:30 GMT. Shanghai (UTC+8): 01:30 Sat, 07:59 Sat, 08:30 Sun, 01:30 Mon, 07:30 Sun,
   * 01:30 Mon.
   */
  @Test
  void daypartsAndWeekendsOnTheConfiguredClock() {
    // UTC: afternoon 3, evening 2, night 1; weekend o32-o35
    assertEquals(2.0 / 6, (double) value("h", "evening_order_share"), 1e-15);
    assertEquals(4.0 / 6, (double) value("h", "weekend_order_share"), 1e-15);
    assertEquals("afternoon", value("h", "preferred_daypart"));
    // London: night 2 (o32, o34), afternoon 2 (o30, o35), evening 2 (o31, o33): the tie goes to
    // the earliest daypart
    Row london = inLondon.get("h");
    assertEquals(2.0 / 6, (double) london.getAs("evening_order_share"), 1e-15);
    assertEquals(4.0 / 6, (double) london.getAs("weekend_order_share"), 1e-15);
    assertEquals("night", london.getAs("preferred_daypart"));
    // Shanghai with a night from 22:00: morning 3 (o31, o32, o34), night 3 (01:30 is before the
    // first start, so the last daypart's); no evening; Friday-Saturday weekend: o30 and o31 only
    Row shanghai = inShanghai.get("h");
    assertEquals(0.0, (double) shanghai.getAs("evening_order_share"));
    assertEquals(2.0 / 6, (double) shanghai.getAs("weekend_order_share"), 1e-15);
    assertEquals("morning", shanghai.getAs("preferred_daypart"));
    assertEquals(6L, (long) shanghai.getAs("frequency"));

    // no order: no shares, no daypart
    for (String customer : List.of("f", "p")) {
      assertNull(value(customer, "evening_order_share"), customer);
      assertNull(value(customer, "weekend_order_share"), customer);
      assertNull(value(customer, "preferred_daypart"), customer);
    }
    // c's orders at 10:05 Fri and 23:59:59 Thu (UTC)
    assertEquals(0.5, (double) value("c", "evening_order_share"));
    assertEquals(0.0, (double) value("c", "weekend_order_share"));
    assertEquals("morning", value("c", "preferred_daypart"));
  }
}

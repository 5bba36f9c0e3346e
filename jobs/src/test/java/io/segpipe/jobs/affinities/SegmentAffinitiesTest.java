package io.segpipe.jobs.affinities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import io.segpipe.features.CustomerActivity;
import io.segpipe.jobs.affinities.AffinitySettings.ItemLevel;
import io.segpipe.jobs.features.EventRows;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rules and next-best items on baskets whose support, confidence and lift are counted by hand.
 *
 * <p>Segment s1, ten orders: {a,b} four times, {a}, {b}, {c} four times. P(a) = P(b) = 0.5, P(ab) =
 * 0.4: a -> b and b -> a have support 0.4, confidence 0.8, lift 0.4 / 0.25 = 1.6; c occurs with
 * nothing. Segment s2, ten orders: {a,b}, {a} four times, {b} four times, {c}: P(ab) = 0.1, lift
 * 0.4, under the minimum 1.2: no rule.
 */
@ExtendWith(SharedSpark.class)
class SegmentAffinitiesTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-06-30");
  private static final StructType MEMBERS =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("segment", DataTypes.StringType);

  private static SparkSession spark;
  private static Dataset<Row> events;
  private static Dataset<Row> members;

  @BeforeAll
  static void fixture(SparkSession session) {
    spark = session;
    EventRows rows = new EventRows();
    int order = 0;
    // s1: customers x (bought a only), y (a and b), z (b only), u (c only), spread over orders.
    order = orders(rows, order, "y", 4, "a", "b");
    order = orders(rows, order, "x", 1, "a");
    order = orders(rows, order, "z", 1, "b");
    order = orders(rows, order, "u", 4, "c");
    // s2: w bought a and b once, a four times; v b four times, c once.
    order = orders(rows, order, "w", 1, "a", "b");
    order = orders(rows, order, "w", 4, "a");
    order = orders(rows, order, "v", 4, "b");
    orders(rows, order, "v", 1, "c");
    // Outside the window (a year before) and anonymous: not baskets.
    rows.add("2023-06-30T10:00:00Z", "x", "web", "purchase", "old", "b", "5.00", null);
    rows.add("2024-06-01T10:00:00Z", null, "web", "purchase", "anon", "b", "5.00", null);
    // After the as-of date: not a basket either.
    rows.add("2024-07-01T00:00:00Z", "x", "web", "purchase", "late", "b", "5.00", null);
    events = rows.frame(spark);
    members =
        spark.createDataFrame(
            List.of(
                RowFactory.create("x", "s1"),
                RowFactory.create("y", "s1"),
                RowFactory.create("z", "s1"),
                RowFactory.create("u", "s1"),
                RowFactory.create("w", "s2"),
                RowFactory.create("v", "s2"),
                RowFactory.create("p", null)),
            MEMBERS);
  }

  /** {@code count} orders of {@code customer}, each a line per item, in June 2024. */
  private static int orders(
      EventRows rows, int first, String customer, int count, String... items) {
    int order = first;
    for (int i = 0; i < count; i++, order++) {
      for (String item : items) {
        rows.add(
            "2024-06-" + String.format("%02d", 1 + order % 28) + "T12:00:00Z",
            customer,
            "web",
            "purchase",
            "o" + order,
            item,
            "10.00",
            null);
      }
    }
    return order;
  }

  private static SegmentAffinities affinities(double minLift) {
    return affinities(minLift, 1);
  }

  private static SegmentAffinities affinities(double minLift, int minRuleBaskets) {
    return new SegmentAffinities(
        new AffinitySettings(
            AS_OF,
            true,
            "rfm_segment",
            ItemLevel.CATEGORY,
            0.05,
            0.0,
            minLift,
            0.0,
            minRuleBaskets,
            20,
            new CustomerActivity(AS_OF, 365, List.of("web"))));
  }

  @Test
  void basketsAreTheWindowsOrdersOfKnownCustomersAsSortedItemSets() {
    Dataset<Row> baskets = affinities(1.2).baskets(events);
    assertEquals(20, baskets.count());
    Map<String, Long> bySet = new TreeMap<>();
    for (Row r : baskets.groupBy("items").count().collectAsList()) {
      bySet.put(r.getList(0).toString(), r.getLong(1));
    }
    assertEquals(new TreeMap<>(Map.of("[a, b]", 5L, "[a]", 5L, "[b]", 5L, "[c]", 5L)), bySet);
  }

  @Test
  void rulesHaveTheHandCountedMeasuresAndOnlyReachingTheMinimumLift() {
    SegmentAffinities a = affinities(1.2);
    List<Row> rules =
        a.rules(a.baskets(events), members).orderBy("segment", "rule_rank").collectAsList();
    assertEquals(2, rules.size(), rules.toString());
    List<String> seen = new ArrayList<>();
    for (Row r : rules) {
      assertEquals("rfm_segment", r.getAs("segmentation"));
      assertEquals("s1", r.getAs("segment"));
      assertEquals("category", r.getAs("item_level"));
      assertEquals(10L, (long) r.getAs("baskets"));
      assertEquals(4L, (long) r.getAs("rule_baskets"));
      assertEquals(0.4, r.<Double>getAs("support"), 1e-12);
      assertEquals(0.8, r.<Double>getAs("confidence"), 1e-12);
      assertEquals(1.6, r.<Double>getAs("lift"), 1e-12);
      seen.add(
          r.getAs("rule_rank")
              + ":"
              + r.getList(r.fieldIndex("antecedent"))
              + "->"
              + r.getAs("consequent"));
    }
    // Equal measures: the antecedent orders them.
    assertEquals(List.of("1:[a]->b", "2:[b]->a"), seen);

    // a -> b is held by 4 baskets: not by the 5 min-rule-baskets asks for; and no segment has 11.
    assertEquals(0, affinities(1.2, 5).rules(a.baskets(events), members).count());
    assertEquals(0, affinities(0, 11).rules(a.baskets(events), members).count());

    // Without a minimum lift s2's weak rules appear too, with lift 0.1 / 0.25 = 0.4.
    List<Row> all =
        affinities(0).rules(a.baskets(events), members).where("segment = 's2'").collectAsList();
    assertTrue(
        all.stream().anyMatch(r -> Math.abs(r.<Double>getAs("lift") - 0.4) < 1e-12),
        all.toString());
  }

  @Test
  void nextBestIsTheStrongestRuleBoughtIntoButNotOut() {
    SegmentAffinities a = affinities(1.2);
    Dataset<Row> baskets = a.baskets(events);
    Dataset<Row> rules = a.rules(baskets, members);
    Map<String, String> next = new TreeMap<>();
    for (Row r : a.nextBest(baskets, members, rules).collectAsList()) {
      next.put(r.getAs("customer_id"), r.getAs("next_best_item") + "@" + r.getAs("rule_rank"));
      assertEquals(AS_OF.toString(), r.getAs("as_of_date").toString());
    }
    // x bought a: b by rule 1; z bought b: a by rule 2; y has both, u only c, s2 has no rules.
    assertEquals(Map.of("x", "b@1", "z", "a@2"), next);
  }

  @Test
  void theSameRulesOnOneThreeAndSevenPartitions() {
    SegmentAffinities a = affinities(0);
    List<Row> expected = null;
    for (int partitions : new int[] {1, 3, 7}) {
      Dataset<Row> baskets = a.baskets(events.repartition(partitions));
      Dataset<Row> found =
          a.rules(baskets.repartition(partitions), members.repartition(partitions));
      List<Row> rules = found.orderBy("segment", "rule_rank").collectAsList();
      List<Row> nextBest =
          a.nextBest(baskets.repartition(partitions), members, found)
              .orderBy("customer_id")
              .collectAsList();
      List<Row> both = new ArrayList<>(rules);
      both.addAll(nextBest);
      if (expected == null) {
        expected = both;
        assertTrue(rules.size() > 2, rules.toString());
      } else {
        assertEquals(expected.toString(), both.toString(), partitions + " partitions");
      }
    }
  }
}

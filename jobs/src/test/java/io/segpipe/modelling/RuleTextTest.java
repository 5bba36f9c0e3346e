package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segpipe.common.i18n.Messages;
import io.segpipe.modelling.ClusterRule.Condition;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A rule's conditions as text per locale, as SQL, and back from SQL (no Spark needed). The British
 * English texts are what segpipe wrote as rule_text before rules kept their conditions.
 */
class RuleTextTest {
  private static final Messages EN = Messages.builtIn("en-GB");
  private static final Messages ZH = Messages.builtIn("zh-CN");

  private static final List<Condition> RECENT_AND_FREQUENT =
      List.of(
          new Condition("recency_days", null, 30.5, true),
          new Condition("frequency", 3.5, null, true));
  private static final List<Condition> BOTH_SIDES_AND_DECIMALS =
      List.of(
          new Condition("frequency", 3.5, 6.5, true),
          new Condition("monetary", 250.125, null, false),
          new Condition("avg_order_value", null, 42.0, false));

  /** A rule and its text in each locale. */
  private record Case(
      List<Condition> conditions, int cluster, String code, String english, String chinese) {}

  private static final List<Case> CASES =
      List.of(
          new Case(
              RECENT_AND_FREQUENT,
              2,
              "high_value-frequent-recent",
              "recency_days ≤ 30 and frequency ≥ 4 → cluster 2, high value, frequent, recent",
              "最近购买天数 ≤ 30 且 订单数 ≥ 4 → 第 2 类，高消费、高频、近期活跃"),
          new Case(
              BOTH_SIDES_AND_DECIMALS,
              0,
              "typical",
              "frequency ≥ 4 and ≤ 6 and monetary > 250.13 and avg_order_value ≤ 42 → cluster 0, typical",
              "订单数 ≥ 4 且 ≤ 6 且 消费金额 > 250.13 且 客单价 ≤ 42 → 第 0 类，普通"),
          new Case(
              List.of(),
              1,
              "lapsed-rare_orders-cluster_1",
              "every customer → cluster 1, lapsed, rare orders (cluster 1)",
              "所有客户 → 第 1 类，久未购买、低频（第 1 类）"),
          new Case(
              List.of(new Condition("orders_store", null, 2.5, true)),
              3,
              "high_orders_store",
              "orders_store ≤ 2 → cluster 3, high orders_store",
              "门店订单数 ≤ 2 → 第 3 类，门店订单数高"),
          new Case(
              List.of(),
              5,
              ClusterLabels.unnamed(5),
              "every customer → cluster 5, cluster 5",
              "所有客户 → 第 5 类，第 5 类"));

  /**
   * British English reads as rule_text did before rules kept their conditions; Chinese names
   * features and clusters.
   */
  @Test
  void rulesReadInEachLocale() {
    for (Case c : CASES) {
      assertEquals(c.english(), TreeRules.text(EN, c.conditions(), c.cluster(), c.code()));
      assertEquals(c.chinese(), TreeRules.text(ZH, c.conditions(), c.cluster(), c.code()));
    }
    assertEquals("最近购买天数 ≤ 30 且 订单数 ≥ 4", TreeRules.conditionsText(ZH, RECENT_AND_FREQUENT));
  }

  @Test
  void conditionsAreTheirSqlPredicate() {
    String sql =
        "coalesce(frequency, 0) > 3.5 AND coalesce(frequency, 0) <= 6.5 AND coalesce(monetary, 0) > 250.125"
            + " AND coalesce(avg_order_value, 0) <= 42";
    assertEquals(sql, TreeRules.predicate(BOTH_SIDES_AND_DECIMALS));
    assertEquals("TRUE", TreeRules.predicate(List.of()));
  }

  /** Rules saved before their conditions: the conditions read back from the predicate we wrote. */
  @Test
  void oldPredicatesReadBackAsTheirConditions() {
    assertEquals(
        Optional.of(BOTH_SIDES_AND_DECIMALS),
        TreeRules.conditions(
            TreeRules.predicate(BOTH_SIDES_AND_DECIMALS), Set.of("frequency", "recency_days")));
    assertEquals(
        Optional.of(RECENT_AND_FREQUENT),
        TreeRules.conditions(
            "coalesce(recency_days, 0) <= 30.5 AND coalesce(frequency, 0) > 3.5",
            Set.of("frequency", "recency_days")));
    assertEquals(Optional.of(List.of()), TreeRules.conditions("TRUE", Set.of()));
    assertEquals(
        Optional.of(List.of(new Condition("return_rate", -0.25, 0.00001, false))),
        TreeRules.conditions(
            "coalesce(return_rate, 0) > -0.25 AND coalesce(return_rate, 0) <= 0.00001", Set.of()));
    // not what TreeRules writes: left to the stored text
    assertEquals(Optional.empty(), TreeRules.conditions("frequency > 3", Set.of()));
    assertEquals(Optional.empty(), TreeRules.conditions("coalesce(frequency, 0) > 3.50", Set.of()));
    assertEquals(
        Optional.empty(), TreeRules.conditions("coalesce(frequency, 0) > 3 OR TRUE", Set.of()));
    assertEquals(
        Optional.empty(),
        TreeRules.conditions(
            "coalesce(frequency, 0) > 3 AND coalesce(frequency, 0) > 4", Set.of()));
  }
}

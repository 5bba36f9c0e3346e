package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.tables.Tables;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The needs segment map is checked before Spark starts: every customer in exactly one segment. */
class NeedsSegmentMapTest {
  private static final String KEY = NeedsSegmentMap.KEY + ".segments";

  private static NeedsSegmentMap load(Map<String, String> overrides) {
    return SegpipeConfig.load(Optional.empty(), overrides)
        .section(r -> NeedsSegmentMap.read(r, NeedsSegmentMap.KEY));
  }

  private static NeedsSegmentMap load(String segments) {
    return load(Map.of(KEY, segments));
  }

  private static String problem(String segments) {
    return assertThrows(ConfigError.class, () -> load(segments)).getMessage();
  }

  /** Feature values of one customer; null values stand for null columns. */
  private static Map<String, Double> customer(Object... featureThenValue) {
    Map<String, Double> values = new HashMap<>();
    for (int i = 0; i < featureThenValue.length; i += 2) {
      Number value = (Number) featureThenValue[i + 1];
      values.put((String) featureThenValue[i], value == null ? null : value.doubleValue());
    }
    return values;
  }

  /** Buyers by coupon share and basket size, on columns the contract has. */
  private static final String BUYERS =
      "[{ code = coupons, when { frequency { from = 1 }, coupon_order_share { from = 0.5 } } },"
          + " { code = big, when { frequency { from = 1 },"
          + " coupon_order_share { below = 0.5, missing = true }, avg_order_value { from = 60 } } },"
          + " { code = rest, when { frequency { below = 1 } } },"
          + " { code = small, when { frequency { from = 1 },"
          + " coupon_order_share { below = 0.5, missing = true },"
          + " avg_order_value { below = 60, missing = true } } }]";

  @Test
  void defaultMapHasSixSegmentsAndTheirLabels() {
    NeedsSegmentMap map = load(Map.of());
    assertTrue(map.enabled());
    List<String> codes =
        List.of(
            "inactive",
            "browsers",
            "price_sensitive",
            "quality_focused",
            "evening_shoppers",
            "everyday");
    assertEquals(codes, map.codes());
    assertEquals(
        List.of(
            "frequency", "avg_order_value", "views", "coupon_order_share", "evening_order_share"),
        map.features());
    assertEquals(
        "inactive", map.segmentOf(customer("frequency", 0, "views", 2, "avg_order_value", null)));
    assertEquals("inactive", map.segmentOf(customer("frequency", 0, "views", null)));
    assertEquals("browsers", map.segmentOf(customer("frequency", 0, "views", 3)));
    assertEquals(
        "price_sensitive",
        map.segmentOf(
            customer(
                "frequency",
                4,
                "coupon_order_share",
                0.5,
                "avg_order_value",
                200,
                "evening_order_share",
                1)));
    assertEquals(
        "quality_focused",
        map.segmentOf(
            customer("frequency", 1, "coupon_order_share", null, "avg_order_value", 60.0)));
    assertEquals(
        "evening_shoppers",
        map.segmentOf(
            customer(
                "frequency",
                2,
                "coupon_order_share",
                0.49,
                "avg_order_value",
                59.99,
                "evening_order_share",
                0.5)));
    assertEquals(
        "everyday",
        map.segmentOf(
            customer(
                "frequency",
                2,
                "coupon_order_share",
                0.0,
                "avg_order_value",
                null,
                "evening_order_share",
                null)));
    assertEquals(
        "everyday",
        map.segmentOf(customer("frequency", 3, "avg_order_value", 10, "evening_order_share", 0.2)));
    for (String locale : List.of("en-GB", "zh-CN")) {
      Messages messages = Messages.builtIn(locale);
      codes.forEach(c -> assertTrue(!messages.label("needs_segment", c).isBlank(), c));
      assertEquals(Set.copyOf(codes), messages.codes("needs_segment"), locale);
    }
    assertEquals(
        "Evening shoppers", Messages.builtIn("en-GB").label("needs_segment", "evening_shoppers"));
    assertEquals("价格敏感型", Messages.builtIn("zh-CN").label("needs_segment", "price_sensitive"));
  }

  @Test
  void theFirstMatchingConditionsDecideAndNullsNeedMissing() {
    NeedsSegmentMap map = load(BUYERS);
    assertEquals(List.of("frequency", "avg_order_value", "coupon_order_share"), map.features());
    assertEquals("rest", map.segmentOf(customer("frequency", 0)));
    assertEquals("rest", map.segmentOf(customer("frequency", 0.5, "coupon_order_share", 0.9)));
    assertEquals("coupons", map.segmentOf(customer("frequency", 1, "coupon_order_share", 0.5)));
    assertEquals("big", map.segmentOf(customer("frequency", 1, "avg_order_value", 60)));
    assertEquals(
        "small",
        map.segmentOf(customer("frequency", 7, "coupon_order_share", 0.49, "avg_order_value", 59)));
    assertEquals("small", map.segmentOf(customer("frequency", 7)));
    // frequency is never null in customer_features; a null refuses every condition that names it
    assertNull(map.segmentOf(customer("coupon_order_share", 0.1)));
    // as Spark orders doubles: NaN is above every number, -0.0 is 0.0
    assertEquals(
        "coupons", map.segmentOf(customer("frequency", 1, "coupon_order_share", Double.NaN)));
    NeedsSegmentMap zero =
        load(
            "[{ code = neg, when { return_rate { below = 0, missing = true } } },"
                + " { code = pos, when { return_rate { from = 0 } } }]");
    assertEquals("pos", zero.segmentOf(customer("return_rate", -0.0)));
    assertEquals("neg", zero.segmentOf(customer("return_rate", -0.01)));
    assertEquals("neg", zero.segmentOf(customer()));
  }

  @Test
  void gapsAndOverlapsAreNamedWithExamples() {
    // big without missing: a buyer with coupon_order_share null and avg_order_value >= 60 is in no
    // segment; coupons from 0.4: shares from 0.4 below 0.5 are in coupons and big or small
    String m =
        problem(
            BUYERS
                .replace(
                    "coupon_order_share { below = 0.5, missing = true }, avg_order_value { from = 60 }",
                    "coupon_order_share { below = 0.5 }, avg_order_value { from = 60 }")
                .replace("coupon_order_share { from = 0.5 }", "coupon_order_share { from = 0.4 }"));
    assertTrue(m.contains(KEY), m);
    assertTrue(m.contains("of the 24 cell(s)"), m);
    assertTrue(
        m.contains(
            "1 cell(s) in no segment: [frequency >= 1, avg_order_value >= 60, coupon_order_share"
                + " null]"),
        m);
    assertTrue(
        m.contains(
            "3 cell(s) in more than one segment: [frequency >= 1, avg_order_value < 60, 0.4 <="
                + " coupon_order_share < 0.5] (coupons, small), [frequency >= 1, avg_order_value >="
                + " 60, 0.4 <= coupon_order_share < 0.5] (coupons, big), [frequency >= 1,"
                + " avg_order_value null, 0.4 <= coupon_order_share < 0.5] (coupons, small)"),
        m);
    // two segments taking everyone overlap every cell; examples stop at 10
    m =
        problem(
            BUYERS.replace(
                "{ code = rest, when { frequency { below = 1 } } }",
                "{ code = rest }, { code = all }"));
    assertTrue(m.contains("18 cell(s) in more than one segment"), m);
    assertTrue(
        m.contains("[frequency < 1, avg_order_value < 60, coupon_order_share < 0.5] (rest, all)")
            && m.contains("coupon_order_share < 0.5] (rest, all, small)")
            && m.contains(" and 8 more"),
        m);
    assertTrue(!m.contains("in no segment"), m);
  }

  @Test
  void cellsAreValuesTheColumnCanTake() {
    // frequency is a whole number: 0.5 and 1 leave no value between them, so no buyer is missed
    NeedsSegmentMap whole =
        load(
            "[{ code = none, when { frequency { below = 0.5 } } },"
                + " { code = some, when { frequency { from = 1 } } }]");
    assertEquals("none", whole.segmentOf(customer("frequency", 0)));
    // avg_order_value is DECIMAL(18, 2): 59.999 and 60 hold no value of it
    NeedsSegmentMap cents =
        load(
            "[{ code = low, when { avg_order_value { below = 59.999, missing = true } } },"
                + " { code = high, when { avg_order_value { from = 60 } } }]");
    assertEquals("high", cents.segmentOf(customer("avg_order_value", 60)));
    // return_rate is a DOUBLE: 0.5 to 0.6 is a gap
    String m =
        problem(
            "[{ code = low, when { return_rate { below = 0.5, missing = true } } },"
                + " { code = high, when { return_rate { from = 0.6 } } }]");
    assertTrue(m.contains("1 cell(s) in no segment: [0.5 <= return_rate < 0.6]"), m);
    // views (bigint, nullable) below 0: negative values are checked too
    m =
        problem(
            "[{ code = none, when { views { from = 0, below = 1, missing = true } } },"
                + " { code = some, when { views { from = 1 } } }]");
    assertTrue(m.contains("1 cell(s) in no segment: [views < 0]"), m);
  }

  @Test
  void badFeaturesConditionsAndCodesAreReportedWithTheirEntry() {
    String m =
        problem(
            "[{ code = a, when { frequncy { from = 1 } } },"
                + " { code = b, when { rfm_segment { from = 1 } } },"
                + " { code = c, when { frequency { from = 2, below = 2 } } },"
                + " { code = d, when { frequency {} } },"
                + " { code = e, when { frequency = 1 } },"
                + " { code = f, when { frequency { form = 1 } } },"
                + " { code = \"Bad Code\" },"
                + " { code = g, when { views { from = x } } },"
                + " { code = h, whn { views { from = 1 } } },"
                + " { code = i, when { views = null } }]");
    assertTrue(
        m.contains(KEY + "[0]: when.frequncy")
            && m.contains("'frequncy' is not a customer_features column; choose from")
            && m.contains("frequency, monetary, avg_order_value"),
        m);
    assertTrue(
        m.contains(KEY + "[1]: when.rfm_segment")
            && m.contains("'rfm_segment' is a string column of customer_features"),
        m);
    assertTrue(
        m.contains(KEY + "[2]: when.frequency")
            && m.contains("from 2 must be less than below 2 (from is inclusive, below exclusive)"),
        m);
    assertTrue(m.contains(KEY + "[3]: when.frequency") && m.contains("states no bound"), m);
    assertTrue(m.contains(KEY + "[4]: when.frequency") && m.contains("expected a condition"), m);
    assertTrue(m.contains(KEY + "[5]: when.frequency.form") && m.contains("unknown key"), m);
    assertTrue(
        m.contains(KEY + "[6]: code")
            && m.contains("'Bad Code' is not a code")
            && m.contains("label.needs_segment.<code>"),
        m);
    assertTrue(m.contains(KEY + "[7]: when.views.from") && m.contains("expected a number"), m);
    assertTrue(m.contains(KEY + "[8]: whn") && m.contains("unknown key"), m);
    assertTrue(m.contains(KEY + "[9]: when.views: expected a condition"), m);
    // orders_<channel> columns are features for the configured channels
    assertTrue(m.contains("orders_web, orders_app"), m);

    m =
        problem(
            "[{ code = a, when { frequency { below = 1 } } },"
                + " { code = a, when { frequency { from = 1 } } }]");
    assertTrue(m.contains(KEY) && m.contains("repeated: a"), m);
    m = problem("[]");
    assertTrue(m.contains(KEY) && m.contains("at least one segment"), m);
    m = problem("nonsense");
    assertTrue(m.contains(KEY) && m.contains("expected a list of segments"), m);
    String disabled =
        assertThrows(
                ConfigError.class, () -> load(Map.of(NeedsSegmentMap.KEY + ".enabled", "maybe")))
            .getMessage();
    assertTrue(disabled.contains(NeedsSegmentMap.KEY + ".enabled"), disabled);
  }

  @Test
  void tooManyCellsAreRefusedBeforeTheyAreEnumerated() {
    List<String> doubles =
        List.of(
            "return_rate",
            "avg_rating",
            "view_to_purchase",
            "cart_to_purchase",
            "coupon_order_share",
            "mean_days_between_orders");
    StringBuilder segments = new StringBuilder("[");
    for (String feature : doubles) {
      for (int k = 0; k < 10; k++) {
        segments.append(
            String.format(
                "{ code = %s_%d, when { %s { from = %d, below = %d } } },",
                feature, k, feature, k, k + 1));
      }
    }
    String m = problem(segments.append("]").toString());
    assertTrue(m.contains("more than 1000000 combinations, too many to check"), m);
  }

  @Test
  void missingAloneAcceptsAnythingAndASegmentMayNameNothing() {
    NeedsSegmentMap all = load("[{ code = everyone, when { views { missing = true } } }]");
    assertEquals("everyone", all.segmentOf(customer()));
    assertEquals("CASE WHEN TRUE THEN 'everyone' END", all.sqlExpression());
    NeedsSegmentMap off =
        load(Map.of(NeedsSegmentMap.KEY + ".enabled", "false", KEY, "[{ code = everyone }]"));
    assertTrue(!off.enabled());
    assertEquals(List.of(), off.features());
  }

  @Test
  void theSqlExpressionComparesAsDoublesWithExplicitNulls() {
    NeedsSegmentMap map = load(BUYERS);
    assertEquals(
        "CASE"
            + " WHEN CAST(`frequency` AS DOUBLE) >= 1 AND CAST(`coupon_order_share` AS DOUBLE) >= 0.5"
            + " THEN 'coupons'"
            + " WHEN CAST(`frequency` AS DOUBLE) >= 1 AND CAST(`avg_order_value` AS DOUBLE) >= 60"
            + " AND (`coupon_order_share` IS NULL OR CAST(`coupon_order_share` AS DOUBLE) < 0.5)"
            + " THEN 'big'"
            + " WHEN CAST(`frequency` AS DOUBLE) < 1 THEN 'rest'"
            + " WHEN CAST(`frequency` AS DOUBLE) >= 1"
            + " AND (`avg_order_value` IS NULL OR CAST(`avg_order_value` AS DOUBLE) < 60)"
            + " AND (`coupon_order_share` IS NULL OR CAST(`coupon_order_share` AS DOUBLE) < 0.5)"
            + " THEN 'small'"
            + " END",
        map.sqlExpression());
    NeedsSegmentMap both =
        load(
            "[{ code = mid, when { return_rate { from = 0.1, below = 0.25, missing = true } } },"
                + " { code = low, when { return_rate { below = 0.1 } } },"
                + " { code = high, when { return_rate { from = 0.25 } } }]");
    assertEquals(
        "CASE WHEN (f.`return_rate` IS NULL OR (CAST(f.`return_rate` AS DOUBLE) >= 0.1"
            + " AND CAST(f.`return_rate` AS DOUBLE) < 0.25)) THEN 'mid'"
            + " WHEN CAST(f.`return_rate` AS DOUBLE) < 0.1 THEN 'low'"
            + " WHEN CAST(f.`return_rate` AS DOUBLE) >= 0.25 THEN 'high' END",
        both.sqlExpression("f"));
    assertThrows(IllegalArgumentException.class, () -> both.sqlExpression("f; DROP"));
    // numbers as Spark reads back the same double
    assertEquals("0.1", NeedsSegmentMap.literal(0.1));
    assertEquals("60", NeedsSegmentMap.literal(60.0));
    assertEquals("-2.5", NeedsSegmentMap.literal(-2.5));
    assertEquals("0", NeedsSegmentMap.literal(-0.0));
    assertEquals("0.000001", NeedsSegmentMap.literal(1e-6));
    assertEquals("100000000000000000000", NeedsSegmentMap.literal(1e20));
    assertEquals("1.0E40D", NeedsSegmentMap.literal(1e40));
  }

  @Test
  void theDaypartSharesAreNullableDoubles() {
    for (String feature : List.of("evening_order_share", "weekend_order_share")) {
      assertTrue(Tables.CUSTOMER_FEATURES.columns().apply(feature).nullable(), feature);
      NeedsSegmentMap map =
          load(
              "[{ code = day, when { "
                  + feature
                  + " { below = 0.5, missing = true } } }, { code = night, when { "
                  + feature
                  + " { from = 0.5 } } }]");
      assertEquals(List.of(feature), map.features());
      assertEquals("night", map.segmentOf(customer(feature, 0.5)));
      assertEquals("day", map.segmentOf(customer(feature, null)));
      // nullable: leaving null out is a gap
      String m =
          problem(
              "[{ code = day, when { "
                  + feature
                  + " { below = 0.5 } } }, { code = night, when { "
                  + feature
                  + " { from = 0.5 } } }]");
      assertTrue(m.contains("1 cell(s) in no segment: [" + feature + " null]"), m);
    }
  }
}

package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.i18n.Messages;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/**
 * Label codes from centroids in standard deviations from the population, and their names per locale
 * (no Spark needed). The English names are the labels segpipe wrote before codes, word for word.
 */
class ClusterLabelsTest {
  private static final List<String> FEATURES =
      List.of(
          "recency_days",
          "frequency",
          "monetary",
          "avg_order_value",
          "channel_breadth",
          "tenure_days");
  private static final Messages EN = Messages.builtIn("en-GB");
  private static final Messages ZH = Messages.builtIn("zh-CN");

  private static Map<Integer, String> names(Map<Integer, String> codes, Messages messages) {
    Map<Integer, String> names = new LinkedHashMap<>();
    codes.forEach((c, code) -> names.put(c, ClusterLabels.name(messages, code)));
    return names;
  }

  @Test
  void strongestDeviationsNameTheCluster() {
    Vector[] centres = {
      Vectors.dense(-1.2, 1.5, 1.9, 0.3, 0.6, 0.1), // recent, frequent, high value
      Vectors.dense(1.6, -0.9, -0.8, 0.0, -0.2, 0.2), // lapsed, one-off, low spend
      Vectors.dense(0.1, 0.2, -0.1, 0.3, 0.0, -0.3)
    }; // nothing notable
    Map<Integer, String> codes = ClusterLabels.of(centres, FEATURES);
    assertEquals(
        Map.of(
            0, "high_value-frequent-recent",
            1, "lapsed-rare_orders-low_spend",
            2, "typical"),
        codes);
    assertEquals(
        Map.of(
            0, "high value, frequent, recent",
            1, "lapsed, rare orders, low spend",
            2, "typical"),
        names(codes, EN));
    assertEquals(
        Map.of(
            0, "高消费、高频、近期活跃",
            1, "久未购买、低频、低消费",
            2, "普通"),
        names(codes, ZH));
  }

  @Test
  void clustersThatShareTheirTopWordsGetOneMoreWord() {
    Vector[] centres = {
      Vectors.dense(-1.0, 0.0, 2.0, 0.0, 0.9, 0.0),
      Vectors.dense(-1.0, 0.0, 2.0, 0.0, -0.9, 0.0),
      Vectors.dense(-1.0, 0.0, 2.0, 0.0, -0.9, 0.0)
    };
    Map<Integer, String> codes = ClusterLabels.of(centres, FEATURES);
    assertEquals("high_value-recent-omnichannel", codes.get(0));
    assertEquals("high_value-recent-single_channel", codes.get(1));
    assertEquals("high_value-recent-single_channel-cluster_2", codes.get(2));
    assertEquals("high value, recent, omnichannel", ClusterLabels.name(EN, codes.get(0)));
    assertEquals("high value, recent, single channel", ClusterLabels.name(EN, codes.get(1)));
    assertEquals(
        "high value, recent, single channel (cluster 2)", ClusterLabels.name(EN, codes.get(2)));
    assertEquals("高消费、近期活跃、单一渠道（第 2 类）", ClusterLabels.name(ZH, codes.get(2)));
  }

  @Test
  void featuresWithoutPhrasesAreNamedByTheFeaturesName() {
    Map<Integer, String> codes =
        ClusterLabels.of(
            new Vector[] {
              Vectors.dense(1.0, 0.0), Vectors.dense(-1.0, 0.0), Vectors.dense(0.0, 0.8)
            },
            List.of("orders_web", "visits_without_purchase"));
    assertEquals(
        Map.of(0, "high_orders_web", 1, "low_orders_web", 2, "high_visits_without_purchase"),
        codes);
    assertEquals(
        Map.of(0, "high orders_web", 1, "low orders_web", 2, "high visits_without_purchase"),
        names(codes, EN));
    assertEquals(Map.of(0, "网店订单数高", 1, "网店订单数低", 2, "未购买访问次数高"), names(codes, ZH));
  }

  /** The words of labels before codes, per feature (high, low): the English names must be these. */
  private static final Map<String, List<String>> OLD_WORDING =
      Map.of(
          "recency_days", List.of("lapsed", "recent"),
          "frequency", List.of("frequent", "rare orders"),
          "monetary", List.of("high value", "low spend"),
          "avg_order_value", List.of("big baskets", "small baskets"),
          "channel_breadth", List.of("omnichannel", "single channel"),
          "tenure_days", List.of("long-standing", "new"),
          "category_breadth", List.of("broad range", "narrow range"),
          "return_rate", List.of("many returns", "few returns"),
          "avg_rating", List.of("happy", "unhappy"));

  /**
   * Every phrase: its code is lower case, digits and _ (so a label code is its own audience folder
   * name, AudienceFiles.slug keeping [a-z0-9_] and "-"), its English name is the old word, its
   * Chinese name is not English, and the old word reads back as the code.
   */
  @Test
  void everyPhraseReadsAsItsOldWordAndBackAsItsCode() {
    List<String> features = List.copyOf(OLD_WORDING.keySet());
    for (int i = 0; i < features.size(); i++) {
      for (int side = 0; side < 2; side++) {
        double[] centre = new double[features.size()];
        centre[i] = side == 0 ? 1.0 : -1.0;
        String code = ClusterLabels.of(new Vector[] {Vectors.dense(centre)}, features).get(0);
        String old = OLD_WORDING.get(features.get(i)).get(side);
        assertTrue(code.matches("[a-z0-9_]+"), code);
        assertEquals(old, ClusterLabels.name(EN, code), code);
        assertTrue(
            !ClusterLabels.name(ZH, code).matches(".*[a-z].*"),
            code + " in Chinese: " + ClusterLabels.name(ZH, code));
        assertEquals(code, ClusterLabels.fromLegacy(old), old);
      }
    }
  }

  /**
   * Labels of models trained before codes (metadata.json parameters.labels, rules.json
   * clusterLabel).
   */
  @Test
  void oldEnglishLabelsGiveTheirCodes() {
    assertEquals(
        "high_value-frequent-recent", ClusterLabels.fromLegacy("high value, frequent, recent"));
    assertEquals(
        "long_standing-single_channel-big_baskets",
        ClusterLabels.fromLegacy("long-standing, single channel, big baskets"));
    assertEquals(
        "high_value-recent-single_channel-cluster_2",
        ClusterLabels.fromLegacy("high value, recent, single channel (cluster 2)"));
    assertEquals("typical-cluster_3", ClusterLabels.fromLegacy("typical (cluster 3)"));
    assertEquals(
        "high_orders_web-low_spend_store",
        ClusterLabels.fromLegacy("high orders_web, low spend_store"));
    assertEquals("cluster_4", ClusterLabels.fromLegacy("cluster 4"));
    assertEquals("long_standing", ClusterLabels.fromLegacy("long-standing"));
    // codes read as themselves, so a stored label can be read whether it is old or new
    for (String code :
        List.of(
            "high_value-frequent-recent",
            "typical-cluster_3",
            "cluster_4",
            "long_standing",
            "new")) {
      assertEquals(code, ClusterLabels.fromLegacy(code));
    }
    assertEquals("cluster 4", ClusterLabels.name(EN, "cluster_4"));
    assertEquals("第 4 类", ClusterLabels.name(ZH, "cluster_4"));
  }

  @Test
  void featuresAreNamedPerLocaleAndPerChannel() {
    assertEquals("recency_days", ClusterLabels.feature(EN, "recency_days"));
    assertEquals("最近购买天数", ClusterLabels.feature(ZH, "recency_days"));
    assertEquals("orders_store", ClusterLabels.feature(EN, "orders_store"));
    assertEquals("门店订单数", ClusterLabels.feature(ZH, "orders_store"));
    assertEquals("客服中心消费金额", ClusterLabels.feature(ZH, "spend_call_center"));
    // a channel configured with its label in segpipe.messages only, and a column with no name: as
    // they are
    assertEquals("tmall订单数", ClusterLabels.feature(ZH, "orders_tmall"));
    assertEquals("loyalty_points", ClusterLabels.feature(ZH, "loyalty_points"));
  }
}

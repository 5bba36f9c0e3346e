package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/** Labels from centroids in standard deviations from the population (no Spark needed). */
class ClusterLabelsTest {
  private static final List<String> FEATURES =
      List.of("recency_days", "frequency", "monetary", "avg_order_value", "channel_breadth", "tenure_days");

  @Test
  void strongestDeviationsNameTheCluster() {
    Vector[] centres = {
        Vectors.dense(-1.2, 1.5, 1.9, 0.3, 0.6, 0.1),   // recent, frequent, high value
        Vectors.dense(1.6, -0.9, -0.8, 0.0, -0.2, 0.2), // lapsed, one-off, low spend
        Vectors.dense(0.1, 0.2, -0.1, 0.3, 0.0, -0.3)}; // nothing notable
    Map<Integer, String> labels = ClusterLabels.of(centres, FEATURES);
    assertEquals(Map.of(
        0, "high value, frequent, recent",
        1, "lapsed, rare orders, low spend",
        2, "typical"), labels);
  }

  @Test
  void clustersThatShareTheirTopWordsGetOneMoreWord() {
    Vector[] centres = {
        Vectors.dense(-1.0, 0.0, 2.0, 0.0, 0.9, 0.0),
        Vectors.dense(-1.0, 0.0, 2.0, 0.0, -0.9, 0.0),
        Vectors.dense(-1.0, 0.0, 2.0, 0.0, -0.9, 0.0)};
    Map<Integer, String> labels = ClusterLabels.of(centres, FEATURES);
    assertEquals("high value, recent, omnichannel", labels.get(0));
    assertEquals("high value, recent, single channel", labels.get(1));
    assertEquals("high value, recent, single channel (cluster 2)", labels.get(2));
  }

  @Test
  void featuresWithoutWordsAreNamedPlainly() {
    Map<Integer, String> labels = ClusterLabels.of(
        new Vector[] {Vectors.dense(1.0), Vectors.dense(-1.0)}, List.of("orders_web"));
    assertEquals(Map.of(0, "high orders_web", 1, "low orders_web"), labels);
  }
}

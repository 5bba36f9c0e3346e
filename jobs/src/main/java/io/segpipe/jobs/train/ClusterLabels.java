package io.segpipe.jobs.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;

/**
 * Readable cluster names from the centroids. The centroids live in the standardised space, so each
 * coordinate says how many standard deviations the cluster's centre is above or below the population
 * of purchasers; the strongest deviations, in words, name the cluster ("high value, frequent,
 * recent"). The same centroids always give the same names, and two clusters never share one.
 */
public final class ClusterLabels {
  /** Deviations smaller than this (in standard deviations) are "ordinary" and not worth a word. */
  static final double NOTABLE = 0.4;
  static final int WORDS = 3;

  /** Words for a feature well above / well below the population. */
  private record Words(String high, String low) {}

  private static final Map<String, Words> WORDING = Map.of(
      "recency_days", new Words("lapsed", "recent"),
      "frequency", new Words("frequent", "rare orders"),
      "monetary", new Words("high value", "low spend"),
      "avg_order_value", new Words("big baskets", "small baskets"),
      "channel_breadth", new Words("omnichannel", "single channel"),
      "tenure_days", new Words("long-standing", "new"),
      "category_breadth", new Words("broad range", "narrow range"),
      "return_rate", new Words("many returns", "few returns"),
      "avg_rating", new Words("happy", "unhappy"));

  private ClusterLabels() {}

  /** Cluster id to label, for centres (scaled space, one coordinate per feature in order). */
  public static Map<Integer, String> of(Vector[] centres, List<String> features) {
    List<List<String>> phrases = new ArrayList<>();
    for (Vector centre : centres) {
      phrases.add(phrases(centre, features));
    }
    Map<Integer, String> labels = new LinkedHashMap<>();
    for (int words = WORDS; labels.size() < centres.length && words <= features.size(); words++) {
      labels.clear();
      for (int c = 0; c < centres.length; c++) {
        labels.put(c, join(phrases.get(c), words));
      }
      if (labels.values().stream().distinct().count() < centres.length) {
        labels.clear();
      }
    }
    if (labels.isEmpty()) {
      // Centres that differ by less than NOTABLE everywhere: say so rather than invent a difference.
      Map<String, Integer> seen = new HashMap<>();
      for (int c = 0; c < centres.length; c++) {
        String label = join(phrases.get(c), features.size());
        labels.put(c, seen.merge(label, 1, Integer::sum) == 1 ? label : label + " (cluster " + c + ")");
      }
    }
    return labels;
  }

  /** The notable deviations of one centre, strongest first. */
  private static List<String> phrases(Vector centre, List<String> features) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      if (Math.abs(centre.apply(i)) >= NOTABLE) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(centre.apply(i))).thenComparingInt(i -> i));
    return order.stream().map(i -> {
      String f = features.get(i);
      Words words = WORDING.getOrDefault(f, new Words("high " + f, "low " + f));
      return centre.apply(i) > 0 ? words.high() : words.low();
    }).toList();
  }

  private static String join(List<String> phrases, int words) {
    return phrases.isEmpty() ? "typical" : String.join(", ", phrases.subList(0, Math.min(words, phrases.size())));
  }
}

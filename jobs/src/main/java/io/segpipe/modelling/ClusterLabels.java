package io.segpipe.modelling;

import io.segpipe.common.i18n.Messages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ml.linalg.Vector;

/**
 * Cluster labels from the centroids. The centroids live in the standardised space, so each
 * coordinate says how many standard deviations the cluster's centre is above or below the
 * population of purchasers; the strongest deviations name the cluster. A label is a code, its
 * phrases' codes joined by {@value #SEPARATOR} ({@code high_value-frequent-recent}): what
 * customer_segments.cluster_label holds, BI filters on and an audience folder is named (the code is
 * its own folder name). The same centroids always give the same code, and two clusters never share
 * one. {@link #name} renders a code in a locale from the message keys under {@code cluster} ("high
 * value, frequent, recent").
 */
public final class ClusterLabels {
  /**
   * Deviations smaller than this (in standard deviations) are "ordinary" and not worth a phrase.
   */
  static final double NOTABLE = 0.4;

  static final int WORDS = 3;

  /**
   * Between the phrases of a code: not in any phrase code ([a-z0-9_]), and kept as it is in a
   * folder name.
   */
  public static final String SEPARATOR = "-";

  /** The code of a centre with no notable deviation. */
  public static final String TYPICAL = "typical";

  /** Phrase codes for a feature well above / well below the population. */
  private record Phrases(String high, String low) {}

  private static final Map<String, Phrases> PHRASES =
      Map.of(
          "recency_days", new Phrases("lapsed", "recent"),
          "frequency", new Phrases("frequent", "rare_orders"),
          "monetary", new Phrases("high_value", "low_spend"),
          "avg_order_value", new Phrases("big_baskets", "small_baskets"),
          "channel_breadth", new Phrases("omnichannel", "single_channel"),
          "tenure_days", new Phrases("long_standing", "new"),
          "category_breadth", new Phrases("broad_range", "narrow_range"),
          "return_rate", new Phrases("many_returns", "few_returns"),
          "avg_rating", new Phrases("happy", "unhappy"));

  private static final String HIGH = "high_";
  private static final String LOW = "low_";

  /**
   * The last phrase of a code that would otherwise be another cluster's, and the code of a cluster
   * without label.
   */
  private static final Pattern NUMBERED = Pattern.compile("cluster_(\\d+)");

  /**
   * The English words of labels saved before codes (metadata.json parameters.labels and rules.json
   * clusterLabel of older models), each to its code: the inverse of the wording those models were
   * labelled with. Frozen: the message files may reword the phrases, old models keep their words.
   */
  private static final Map<String, String> LEGACY_WORDS =
      Map.ofEntries(
          Map.entry("lapsed", "lapsed"),
          Map.entry("recent", "recent"),
          Map.entry("frequent", "frequent"),
          Map.entry("rare orders", "rare_orders"),
          Map.entry("high value", "high_value"),
          Map.entry("low spend", "low_spend"),
          Map.entry("big baskets", "big_baskets"),
          Map.entry("small baskets", "small_baskets"),
          Map.entry("omnichannel", "omnichannel"),
          Map.entry("single channel", "single_channel"),
          Map.entry("long-standing", "long_standing"),
          Map.entry("new", "new"),
          Map.entry("broad range", "broad_range"),
          Map.entry("narrow range", "narrow_range"),
          Map.entry("many returns", "many_returns"),
          Map.entry("few returns", "few_returns"),
          Map.entry("happy", "happy"),
          Map.entry("unhappy", "unhappy"),
          Map.entry("typical", TYPICAL));

  private static final Pattern CODE = Pattern.compile("[a-z0-9_]+(" + SEPARATOR + "[a-z0-9_]+)*");
  private static final Pattern LEGACY_NUMBERED = Pattern.compile("(.*) \\(cluster (\\d+)\\)");
  private static final Pattern LEGACY_UNNAMED = Pattern.compile("cluster (\\d+)");

  private ClusterLabels() {}

  /** Cluster id to label code, for centres (scaled space, one coordinate per feature in order). */
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
      // Centres that differ by less than NOTABLE everywhere: say so rather than invent a
      // difference.
      Map<String, Integer> seen = new HashMap<>();
      for (int c = 0; c < centres.length; c++) {
        String label = join(phrases.get(c), features.size());
        labels.put(
            c, seen.merge(label, 1, Integer::sum) == 1 ? label : label + SEPARATOR + unnamed(c));
      }
    }
    return labels;
  }

  /** The code of a cluster that has no label (a rule's cluster the labels do not know). */
  public static String unnamed(int cluster) {
    return "cluster_" + cluster;
  }

  /** The notable deviations of one centre, strongest first, as phrase codes. */
  private static List<String> phrases(Vector centre, List<String> features) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      if (Math.abs(centre.apply(i)) >= NOTABLE) {
        order.add(i);
      }
    }
    order.sort(
        Comparator.comparingDouble((Integer i) -> -Math.abs(centre.apply(i)))
            .thenComparingInt(i -> i));
    return order.stream()
        .map(
            i -> {
              String f = features.get(i);
              Phrases words = PHRASES.getOrDefault(f, new Phrases(HIGH + f, LOW + f));
              return centre.apply(i) > 0 ? words.high() : words.low();
            })
        .toList();
  }

  private static String join(List<String> phrases, int words) {
    return phrases.isEmpty()
        ? TYPICAL
        : String.join(SEPARATOR, phrases.subList(0, Math.min(words, phrases.size())));
  }

  /**
   * A label code in the locale of {@code messages}: each phrase's text
   * (cluster.phrase.&lt;code&gt;, or cluster.high / cluster.low with the feature's name for
   * high_&lt;feature&gt; / low_&lt;feature&gt;) joined by cluster.separator; a last phrase
   * cluster_&lt;n&gt; by cluster.numbered, a code that is only that by cluster.unnamed. A phrase
   * with no text (a code of a later segpipe) reads as itself.
   */
  public static String name(Messages messages, String code) {
    List<String> phrases = new ArrayList<>(Arrays.asList(code.split(Pattern.quote(SEPARATOR), -1)));
    Matcher numbered = NUMBERED.matcher(phrases.get(phrases.size() - 1));
    String number = null;
    if (numbered.matches()) {
      number = numbered.group(1);
      phrases.remove(phrases.size() - 1);
    }
    if (phrases.isEmpty()) {
      return messages.format("cluster.unnamed", number);
    }
    String words =
        String.join(
            messages.text("cluster.separator"),
            phrases.stream().map(p -> phrase(messages, p)).toList());
    return number == null ? words : messages.format("cluster.numbered", words, number);
  }

  private static String phrase(Messages messages, String code) {
    String key = "cluster.phrase." + code;
    if (!code.isEmpty() && messages.has(key)) {
      return messages.text(key);
    }
    if (code.startsWith(HIGH) && code.length() > HIGH.length()) {
      return messages.format("cluster.high", feature(messages, code.substring(HIGH.length())));
    }
    if (code.startsWith(LOW) && code.length() > LOW.length()) {
      return messages.format("cluster.low", feature(messages, code.substring(LOW.length())));
    }
    return code;
  }

  /**
   * Per-channel features (orders_web, spend_store): their name comes from a pattern and the
   * channel's label.
   */
  private static final Map<String, String> PER_CHANNEL =
      Map.of(
          "orders_", "cluster.feature.orders_channel", "spend_", "cluster.feature.spend_channel");

  /**
   * A feature's display name: cluster.feature.&lt;feature&gt;; for orders_&lt;channel&gt; and
   * spend_&lt;channel&gt; cluster.feature.orders_channel / spend_channel with {0} the channel's
   * label and {1} its code; else the column name.
   */
  public static String feature(Messages messages, String feature) {
    String key = "cluster.feature." + feature;
    if (messages.has(key)) {
      return messages.text(key);
    }
    for (Map.Entry<String, String> pattern : PER_CHANNEL.entrySet()) {
      if (feature.startsWith(pattern.getKey()) && feature.length() > pattern.getKey().length()) {
        String channel = feature.substring(pattern.getKey().length());
        String label =
            messages.has("label.channel." + channel) ? messages.label("channel", channel) : channel;
        return messages.format(pattern.getValue(), label, channel);
      }
    }
    return feature;
  }

  /**
   * The code of a label saved in English before codes ("high value, frequent, recent" →
   * high_value-frequent-recent, "typical (cluster 2)" → typical-cluster_2, "high orders_web" →
   * high_orders_web, "cluster 3" → cluster_3). Words it does not know become a code of their own
   * (lower case, other characters as _), so an old model is always applied. A code is returned as
   * it is, so this reads any stored label, old or new.
   */
  public static String fromLegacy(String english) {
    String label = english.trim();
    if (CODE.matcher(label).matches() && !LEGACY_WORDS.containsKey(label)) {
      // no space or comma: a code, or one old word, which is its code but for "long-standing"
      return label;
    }
    Matcher unnamed = LEGACY_UNNAMED.matcher(label);
    if (unnamed.matches()) {
      return unnamed(Integer.parseInt(unnamed.group(1)));
    }
    String suffix = "";
    Matcher numbered = LEGACY_NUMBERED.matcher(label);
    if (numbered.matches()) {
      label = numbered.group(1);
      suffix = SEPARATOR + unnamed(Integer.parseInt(numbered.group(2)));
    }
    List<String> codes = new ArrayList<>();
    for (String words : label.split(", ")) {
      codes.add(legacyPhrase(words.trim()));
    }
    return String.join(SEPARATOR, codes) + suffix;
  }

  private static String legacyPhrase(String words) {
    String known = LEGACY_WORDS.get(words);
    if (known != null) {
      return known;
    }
    // "high <feature>" / "low <feature>": the feature is a column name already
    String code =
        words.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
    return code.isEmpty() ? TYPICAL : code;
  }
}

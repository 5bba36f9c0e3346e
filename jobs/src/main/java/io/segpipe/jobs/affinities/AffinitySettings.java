package io.segpipe.jobs.affinities;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.CustomerActivity;
import io.segpipe.features.FeaturesSettings;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * The segpipe.affinities section, checked before Spark starts: which segmentation's segments the
 * rules are found in, what a basket's items are, and the minimums a rule must reach.
 *
 * @param segmentation a customer_segments column of {@link Tables#SEGMENTATIONS}
 * @param level what a basket holds: categories or products
 * @param minSupport share of a segment's baskets that must hold a rule's items, in (0, 1]
 * @param minConfidence share of the baskets holding the antecedent that also hold the consequent
 * @param minLift confidence over the consequent's share of the segment's baskets
 * @param minImprovement what a rule from two items or more must add, in confidence, to every rule
 *     to the same consequent from fewer of its items
 * @param minRuleBaskets baskets that must hold a rule's items, whatever the segment's size: a
 *     segment with fewer baskets has no rules (a share of a few baskets is noise)
 * @param rulesPerSegment the strongest rules kept per segment
 * @param window the features window (segpipe.features.window-days) the baskets come from
 */
public record AffinitySettings(
    LocalDate asOf,
    boolean enabled,
    String segmentation,
    ItemLevel level,
    double minSupport,
    double minConfidence,
    double minLift,
    double minImprovement,
    int minRuleBaskets,
    int rulesPerSegment,
    CustomerActivity window) {
  static final String PREFIX = "segpipe.affinities.";

  /** What the items of a basket are. */
  public enum ItemLevel {
    CATEGORY,
    PRODUCT;

    /** The code in config and in the tables: category, product. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static AffinitySettings read(ConfigReader r, LocalDate asOf, List<String> channels) {
    boolean enabled = r.bool(PREFIX + "enabled");
    String segmentation = r.string(PREFIX + "segmentation").trim();
    if (!Tables.SEGMENTATIONS.contains(segmentation)) {
      r.problem(
          PREFIX + "segmentation",
          "'" + segmentation + "' is not a segmentation; choose one of " + Tables.SEGMENTATIONS);
    }
    String levelCode = r.string(PREFIX + "level").trim();
    ItemLevel level = ItemLevel.CATEGORY;
    if (levelCode.equals(ItemLevel.PRODUCT.code())) {
      level = ItemLevel.PRODUCT;
    } else if (!levelCode.equals(ItemLevel.CATEGORY.code())) {
      r.problem(
          PREFIX + "level",
          "'" + levelCode + "' is not an item level; use category (the default) or product");
    }
    String share = "a share of baskets above 0 and at most 1, e.g. 0.01";
    double support = r.number(PREFIX + "min-support", x -> x > 0 && x <= 1, share);
    double confidence =
        r.number(PREFIX + "min-confidence", x -> x >= 0 && x <= 1, "a share between 0 and 1");
    double lift = r.number(PREFIX + "min-lift", x -> x >= 0, "a ratio of 0 or more, e.g. 1.2");
    double improvement =
        r.number(
            PREFIX + "min-improvement",
            x -> x >= 0 && x <= 1,
            "a difference of confidence between 0 and 1, e.g. 0.05");
    int minBaskets =
        r.integer(
            PREFIX + "min-rule-baskets", n -> n >= 1, "a number of baskets of 1 or more, e.g. 20");
    int rules =
        r.integer(
            PREFIX + "rules-per-segment",
            n -> n >= 1 && n <= 1000,
            "a number of rules between 1 and 1000");
    CustomerActivity window = FeaturesSettings.read(r, asOf, channels).activity();
    return new AffinitySettings(
        asOf,
        enabled,
        segmentation,
        level,
        support,
        confidence,
        lift,
        improvement,
        minBaskets,
        rules,
        window);
  }
}

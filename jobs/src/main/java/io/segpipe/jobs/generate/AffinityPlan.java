package io.segpipe.jobs.generate;

import io.segpipe.common.UserError;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A category pair planted to be bought together in one archetype (--affinity
 * ARCHETYPE:CATEGORY_A+CATEGORY_B:LIFT). A basket is the set of categories of an order's purchase
 * lines. In the archetype, after an order's lines are drawn, a basket that holds A and not B gets a
 * line of B with probability {@code addProbability}, chosen so that the lift of {A, B} over the
 * archetype's baskets, P(A and B) / (P(A) P(B)), is {@code lift} in expectation.
 *
 * <p>The probability comes from exact expectations, not a sample: a line's category is, with the
 * archetype's explore share, uniform over the categories, else one of the customer's three
 * favourites (an ordered triple, uniform over all of them) with weights 0.5, 0.3, 0.2; an order has
 * a uniform number of lines in [minLines, maxLines]. Averaging over every triple and every line
 * count gives a = P(A), b = P(B), c = P(A and B) without planting. Planting keeps P(A) = a and adds
 * r (a - c) to P(B) and to P(A and B), so lift L needs r = (L a b - c) / ((a - c)(1 - L a)), and
 * the reachable lifts run from the baseline c / (a b) (r = 0) to 1 / (a + b - c) (r = 1).
 *
 * @param categoryA the antecedent, an index into {@link Catalog#CATEGORIES}
 * @param categoryB the consequent, added to baskets with A and without it
 * @param lift the planted lift
 * @param addProbability r, the probability that a basket with A and without B gets B
 * @param baselineLift the pair's lift in the archetype without planting
 * @param maxLift the highest lift planting can reach (r = 1)
 * @param expected the shares of the archetype's baskets expected to hold A, B and both, planted
 */
record AffinityPlan(
    Archetype archetype,
    int categoryA,
    int categoryB,
    double lift,
    double addProbability,
    double baselineLift,
    double maxLift,
    Supports expected)
    implements Serializable {

  static final String SYNTAX = "ARCHETYPE:CATEGORY_A+CATEGORY_B:LIFT";
  static final String EXAMPLE = "loyal_high_spender:home+garden:1.8";

  /** Shares of baskets expected to hold A, B, and both. */
  record Supports(double a, double b, double ab) implements Serializable {
    double lift() {
      return ab / (a * b);
    }
  }

  /** The plantings of an --affinity value: comma-separated, at most one per archetype. */
  static List<AffinityPlan> parse(String value) {
    List<AffinityPlan> plans = new ArrayList<>();
    Set<Archetype> seen = EnumSet.noneOf(Archetype.class);
    for (String part : value.split(",", -1)) {
      AffinityPlan plan = parseOne(part.trim());
      if (!seen.add(plan.archetype())) {
        throw new UserError(
            "--affinity plants "
                + plan.archetype().label()
                + " twice; give each archetype at most one pair.");
      }
      plans.add(plan);
    }
    return List.copyOf(plans);
  }

  private static AffinityPlan parseOne(String part) {
    String[] fields = part.split(":", -1);
    String[] pair = fields.length == 3 ? fields[1].split("\\+", -1) : new String[0];
    if (pair.length != 2) {
      throw new UserError(
          "--affinity '" + part + "' must be " + SYNTAX + ", e.g. " + EXAMPLE + ".");
    }
    String archetypeName = fields[0].trim().toLowerCase(Locale.ROOT);
    Archetype archetype =
        Arrays.stream(Archetype.values())
            .filter(a -> a.label().equals(archetypeName))
            .findFirst()
            .orElseThrow(
                () ->
                    new UserError(
                        "--affinity '"
                            + part
                            + "': unknown archetype '"
                            + fields[0].trim()
                            + "'; the archetypes are "
                            + Arrays.stream(Archetype.values())
                                .map(Archetype::label)
                                .collect(Collectors.joining(", "))
                            + "."));
    int a = category(part, pair[0]);
    int b = category(part, pair[1]);
    if (a == b) {
      throw new UserError(
          "--affinity '"
              + part
              + "': the two categories must differ, got "
              + Catalog.CATEGORIES[a]
              + " twice.");
    }
    double lift;
    try {
      lift = Double.parseDouble(fields[2].trim());
    } catch (NumberFormatException e) {
      lift = Double.NaN;
    }
    if (!(lift > 0) || Double.isInfinite(lift)) {
      throw new UserError(
          "--affinity '"
              + part
              + "': the lift must be a number above 0, got '"
              + fields[2].trim()
              + "'.");
    }
    return of(archetype, a, b, lift);
  }

  private static int category(String part, String raw) {
    String name = raw.trim().toLowerCase(Locale.ROOT);
    for (int i = 0; i < Catalog.CATEGORIES.length; i++) {
      if (Catalog.CATEGORIES[i].equals(name)) {
        return i;
      }
    }
    throw new UserError(
        "--affinity '"
            + part
            + "': unknown category '"
            + raw.trim()
            + "'; the categories are "
            + String.join(", ", Catalog.CATEGORIES)
            + ".");
  }

  /**
   * The planting of {@code lift} for categories {@code a} then {@code b} in {@code archetype}, or a
   * UserError when planting cannot reach it.
   */
  static AffinityPlan of(Archetype archetype, int a, int b, double lift) {
    Supports base = baseline(archetype, a, b);
    double gap = base.a() - base.ab();
    double r = (lift * base.a() * base.b() - base.ab()) / (gap * (1 - lift * base.a()));
    double baselineLift = base.lift();
    double maxLift = 1 / (base.a() + base.b() - base.ab());
    // Rounding may put the ends a hair outside [0, 1].
    if (Math.abs(lift - baselineLift) < 1e-12) {
      r = 0;
    } else if (Math.abs(lift - maxLift) < 1e-12) {
      r = 1;
    }
    if (!(lift >= baselineLift && lift <= maxLift && r >= 0 && r <= 1)) {
      throw new UserError(
          String.format(
              Locale.ROOT,
              "--affinity: lift %s for %s+%s in %s cannot be planted: its baskets have a lift of"
                  + " %.3f without planting, and adding %s to every basket with %s and without it"
                  + " reaches at most %.3f. Ask for a lift from %.3f to %.3f.",
              lift,
              Catalog.CATEGORIES[a],
              Catalog.CATEGORIES[b],
              archetype.label(),
              baselineLift,
              Catalog.CATEGORIES[b],
              Catalog.CATEGORIES[a],
              maxLift,
              baselineLift,
              maxLift));
    }
    Supports planted = new Supports(base.a(), base.b() + r * gap, base.ab() + r * gap);
    return new AffinityPlan(archetype, a, b, lift, r, baselineLift, maxLift, planted);
  }

  /**
   * The exact shares of {@code archetype}'s baskets that hold category {@code a}, {@code b} and
   * both, without planting: averaged over every ordered triple of favourite categories and every
   * line count, each equally likely.
   */
  static Supports baseline(Archetype archetype, int a, int b) {
    Archetype.Behaviour behaviour = archetype.behaviour();
    int n = Catalog.CATEGORIES.length;
    double explore = behaviour.exploreShare();
    double[] weights = CustomerActivity.FAVOURITE_WEIGHTS;
    double sumA = 0;
    double sumB = 0;
    double sumAb = 0;
    long cases = 0;
    for (int f0 = 0; f0 < n; f0++) {
      for (int f1 = 0; f1 < n; f1++) {
        for (int f2 = 0; f2 < n; f2++) {
          if (f0 == f1 || f0 == f2 || f1 == f2) {
            continue;
          }
          int[] favourites = {f0, f1, f2};
          double pa = explore / n + (1 - explore) * weight(favourites, weights, a);
          double pb = explore / n + (1 - explore) * weight(favourites, weights, b);
          for (int lines = behaviour.minLines(); lines <= behaviour.maxLines(); lines++) {
            double noA = Math.pow(1 - pa, lines);
            double noB = Math.pow(1 - pb, lines);
            double neither = Math.pow(1 - pa - pb, lines);
            sumA += 1 - noA;
            sumB += 1 - noB;
            sumAb += 1 - noA - noB + neither;
            cases++;
          }
        }
      }
    }
    return new Supports(sumA / cases, sumB / cases, sumAb / cases);
  }

  private static double weight(int[] favourites, double[] weights, int category) {
    for (int i = 0; i < favourites.length; i++) {
      if (favourites[i] == category) {
        return weights[i];
      }
    }
    return 0;
  }

  String antecedent() {
    return Catalog.CATEGORIES[categoryA];
  }

  String consequent() {
    return Catalog.CATEGORIES[categoryB];
  }

  /** A row of {@link ExportShape#AFFINITY_TRUTH}. */
  Row truthRow() {
    return RowFactory.create(
        archetype.label(),
        antecedent(),
        consequent(),
        lift,
        addProbability,
        baselineLift,
        expected.a(),
        expected.b(),
        expected.ab());
  }

  /** One line for the log. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "affinity planted in %s: %s+%s at lift %s (baseline %.3f, at most %.3f): an order with %s"
            + " and without %s gets a %s line with probability %.4f",
        archetype.label(),
        antecedent(),
        consequent(),
        lift,
        baselineLift,
        maxLift,
        antecedent(),
        consequent(),
        consequent(),
        addProbability);
  }
}

package io.segpipe.jobs.features;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * cn-8 computed straight from its definition, independently of the job: each threshold an exact
 * fraction (a mean is sum / count, an even median (a + b) / 2), each comparison exact and strict.
 */
public final class Cn8Reference {
  /** One customer's measures as customer_features holds them; recencyDays null for a prospect. */
  public record Customer(String id, Integer recencyDays, long frequency, BigDecimal monetary) {
    static Customer of(Row row) {
      return new Customer(
          row.getAs("customer_id"),
          row.getAs("recency_days"),
          row.<Long>getAs("frequency"),
          row.getAs("monetary"));
    }

    boolean purchaser() {
      return frequency > 0;
    }
  }

  /** numerator / denominator, exactly. */
  record Fraction(BigDecimal numerator, long denominator) {
    /** The sign of value - this fraction. */
    int compare(BigDecimal value) {
      return value.multiply(BigDecimal.valueOf(denominator)).compareTo(numerator);
    }

    double value() {
      return numerator.doubleValue() / denominator;
    }
  }

  record Thresholds(Fraction recency, Fraction frequency, Fraction monetary) {}

  private static final List<Function<Customer, BigDecimal>> MEASURES =
      List.of(
          c -> BigDecimal.valueOf(c.recencyDays()),
          c -> BigDecimal.valueOf(c.frequency()),
          Customer::monetary);

  private Cn8Reference() {}

  public static Thresholds means(List<Customer> customers) {
    List<Customer> purchasers = customers.stream().filter(Customer::purchaser).toList();
    List<Fraction> means =
        MEASURES.stream()
            .map(
                measure ->
                    new Fraction(
                        purchasers.stream().map(measure).reduce(BigDecimal.ZERO, BigDecimal::add),
                        purchasers.size()))
            .toList();
    return new Thresholds(means.get(0), means.get(1), means.get(2));
  }

  public static Thresholds medians(List<Customer> customers) {
    List<Customer> purchasers = customers.stream().filter(Customer::purchaser).toList();
    List<Fraction> medians = new ArrayList<>();
    for (Function<Customer, BigDecimal> measure : MEASURES) {
      List<BigDecimal> sorted =
          purchasers.stream().map(measure).sorted(Comparator.naturalOrder()).toList();
      int n = sorted.size();
      medians.add(
          n % 2 == 1
              ? new Fraction(sorted.get(n / 2), 1)
              : new Fraction(sorted.get(n / 2 - 1).add(sorted.get(n / 2)), 2));
    }
    return new Thresholds(medians.get(0), medians.get(1), medians.get(2));
  }

  /** The class of one customer, null for a prospect. */
  static String classOf(Customer c, Thresholds t) {
    if (!c.purchaser()) {
      return null;
    }
    boolean r = t.recency().compare(BigDecimal.valueOf(c.recencyDays())) < 0;
    boolean f = t.frequency().compare(BigDecimal.valueOf(c.frequency())) > 0;
    boolean m = t.monetary().compare(c.monetary()) > 0;
    if (m) {
      return r && f
          ? "important_value"
          : r ? "important_develop" : f ? "important_keep" : "important_win_back";
    }
    return r && f
        ? "general_value"
        : r ? "general_develop" : f ? "general_keep" : "general_win_back";
  }

  /** Every customer's class by id (null for prospects). */
  public static Map<String, String> classes(List<Customer> customers, Thresholds t) {
    Map<String, String> result = new LinkedHashMap<>();
    customers.forEach(c -> result.put(c.id(), classOf(c, t)));
    return result;
  }

  /** Customers per class, in a fixed order, for printing. */
  static Map<String, Long> counts(Map<String, String> classes) {
    Map<String, Long> counts = new TreeMap<>();
    classes.values().forEach(c -> counts.merge(c == null ? "(prospect)" : c, 1L, Long::sum));
    return counts;
  }
}

package io.segpipe.features;

import io.segpipe.common.sql.SqlResource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * R, F and M scores from quantile boundaries computed once per snapshot (rfm_boundaries.sql) and
 * applied per row (rfm_scores.sql), then the RFM cell and its segment under the configured {@link
 * RfmSchemes scheme}: the cell through the {@link RfmSegmentMap}, or cn-8 from the measures' means
 * or medians, computed in the same aggregate as the boundaries.
 */
public final class RfmScores {
  public static final List<String> MEASURES = List.of("recency_days", "frequency", "monetary");

  /**
   * The four boundaries of one measure, and what they mean for its scores; and its mean and exact
   * median over the purchasers (null without purchasers), the thresholds cn-8 can use.
   */
  public record Boundaries(String measure, List<Double> values, Double mean, Double median) {
    public Boundaries {
      values = values == null ? List.of() : List.copyOf(values);
    }

    public int distinctValues() {
      return new TreeSet<>(values).size();
    }

    /**
     * The scores a customer can get: a value above k boundaries is in bin k; with coinciding
     * boundaries some bins are empty. Scores run 1-5 (bin + 1), recency reversed (5 - bin).
     */
    public List<Integer> possibleScores() {
      if (values.isEmpty()) {
        return List.of();
      }
      TreeSet<Integer> bins = new TreeSet<>();
      bins.add(0);
      for (double v : new TreeSet<>(values)) {
        bins.add((int) values.stream().filter(b -> b <= v).count());
      }
      return bins.stream()
          .map(bin -> measure.equals("recency_days") ? 5 - bin : bin + 1)
          .sorted()
          .toList();
    }

    /** Fewer than four distinct boundaries: some scores cannot occur. */
    public boolean collapsed() {
      return !values.isEmpty() && distinctValues() < values.size();
    }

    public String describe() {
      if (values.isEmpty()) {
        return measure + ": no purchases in the window, no boundaries";
      }
      String text = measure + ": boundaries " + values;
      if (collapsed()) {
        text +=
            " (only "
                + distinctValues()
                + " distinct: too few distinct values for five bins; equal values"
                + " share a score and the scores used are "
                + possibleScores()
                + ")";
      }
      return text + ", mean " + mean + ", median " + median;
    }
  }

  private RfmScores() {}

  /**
   * One row: the boundaries, means and medians of recency_days, frequency and monetary, and the
   * number of purchasers. Lazy.
   */
  public static Dataset<Row> boundaries(Dataset<Row> features) {
    return SqlResource.load("sql/features/rfm_boundaries.sql")
        .withView("features", features)
        .run(features.sparkSession());
  }

  /**
   * Reads the three measures' boundaries, means and medians from a collected {@link #boundaries}
   * row.
   */
  public static List<Boundaries> from(Row row) {
    List<Boundaries> result = new ArrayList<>();
    for (String measure : MEASURES) {
      String prefix = measure.replace("_days", "");
      int boundaries = row.fieldIndex(prefix + "_boundaries");
      result.add(
          new Boundaries(
              measure,
              row.isNullAt(boundaries) ? null : row.getList(boundaries),
              row.getAs(prefix + "_mean"),
              row.getAs(prefix + "_median")));
    }
    return result;
  }

  /**
   * Adds r_score, f_score, m_score, rfm_cell and rfm_segment, with the given boundaries (and, under
   * cn-8, the thresholds the scheme takes from them).
   */
  public static Dataset<Row> apply(
      Dataset<Row> features, List<Boundaries> boundaries, RfmSchemes.Scheme scheme) {
    SparkSession spark = features.sparkSession();
    SqlResource sql =
        SqlResource.load("sql/features/rfm_scores.sql")
            .withView("features", features)
            .withView("segment_keys", scheme.keys(spark))
            .with("scheme", scheme.name());
    for (Boundaries b : boundaries) {
      String prefix = b.measure().replace("_days", "");
      double[] values = b.values().stream().mapToDouble(Double::doubleValue).toArray();
      sql =
          sql.with(prefix + "_boundaries", values.length == 0 ? null : values)
              .with(prefix + "_threshold", scheme.threshold(b));
    }
    return sql.run(spark);
  }
}

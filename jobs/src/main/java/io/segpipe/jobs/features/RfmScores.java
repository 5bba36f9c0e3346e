package io.segpipe.jobs.features;

import io.segpipe.common.sql.SqlResource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * R, F and M scores from quantile boundaries computed once per snapshot (rfm_boundaries.sql) and
 * applied per row (rfm_scores.sql), then the RFM cell and its segment from the {@link RfmSegmentMap}.
 */
public final class RfmScores {
  public static final List<String> MEASURES = List.of("recency_days", "frequency", "monetary");

  public static final StructType BOUNDARIES_SCHEMA = new StructType()
      .add("recency_boundaries", DataTypes.createArrayType(DataTypes.DoubleType), true)
      .add("frequency_boundaries", DataTypes.createArrayType(DataTypes.DoubleType), true)
      .add("monetary_boundaries", DataTypes.createArrayType(DataTypes.DoubleType), true);

  /** The four boundaries of one measure, and what they mean for its scores. */
  public record Boundaries(String measure, List<Double> values) {
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
      return bins.stream().map(bin -> measure.equals("recency_days") ? 5 - bin : bin + 1).sorted().toList();
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
        text += " (only " + distinctValues() + " distinct: too few distinct values for five bins; equal values"
            + " share a score and the scores used are " + possibleScores() + ")";
      }
      return text;
    }
  }

  private RfmScores() {}

  /** One row: the boundaries of recency_days, frequency and monetary, and the number of purchasers. Lazy. */
  public static Dataset<Row> boundaries(Dataset<Row> features) {
    features.createOrReplaceTempView("rfm_input");
    return SqlResource.load("sql/features/rfm_boundaries.sql").run(features.sparkSession());
  }

  /** Reads the three measures' boundaries from a collected {@link #boundaries} row. */
  public static List<Boundaries> from(Row row) {
    List<Boundaries> result = new ArrayList<>();
    for (String measure : MEASURES) {
      String column = measure.replace("_days", "") + "_boundaries";
      result.add(new Boundaries(measure, row.isNullAt(row.fieldIndex(column)) ? null : row.getList(row.fieldIndex(column))));
    }
    return result;
  }

  /** Adds r_score, f_score, m_score, rfm_cell and rfm_segment, with the given boundaries. */
  public static Dataset<Row> apply(Dataset<Row> features, List<Boundaries> boundaries, RfmSegmentMap map) {
    SparkSession spark = features.sparkSession();
    Row row = RowFactory.create(boundaries.stream().map(b -> b.values().isEmpty() ? null : b.values().toArray()).toArray());
    spark.createDataFrame(List.of(row), BOUNDARIES_SCHEMA).createOrReplaceTempView("rfm_boundaries");
    map.cells(spark).createOrReplaceTempView("rfm_cells");
    features.createOrReplaceTempView("rfm_input");
    return SqlResource.load("sql/features/rfm_scores.sql").run(spark);
  }
}

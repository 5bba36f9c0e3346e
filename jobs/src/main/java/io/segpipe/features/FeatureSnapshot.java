package io.segpipe.features;

import io.segpipe.common.tables.Tables;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** customer_features' columns ({@link Tables#CUSTOMER_FEATURES}) selected from the features SQL. */
public final class FeatureSnapshot {
  public static final String PARTITION = Tables.AS_OF;

  private FeatureSnapshot() {}

  /** The columns of customer_features for these channels, in order (its contract's). */
  public static List<String> columns(List<String> channels) {
    return Tables.CUSTOMER_FEATURES.columnNames(channels);
  }

  /**
   * Selects the contract's columns in order, with the as-of date; fails naming any column the SQL
   * did not produce.
   */
  public static Dataset<Row> of(Dataset<Row> scored, LocalDate asOf, List<String> channels) {
    List<String> expected = columns(channels);
    List<String> produced = new ArrayList<>(Arrays.asList(scored.columns()));
    produced.add(PARTITION);
    List<String> missing = expected.stream().filter(c -> !produced.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the features SQL did not produce " + missing + "; it produced " + produced);
    }
    Column[] select =
        expected.stream()
            .map(c -> c.equals(PARTITION) ? functions.lit(asOf).as(PARTITION) : functions.col(c))
            .toArray(Column[]::new);
    return scored.select(select);
  }
}

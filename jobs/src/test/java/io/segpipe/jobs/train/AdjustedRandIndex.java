package io.segpipe.jobs.train;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Adjusted Rand index (Hubert and Arabie 1985) of two labellings, from their contingency table: 1
 * for identical partitions, about 0 for chance agreement. The table (labels × labels) is counted in
 * Spark; only its cells come to the driver.
 */
final class AdjustedRandIndex {
  private AdjustedRandIndex() {}

  static double of(Dataset<Row> rows, String a, String b) {
    List<Row> cells =
        rows.groupBy(functions.col(a).cast("string"), functions.col(b).cast("string"))
            .count()
            .collectAsList();
    Map<String, Long> rowSums = new HashMap<>();
    Map<String, Long> columnSums = new HashMap<>();
    double pairsInCells = 0;
    long n = 0;
    for (Row cell : cells) {
      long count = cell.getLong(2);
      rowSums.merge(cell.getString(0), count, Long::sum);
      columnSums.merge(cell.getString(1), count, Long::sum);
      pairsInCells += pairs(count);
      n += count;
    }
    double rowPairs = rowSums.values().stream().mapToDouble(AdjustedRandIndex::pairs).sum();
    double columnPairs = columnSums.values().stream().mapToDouble(AdjustedRandIndex::pairs).sum();
    double expected = rowPairs * columnPairs / pairs(n);
    double max = (rowPairs + columnPairs) / 2;
    return (pairsInCells - expected) / (max - expected);
  }

  private static double pairs(long n) {
    return n * (n - 1) / 2.0;
  }
}

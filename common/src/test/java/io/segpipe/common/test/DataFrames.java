package io.segpipe.common.test;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.MapType;

/**
 * DataFrame equality from spark-testing-base, used by composition so it shares the one session
 * (extending its JUnit 4 base class would start a second SparkContext).
 */
public final class DataFrames {
  private static JavaDataFrameSuiteBase base;

  private DataFrames() {}

  private static synchronized JavaDataFrameSuiteBase base() {
    if (base == null) {
      base =
          new JavaDataFrameSuiteBase() {
            @Override
            public boolean enableHiveSupport() {
              return false;
            }
          };
      base.sqlBeforeAllTestCases();
    }
    return base;
  }

  /** Same schema and the same rows, in any order. */
  public static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    base().assertDataFrameNoOrderEquals(comparable(expected), comparable(actual));
  }

  /**
   * {@code rows} with each map column (events' identifiers) as its JSON text, in place: Spark's set
   * operations and sorting refuse maps.
   */
  public static Dataset<Row> comparable(Dataset<Row> rows) {
    Column[] columns =
        Arrays.stream(rows.schema().fields())
            .map(
                f ->
                    f.dataType() instanceof MapType
                        ? functions.to_json(functions.col("`" + f.name() + "`")).as(f.name())
                        : functions.col("`" + f.name() + "`"))
            .toArray(Column[]::new);
    return rows.select(columns);
  }

  /** Same schema and rows in the same order, doubles equal within {@code tolerance}. */
  public static void assertApproximatelyEqual(
      Dataset<Row> expected, Dataset<Row> actual, double tolerance) {
    base().assertDataFrameApproximateEquals(expected, actual, tolerance);
  }
}

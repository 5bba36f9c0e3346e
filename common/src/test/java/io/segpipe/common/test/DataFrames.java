package io.segpipe.common.test;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
    base().assertDataFrameNoOrderEquals(expected, actual);
  }

  /** Same schema and rows in the same order, doubles equal within {@code tolerance}. */
  public static void assertApproximatelyEqual(
      Dataset<Row> expected, Dataset<Row> actual, double tolerance) {
    base().assertDataFrameApproximateEquals(expected, actual, tolerance);
  }
}

package io.segpipe.common.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ExactMeans' sums and means: the same bits whatever the partitioning and row order, equal to the
 * sum of the rounded values computed here with BigDecimal, within half a unit per value of the true
 * mean; nulls left out; a value too large to round into a long stops the query, naming it.
 */
@ExtendWith(SharedSpark.class)
class ExactMeansTest {
  private static final StructType VALUES =
      new StructType().add("g", DataTypes.StringType).add("x", DataTypes.DoubleType);

  private static Dataset<Row> values(SparkSession spark, List<Row> rows, int partitions) {
    return spark.createDataFrame(rows, VALUES).repartition(partitions);
  }

  private static List<Row> summed(Dataset<Row> values, int digits) {
    values.createOrReplaceTempView("exact_means_values");
    return values
        .sparkSession()
        .sql(
            "SELECT g, "
                + ExactMeans.sum("x", digits, "test x")
                + " AS total, "
                + ExactMeans.mean("x", digits, "test x")
                + " AS mean FROM exact_means_values GROUP BY g ORDER BY g")
        .collectAsList();
  }

  @Test
  void sumsAreTheRoundedValuesAddedExactlyWhateverTheOrder(SparkSession spark) {
    Random random = new Random(20261206);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String g = "g" + (i % 3);
      double x =
          switch (i % 3) {
            case 0 -> random.nextDouble(); // shares
            case 1 -> 1 + 4 * random.nextDouble(); // ratings
            default -> (random.nextDouble() - 0.3) * 1e5; // money, some negative
          };
      rows.add(RowFactory.create(g, i % 17 == 0 ? null : x));
    }
    List<Row> one = summed(values(spark, rows, 1), 9);
    List<Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(7));
    List<Row> seven = summed(values(spark, shuffled, 7), 9);
    assertEquals(one, seven, "the same bits on 1 and 7 partitions, rows in another order");

    for (Row r : one) {
      String g = r.getString(0);
      BigDecimal units = BigDecimal.ZERO;
      double trueSum = 0;
      long n = 0;
      for (Row v : rows) {
        if (v.getString(0).equals(g) && !v.isNullAt(1)) {
          double x = v.getDouble(1);
          units = units.add(BigDecimal.valueOf((long) Math.floor(x * 1e9 + 0.5)));
          trueSum += x;
          n++;
        }
      }
      double total = units.doubleValue() / 1e9;
      assertEquals(total, r.getDouble(1), 0.0, g + " sum");
      assertEquals(total / n, r.getDouble(2), 0.0, g + " mean");
      assertEquals(trueSum / n, r.getDouble(2), 1e-9 * Math.max(1, Math.abs(trueSum / n)), g);
    }
  }

  @Test
  void partsAddUpToTheSameBitsAsTheWhole(SparkSession spark) {
    Random random = new Random(61);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // two groups, each split into 40 parts by the row's number; some parts hold only nulls
      boolean nullPart = i % 40 == 13;
      double x = (random.nextDouble() - 0.5) * (i % 2 == 0 ? 1 : 1e6);
      rows.add(RowFactory.create("g" + (i % 2), nullPart || i % 11 == 0 ? null : x));
    }
    List<Row> whole = summed(values(spark, rows, 3), 6);
    List<Row> parted = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      parted.add(RowFactory.create(rows.get(i).getString(0) + "|" + (i % 40), rows.get(i).get(1)));
    }
    values(spark, parted, 5).createOrReplaceTempView("exact_means_parted");
    List<Row> fromParts =
        spark
            .sql(
                "WITH parts AS (SELECT g AS part, "
                    + ExactMeans.unitSum("x", 6, "test x")
                    + " AS x_units, count(x) AS x_count FROM exact_means_parted GROUP BY g)"
                    + " SELECT split(part, '[|]')[0] AS g, "
                    + ExactMeans.sumOfParts("x_units", 6)
                    + " AS total, "
                    + ExactMeans.meanOfParts("x_units", "x_count", 6)
                    + " AS mean FROM parts GROUP BY 1 ORDER BY 1")
            .collectAsList();
    assertEquals(2, whole.size());
    assertEquals(whole, fromParts, "40 parts per group added up: the same bits as the whole");
  }

  @Test
  void nullsAreLeftOutAndAllNullsGiveNull(SparkSession spark) {
    List<Row> rows =
        List.of(
            RowFactory.create("a", 0.25),
            RowFactory.create("a", null),
            RowFactory.create("a", 0.5),
            RowFactory.create("b", null));
    List<Row> out = summed(values(spark, rows, 2), 6);
    assertEquals(0.75, out.get(0).getDouble(1), 0.0);
    assertEquals(0.375, out.get(0).getDouble(2), 0.0, "the mean of the two non-null values");
    assertNull(out.get(1).get(1), "b: no value, no sum");
    assertNull(out.get(1).get(2), "b: no value, no mean");
  }

  @Test
  void valuesTooLargeToRoundStopTheQueryNamingThem(SparkSession spark) {
    for (double bad : new double[] {1e10, -2e10, Double.NaN}) {
      List<Row> rows = List.of(RowFactory.create("a", 1.0), RowFactory.create("a", bad));
      Exception e = assertThrows(Exception.class, () -> summed(values(spark, rows, 1), 9));
      String message = String.valueOf(e.getMessage());
      assertTrue(
          message.contains("test x is " + bad) && message.contains("under 9.0E9"),
          bad + ": " + message);
    }
    // with fewer digits kept, the same value is in range
    List<Row> rows = List.of(RowFactory.create("a", 1e10), RowFactory.create("a", 2e10));
    assertEquals(1.5e10, summed(values(spark, rows, 1), 6).get(0).getDouble(2), 0.0);
  }

  @Test
  void digitsOutsideWhatALongHoldsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ExactMeans.units("x", 16, "x"));
    assertThrows(IllegalArgumentException.class, () -> ExactMeans.units("x", -1, "x"));
  }
}

package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.features.Cn8Reference;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * rfm_boundaries.sql and rfm_scores.sql: exact percentiles, ties kept together, collapsed
 * boundaries; cn-8 split strictly at the mean or median.
 */
@ExtendWith(SharedSpark.class)
class RfmScoresTest {
  static final StructType INPUT =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("recency_days", DataTypes.IntegerType)
          .add("frequency", DataTypes.LongType)
          .add("monetary", DataTypes.createDecimalType(18, 2));

  static final RfmSchemes.Scheme DEFAULT_SCHEME =
      SegpipeConfig.load(Optional.empty(), Map.of()).section(RfmSchemes::read);

  /**
   * Ten purchasers: recency 0..90 step 10, frequency mostly 1, monetary with a tie at the 40 %
   * boundary; one prospect.
   */
  static Dataset<Row> input(SparkSession spark) {
    int[] recency = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    long[] frequency = {1, 1, 1, 1, 1, 1, 1, 2, 2, 3};
    String[] monetary = {
      "10.00", "20.00", "30.00", "30.00", "30.00", "60.00", "70.00", "80.00", "90.00", "0.00"
    };
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create("c" + i, recency[i], frequency[i], new BigDecimal(monetary[i])));
    }
    rows.add(RowFactory.create("prospect", null, 0L, new BigDecimal("0.00")));
    return spark.createDataFrame(rows, INPUT);
  }

  @Test
  void boundariesAreExactPercentilesOverPurchasers(SparkSession spark) {
    Row row = RfmScores.boundaries(input(spark)).first();
    List<RfmScores.Boundaries> b = RfmScores.from(row);
    // positions 1.8, 3.6, 5.4, 7.2 in the sorted values, interpolated
    assertBoundaries(List.of(18.0, 36.0, 54.0, 72.0), b.get(0));
    assertBoundaries(List.of(1.0, 1.0, 1.0, 2.0), b.get(1));
    // sorted monetary 0, 10, 20, 30, 30, 30, 60, 70, 80, 90
    assertBoundaries(List.of(18.0, 30.0, 42.0, 72.0), b.get(2));
    assertEquals(10L, (long) row.getAs("purchasers"));
    // recency 0..90: mean 45, median between 40 and 50; frequency mean 1.4, median 1; monetary sum
    // 420
    assertEquals(List.of(45.0, 1.4, 42.0), b.stream().map(RfmScores.Boundaries::mean).toList());
    assertEquals(List.of(45.0, 1.0, 30.0), b.stream().map(RfmScores.Boundaries::median).toList());
    assertFalse(b.get(0).collapsed());
    assertTrue(b.get(1).collapsed());
    assertEquals(List.of(1, 4, 5), b.get(1).possibleScores());
    assertEquals(List.of(1, 2, 3, 4, 5), b.get(0).possibleScores());
    assertTrue(b.get(1).describe().contains("too few distinct values"), b.get(1).describe());
  }

  private static void assertBoundaries(List<Double> expected, RfmScores.Boundaries actual) {
    assertEquals(expected.size(), actual.values().size(), actual.describe());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.values().get(i), 1e-9, actual.describe());
    }
  }

  @Test
  void equalValuesGetEqualScoresAndRecencyIsReversed(SparkSession spark) {
    Dataset<Row> in = input(spark);
    Map<String, Row> scored =
        RfmScores.apply(in, RfmScores.from(RfmScores.boundaries(in).first()), DEFAULT_SCHEME)
            .collectAsList()
            .stream()
            .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
    // monetary 30.00 three times, one of them exactly on the 40 % boundary: all score 2
    for (String tied : List.of("c2", "c3", "c4")) {
      assertEquals(2, (int) scored.get(tied).getAs("m_score"), tied);
    }
    assertEquals(1, (int) scored.get("c9").getAs("m_score"));
    assertEquals(5, (int) scored.get("c8").getAs("m_score"));
    // frequency 1 -> 1, 2 -> 4 (above three coinciding boundaries), 3 -> 5
    assertEquals(1, (int) scored.get("c0").getAs("f_score"));
    assertEquals(4, (int) scored.get("c7").getAs("f_score"));
    assertEquals(5, (int) scored.get("c9").getAs("f_score"));
    // recency: the most recent score 5, the oldest 1
    assertEquals(5, (int) scored.get("c0").getAs("r_score"));
    assertEquals(4, (int) scored.get("c2").getAs("r_score"));
    assertEquals(1, (int) scored.get("c9").getAs("r_score"));
    assertEquals("511", scored.get("c0").getAs("rfm_cell"));
    assertEquals("new_customers", scored.get("c0").getAs("rfm_segment"));
    // c8: recency 80 -> 1, frequency 2 -> 4, monetary 90 -> 5: FM 4.5
    assertEquals("145", scored.get("c8").getAs("rfm_cell"));
    assertEquals("at_risk", scored.get("c8").getAs("rfm_segment"));
    assertNull(scored.get("prospect").getAs("r_score"));
    assertNull(scored.get("prospect").getAs("rfm_segment"));
  }

  @Test
  void scoresDoNotDependOnPartitioning(SparkSession spark) {
    Dataset<Row> in = input(spark);
    List<RfmScores.Boundaries> b = RfmScores.from(RfmScores.boundaries(in).first());
    List<RfmScores.Boundaries> spread =
        RfmScores.from(RfmScores.boundaries(in.repartition(7)).first());
    assertEquals(b, spread);
  }

  /**
   * Eleven purchasers whose means and medians are values some of them have (recency mean 40, median
   * 30; frequency mean 2, median 1; monetary mean 30.30, median 20.20), so a value right at a
   * threshold must count as low; and a prospect. Under the means they fall in all eight classes.
   */
  static final List<Cn8Reference.Customer> PLANTED =
      List.of(
          planted("p00", 0, 4, "70.70"),
          planted("p01", 5, 1, "60.60"),
          planted("p02", 90, 4, "50.50"),
          planted("p03", 105, 2, "40.40"),
          planted("p04", 10, 3, "30.30"),
          planted("p05", 20, 1, "20.20"),
          planted("p06", 40, 3, "20.20"),
          planted("p07", 50, 1, "10.10"),
          planted("p08", 30, 1, "0.00"),
          planted("p09", 30, 1, "20.20"),
          planted("p10", 60, 1, "10.10"),
          planted("prospect", null, 0, "-5.00"));

  private static Cn8Reference.Customer planted(
      String id, Integer recencyDays, long frequency, String monetary) {
    return new Cn8Reference.Customer(id, recencyDays, frequency, new BigDecimal(monetary));
  }

  @Test
  void cn8SplitsStrictlyAtTheMeanOrTheMedianAndLeavesTheScoresAlone(SparkSession spark) {
    Dataset<Row> in =
        spark.createDataFrame(
            PLANTED.stream()
                .map(c -> RowFactory.create(c.id(), c.recencyDays(), c.frequency(), c.monetary()))
                .toList(),
            INPUT);
    List<RfmScores.Boundaries> b = RfmScores.from(RfmScores.boundaries(in).first());
    // exact: 333.30 / 11 is 30.30 as a decimal, and so the same double as the value 30.30
    assertEquals(List.of(40.0, 2.0, 30.30), b.stream().map(RfmScores.Boundaries::mean).toList());
    assertEquals(List.of(30.0, 1.0, 20.20), b.stream().map(RfmScores.Boundaries::median).toList());
    Map<String, Row> byMean = byCustomer(RfmScores.apply(in, b, RfmSchemes.Scheme.cn8("mean")));
    Map<String, Row> byMedian = byCustomer(RfmScores.apply(in, b, RfmSchemes.Scheme.cn8("median")));
    Map<String, String> expectedMean = Cn8Reference.classes(PLANTED, Cn8Reference.means(PLANTED));
    Map<String, String> expectedMedian =
        Cn8Reference.classes(PLANTED, Cn8Reference.medians(PLANTED));
    expectedMean.forEach(
        (c, cls) -> assertEquals(cls, byMean.get(c).getAs("rfm_segment"), c + " (mean)"));
    expectedMedian.forEach(
        (c, cls) -> assertEquals(cls, byMedian.get(c).getAs("rfm_segment"), c + " (median)"));
    // spelt out: at the threshold is low (p03 frequency 2 = mean, p04 monetary 30.30 = mean, p06
    // recency 40 =
    // mean; p08, p09 recency 30 = median, p05 monetary 20.20 = median)
    assertEquals(
        List.of(
            "important_value",
            "important_develop",
            "important_keep",
            "important_win_back",
            "general_value",
            "general_develop",
            "general_keep",
            "general_win_back",
            "general_develop",
            "general_develop",
            "general_win_back"),
        classes(byMean));
    assertEquals(
        List.of(
            "important_value",
            "important_develop",
            "important_keep",
            "important_keep",
            "important_value",
            "general_develop",
            "general_keep",
            "general_win_back",
            "general_win_back",
            "general_win_back",
            "general_win_back"),
        classes(byMedian));
    assertNull(byMean.get("prospect").getAs("rfm_segment"));
    assertNull(byMedian.get("prospect").getAs("rfm_segment"));
    // the scores and the cell are those of the score map
    Map<String, Row> byMap = byCustomer(RfmScores.apply(in, b, DEFAULT_SCHEME));
    for (String c : byMap.keySet()) {
      for (String column : List.of("r_score", "f_score", "m_score", "rfm_cell")) {
        assertEquals(
            byMap.get(c).<Object>getAs(column), byMean.get(c).getAs(column), c + " " + column);
      }
    }
  }

  private static Map<String, Row> byCustomer(Dataset<Row> scored) {
    return scored.collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
  }

  private static List<String> classes(Map<String, Row> scored) {
    return scored.keySet().stream()
        .filter(c -> c.startsWith("p") && !c.equals("prospect"))
        .sorted()
        .map(c -> scored.get(c).<String>getAs("rfm_segment"))
        .toList();
  }
}

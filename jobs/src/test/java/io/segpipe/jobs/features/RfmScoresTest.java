package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.test.SharedSpark;
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

/** rfm_boundaries.sql and rfm_scores.sql: exact percentiles, ties kept together, collapsed boundaries. */
@ExtendWith(SharedSpark.class)
class RfmScoresTest {
  static final StructType INPUT = new StructType()
      .add("customer_id", DataTypes.StringType)
      .add("recency_days", DataTypes.IntegerType)
      .add("frequency", DataTypes.LongType)
      .add("monetary", DataTypes.createDecimalType(18, 2));

  static final RfmSegmentMap DEFAULT_MAP = SegpipeConfig.load(Optional.empty(), Map.of())
      .section(r -> RfmSegmentMap.read(r, "segpipe.features.rfm.segments"));

  /** Ten purchasers: recency 0..90 step 10, frequency mostly 1, monetary with a tie at the 40 % boundary; one prospect. */
  static Dataset<Row> input(SparkSession spark) {
    int[] recency = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    long[] frequency = {1, 1, 1, 1, 1, 1, 1, 2, 2, 3};
    String[] monetary = {"10.00", "20.00", "30.00", "30.00", "30.00", "60.00", "70.00", "80.00", "90.00", "0.00"};
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
    Map<String, Row> scored = RfmScores.apply(in, RfmScores.from(RfmScores.boundaries(in).first()), DEFAULT_MAP)
        .collectAsList().stream().collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
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
    assertEquals("New Customers", scored.get("c0").getAs("rfm_segment"));
    // c8: recency 80 -> 1, frequency 2 -> 4, monetary 90 -> 5: FM 4.5
    assertEquals("145", scored.get("c8").getAs("rfm_cell"));
    assertEquals("At Risk", scored.get("c8").getAs("rfm_segment"));
    assertNull(scored.get("prospect").getAs("r_score"));
    assertNull(scored.get("prospect").getAs("rfm_segment"));
  }

  @Test
  void scoresDoNotDependOnPartitioning(SparkSession spark) {
    Dataset<Row> in = input(spark);
    List<RfmScores.Boundaries> b = RfmScores.from(RfmScores.boundaries(in).first());
    List<RfmScores.Boundaries> spread = RfmScores.from(RfmScores.boundaries(in.repartition(7)).first());
    assertEquals(b, spread);
  }
}

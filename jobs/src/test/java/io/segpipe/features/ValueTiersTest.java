package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segpipe.common.test.SharedSpark;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * value_tier_levels.sql, common's ShareThresholds and value_tiers.sql with shares 20 % / 30 %; and
 * ShareThresholds against the single query of windows it replaced.
 */
@ExtendWith(SharedSpark.class)
class ValueTiersTest {
  private static final StructType INPUT =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("frequency", DataTypes.LongType)
          .add("monetary", DataTypes.createDecimalType(18, 2));

  @Test
  void tiersByCumulativeShareWithTiesInOneTier(SparkSession spark) {
    // positive spend 100 + 60 + 60 + 30 + 20 + 10 = 280: high while spend above < 56, mid while <
    // 140
    String[][] cases = {
      {"a", "100.00", "high"}, {"b", "60.00", "mid"}, {"c", "60.00", "mid"}, {"d", "30.00", "low"},
      {"e", "20.00", "low"}, {"f", "10.00", "low"}, {"g", "0.00", "low"}, {"h", "-5.00", "low"}
    };
    List<Row> rows = new ArrayList<>();
    for (String[] c : cases) {
      rows.add(RowFactory.create(c[0], 1L, new BigDecimal(c[1])));
    }
    rows.add(RowFactory.create("prospect", 0L, new BigDecimal("0.00")));
    Dataset<Row> in = spark.createDataFrame(rows, INPUT);
    ValueTiers tiers = new ValueTiers(new BigDecimal("0.2"), new BigDecimal("0.3"));
    Row thresholds = tiers.thresholds(in).first();
    assertEquals(new BigDecimal("100.00"), thresholds.getAs("high_tier_from"));
    assertEquals(new BigDecimal("60.00"), thresholds.getAs("mid_tier_from"));
    Map<String, Row> tier =
        tiers.apply(in, thresholds).collectAsList().stream()
            .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
    for (String[] c : cases) {
      assertEquals(c[2], tier.get(c[0]).getAs("value_tier"), c[0]);
    }
    assertNull(tier.get("prospect").getAs("value_tier"));
  }

  /**
   * The thresholds equal a direct computation of the rule (distinct levels ranked, exact running
   * sums) on spends from a cent to ten million, with ties and many levels per bucket, for several
   * shares, and do not depend on the number of shuffle partitions.
   */
  @Test
  void thresholdsEqualTheRuleComputedDirectlyAcrossMagnitudes(SparkSession spark) {
    java.util.Random random = new java.util.Random(11);
    List<Row> rows = new ArrayList<>();
    java.util.TreeMap<BigDecimal, BigDecimal> levels =
        new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
    for (int i = 0; i < 5000; i++) {
      int digits = random.nextInt(10); // cents: 1 .. 10^9
      long cents = i % 10 == 0 ? 12345 : 1 + (long) (random.nextDouble() * Math.pow(10, digits));
      BigDecimal spend = BigDecimal.valueOf(cents, 2);
      rows.add(RowFactory.create("c" + i, 1L, spend));
      levels.merge(spend, spend, BigDecimal::add);
    }
    rows.add(RowFactory.create("prospect", 0L, new BigDecimal("999999.00")));
    BigDecimal total = levels.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    String current = spark.conf().get("spark.sql.shuffle.partitions");
    try {
      for (String partitions : List.of("1", "7")) {
        spark.conf().set("spark.sql.shuffle.partitions", partitions);
        Dataset<Row> in = spark.createDataFrame(rows, INPUT);
        for (String[] shares : new String[][] {{"0.2", "0.3"}, {"0.05", "0.9"}, {"0.5", "0.5"}}) {
          BigDecimal high = new BigDecimal(shares[0]);
          BigDecimal mid = new BigDecimal(shares[1]);
          BigDecimal above = BigDecimal.ZERO;
          BigDecimal highFrom = null;
          BigDecimal midFrom = null;
          for (Map.Entry<BigDecimal, BigDecimal> level : levels.entrySet()) {
            if (above.compareTo(high.multiply(total)) < 0) {
              highFrom = level.getKey();
            }
            if (above.compareTo(high.add(mid).multiply(total)) < 0) {
              midFrom = level.getKey();
            }
            above = above.add(level.getValue());
          }
          Row thresholds = new ValueTiers(high, mid).thresholds(in).first();
          String what = "shares " + String.join("/", shares) + ", " + partitions + " partitions";
          assertEquals(highFrom, thresholds.getAs("high_tier_from"), what);
          assertEquals(midFrom, thresholds.getAs("mid_tier_from"), what);
        }
      }
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", current);
    }
  }

  /**
   * ShareThresholds gives what the single query of windows and joins it replaced
   * (sql/tiers/share_thresholds_windows.sql, kept here as the reference) gave: for spends in cents
   * and CLVs in millionths, with decimal shares (one of nine digits, whose limits Spark rounds) and
   * double shares (CLV's, compared as doubles), including limits that fall exactly on a level.
   */
  @Test
  void thresholdsEqualTheQueryOfWindowsTheyReplaced(SparkSession spark) {
    java.util.Random random = new java.util.Random(5);
    StructType levelsType =
        new StructType()
            .add("level", DataTypes.createDecimalType(30, 6))
            .add("level_sum", DataTypes.createDecimalType(38, 6));
    java.util.Map<BigDecimal, BigDecimal> clv = new java.util.TreeMap<>();
    java.util.Map<BigDecimal, BigDecimal> cents = new java.util.TreeMap<>();
    for (int i = 0; i < 4000; i++) {
      double magnitude = Math.pow(10, random.nextInt(8) - 2);
      BigDecimal c = BigDecimal.valueOf((long) (random.nextDouble() * magnitude * 1e6), 6);
      clv.merge(c, c, BigDecimal::add);
      BigDecimal m = BigDecimal.valueOf((long) (random.nextDouble() * magnitude * 100), 2);
      BigDecimal count = BigDecimal.valueOf(1 + random.nextInt(3));
      cents.merge(m, m.multiply(count), BigDecimal::add);
    }
    // 100 of a total of 200 above the level 60: a mid limit of exactly the sum above a level
    java.util.Map<BigDecimal, BigDecimal> exact =
        java.util.Map.of(
            new BigDecimal("100.00"), new BigDecimal("100.00"),
            new BigDecimal("60.00"), new BigDecimal("60.00"),
            new BigDecimal("40.00"), new BigDecimal("40.00"));
    StructType centsType =
        new StructType()
            .add("level", DataTypes.createDecimalType(28, 2))
            .add("level_sum", DataTypes.createDecimalType(38, 2));
    Object[][] shares = {
      {new BigDecimal("0.2"), new BigDecimal("0.3")},
      {new BigDecimal("0.123456789"), new BigDecimal("0.5")},
      {new BigDecimal("0.25"), new BigDecimal("0.25")},
      {0.2, 0.3},
      {0.1, 0.7},
      {0.5, 0.25}
    };
    int compared = 0;
    for (java.util.Map<BigDecimal, BigDecimal> levels : List.of(clv, cents, exact)) {
      List<Row> rows = new ArrayList<>();
      levels.forEach((level, sum) -> rows.add(RowFactory.create(level, sum)));
      Dataset<Row> in =
          spark.createDataFrame(rows, levels == clv ? levelsType : centsType).repartition(3);
      for (Object[] share : shares) {
        Row expected =
            io.segpipe.common.sql.SqlResource.load("sql/tiers/share_thresholds_windows.sql")
                .withView("levels", in)
                .with("high_share", share[0])
                .with("mid_share", share[1])
                .run(spark)
                .first();
        Row actual = io.segpipe.common.sql.ShareThresholds.of(in, share[0], share[1]).first();
        String what = levels.size() + " levels, shares " + share[0] + " / " + share[1];
        assertEquals(expected.get(0), actual.get(0), what);
        assertEquals(expected.get(1), actual.get(1), what);
        assertEquals(expected.schema(), actual.schema(), what);
        compared++;
      }
    }
    assertEquals(18, compared);
  }

  @Test
  void noPositiveSpendMeansEveryPurchaserIsLow(SparkSession spark) {
    Dataset<Row> in =
        spark.createDataFrame(List.of(RowFactory.create("a", 1L, new BigDecimal("0.00"))), INPUT);
    ValueTiers tiers = new ValueTiers(new BigDecimal("0.2"), new BigDecimal("0.3"));
    assertEquals("low", tiers.apply(in, tiers.thresholds(in).first()).first().getAs("value_tier"));
  }
}

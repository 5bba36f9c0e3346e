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

/** value_tier_levels.sql, share_thresholds.sql and value_tiers.sql with shares 20 % / 30 %. */
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

  @Test
  void noPositiveSpendMeansEveryPurchaserIsLow(SparkSession spark) {
    Dataset<Row> in =
        spark.createDataFrame(List.of(RowFactory.create("a", 1L, new BigDecimal("0.00"))), INPUT);
    ValueTiers tiers = new ValueTiers(new BigDecimal("0.2"), new BigDecimal("0.3"));
    assertEquals("low", tiers.apply(in, tiers.thresholds(in).first()).first().getAs("value_tier"));
  }
}

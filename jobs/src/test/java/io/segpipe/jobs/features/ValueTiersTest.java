package io.segpipe.jobs.features;

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

/** value_tier_thresholds.sql and value_tiers.sql with shares 20 % / 30 %. */
@ExtendWith(SharedSpark.class)
class ValueTiersTest {
  private static final StructType INPUT = new StructType()
      .add("customer_id", DataTypes.StringType)
      .add("frequency", DataTypes.LongType)
      .add("monetary", DataTypes.createDecimalType(18, 2));

  @Test
  void tiersByCumulativeShareWithTiesInOneTier(SparkSession spark) {
    // positive spend 100 + 60 + 60 + 30 + 20 + 10 = 280: high while spend above < 56, mid while < 140
    String[][] cases = {
        {"a", "100.00", "high"}, {"b", "60.00", "mid"}, {"c", "60.00", "mid"}, {"d", "30.00", "low"},
        {"e", "20.00", "low"}, {"f", "10.00", "low"}, {"g", "0.00", "low"}, {"h", "-5.00", "low"}};
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
    Map<String, Row> tier = tiers.apply(in, thresholds).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getAs("customer_id"), r -> r));
    for (String[] c : cases) {
      assertEquals(c[2], tier.get(c[0]).getAs("value_tier"), c[0]);
    }
    assertNull(tier.get("prospect").getAs("value_tier"));
  }

  @Test
  void noPositiveSpendMeansEveryPurchaserIsLow(SparkSession spark) {
    Dataset<Row> in = spark.createDataFrame(List.of(RowFactory.create("a", 1L, new BigDecimal("0.00"))), INPUT);
    ValueTiers tiers = new ValueTiers(new BigDecimal("0.2"), new BigDecimal("0.3"));
    assertEquals("low", tiers.apply(in, tiers.thresholds(in).first()).first().getAs("value_tier"));
  }
}

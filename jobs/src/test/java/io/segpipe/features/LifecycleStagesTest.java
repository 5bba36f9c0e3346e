package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segpipe.common.test.SharedSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * lifecycle_stages.sql with the default thresholds: new 30, at risk 90, lapsed 180, churned 270,
 * reactivated gap 180.
 */
@ExtendWith(SharedSpark.class)
class LifecycleStagesTest {
  private static final StructType INPUT =
      new StructType()
          .add("customer_id", DataTypes.StringType)
          .add("frequency", DataTypes.LongType)
          .add("recency_days", DataTypes.IntegerType)
          .add("tenure_days", DataTypes.IntegerType)
          .add("days_before_last_purchase", DataTypes.IntegerType);

  @Test
  void eachStageAndItsEdges(SparkSession spark) {
    Object[][] cases = {
      // expected, frequency, recency, tenure, gap before last purchase
      {"prospect", 0L, null, null, null},
      {"new", 1L, 29, 29, null},
      {"active", 1L, 30, 30, null},
      {"new", 3L, 0, 29, 10},
      {"active", 2L, 89, 200, 20},
      {"at_risk", 1L, 90, 90, null},
      {"at_risk", 1L, 179, 179, null},
      {"lapsed", 1L, 180, 180, null},
      {"lapsed", 2L, 269, 300, 10},
      {"churned", 1L, 270, 270, null},
      {"reactivated", 2L, 10, 300, 180},
      {"active", 2L, 10, 300, 179},
      {"at_risk", 2L, 90, 300, 200},
    };
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      rows.add(RowFactory.create("c" + i, cases[i][1], cases[i][2], cases[i][3], cases[i][4]));
    }
    LifecycleStages stages = new LifecycleStages(30, 90, 180, 270, 180);
    Map<String, String> stage =
        stages.apply(spark.createDataFrame(rows, INPUT)).collectAsList().stream()
            .collect(
                Collectors.toMap(r -> r.getAs("customer_id"), r -> r.getAs("lifecycle_stage")));
    for (int i = 0; i < cases.length; i++) {
      assertEquals(cases[i][0], stage.get("c" + i), "case " + i);
    }
  }
}

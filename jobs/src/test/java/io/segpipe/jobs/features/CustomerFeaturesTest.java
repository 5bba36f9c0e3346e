package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.schema.Events;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.features.FeaturesSettings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole snapshot computation: the same rows, value for value, however the work is partitioned
 * or ordered.
 */
@ExtendWith(SharedSpark.class)
class CustomerFeaturesTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-11-30");

  private static List<Row> snapshot(SparkSession spark, Dataset<Row> events) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), Map.of());
    FeaturesSettings settings =
        config.section(r -> FeaturesSettings.read(r, AS_OF, config.events().channels()));
    Dataset<Row> customers =
        spark.createDataFrame(List.of(), Events.CUSTOMERS).select("customer_id", "signup_date");
    try (CustomerFeatures.Snapshot snapshot =
        new CustomerFeatures(settings).compute(CustomerDaily.aggregate(events), customers)) {
      List<Row> rows = new ArrayList<>(snapshot.rows().collectAsList());
      rows.sort(Comparator.comparing(r -> r.<String>getAs("customer_id")));
      return rows;
    }
  }

  @Test
  void identicalWithOneSevenAndTwoHundredShufflePartitionsAndAnyInputOrder(SparkSession spark) {
    List<Row> rows = EventRows.generated(11, 120).rows();
    List<Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(3));
    List<Row> reference = null;
    String partitions = spark.conf().get("spark.sql.shuffle.partitions");
    String adaptive = spark.conf().get("spark.sql.adaptive.enabled");
    try {
      spark.conf().set("spark.sql.adaptive.enabled", false);
      for (int n : new int[] {1, 7, 200}) {
        spark.conf().set("spark.sql.shuffle.partitions", n);
        List<Row> result = snapshot(spark, spark.createDataFrame(rows, Events.SCHEMA));
        if (reference == null) {
          reference = result;
          assertTrue(reference.size() > 100, "customers: " + reference.size());
        } else {
          assertEquals(reference, result, n + " shuffle partitions");
        }
      }
      spark.conf().set("spark.sql.shuffle.partitions", 7);
      assertEquals(
          reference,
          snapshot(spark, spark.createDataFrame(shuffled, Events.SCHEMA).repartition(5)),
          "rows read in another order");
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", partitions);
      spark.conf().set("spark.sql.adaptive.enabled", adaptive);
    }
  }
}

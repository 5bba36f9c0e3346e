package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.jobs.train.TrainJob;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The segpipe.train section: defaults as documented, every bad value reported with its key, before
 * Spark.
 */
class TrainSettingsTest {
  private static TrainSettings read(Map<String, String> overrides) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), overrides);
    return config.section(
        r -> TrainSettings.read(r, LocalDate.parse("2024-12-31"), config.events().channels()));
  }

  @Test
  void defaults() {
    TrainSettings s = read(Map.of());
    assertEquals(
        List.of(
            "recency_days",
            "frequency",
            "monetary",
            "avg_order_value",
            "channel_breadth",
            "tenure_days"),
        s.clusterFeatures().features());
    assertEquals(3, s.kMin());
    assertEquals(8, s.kMax());
    assertEquals(4, s.rulesDepth());
    assertEquals(LocalDate.parse("2024-10-02"), s.cutOff());
    assertEquals(LocalDate.parse("2024-10-02"), s.featuresAtCutOff().asOf());
    assertEquals("models", s.models());
    ChurnSettings c = s.churn();
    assertEquals(LocalDate.parse("2024-10-02"), c.validationCutOff());
    assertEquals(
        List.of("2024-07-04", "2024-06-04", "2024-05-05"),
        c.trainingCutOffs().stream().map(LocalDate::toString).toList());
    assertEquals(List.of("tree", "forest", "gbt", "bgnbd"), c.candidates());
    assertEquals(4, c.featuresAt().size());
    assertEquals(LocalDate.parse("2024-05-05"), c.featuresAt().get(3).asOf());
  }

  @Test
  void smallTrainingSetsUseFewerPartitionsThanConfigured() {
    TrainSettings s = read(Map.of());
    assertEquals(8, s.partitions());
    assertEquals(2, s.partitionsFor(0));
    assertEquals(2, s.partitionsFor(2_176));
    assertEquals(2, s.partitionsFor(100_000));
    assertEquals(3, s.partitionsFor(100_001));
    assertEquals(8, s.partitionsFor(400_000));
    assertEquals(8, s.partitionsFor(468_000)); // the 10M benchmark's purchasers: the configured 8
    assertEquals(1, read(Map.of("segpipe.train.partitions", "1")).partitionsFor(1_000_000));
    assertEquals(20, read(Map.of("segpipe.train.partitions", "64")).partitionsFor(1_000_000));
  }

  @Test
  void churnSettingsNameTheirKeys() {
    String message =
        assertThrows(
                ConfigError.class,
                () ->
                    read(
                        Map.of(
                            "segpipe.train.churn.candidates", "[tree, xgboost, tree]",
                            "segpipe.train.churn.features", "[recency_days, churn_risk]",
                            "segpipe.train.churn.training-cut-offs", "0",
                            "segpipe.train.churn.test-share", "1")))
            .getMessage();
    assertTrue(
        message.contains("'xgboost' is not a candidate; choose from [tree, forest, gbt, bgnbd]"),
        message);
    assertTrue(
        message.contains("segpipe.train.churn.candidates")
            && message.contains("lists a candidate twice"),
        message);
    assertTrue(message.contains("'churn_risk' is not a numeric customer_features column"), message);
    assertTrue(message.contains("segpipe.train.churn.training-cut-offs"), message);
    assertTrue(message.contains("segpipe.train.churn.test-share"), message);
  }

  @Test
  void everyProblemIsReportedWithItsKey() {
    String message =
        assertThrows(
                ConfigError.class,
                () ->
                    read(
                        Map.of(
                            "segpipe.train.k-min", "9",
                            "segpipe.train.features",
                                "[recency_days, rfm_segment, preferred_daypart]",
                            "segpipe.train.log-features", "[monetary]",
                            "segpipe.train.churn.horizon-days", "0")))
            .getMessage();
    assertTrue(message.contains("segpipe.train.k-min (--conf segpipe.train.k-min"), message);
    assertTrue(message.contains("k-min 9 is above k-max 8"), message);
    assertTrue(
        message.contains("'rfm_segment' is not a numeric customer_features column"), message);
    assertTrue(
        message.contains("'preferred_daypart' is not a numeric customer_features column"), message);
    assertTrue(message.contains("'monetary' is not in segpipe.train.features"), message);
    assertTrue(message.contains("segpipe.train.churn.horizon-days"), message);
  }

  @Test
  void theJobRefusesBadConfigBeforeSparkStarts() {
    assertEquals(
        2,
        new TrainJob()
            .execute("--as-of", "2024-12-31", "--conf", "segpipe.train.rules-tree-depth=40"));
    assertEquals(2, new TrainJob().execute("--conf", "segpipe.lake.root=/tmp/nowhere"));
  }
}

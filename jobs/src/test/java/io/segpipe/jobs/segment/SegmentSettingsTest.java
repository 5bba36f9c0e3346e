package io.segpipe.jobs.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The segpipe.segment section and its age bands: defaults as documented, bad values named by key,
 * before Spark.
 */
class SegmentSettingsTest {
  private static SegmentSettings read(Map<String, String> overrides) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), overrides);
    return config.section(
        r ->
            SegmentSettings.read(
                r, LocalDate.parse("2024-12-31"), config.events().channels(), config.messages()));
  }

  @Test
  void defaults() {
    SegmentSettings s = read(Map.of());
    assertEquals(Optional.empty(), s.clustersVersion());
    assertEquals(Optional.empty(), s.churnVersion());
    assertEquals(new SegmentSettings.ChurnRisk(0.3, 0.6), s.churnRisk());
    assertEquals(5, s.topCategories());
    assertEquals(
        List.of("under 25", "25-34", "35-44", "45-54", "55-64", "65+"), s.ageBands().labels());
    assertEquals(365, s.features().windowDays());
  }

  @Test
  void pinnedVersionsAreRead() {
    SegmentSettings s = read(Map.of("segpipe.segment.clusters-version", "\"2024-12-31_ab12cd34\""));
    assertEquals(Optional.of("2024-12-31_ab12cd34"), s.clustersVersion());
    assertEquals(Optional.empty(), s.churnVersion());
  }

  @Test
  void everyProblemIsReportedWithItsKey() {
    String message =
        assertThrows(
                ConfigError.class,
                () ->
                    read(
                        Map.of(
                            "segpipe.segment.churn-risk.medium-from", "0.7",
                            "segpipe.segment.top-categories", "0",
                            "segpipe.segment.age-band-edges", "[30, 20]",
                            "segpipe.segment.churn-version", "\"latest please\"")))
            .getMessage();
    assertTrue(message.contains("high-from 0.6 must be above medium-from 0.7"), message);
    assertTrue(message.contains("segpipe.segment.top-categories"), message);
    assertTrue(
        message.contains("segpipe.segment.age-band-edges") && message.contains("20 follows 30"),
        message);
    assertTrue(message.contains("'latest please' is not a model version"), message);
  }

  @Test
  void ageBandsNameEveryAgeAndUnknown() {
    AgeBands bands = new AgeBands(List.of(25, 35));
    assertEquals(List.of("under 25", "25-34", "35+"), bands.labels());
    assertEquals(
        "CASE WHEN (age) IS NULL THEN 'unknown' WHEN (age) < 25 THEN 'under 25' WHEN (age) < 35 THEN '25-34'"
            + " ELSE '35+' END",
        bands.sql("age"));
  }

  @Test
  void theJobRefusesBadConfigAndAMissingDateBeforeSparkStarts() {
    assertEquals(
        2,
        new SegmentJob()
            .execute("--as-of", "2024-12-31", "--conf", "segpipe.segment.top-categories=99"));
    assertEquals(2, new SegmentJob().execute("--conf", "segpipe.lake.root=/tmp/nowhere"));
  }
}

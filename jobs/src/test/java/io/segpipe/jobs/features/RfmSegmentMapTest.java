package io.segpipe.jobs.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The segment map is checked before Spark starts: every cell in exactly one segment. */
class RfmSegmentMapTest {
  private static final String KEY = "segpipe.features.rfm.segments";

  private static RfmSegmentMap load(Map<String, String> overrides) {
    return SegpipeConfig.load(Optional.empty(), overrides).section(r -> RfmSegmentMap.read(r, KEY));
  }

  @Test
  void defaultMapHasElevenSegmentsCoveringEveryCellOnce() {
    RfmSegmentMap map = load(Map.of());
    assertEquals(11, map.segments().size());
    Map<String, String> examples = Map.ofEntries(Map.entry("555", "Champions"), Map.entry("545", "Champions"),
        Map.entry("445", "Loyal"), Map.entry("523", "Potential Loyalist"), Map.entry("511", "New Customers"),
        Map.entry("412", "Promising"), Map.entry("333", "Need Attention"), Map.entry("323", "About to Sleep"),
        Map.entry("244", "At Risk"), Map.entry("155", "Can't Lose Them"), Map.entry("122", "Hibernating"),
        Map.entry("111", "Lost"));
    examples.forEach((cell, segment) -> assertEquals(segment, map.segmentOf(cell), cell));
    Set<String> used = java.util.stream.IntStream.rangeClosed(111, 555).mapToObj(String::valueOf)
        .filter(c -> c.chars().allMatch(ch -> ch >= '1' && ch <= '5')).map(map::segmentOf).collect(Collectors.toSet());
    assertEquals(11, used.size());
  }

  @Test
  void overlappingAndMissingCellsAreNamed() {
    String segments = "[{ name = A, r = [1, 5], fm = [1, 4] }, { name = B, r = [5, 5], fm = [4, 5] }]";
    ConfigError e = assertThrows(ConfigError.class, () -> load(Map.of(KEY, segments)));
    String m = e.getMessage();
    assertTrue(m.contains(KEY), m);
    // FM 4.5 and 5 with R 1-4 is in no segment: e.g. 145, 155, 455
    assertTrue(m.contains("in no segment: 145, 154, 155, 245"), m);
    // R 5 with FM exactly 4 is in both: 535, 544, 553
    assertTrue(m.contains("3 cell(s) in more than one segment: 535 (A, B), 544 (A, B), 553 (A, B)"), m);
  }

  @Test
  void badRangesAndDuplicateNamesAreReportedWithTheirEntry() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> load(Map.of(KEY, "[{ name = A, r = [5, 1], fm = [1, 5] }, { name = B, r = x, fm = [1, 5] }]")));
    assertTrue(e.getMessage().contains(KEY + "[0]: r"), e.getMessage());
    assertTrue(e.getMessage().contains(KEY + "[1]: r"), e.getMessage());
    e = assertThrows(ConfigError.class, () -> load(Map.of(KEY,
        "[{ name = A, r = [1, 2], fm = [1, 5] }, { name = A, r = [3, 5], fm = [1, 5] }]")));
    assertTrue(e.getMessage().contains("repeated: A"), e.getMessage());
  }

  @Test
  void theJobStopsBeforeSparkStartsOnABadMap() {
    int code = new FeaturesJob().execute("--as-of", "2024-12-31", "--conf", KEY + "=[{ name = A, r = [1, 4], fm = [1, 5] }]");
    assertEquals(2, code);
  }

  @Test
  void lifecycleThresholdsMustGrowAndFitTheWindow() {
    ConfigError e = assertThrows(ConfigError.class, () -> SegpipeConfig.load(Optional.empty(),
        Map.of("segpipe.features.lifecycle.lapsed-after-days", "80", "segpipe.features.window-days", "200"))
        .section(r -> LifecycleStages.read(r, 200)));
    assertTrue(e.getMessage().contains("the thresholds must grow"), e.getMessage());
    assertTrue(e.getMessage().contains("must be less than segpipe.features.window-days (200)"), e.getMessage());
  }

  @Test
  void valueTierSharesMustFitInOne() {
    ConfigError e = assertThrows(ConfigError.class, () -> SegpipeConfig.load(Optional.empty(),
        Map.of("segpipe.features.value-tier.mid-share", "0.9")).section(ValueTiers::read));
    assertTrue(e.getMessage().contains("at most 1"), e.getMessage());
  }
}

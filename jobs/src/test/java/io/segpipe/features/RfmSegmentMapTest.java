package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.jobs.features.FeaturesJob;
import java.util.List;
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
    Map<String, String> examples =
        Map.ofEntries(
            Map.entry("555", "champions"),
            Map.entry("545", "champions"),
            Map.entry("445", "loyal"),
            Map.entry("523", "potential_loyalist"),
            Map.entry("511", "new_customers"),
            Map.entry("412", "promising"),
            Map.entry("333", "need_attention"),
            Map.entry("323", "about_to_sleep"),
            Map.entry("244", "at_risk"),
            Map.entry("155", "cant_lose_them"),
            Map.entry("122", "hibernating"),
            Map.entry("111", "lost"));
    examples.forEach((cell, segment) -> assertEquals(segment, map.segmentOf(cell), cell));
    Set<String> used =
        java.util.stream.IntStream.rangeClosed(111, 555)
            .mapToObj(String::valueOf)
            .filter(c -> c.chars().allMatch(ch -> ch >= '1' && ch <= '5'))
            .map(map::segmentOf)
            .collect(Collectors.toSet());
    assertEquals(11, used.size());
  }

  @Test
  void overlappingAndMissingCellsAreNamed() {
    String segments =
        "[{ code = a, r = [1, 5], fm = [1, 4] }, { code = b, r = [5, 5], fm = [4, 5] }]";
    ConfigError e = assertThrows(ConfigError.class, () -> load(Map.of(KEY, segments)));
    String m = e.getMessage();
    assertTrue(m.contains(KEY), m);
    // FM 4.5 and 5 with R 1-4 is in no segment: e.g. 145, 155, 455
    assertTrue(m.contains("in no segment: 145, 154, 155, 245"), m);
    // R 5 with FM exactly 4 is in both: 535, 544, 553
    assertTrue(
        m.contains("3 cell(s) in more than one segment: 535 (a, b), 544 (a, b), 553 (a, b)"), m);
  }

  @Test
  void badRangesAndDuplicateCodesAreReportedWithTheirEntry() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                load(
                    Map.of(
                        KEY,
                        "[{ code = a, r = [5, 1], fm = [1, 5] }, { code = b, r = x, fm = [1, 5] }, { code = c, m = [0, 6] }]")));
    assertTrue(e.getMessage().contains(KEY + "[0]: r"), e.getMessage());
    assertTrue(e.getMessage().contains(KEY + "[1]: r"), e.getMessage());
    assertTrue(e.getMessage().contains(KEY + "[2]: m"), e.getMessage());
    e =
        assertThrows(
            ConfigError.class,
            () ->
                load(
                    Map.of(
                        KEY,
                        "[{ code = a, r = [1, 2], fm = [1, 5] }, { code = a, r = [3, 5], fm = [1, 5] }]")));
    assertTrue(e.getMessage().contains("repeated: a"), e.getMessage());
  }

  /** An 8-segment map on R, F and M separately: high is a score of 4 or 5. */
  private static final String EIGHT =
      "[{ code = hhh, r = [4, 5], f = [4, 5], m = [4, 5] },"
          + " { code = hlh, r = [4, 5], f = [1, 3], m = [4, 5] }, { code = lhh, r = [1, 3], f = [4, 5], m = [4, 5] },"
          + " { code = llh, r = [1, 3], f = [1, 3], m = [4, 5] }, { code = hhl, r = [4, 5], f = [4, 5], m = [1, 3] },"
          + " { code = hll, r = [4, 5], f = [1, 3], m = [1, 3] }, { code = lhl, r = [1, 3], f = [4, 5], m = [1, 3] },"
          + " { code = lll, r = [1, 3], f = [1, 3], m = [1, 3] }]";

  @Test
  void segmentsMayStateRFAndMSeparately() {
    RfmSegmentMap map = load(Map.of(KEY, EIGHT));
    Map<String, String> examples =
        Map.of(
            "555", "hhh", "415", "hlh", "354", "lhh", "134", "llh", "443", "hhl", "531", "hll",
            "251", "lhl", "333", "lll");
    examples.forEach((cell, segment) -> assertEquals(segment, map.segmentOf(cell), cell));
    assertEquals(125, map.segmentOfCell().size());
    // absent conditions accept any score; fm and m may be combined
    RfmSegmentMap mixed =
        RfmSegmentMap.of(
            List.of(
                new RfmSegmentMap.Segment("big", null, null, new RfmSegmentMap.Range(5, 5), null),
                new RfmSegmentMap.Segment(
                    "good",
                    null,
                    null,
                    new RfmSegmentMap.Range(1, 4),
                    new RfmSegmentMap.Range(3, 5)),
                new RfmSegmentMap.Segment(
                    "rest",
                    null,
                    null,
                    new RfmSegmentMap.Range(1, 4),
                    new RfmSegmentMap.Range(1, 2.5))));
    assertEquals("big", mixed.segmentOf("115"));
    assertEquals("good", mixed.segmentOf("124"));
    assertEquals("rest", mixed.segmentOf("522"));
    assertEquals("good", mixed.segmentOf("143"));
  }

  @Test
  void separateConditionsThatMissOrOverlapACellAreNamed() {
    // lll without m = 3: every cell with R and F at most 3 and M 3 is in no segment
    String missing =
        EIGHT.replace(
            "{ code = lll, r = [1, 3], f = [1, 3], m = [1, 3] }",
            "{ code = lll, r = [1, 3], f = [1, 3], m = [1, 2] }");
    String m = assertThrows(ConfigError.class, () -> load(Map.of(KEY, missing))).getMessage();
    assertTrue(
        m.contains("9 cell(s) in no segment: 113, 123, 133, 213, 223, 233, 313, 323, 333"), m);
    // hhh taking F 3 as well: cells 434, 435, 534 ... are in hhh and hlh
    String twice =
        EIGHT.replace(
            "{ code = hhh, r = [4, 5], f = [4, 5], m = [4, 5] }",
            "{ code = hhh, r = [4, 5], f = [3, 5], m = [4, 5] }");
    m = assertThrows(ConfigError.class, () -> load(Map.of(KEY, twice))).getMessage();
    assertTrue(
        m.contains(
            "4 cell(s) in more than one segment: 434 (hhh, hlh), 435 (hhh, hlh), 534 (hhh, hlh),"
                + " 535 (hhh, hlh)"),
        m);
    assertTrue(!m.contains("in no segment"), m);
  }

  @Test
  void theSchemeChoosesTheCodesAndIsChecked() {
    List<String> eight =
        List.of(
            "important_value",
            "important_develop",
            "important_keep",
            "important_win_back",
            "general_value",
            "general_develop",
            "general_keep",
            "general_win_back");
    SegpipeConfig cn8 =
        SegpipeConfig.load(
            Optional.empty(),
            Map.of(RfmSchemes.SCHEME_KEY, "cn-8", RfmSchemes.THRESHOLD_KEY, "median"));
    RfmSchemes.Scheme scheme = cn8.section(RfmSchemes::read);
    assertTrue(scheme.cn8());
    assertEquals("median", scheme.threshold());
    assertEquals(eight, scheme.codes());
    assertEquals(eight, cn8.section(RfmSchemes::codes));
    SegpipeConfig defaults = SegpipeConfig.load(Optional.empty(), Map.of());
    RfmSchemes.Scheme scoreMap = defaults.section(RfmSchemes::read);
    assertEquals("score-map", scoreMap.name());
    assertEquals("mean", scoreMap.threshold());
    assertEquals(11, scoreMap.codes().size());
    assertEquals(scoreMap.codes(), defaults.section(RfmSchemes::codes));
    assertEquals("champions", scoreMap.codes().get(0));
    // (R, F, M) high or low, as conf/segpipe.conf lists the classes
    assertEquals("important_value", RfmSchemes.cn8Code(true, true, true));
    assertEquals("important_develop", RfmSchemes.cn8Code(true, false, true));
    assertEquals("important_keep", RfmSchemes.cn8Code(false, true, true));
    assertEquals("important_win_back", RfmSchemes.cn8Code(false, false, true));
    assertEquals("general_value", RfmSchemes.cn8Code(true, true, false));
    assertEquals("general_develop", RfmSchemes.cn8Code(true, false, false));
    assertEquals("general_keep", RfmSchemes.cn8Code(false, true, false));
    assertEquals("general_win_back", RfmSchemes.cn8Code(false, false, false));

    SegpipeConfig bad =
        SegpipeConfig.load(
            Optional.empty(),
            Map.of(RfmSchemes.SCHEME_KEY, "cn8", RfmSchemes.THRESHOLD_KEY, "average"));
    String m = assertThrows(ConfigError.class, () -> bad.section(RfmSchemes::read)).getMessage();
    assertTrue(
        m.contains(RfmSchemes.SCHEME_KEY)
            && m.contains("'cn8' is not a scheme; choose from [score-map, cn-8]"),
        m);
    assertTrue(
        m.contains(RfmSchemes.THRESHOLD_KEY)
            && m.contains("'average' is not a threshold; choose from [mean, median]"),
        m);
    m = assertThrows(ConfigError.class, () -> bad.section(RfmSchemes::codes)).getMessage();
    assertTrue(m.contains("'cn8' is not a scheme"), m);
  }

  @Test
  void theJobStopsBeforeSparkStartsOnABadMap() {
    int code =
        new FeaturesJob()
            .execute(
                "--as-of",
                "2024-12-31",
                "--conf",
                KEY + "=[{ code = a, r = [1, 4], fm = [1, 5] }]");
    assertEquals(2, code);
    code =
        new FeaturesJob()
            .execute("--as-of", "2024-12-31", "--conf", RfmSchemes.SCHEME_KEY + "=cn8");
    assertEquals(2, code);
  }

  @Test
  void lifecycleThresholdsMustGrowAndFitTheWindow() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                SegpipeConfig.load(
                        Optional.empty(),
                        Map.of(
                            "segpipe.features.lifecycle.lapsed-after-days",
                            "80",
                            "segpipe.features.window-days",
                            "200"))
                    .section(r -> LifecycleStages.read(r, 200)));
    assertTrue(e.getMessage().contains("the thresholds must grow"), e.getMessage());
    assertTrue(
        e.getMessage().contains("must be less than segpipe.features.window-days (200)"),
        e.getMessage());
  }

  @Test
  void valueTierSharesMustFitInOne() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                SegpipeConfig.load(
                        Optional.empty(), Map.of("segpipe.features.value-tier.mid-share", "0.9"))
                    .section(ValueTiers::read));
    assertTrue(e.getMessage().contains("at most 1"), e.getMessage());
  }
}

package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The segpipe.report section as read and checked before Spark starts, and what a user sees when
 * input is missing.
 */
@ExtendWith(SharedSpark.class)
class ReportSettingsTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-12-31");

  private static ReportSettings read(Map<String, String> overrides) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), overrides);
    return config.section(
        r -> ReportSettings.read(r, AS_OF, config.events().reportingCurrency(), config.messages()));
  }

  /** The report draws the needs-based segments in the order segpipe.segment.needs lists them. */
  @Test
  void needsSegmentsKeepTheirConfigOrder() {
    assertEquals(
        List.of(
            "inactive",
            "browsers",
            "price_sensitive",
            "quality_focused",
            "evening_shoppers",
            "everyday"),
        read(Map.of()).needsSegments());
  }

  @Test
  void theDefaultsGiveEveryRfmSegmentItsAdviceInTheMapsOrder() {
    ReportSettings s = read(Map.of());
    assertEquals(
        List.of(
            "champions",
            "loyal",
            "potential_loyalist",
            "new_customers",
            "promising",
            "need_attention",
            "about_to_sleep",
            "at_risk",
            "cant_lose_them",
            "hibernating",
            "lost"),
        s.segments().stream().map(ReportSettings.SegmentAdvice::code).toList());
    assertEquals(
        List.of(
            "Champions",
            "Loyal",
            "Potential Loyalist",
            "New Customers",
            "Promising",
            "Need Attention",
            "About to Sleep",
            "At Risk",
            "Can't Lose Them",
            "Hibernating",
            "Lost"),
        s.segments().stream().map(ReportSettings.SegmentAdvice::name).toList());
    assertTrue(
        s.segments().get(7).action().startsWith("Win-back offer"),
        "At Risk: " + s.segments().get(7));
    assertEquals(Locale.UK, s.locale());
    assertEquals("GBP", s.currency());
    assertEquals(List.of("new", "active", "reactivated"), s.activeStages());
    assertEquals(10, s.churnBins());
  }

  @Test
  void everyProblemIsNamedWithItsKey() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put(
        "segpipe.features.rfm.segments",
        "[{ code = champions, r = [4, 5], fm = [1, 5] },"
            + " { code = big_spenders, r = [1, 3], fm = [1, 5] }]");
    bad.put("segpipe.report.active-stages", "[active, dormant]");
    bad.put("segpipe.report.transition-segmentations", "[rfm_segment, postcode]");
    bad.put("segpipe.report.churn-bins", "1");
    String message = assertThrows(ConfigError.class, () -> read(bad)).getMessage();
    assertTrue(
        message.contains("segpipe.features.rfm.segments")
            && message.contains("conf/messages/en-GB.conf")
            && message.contains(
                "label.rfm_segment.big_spenders, rfm.big_spenders.action, rfm.big_spenders.description"),
        "names the keys the segment without texts lacks, and the file: " + message);
    assertTrue(
        message.contains("'dormant' is not one of segpipe.report.lifecycle-stages"), message);
    assertTrue(message.contains("'postcode' is not a segmentation"), message);
    assertTrue(
        message.contains("segpipe.report.churn-bins") && message.contains("between 2 and 50"),
        message);
  }

  @Test
  void theKeysLocaleAndSegmentsReplacedAreRefusedNamingWhereTheyWent() {
    Map<String, String> old = new LinkedHashMap<>();
    old.put("segpipe.report.locale", "de-DE");
    old.put(
        "segpipe.report.segments",
        "[{ name = \"Champions\", description = \"d\", action = \"a\" }]");
    String message = assertThrows(ConfigError.class, () -> read(old)).getMessage();
    assertTrue(
        message.contains(
            "segpipe.report.locale (--conf segpipe.report.locale: 1): replaced by segpipe.locale"),
        message);
    assertTrue(
        message.contains("segpipe.report.segments")
            && message.contains("conf/messages/<locale>.conf"),
        message);
    String locale =
        assertThrows(UserError.class, () -> read(Map.of("segpipe.locale", "\"not a locale!\"")))
            .getMessage();
    assertTrue(locale.contains("'not a locale!' is not a language tag"), locale);
    String none =
        assertThrows(UserError.class, () -> read(Map.of("segpipe.locale", "fr-FR"))).getMessage();
    assertTrue(
        none.contains("no message file for locale fr-FR") && none.contains("messages/fr-FR.conf"),
        none);
    ReportSettings chinese = read(Map.of("segpipe.locale", "zh-CN"));
    assertEquals(Locale.SIMPLIFIED_CHINESE, chinese.locale());
    assertEquals(
        "重要价值客户",
        read(Map.of(
                "segpipe.locale",
                "zh-CN",
                "segpipe.features.rfm.segments",
                "[{ code = important_value, r = [1, 5], fm = [1, 5] }]"))
            .segments()
            .get(0)
            .name());
  }

  @Test
  void aLakeWithoutSegmentsSaysWhichJobToRun() throws Exception {
    Path lake = TestFolders.folder("segpipe-report-empty");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          new ReportJob()
              .execute("--as-of", AS_OF.toString(), "--conf", "segpipe.lake.root=" + lake);
    } finally {
      System.setErr(err);
    }
    String message = captured.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, message);
    assertTrue(
        message.contains("customer_segments does not exist")
            && message.contains("scripts/segpipe segment --as-of 2024-12-31"),
        message);
    assertTrue(Files.notExists(lake.resolve("reports")), "no report is written");
  }
}

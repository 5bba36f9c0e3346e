package io.segpipe.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The segpipe.report section as read and checked before Spark starts, and what a user sees when input is missing. */
@ExtendWith(SharedSpark.class)
class ReportSettingsTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-12-31");

  private static ReportSettings read(Map<String, String> overrides) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), overrides);
    return config.section(r -> ReportSettings.read(r, AS_OF, config.events().reportingCurrency()));
  }

  @Test
  void theDefaultsGiveEveryRfmSegmentItsAdviceInTheMapsOrder() {
    ReportSettings s = read(Map.of());
    assertEquals(List.of("Champions", "Loyal", "Potential Loyalist", "New Customers", "Promising", "Need Attention",
        "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"),
        s.segments().stream().map(ReportSettings.SegmentAdvice::name).toList());
    assertTrue(s.segments().get(7).action().startsWith("Win-back offer"), "At Risk: " + s.segments().get(7));
    assertEquals(Locale.UK, s.locale());
    assertEquals("GBP", s.currency());
    assertEquals(List.of("new", "active", "reactivated"), s.activeStages());
    assertEquals(10, s.churnBins());
  }

  @Test
  void everyProblemIsNamedWithItsKey() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("segpipe.report.segments", "[{ name = \"Champions\", description = \"d\", action = \"a\" },"
        + " { name = \"Big spenders\", description = \"d\", action = \"a\" }]");
    bad.put("segpipe.report.active-stages", "[active, dormant]");
    bad.put("segpipe.report.transition-segmentations", "[rfm_segment, postcode]");
    bad.put("segpipe.report.churn-bins", "1");
    bad.put("segpipe.report.locale", "\"not a locale!\"");
    String message = assertThrows(ConfigError.class, () -> read(bad)).getMessage();
    assertTrue(message.contains("segpipe.report.segments") && message.contains("[Loyal, Potential Loyalist, New Customers"),
        "names the segments without advice: " + message);
    assertTrue(message.contains("[Big spenders], which are not segments"), message);
    assertTrue(message.contains("'dormant' is not one of segpipe.report.lifecycle-stages"), message);
    assertTrue(message.contains("'postcode' is not a segmentation"), message);
    assertTrue(message.contains("segpipe.report.churn-bins") && message.contains("between 2 and 50"), message);
    assertTrue(message.contains("'not a locale!' is not a language tag"), message);
  }

  @Test
  void aLakeWithoutSegmentsSaysWhichJobToRun() throws Exception {
    Path lake = TestFolders.folder("segpipe-report-empty");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = new ReportJob().execute("--as-of", AS_OF.toString(), "--conf", "segpipe.lake.root=" + lake);
    } finally {
      System.setErr(err);
    }
    String message = captured.toString(StandardCharsets.UTF_8);
    assertEquals(2, code, message);
    assertTrue(message.contains("customer_segments does not exist")
        && message.contains("scripts/segpipe segment --as-of 2024-12-31"), message);
    assertTrue(Files.notExists(lake.resolve("reports")), "no report is written");
  }
}

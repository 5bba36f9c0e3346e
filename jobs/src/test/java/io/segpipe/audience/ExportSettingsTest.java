package io.segpipe.audience;

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

/** The export's audiences and byte-order mark as read from config, before Spark starts. */
class ExportSettingsTest {
  private static ExportSettings read(Map<String, String> overrides) {
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), overrides);
    return config.section(
        r ->
            ExportSettings.read(
                r, LocalDate.parse("2024-12-31"), k -> null, Optional.empty(), config.messages()));
  }

  @Test
  void underCn8TheDefaultRfmAudiencesAreCn8ClassesAndOwnListsAreCheckedAgainstThem() {
    assertEquals(
        List.of("champions", "at_risk", "cant_lose_them"),
        read(Map.of()).audiences().segments().get("rfm_segment"));
    assertEquals(
        List.of("important_value", "important_keep", "important_win_back"),
        read(Map.of("segpipe.features.rfm.scheme", "cn-8"))
            .audiences()
            .segments()
            .get("rfm_segment"));
    assertEquals(
        List.of("general_value"),
        read(Map.of(
                "segpipe.features.rfm.scheme",
                "cn-8",
                "segpipe.export.audiences.segments.rfm_segment",
                "[general_value]"))
            .audiences()
            .segments()
            .get("rfm_segment"));
    String message =
        assertThrows(
                ConfigError.class,
                () ->
                    read(
                        Map.of(
                            "segpipe.features.rfm.scheme",
                            "cn-8",
                            "segpipe.export.audiences.segments.rfm_segment",
                            "[champions]")))
            .getMessage();
    assertTrue(
        message.contains("'champions' is not a rfm_segment code; choose from [general_develop"),
        message);
    assertTrue(
        !message.contains("is the label of"),
        "no hint when the value is a code already: " + message);
  }

  @Test
  void theByteOrderMarkFollowsTheLocaleUnlessSet() {
    assertEquals(false, read(Map.of()).csvBom());
    assertEquals(true, read(Map.of("segpipe.locale", "zh-CN")).csvBom());
    assertEquals(
        false, read(Map.of("segpipe.locale", "zh-CN", "segpipe.export.csv.bom", "false")).csvBom());
    assertEquals(true, read(Map.of("segpipe.export.csv.bom", "true")).csvBom());
    String message =
        assertThrows(ConfigError.class, () -> read(Map.of("segpipe.export.csv.bom", "yes")))
            .getMessage();
    assertTrue(
        message.contains("segpipe.export.csv.bom")
            && message.contains("'yes' is not true, false or auto"),
        message);
  }
}

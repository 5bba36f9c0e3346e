package io.segpipe.common.i18n;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message files: complete per locale, errors that name the key and the file, overrides from config.
 */
class MessagesTest {
  @Test
  void everyBuiltInLocaleHasEveryKeyOfTheReference() {
    Messages english = Messages.builtIn("en-GB");
    Messages chinese = Messages.builtIn("zh-CN");
    assertEquals(Locale.UK, english.locale());
    assertEquals(Locale.SIMPLIFIED_CHINESE, chinese.locale());
    assertEquals("At Risk", english.label("rfm_segment", "at_risk"));
    assertEquals("重要价值客户", chinese.label("rfm_segment", "important_value"));
    assertEquals("门店", chinese.label("channel", "store"));
    assertEquals(english.codes("rfm_segment"), chinese.codes("rfm_segment"));
    for (String column : Labels.CODED) {
      assertTrue(!english.codes(column).isEmpty(), column);
      for (String code : english.codes(column)) {
        assertTrue(code.matches("[a-z][a-z0-9_]*"), "codes are ASCII: " + code);
        assertTrue(
            !chinese.label(column, code).equals(english.label(column, code)) || code.equals("app"),
            "zh-CN translates " + column + "." + code);
      }
    }
  }

  @Test
  void aFileMissingAKeyFailsNamingTheKeyAndTheFile(@TempDir Path folder) throws Exception {
    String chinese =
        new String(
            getClass().getClassLoader().getResourceAsStream("messages/zh-CN.conf").readAllBytes(),
            StandardCharsets.UTF_8);
    String lacking =
        chinese
            .replace("    lapsed = \"沉睡\"\n", "")
            .replace(
                "    hibernating = \"沉睡客户\"\n",
                "    hibernating = \"沉睡客户\"\n    hibernate = \"拼写错误\"\n");
    Files.writeString(folder.resolve("zh-CN.conf"), lacking, StandardCharsets.UTF_8);
    String message =
        assertThrows(
                UserError.class,
                () -> Messages.load("zh-CN", folder.toString(), ConfigFactory.empty()))
            .getMessage();
    String file = folder.resolve("zh-CN.conf").toString();
    assertTrue(
        message.contains(
            file
                + " lacks 1 key(s) that conf/messages/en-GB.conf has: label.lifecycle_stage.lapsed"),
        message);
    assertTrue(
        message.contains(
            file
                + " has key(s) that conf/messages/en-GB.conf does not: label.rfm_segment.hibernate"),
        message);
    // The same file with the key set from the config is complete.
    Files.writeString(
        folder.resolve("zh-CN.conf"),
        chinese.replace("    lapsed = \"沉睡\"\n", ""),
        StandardCharsets.UTF_8);
    Messages patched =
        Messages.load(
            "zh-CN",
            folder.toString(),
            ConfigFactory.parseMap(Map.of("label.lifecycle_stage.lapsed", "休眠")));
    assertEquals("休眠", patched.label("lifecycle_stage", "lapsed"));
    assertEquals(file, patched.source());
  }

  @Test
  void theConfigChoosesTheLocaleAndEveryChannelNeedsALabel() {
    SegpipeConfig chinese = SegpipeConfig.load(Optional.empty(), Map.of("segpipe.locale", "zh-CN"));
    assertEquals("zh-CN", chinese.messages().tag());
    assertEquals("重要挽留客户", chinese.messages().label("rfm_segment", "important_win_back"));
    String message =
        assertThrows(
                ConfigError.class,
                () ->
                    SegpipeConfig.load(
                        Optional.empty(),
                        Map.of(
                            "segpipe.locale",
                            "zh-CN",
                            "segpipe.events.channels",
                            "[store, tmall, jd]")))
            .getMessage();
    assertTrue(
        message.contains("conf/messages/zh-CN.conf")
            && message.contains("label.channel.jd, label.channel.tmall")
            && message.contains("segpipe.messages.label.channel.jd"),
        message);
    SegpipeConfig labelled =
        SegpipeConfig.load(
            Optional.empty(),
            Map.of(
                "segpipe.locale",
                "zh-CN",
                "segpipe.events.channels",
                "[store, tmall]",
                "segpipe.messages.label.channel.tmall",
                "天猫"));
    assertEquals("天猫", labelled.messages().label("channel", "tmall"));
    assertEquals(List.of("store", "tmall"), labelled.events().channels());
  }

  @Test
  void placeholdersAreFilledInOrder() {
    Messages english =
        Messages.load("en-GB", null, ConfigFactory.parseMap(Map.of("x.y", "{1} of {0}, {1}")));
    assertEquals("3 of 10, 3", english.format("x.y", 10, 3));
    String message =
        assertThrows(IllegalArgumentException.class, () -> english.text("no.such.key"))
            .getMessage();
    assertTrue(
        message.contains("no.such.key") && message.contains("conf/messages/en-GB.conf"), message);
  }
}

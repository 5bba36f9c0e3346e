package io.segpipe.jobs.migrate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.segpipe.common.UserError;
import io.segpipe.common.i18n.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Moves a config (or campaign) file written before codes to codes: RFM segments named by display
 * names become codes, export audiences and campaign audiences name codes, segpipe.report.locale
 * becomes segpipe.locale, and segpipe.report.segments' descriptions and actions move to
 * segpipe.messages where they differ from the built-in texts. Pure: a parsed file in, the migrated
 * file and what changed out.
 */
public final class ConfigMigration {
  static final String RFM_SEGMENTS = "segpipe.features.rfm.segments";
  static final String REPORT_SEGMENTS = "segpipe.report.segments";
  static final String REPORT_LOCALE = "segpipe.report.locale";
  static final String EXPORT_SEGMENTS = "segpipe.export.audiences.segments";

  /** The migrated file, what changed (one line each), and the RFM names mapped to codes. */
  public record Result(Config migrated, List<String> changes, Map<String, String> rfmCodes) {
    public boolean changed() {
      return !changes.isEmpty();
    }
  }

  private ConfigMigration() {}

  /**
   * The code of a display name: lower case, apostrophes dropped, other runs of non-alphanumerics as
   * _ ("Can't Lose Them" to cant_lose_them); the built-in English label's code where there is one.
   */
  public static String code(String column, String name) {
    return Messages.codeOfEnglishLabel(column, name)
        .orElseGet(
            () -> {
              String code =
                  name.toLowerCase(Locale.ROOT)
                      .replace("'", "")
                      .replaceAll("[^a-z0-9]+", "_")
                      .replaceAll("^_+|_+$", "");
              return code.isEmpty() || !Character.isLetter(code.charAt(0)) ? "s_" + code : code;
            });
  }

  /**
   * Migrates {@code file} (a segpipe config or a campaign file, unresolved).
   *
   * @param clusterCode the code of an English cluster label of a model trained before codes
   */
  public static Result migrate(Config file, UnaryOperator<String> clusterCode) {
    List<String> changes = new ArrayList<>();
    Map<String, String> rfm = new LinkedHashMap<>();
    Config out = file;
    if (out.hasPath(RFM_SEGMENTS)) {
      List<Object> segments = new ArrayList<>();
      boolean changed = false;
      for (Object entry : (List<?>) out.getValue(RFM_SEGMENTS).unwrapped()) {
        if (entry instanceof Map<?, ?> map && map.containsKey("name") && !map.containsKey("code")) {
          Map<String, Object> migrated = new LinkedHashMap<>();
          String name = String.valueOf(map.get("name"));
          String code = code("rfm_segment", name);
          rfm.put(name, code);
          migrated.put("code", code);
          map.forEach(
              (k, v) -> {
                if (!k.equals("name")) {
                  migrated.put(String.valueOf(k), v);
                }
              });
          segments.add(migrated);
          changed = true;
          if (Messages.codeOfEnglishLabel("rfm_segment", name).isEmpty()) {
            out =
                out.withValue(
                    "segpipe.messages.label.rfm_segment." + code,
                    ConfigValueFactory.fromAnyRef(name));
            changes.add(
                "segpipe.messages.label.rfm_segment."
                    + code
                    + " = \""
                    + name
                    + "\" (the label of a segment"
                    + " of your own)");
          }
        } else {
          segments.add(entry);
        }
      }
      if (changed) {
        out = out.withValue(RFM_SEGMENTS, ConfigValueFactory.fromAnyRef(segments));
        changes.add(RFM_SEGMENTS + ": names to codes " + rfm);
      }
    }
    if (out.hasPath(REPORT_SEGMENTS)) {
      Messages english = Messages.builtIn(Messages.REFERENCE);
      for (Object entry : (List<?>) out.getValue(REPORT_SEGMENTS).unwrapped()) {
        if (entry instanceof Map<?, ?> map && map.get("name") != null) {
          String name = String.valueOf(map.get("name"));
          String code = rfm.getOrDefault(name, code("rfm_segment", name));
          for (String field : List.of("description", "action")) {
            String key = "rfm." + code + "." + field;
            Object text = map.get(field);
            if (text != null && !(english.has(key) && english.text(key).equals(text))) {
              out =
                  out.withValue(
                      "segpipe.messages." + key,
                      ConfigValueFactory.fromAnyRef(String.valueOf(text)));
              changes.add("segpipe.messages." + key + " (your own text, kept)");
            }
          }
        }
      }
      out = out.withoutPath(REPORT_SEGMENTS);
      changes.add(REPORT_SEGMENTS + " removed: the texts are in conf/messages/<locale>.conf");
    }
    if (out.hasPath(REPORT_LOCALE)) {
      String tag = String.valueOf(out.getValue(REPORT_LOCALE).unwrapped());
      out = out.withoutPath(REPORT_LOCALE);
      if (tag.equals("en-GB") || tag.equals("zh-CN")) {
        out = out.withValue("segpipe.locale", ConfigValueFactory.fromAnyRef(tag));
        changes.add(REPORT_LOCALE + " = " + tag + " moved to segpipe.locale");
      } else {
        changes.add(
            REPORT_LOCALE
                + " = "
                + tag
                + " removed: there is no message file for "
                + tag
                + ", so the"
                + " report is in en-GB; write conf/messages/"
                + tag
                + ".conf and set segpipe.locale to use it");
      }
    }
    if (out.hasPath(EXPORT_SEGMENTS)) {
      for (String segmentation : List.of("rfm_segment", "cluster_label")) {
        String key = EXPORT_SEGMENTS + "." + segmentation;
        if (out.hasPath(key)) {
          List<String> before = out.getStringList(key);
          List<String> after =
              before.stream().map(s -> codeOf(segmentation, s, rfm, clusterCode)).toList();
          if (!after.equals(before)) {
            out = out.withValue(key, ConfigValueFactory.fromAnyRef(after));
            changes.add(key + ": " + before + " to " + after);
          }
        }
      }
    }
    for (String key : List.of("segpipe.campaigns", "campaigns")) {
      if (out.hasPath(key)) {
        List<Object> campaigns = new ArrayList<>();
        boolean changed = false;
        for (Object entry : (List<?>) out.getValue(key).unwrapped()) {
          Object migrated = entry;
          if (entry instanceof Map<?, ?> campaign
              && campaign.get("audience") instanceof Map<?, ?> audience
              && audience.get("segment") != null
              && audience.get("segmentation") != null) {
            String segmentation = String.valueOf(audience.get("segmentation"));
            String segment = String.valueOf(audience.get("segment"));
            String code = codeOf(segmentation, segment, rfm, clusterCode);
            if (!code.equals(segment)) {
              Map<String, Object> a = new LinkedHashMap<>();
              audience.forEach((k, v) -> a.put(String.valueOf(k), v));
              a.put("segment", code);
              Map<String, Object> c = new LinkedHashMap<>();
              campaign.forEach((k, v) -> c.put(String.valueOf(k), v));
              c.put("audience", a);
              migrated = c;
              changed = true;
              changes.add(
                  key
                      + " "
                      + campaign.get("id")
                      + ": audience "
                      + segmentation
                      + " = "
                      + segment
                      + " to "
                      + code);
            }
          }
          campaigns.add(migrated);
        }
        if (changed) {
          out = out.withValue(key, ConfigValueFactory.fromAnyRef(campaigns));
        }
      }
    }
    return new Result(out, List.copyOf(changes), Map.copyOf(rfm));
  }

  /** The code a segment name of a pre-code config means, in its segmentation. */
  static String codeOf(
      String segmentation,
      String segment,
      Map<String, String> rfm,
      UnaryOperator<String> clusterCode) {
    return switch (segmentation) {
      case "rfm_segment" ->
          rfm.containsKey(segment)
              ? rfm.get(segment)
              : Messages.codeOfEnglishLabel(segmentation, segment).orElse(segment);
      case "cluster_label" -> clusterCode.apply(segment);
      default -> segment;
    };
  }

  /** Reads a HOCON file without resolving it (substitutions stay as they are written). */
  public static Config parse(Path file) {
    try {
      return ConfigFactory.parseFile(
          file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new UserError("The file " + file + " cannot be parsed: " + e.getMessage());
    }
  }

  /**
   * Writes the migrated file in place when it changed, the original kept beside it as {@code
   * <file>.before-codes}; comments are kept, the layout is HOCON's own.
   */
  public static void rewrite(Path file, Result result) {
    if (!result.changed()) {
      return;
    }
    String text =
        "# Migrated to codes by scripts/segpipe migrate-codes; the file before is "
            + file.getFileName()
            + ".before-codes\n"
            + render(result.migrated());
    try {
      Files.copy(
          file,
          file.resolveSibling(file.getFileName() + ".before-codes"),
          StandardCopyOption.REPLACE_EXISTING);
      Path temporary = file.resolveSibling("." + file.getFileName() + ".migrating");
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rewrite " + file, e);
    }
  }

  static String render(Config config) {
    ConfigValue root = config.root();
    return root.render(
        ConfigRenderOptions.defaults()
            .setOriginComments(false)
            .setJson(false)
            .setComments(true)
            .setFormatted(true));
  }
}

package io.segpipe.common.i18n;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.segpipe.common.UserError;
import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The display texts of one locale: labels of every categorical code, the RFM segments' descriptions
 * and actions, the report's words. They live in one HOCON file per locale, {@code
 * messages/<tag>.conf} (in the jar, from conf/messages/, or in the folder {@code
 * segpipe.messages-folder}), overridden key by key by the config's {@code segpipe.messages}
 * section. The en-GB file defines the keys: any other locale must have every one of them, and no
 * other, or loading fails naming the keys and the file. Adding a locale is adding a file.
 */
public final class Messages {
  public static final String REFERENCE = "en-GB";

  private final String tag;
  private final Locale locale;
  private final Config texts;
  private final String source;

  private Messages(String tag, Locale locale, Config texts, String source) {
    this.tag = tag;
    this.locale = locale;
    this.texts = texts;
    this.source = source;
  }

  /**
   * Loads the texts of {@code tag}.
   *
   * @param folder a folder holding {@code <tag>.conf} files that replace the built-in ones, or
   *     null/blank
   * @param overrides the config's segpipe.messages section (key to text), applied over the file
   * @throws UserError naming the file and the keys missing or unknown, or a locale without a file
   */
  public static Messages load(String tag, String folder, Config overrides) {
    Locale locale = locale(tag);
    Loaded reference = read(REFERENCE, folder);
    Loaded chosen = tag.equals(REFERENCE) ? reference : read(tag, folder);
    Config merged = overrides.withFallback(chosen.texts);
    Set<String> expected = keys(reference.texts);
    Set<String> present = keys(merged);
    List<String> problems = new ArrayList<>();
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(present);
    if (!missing.isEmpty()) {
      problems.add(
          chosen.source
              + " lacks "
              + missing.size()
              + " key(s) that "
              + reference.source
              + " has: "
              + String.join(", ", missing)
              + ". Add them (every key of the en-GB file needs a text in each locale).");
    }
    Set<String> unknown = new TreeSet<>(keys(chosen.texts));
    unknown.removeAll(expected);
    if (!unknown.isEmpty()) {
      problems.add(
          chosen.source
              + " has key(s) that "
              + reference.source
              + " does not: "
              + String.join(", ", unknown)
              + ". Remove them or correct their spelling.");
    }
    for (String key : present) {
      if (merged.getValue(key).valueType() != ConfigValueType.STRING) {
        problems.add(
            chosen.source
                + ": "
                + key
                + " must be a text in quotes, found "
                + merged.getValue(key).valueType().name().toLowerCase(Locale.ROOT));
      }
    }
    if (!problems.isEmpty()) {
      throw new UserError(
          "The messages of locale " + tag + " are incomplete: " + String.join(" ", problems));
    }
    return new Messages(tag, locale, merged, chosen.source);
  }

  /**
   * The built-in reference texts, read once when first needed (a lookup per config value would
   * re-read them).
   */
  private static final class EnglishHolder {
    static final Messages ENGLISH = builtIn(REFERENCE);
  }

  /** The built-in texts of a locale, without overrides (for tests and tools). */
  public static Messages builtIn(String tag) {
    return load(tag, null, ConfigFactory.empty());
  }

  private record Loaded(Config texts, String source) {}

  private static Loaded read(String tag, String folder) {
    String name = tag + ".conf";
    if (folder != null && !folder.isBlank()) {
      File file = new File(folder, name);
      if (file.isFile()) {
        try {
          return new Loaded(
              ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)),
              file.getPath());
        } catch (ConfigException e) {
          throw new UserError(
              "The message file " + file.getPath() + " cannot be parsed: " + e.getMessage());
        }
      }
    }
    String resource = "messages/" + name;
    if (Messages.class.getClassLoader().getResource(resource) == null) {
      throw new UserError(
          "There is no message file for locale "
              + tag
              + ": looked for "
              + resource
              + " in the jar"
              + (folder == null || folder.isBlank()
                  ? ""
                  : " and " + new File(folder, name).getPath())
              + ". Write one with every key of conf/messages/"
              + REFERENCE
              + ".conf, or choose a locale there is a file"
              + " for (en-GB, zh-CN).");
    }
    try {
      return new Loaded(
          ConfigFactory.parseResources(
              Messages.class.getClassLoader(),
              resource,
              ConfigParseOptions.defaults().setAllowMissing(false)),
          "conf/" + resource);
    } catch (ConfigException e) {
      throw new UserError(
          "The message file conf/" + resource + " cannot be parsed: " + e.getMessage());
    }
  }

  private static Set<String> keys(Config config) {
    Set<String> keys = new TreeSet<>();
    for (var e : config.entrySet()) {
      keys.add(e.getKey());
    }
    return keys;
  }

  /**
   * An IETF language tag such as en-GB or zh-CN as a Locale; throws UserError for anything else.
   */
  public static Locale locale(String tag) {
    try {
      Locale locale = new Locale.Builder().setLanguageTag(tag).build();
      if (!locale.getLanguage().isEmpty()) {
        return locale;
      }
    } catch (IllformedLocaleException e) {
      // reported below
    }
    throw new UserError(
        "segpipe.locale: '" + tag + "' is not a language tag such as en-GB or zh-CN");
  }

  public String tag() {
    return tag;
  }

  public Locale locale() {
    return locale;
  }

  /** Where the texts came from, for messages: the file's path. */
  public String source() {
    return source;
  }

  public boolean has(String key) {
    return texts.hasPath(key);
  }

  /**
   * The text of {@code key}; throws IllegalArgumentException naming the key and file when there is
   * none.
   */
  public String text(String key) {
    try {
      ConfigValue value = texts.getValue(key);
      return String.valueOf(value.unwrapped());
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "no text for message key "
              + key
              + " in "
              + source
              + " (nor in segpipe.messages); add "
              + key
              + " = \"...\"");
    }
  }

  /** The text of {@code key} with {0}, {1}, ... replaced by the arguments' string forms. */
  public String format(String key, Object... args) {
    String text = text(key);
    for (int i = 0; i < args.length; i++) {
      text = text.replace("{" + i + "}", String.valueOf(args[i]));
    }
    return text;
  }

  /** The display label of a code of a categorical column, key {@code label.<column>.<code>}. */
  public String label(String column, String code) {
    return text("label." + column + "." + code);
  }

  /**
   * The keys of {@code keys} that have no text, as one problem naming them and the file, or an
   * empty list; for checks at start (a configured channel or segment without a label).
   */
  public List<String> missing(Collection<String> keys, String why) {
    List<String> absent = keys.stream().filter(k -> !texts.hasPath(k)).sorted().toList();
    if (absent.isEmpty()) {
      return List.of();
    }
    return List.of(
        why
            + ": no text in "
            + source
            + " (nor in segpipe.messages) for "
            + String.join(", ", absent)
            + "; add them to that file or set them with segpipe.messages."
            + absent.get(0)
            + " = \"...\"");
  }

  /**
   * The code whose built-in English label is {@code text} (case ignored), e.g. "At Risk" to
   * at_risk: what a config written before codes meant. Empty when no label matches.
   */
  public static Optional<String> codeOfEnglishLabel(String column, String text) {
    Messages english = EnglishHolder.ENGLISH;
    return english.codes(column).stream()
        .filter(c -> english.label(column, c).equalsIgnoreCase(text))
        .findFirst();
  }

  /** The codes under {@code label.<column>}, for listing what a column can hold. */
  public Set<String> codes(String column) {
    String path = "label." + column;
    return texts.hasPath(path) ? new TreeSet<>(texts.getConfig(path).root().keySet()) : Set.of();
  }
}

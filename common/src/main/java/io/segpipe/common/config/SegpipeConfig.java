package io.segpipe.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.segpipe.common.UserError;
import io.segpipe.common.i18n.Messages;
import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The loaded, validated configuration. Precedence, highest first: {@code --conf key=value}
 * overrides, the {@code --config} file, the defaults in {@code conf/segpipe.conf} (packaged in the
 * jar). Keys the defaults do not know are refused as likely typos, except under the free-form
 * sections.
 */
public final class SegpipeConfig {
  public static final String DEFAULTS_RESOURCE = "segpipe.conf";

  /**
   * Sections whose keys are the user's own (e.g. Spark settings), not checked against the defaults.
   */
  private static final Set<String> FREE_FORM_SECTIONS =
      Set.of("segpipe.spark.conf", "segpipe.export.audiences.segments", "segpipe.messages");

  /** Keys that were replaced: refused with what to use instead. */
  private static final Map<String, String> REPLACED =
      Map.of(
          "segpipe.report.locale",
              "replaced by segpipe.locale (en-GB, zh-CN), which sets the language of every label,"
                  + " the report and the exports; move the value there",
          "segpipe.report.segments",
              "the RFM segments' names, descriptions and actions now live in the message file of"
                  + " the locale (conf/messages/<locale>.conf, keys label.rfm_segment.<code> and rfm.<code>.description /"
                  + " .action); set single ones with segpipe.messages.rfm.<code>.description = \"...\" and remove this key");

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private final Config raw;
  private final String source;
  private final LakeSettings lake;
  private final EventRules events;
  private final Map<String, String> sparkConf;
  private final Messages messages;

  /**
   * Where the tables live: one root folder or URI, optionally a catalog database to register them
   * in.
   */
  public record LakeSettings(String root, String database) {
    public Optional<String> catalogDatabase() {
      return database == null || database.isBlank() ? Optional.empty() : Optional.of(database);
    }
  }

  /** What the canonical events may contain. */
  public record EventRules(
      List<String> channels, List<String> eventTypes, String reportingCurrency) {}

  private SegpipeConfig(
      Config raw,
      String source,
      LakeSettings lake,
      EventRules events,
      Map<String, String> sparkConf,
      Messages messages) {
    this.messages = messages;
    this.raw = raw;
    this.source = source;
    this.lake = lake;
    this.events = events;
    this.sparkConf = Map.copyOf(sparkConf);
  }

  /** Loads and validates; throws {@link ConfigError} listing every problem found. */
  public static SegpipeConfig load(Optional<String> file, Map<String, String> overrides) {
    Config defaults =
        ConfigFactory.parseResources(
            SegpipeConfig.class.getClassLoader(),
            DEFAULTS_RESOURCE,
            ConfigParseOptions.defaults().setAllowMissing(false));
    Config user = ConfigFactory.empty();
    String source = "defaults";
    if (file.isPresent()) {
      File f = new File(file.get());
      if (!f.isFile()) {
        throw new UserError(
            "Config file "
                + f.getPath()
                + " does not exist. Pass an existing HOCON file with --config (see conf/local.conf).");
      }
      try {
        user = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new UserError("Config file " + f.getPath() + " cannot be parsed: " + e.getMessage());
      }
      source = f.getPath();
    }
    Config cli = ConfigFactory.empty();
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      cli = parseOverride(o.getKey(), o.getValue()).withFallback(cli);
    }
    Config given = cli.withFallback(user);
    List<String> problems = new ArrayList<>(unknownKeys(given, defaults));
    Config merged;
    try {
      merged = given.withFallback(defaults).resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new ConfigError(List.of(e.getMessage()));
    }
    ConfigReader r = new ConfigReader(merged);
    LakeSettings lake =
        new LakeSettings(r.string("segpipe.lake.root"), r.string("segpipe.lake.database"));
    if (lake.root().isBlank()) {
      r.problem(
          "segpipe.lake.root",
          "is empty; expected a folder or URI such as lake or s3a://bucket/segpipe");
    }
    if (!lake.database().isBlank() && !lake.database().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      r.problem(
          "segpipe.lake.database",
          "'" + lake.database() + "' is not a valid database name (letters, digits, _)");
    }
    EventRules events =
        new EventRules(
            r.nonEmptyStrings("segpipe.events.channels"),
            r.nonEmptyStrings("segpipe.events.event-types"),
            r.string("segpipe.events.reporting-currency"));
    if (!CURRENCY.matcher(events.reportingCurrency()).matches()) {
      r.problem(
          "segpipe.events.reporting-currency",
          "'" + events.reportingCurrency() + "' is not an ISO 4217 code such as GBP or EUR");
    }
    for (String required : List.of("purchase", "return")) {
      if (!events.eventTypes().isEmpty() && !events.eventTypes().contains(required)) {
        r.problem(
            "segpipe.events.event-types",
            "must contain '" + required + "' (RFM is computed from it)");
      }
    }
    Map<String, String> sparkConf = new LinkedHashMap<>();
    if (merged.hasPath("segpipe.spark.conf")) {
      for (Map.Entry<String, ConfigValue> e : merged.getConfig("segpipe.spark.conf").entrySet()) {
        sparkConf.put(
            String.join(".", ConfigUtil.splitPath(e.getKey())),
            String.valueOf(e.getValue().unwrapped()));
      }
    }
    problems.addAll(r.problems());
    if (!problems.isEmpty()) {
      throw new ConfigError(problems);
    }
    Messages messages = messages(merged, events);
    return new SegpipeConfig(merged, source, lake, events, sparkConf, messages);
  }

  /** The texts of segpipe.locale, checked to have a label for every configured channel. */
  private static Messages messages(Config merged, EventRules events) {
    Config overrides =
        merged.hasPath("segpipe.messages")
            ? merged.getConfig("segpipe.messages")
            : ConfigFactory.empty();
    Messages messages =
        Messages.load(
            merged.getString("segpipe.locale"),
            merged.getString("segpipe.messages-folder"),
            overrides);
    List<String> missing =
        messages.missing(
            events.channels().stream().map(c -> "label.channel." + c).toList(),
            "segpipe.events.channels needs a display label for each channel");
    if (!missing.isEmpty()) {
      throw new ConfigError(missing);
    }
    return messages;
  }

  private static Config parseOverride(String key, String value) {
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new UserError("--conf " + key + "=...: '" + key + "' is not a valid config key.");
    }
    try {
      return ConfigFactory.parseString(
          key + " = " + value, ConfigParseOptions.defaults().setOriginDescription("--conf " + key));
    } catch (ConfigException e) {
      return ConfigFactory.parseMap(Map.of(key, value), "--conf " + key);
    }
  }

  private static List<String> unknownKeys(Config given, Config defaults) {
    Set<String> known = new TreeSet<>();
    defaults.entrySet().forEach(e -> known.add(e.getKey()));
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
      String key = e.getKey();
      String replaced =
          REPLACED.entrySet().stream()
              .filter(r -> key.equals(r.getKey()) || key.startsWith(r.getKey() + "."))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse(null);
      if (replaced != null) {
        problems.add(key + " (" + ConfigReader.describe(e.getValue().origin()) + "): " + replaced);
        continue;
      }
      if (defaults.hasPathOrNull(key)
          || FREE_FORM_SECTIONS.stream().anyMatch(s -> key.startsWith(s + "."))) {
        continue;
      }
      String hint =
          known.stream()
              .min(Comparator.comparingInt(k -> distance(k, key)))
              .filter(k -> distance(k, key) <= Math.max(3, key.length() / 4))
              .map(k -> "; did you mean " + k + "?")
              .orElse("; see conf/segpipe.conf for the keys there are.");
      problems.add(
          key + " (" + ConfigReader.describe(e.getValue().origin()) + "): unknown key" + hint);
    }
    return problems;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The merged config, for a job's own typed section (read it through a {@link ConfigReader}). */
  public Config raw() {
    return raw;
  }

  /** Where the user's part came from: the --config file, or "defaults". */
  public String source() {
    return source;
  }

  public LakeSettings lake() {
    return lake;
  }

  public EventRules events() {
    return events;
  }

  /** The display texts of segpipe.locale. */
  public Messages messages() {
    return messages;
  }

  /** Extra Spark settings from segpipe.spark.conf, applied when the session opens. */
  public Map<String, String> sparkConf() {
    return sparkConf;
  }

  /** Reads a job's own section; throws {@link ConfigError} if the reads found problems. */
  public <T> T section(Function<ConfigReader, T> read) {
    ConfigReader reader = new ConfigReader(raw);
    T value = read.apply(reader);
    if (!reader.problems().isEmpty()) {
      throw new ConfigError(reader.problems());
    }
    return value;
  }
}

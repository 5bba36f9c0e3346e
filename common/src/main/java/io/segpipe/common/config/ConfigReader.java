package io.segpipe.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Typed reads of one loaded config that collect every problem (key, file and line, what is
 * expected) instead of stopping at the first, so a user fixes a config in one go.
 */
public final class ConfigReader {
  private final Config config;
  private final List<String> problems = new ArrayList<>();

  public ConfigReader(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  public List<String> problems() {
    return problems;
  }

  public void problem(String key, String message) {
    problems.add(key + where(key) + ": " + message);
  }

  public String where(String key) {
    try {
      if (config.hasPathOrNull(key)) {
        ConfigValue value = config.getValue(key);
        return " (" + describe(value.origin()) + ")";
      }
    } catch (ConfigException ignored) {
      // null values have no value object to ask; fall through
    }
    return "";
  }

  static String describe(ConfigOrigin origin) {
    if (origin == null) {
      return "unknown origin";
    }
    String text = origin.description();
    return text.replace("merge of ", "");
  }

  private boolean present(String key, String expected) {
    if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
      problems.add(
          key
              + ": missing; expected "
              + expected
              + ". Add it to your config file or pass --conf "
              + key
              + "=...");
      return false;
    }
    return true;
  }

  public String string(String key) {
    if (!present(key, "a string")) {
      return "";
    }
    try {
      return config.getString(key);
    } catch (ConfigException.WrongType e) {
      problem(
          key, "expected a string, found " + config.getValue(key).valueType().name().toLowerCase());
      return "";
    }
  }

  public String optionalString(String key) {
    if (!config.hasPath(key)) {
      return null;
    }
    return string(key);
  }

  public double number(String key, Predicate<Double> valid, String expected) {
    if (!present(key, expected)) {
      return 0;
    }
    try {
      double value = config.getDouble(key);
      if (!valid.test(value)) {
        problem(
            key,
            "value " + config.getValue(key).unwrapped() + " is out of range; expected " + expected);
      }
      return value;
    } catch (ConfigException.WrongType e) {
      problem(key, "expected " + expected + ", found '" + config.getValue(key).unwrapped() + "'");
      return 0;
    }
  }

  public int integer(String key, Predicate<Integer> valid, String expected) {
    if (!present(key, expected)) {
      return 0;
    }
    try {
      int value = config.getInt(key);
      if (!valid.test(value)) {
        problem(key, "value " + value + " is out of range; expected " + expected);
      }
      return value;
    } catch (ConfigException.WrongType e) {
      problem(key, "expected " + expected + ", found '" + config.getValue(key).unwrapped() + "'");
      return 0;
    }
  }

  public boolean bool(String key) {
    if (!present(key, "true or false")) {
      return false;
    }
    try {
      return config.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      problem(key, "expected true or false, found '" + config.getValue(key).unwrapped() + "'");
      return false;
    }
  }

  public List<String> nonEmptyStrings(String key) {
    if (!present(key, "a non-empty list of strings")) {
      return List.of();
    }
    try {
      List<String> values = config.getStringList(key);
      if (values.isEmpty()) {
        problem(key, "the list is empty; expected at least one value");
      }
      return List.copyOf(values);
    } catch (ConfigException.WrongType e) {
      problem(key, "expected a list of strings, e.g. [a, b]");
      return List.of();
    }
  }
}

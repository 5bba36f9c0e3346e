package io.segpipe.jobs.report;

import static io.segpipe.jobs.report.Markup.escape;

import io.segpipe.common.i18n.Messages;
import io.segpipe.modelling.ClusterLabels;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report's words in the configured locale: the texts under {@code report.} in the message files
 * (conf/messages/&lt;locale&gt;.conf), the labels of the codes the tables hold, and the locale's
 * way of writing dates and of joining pieces. A key without a text fails, naming the key and the
 * file. Keeps the keys it was asked for, so a test can check that the files hold exactly the keys
 * the report uses.
 */
final class ReportWords {
  static final String PREFIX = "report.";

  private final Messages messages;
  private final DateTimeFormatter date;
  private final DateTimeFormatter shortDate;
  private final DateTimeFormatter month;
  private final DateTimeFormatter timestamp;
  private final Set<String> used = new TreeSet<>();

  ReportWords(Messages messages) {
    this.messages = messages;
    this.date = pattern("format.date");
    this.shortDate = pattern("format.short-date");
    this.month = pattern("format.month");
    this.timestamp = pattern("format.timestamp");
  }

  private DateTimeFormatter pattern(String key) {
    try {
      return DateTimeFormatter.ofPattern(text(key), messages.locale());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          PREFIX
              + key
              + " in "
              + messages.source()
              + " is not a date pattern such as"
              + " yyyy-MM-dd: "
              + e.getMessage(),
          e);
    }
  }

  Messages messages() {
    return messages;
  }

  /** The language tag of the page (its lang attribute). */
  String tag() {
    return messages.tag();
  }

  /** The keys (under report.) asked for so far. */
  Set<String> used() {
    return used;
  }

  /** The text of report.{@code key}. */
  String text(String key) {
    used.add(PREFIX + key);
    return messages.text(PREFIX + key);
  }

  /** The text of report.{@code key} with {0}, {1}, ... replaced by the arguments. */
  String format(String key, Object... args) {
    used.add(PREFIX + key);
    return messages.format(PREFIX + key, args);
  }

  /**
   * The text of report.{@code key} as HTML: the text escaped, {0}, {1}, ... replaced by the
   * arguments as they are (markup the caller made, with data in it already escaped).
   */
  String html(String key, String... markup) {
    String template = text(key);
    StringBuilder out = new StringBuilder(template.length() + 64);
    int at = 0;
    while (at < template.length()) {
      int open = template.indexOf('{', at);
      int close = open < 0 ? -1 : template.indexOf('}', open);
      int index = close < 0 ? -1 : argument(template.substring(open + 1, close), markup.length);
      if (index < 0) {
        int end = open < 0 ? template.length() : open + 1;
        out.append(escape(template.substring(at, end)));
        at = end;
      } else {
        out.append(escape(template.substring(at, open))).append(markup[index]);
        at = close + 1;
      }
    }
    return out.toString();
  }

  private static int argument(String inside, int count) {
    if (inside.isEmpty() || inside.length() > 2 || !inside.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int i = Integer.parseInt(inside);
    return i < count ? i : -1;
  }

  /**
   * The text of report.{@code family}.{@code code} where the file has one, else the code itself.
   */
  String named(String family, String code) {
    String key = PREFIX + family + "." + code;
    if (!isCode(code) || !messages.has(key)) {
      return code;
    }
    used.add(key);
    return messages.text(key);
  }

  /**
   * The display label of a code of a categorical column (label.&lt;column&gt;.&lt;code&gt;), else
   * the code.
   */
  String label(String column, String code) {
    return label(messages, column, code);
  }

  static String label(Messages messages, String column, String code) {
    return isCode(code) && messages.has("label." + column + "." + code)
        ? messages.label(column, code)
        : code;
  }

  /**
   * Whether a value from the data can be a code of the message files (a key, not a name with spaces
   * or quotes).
   */
  private static boolean isCode(String value) {
    return value != null && value.matches("[A-Za-z0-9_]+");
  }

  /**
   * A segment of a segmentation as shown: its label, or the migration's markers (new) and (gone).
   */
  String segment(String segmentation, String code) {
    if ("(new)".equals(code)) {
      return text("migration.new");
    }
    if ("(gone)".equals(code)) {
      return text("migration.gone");
    }
    return "cluster".equals(segmentation) ? cluster(code) : label(segmentation, code);
  }

  /**
   * A cluster's name: its label code (phrase codes joined by "-", e.g. frequent-high_value) in the
   * words of the message file's cluster section, as the train job names clusters; a label of
   * another form as it is.
   */
  String cluster(String code) {
    return code != null && code.matches("[a-z0-9_]+(-[a-z0-9_]+)*")
        ? ClusterLabels.name(messages, code)
        : code;
  }

  /** An ISO date (yyyy-MM-dd) in the locale's way; anything else as it is. */
  String date(String iso) {
    return date(iso, date);
  }

  /** An ISO date in the locale's short way, for axes. */
  String shortDate(String iso) {
    return date(iso, shortDate);
  }

  /** The month of an ISO date in the locale's way (Jan 2024, 2024年1月), for axes. */
  String month(String iso) {
    return date(iso, month);
  }

  private static String date(String iso, DateTimeFormatter format) {
    if (iso == null) {
      return NumberFormats.MISSING;
    }
    try {
      return LocalDate.parse(iso).format(format);
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /**
   * An ISO instant (e.g. 2025-01-01T00:00:00Z) in UTC, in the locale's way; anything else as it is.
   */
  String timestamp(String iso) {
    if (iso == null) {
      return NumberFormats.MISSING;
    }
    try {
      return Instant.parse(iso).atZone(ZoneOffset.UTC).format(timestamp);
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** Items joined with the locale's list separator (", " or "、"). */
  String list(List<String> items) {
    return String.join(text("format.list-separator"), items);
  }

  /** Sentences joined as the locale joins them (a space, or nothing in Chinese). */
  String sentences(String... sentences) {
    return String.join(text("format.sentence-gap"), sentences);
  }

  /** "name: value" in the locale's punctuation. */
  String pair(String name, String value) {
    return format("format.pair", name, value);
  }

  /** "text (aside)" in the locale's brackets. */
  String parenthesis(String text, String aside) {
    return format("format.parenthesis", text, aside);
  }

  /** "low to high". */
  String range(String low, String high) {
    return format("format.range", low, high);
  }
}

package io.segpipe.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * When customers buy (segpipe.features.dayparts): an order's time is the time of its first line,
 * read on the clocks of {@link #timeZone} (daylight saving included). Each daypart runs from its
 * start hour up to the next one's; hours before the first start belong to the last daypart (a night
 * from 22:00 to 06:00). The weekend is a set of days of the week.
 *
 * <p>The SQL fragments here work on a local timestamp column: hour() and dayofweek() of {@code
 * from_utc_timestamp(ts, zone)}, which is right because the session time zone is UTC.
 */
public record Dayparts(ZoneId timeZone, List<Part> parts, Set<DayOfWeek> weekend) {
  /** The daypart evening_order_share counts. */
  public static final String EVENING = "evening";

  private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]*");
  private static final String KEY = "segpipe.features.dayparts";

  /** A daypart: its code (label.daypart.&lt;code&gt; in the message files) and start hour. */
  public record Part(String code, int fromHour) {}

  public Dayparts {
    parts = parts.stream().sorted(Comparator.comparingInt(Part::fromHour)).toList();
    weekend = Set.copyOf(weekend);
    if (parts.stream().noneMatch(p -> p.code().equals(EVENING))) {
      throw new IllegalArgumentException("the dayparts need one coded " + EVENING);
    }
  }

  /** UTC, night 0-6, morning 6-12, afternoon 12-18, evening 18-24, weekend Saturday and Sunday. */
  public static Dayparts standard() {
    return new Dayparts(
        ZoneId.of("UTC"),
        List.of(
            new Part("night", 0),
            new Part("morning", 6),
            new Part("afternoon", 12),
            new Part(EVENING, 18)),
        EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
  }

  /** The daypart of a local hour (0-23). */
  public String partOf(int hour) {
    String part = parts.get(parts.size() - 1).code();
    for (Part p : parts) {
      if (hour >= p.fromHour()) {
        part = p.code();
      }
    }
    return part;
  }

  /** The zone as a SQL string literal (a ZoneId's text is letters, digits, /, _, +, - and :). */
  public String zoneLiteral() {
    return "'" + timeZone.getId() + "'";
  }

  /** A SQL expression giving the daypart code of {@code localTs}, a local timestamp. */
  public String partSql(String localTs) {
    StringBuilder sql = new StringBuilder("CASE");
    for (int i = parts.size() - 1; i >= 0; i--) {
      Part p = parts.get(i);
      sql.append(" WHEN hour(")
          .append(localTs)
          .append(") >= ")
          .append(p.fromHour())
          .append(" THEN '")
          .append(p.code())
          .append("'");
    }
    return sql.append(" ELSE '")
        .append(parts.get(parts.size() - 1).code())
        .append("' END")
        .toString();
  }

  /** A SQL condition: {@code localTs} falls on a weekend day (Spark's dayofweek: 1 = Sunday). */
  public String weekendSql(String localTs) {
    if (weekend.isEmpty()) {
      return "false";
    }
    return weekend.stream()
        .map(d -> String.valueOf(d.getValue() % 7 + 1))
        .sorted()
        .collect(Collectors.joining(", ", "dayofweek(" + localTs + ") IN (", ")"));
  }

  /**
   * A SQL aggregate over order rows with a {@code daypart} column: the daypart with the most
   * orders, the earliest in the day (by start hour) on a tie; null without rows.
   */
  public String preferredSql(String daypart) {
    List<String> candidates = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      String code = parts.get(i).code();
      candidates.add(
          "struct(count_if(" + daypart + " = '" + code + "'), " + -i + ", '" + code + "')");
    }
    return "CASE WHEN count(*) > 0 THEN array_max(array("
        + String.join(", ", candidates)
        + ")).col3 END";
  }

  /** Reads segpipe.features.dayparts, reporting problems to {@code reader}. */
  public static Dayparts read(ConfigReader reader) {
    int problemsBefore = reader.problems().size();
    String zoneKey = KEY + ".time-zone";
    ZoneId zone = ZoneId.of("UTC");
    String zoneText = reader.string(zoneKey);
    try {
      zone = ZoneId.of(zoneText);
    } catch (DateTimeException e) {
      reader.problem(
          zoneKey,
          "'"
              + zoneText
              + "' is not a time zone; use an IANA name such as Europe/London or Asia/Shanghai, or"
              + " UTC");
    }
    List<Part> parts = parts(reader);
    Set<DayOfWeek> weekend = weekend(reader);
    if (parts == null || weekend == null || reader.problems().size() > problemsBefore) {
      return null;
    }
    return new Dayparts(zone, parts, weekend);
  }

  private static List<Part> parts(ConfigReader reader) {
    String key = KEY + ".parts";
    String expected =
        "expected a list of dayparts like [{ code = night, from-hour = 0 }, { code = evening,"
            + " from-hour = 18 }]";
    List<? extends Config> entries;
    try {
      entries = reader.config().getConfigList(key);
    } catch (ConfigException e) {
      reader.problem(key, expected);
      return null;
    }
    List<Part> parts = new ArrayList<>();
    Set<String> codes = new HashSet<>();
    Set<Integer> hours = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      Config entry = entries.get(i);
      String where = key + "[" + i + "]";
      try {
        String code = entry.getString("code");
        int from = entry.getInt("from-hour");
        if (!CODE.matcher(code).matches()) {
          reader.problem(
              where,
              "'"
                  + code
                  + "' is not a code: use lower-case ASCII letters, digits and _; the display name"
                  + " goes in the message file as label.daypart.<code>");
        } else if (from < 0 || from > 23) {
          reader.problem(where, "from-hour " + from + " is not an hour of the day (0-23)");
        } else if (!codes.add(code)) {
          reader.problem(where, "daypart " + code + " is listed twice");
        } else if (!hours.add(from)) {
          reader.problem(where, "two dayparts start at hour " + from);
        } else {
          parts.add(new Part(code, from));
        }
      } catch (ConfigException e) {
        reader.problem(where, expected);
      }
    }
    if (parts.size() == entries.size() && !codes.contains(EVENING)) {
      reader.problem(
          key,
          "one daypart must be coded "
              + EVENING
              + " (evening_order_share counts its orders); dayparts: "
              + String.join(", ", codes));
      return null;
    }
    return parts.size() == entries.size() ? parts : null;
  }

  private static Set<DayOfWeek> weekend(ConfigReader reader) {
    String key = KEY + ".weekend";
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    try {
      for (String day : reader.config().getStringList(key)) {
        try {
          days.add(DayOfWeek.valueOf(day.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          reader.problem(key, "'" + day + "' is not a day of the week; use e.g. saturday, sunday");
          return null;
        }
      }
    } catch (ConfigException e) {
      reader.problem(key, "expected a list of days of the week, e.g. [saturday, sunday]");
      return null;
    }
    return days;
  }
}

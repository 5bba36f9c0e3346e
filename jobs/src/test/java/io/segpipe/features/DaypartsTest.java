package io.segpipe.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.SegpipeConfig;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** segpipe.features.dayparts: the defaults, a wrapping night, and errors that say what to write. */
class DaypartsTest {
  private static final String KEY = "segpipe.features.dayparts";

  private static Dayparts load(Map<String, String> overrides) {
    return SegpipeConfig.load(Optional.empty(), overrides).section(Dayparts::read);
  }

  @Test
  void defaultsAreTheStandardDaypartsInUtc() {
    assertEquals(Dayparts.standard(), load(Map.of()));
    Dayparts d = Dayparts.standard();
    assertEquals("night", d.partOf(0));
    assertEquals("night", d.partOf(5));
    assertEquals("morning", d.partOf(6));
    assertEquals("afternoon", d.partOf(17));
    assertEquals("evening", d.partOf(18));
    assertEquals("evening", d.partOf(23));
    assertEquals("dayofweek(local) IN (1, 7)", d.weekendSql("local"));
  }

  @Test
  void hoursBeforeTheFirstStartBelongToTheLastDaypart() {
    Dayparts d =
        load(
            Map.of(
                KEY + ".parts",
                "[{ code = evening, from-hour = 17 }, { code = night, from-hour = 22 },"
                    + " { code = day, from-hour = 6 }]",
                KEY + ".time-zone",
                "Asia/Shanghai",
                KEY + ".weekend",
                "[Friday, saturday]"));
    assertEquals(ZoneId.of("Asia/Shanghai"), d.timeZone());
    assertEquals(
        List.of("day", "evening", "night"), d.parts().stream().map(Dayparts.Part::code).toList());
    assertEquals("night", d.partOf(3));
    assertEquals("day", d.partOf(6));
    assertEquals("evening", d.partOf(21));
    assertEquals("night", d.partOf(22));
    assertEquals(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY), d.weekend());
    assertEquals(
        "CASE WHEN hour(t) >= 22 THEN 'night' WHEN hour(t) >= 17 THEN 'evening'"
            + " WHEN hour(t) >= 6 THEN 'day' ELSE 'night' END",
        d.partSql("t"));
  }

  @Test
  void mistakesAreNamedWithWhatToWrite() {
    String m =
        assertThrows(
                ConfigError.class,
                () ->
                    load(
                        Map.of(
                            KEY + ".time-zone", "Mars/Olympus",
                            KEY + ".weekend", "[caturday]",
                            KEY + ".parts",
                                "[{ code = Night, from-hour = 0 }, { code = late, from-hour = 24 }]")))
            .getMessage();
    assertTrue(m.contains(KEY + ".time-zone") && m.contains("Mars/Olympus"), m);
    assertTrue(m.contains("IANA"), m);
    assertTrue(m.contains("caturday") && m.contains("day of the week"), m);
    assertTrue(m.contains(KEY + ".parts[0]") && m.contains("label.daypart"), m);
    assertTrue(m.contains(KEY + ".parts[1]") && m.contains("0-23"), m);

    String noEvening =
        problems("[{ code = day, from-hour = 6 }, { code = night, from-hour = 20 }]");
    assertTrue(noEvening.contains("evening_order_share"), noEvening);
    String twice = problems("[{ code = evening, from-hour = 6 }, { code = night, from-hour = 6 }]");
    assertTrue(twice.contains("two dayparts start at hour 6"), twice);
  }

  /** The error a config with these dayparts gets. */
  private static String problems(String parts) {
    return assertThrows(ConfigError.class, () -> load(Map.of(KEY + ".parts", parts))).getMessage();
  }
}

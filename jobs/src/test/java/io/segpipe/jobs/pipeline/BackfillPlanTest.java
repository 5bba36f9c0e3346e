package io.segpipe.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.jobs.pipeline.TrainSchedule.TrainEvery;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dates a backfill runs and the dates it trains on, without Spark. */
class BackfillPlanTest {

  private static RunDates dates(String... argv) {
    return RunDates.of(JobArguments.parse("pipeline", argv, PipelineJob.OPTIONS));
  }

  private static List<LocalDate> days(String... dates) {
    return Stream.of(dates).map(LocalDate::parse).toList();
  }

  @Test
  void rangesStepByDayWeekMonthAndMonthEndIncludingTheEnds() {
    assertEquals(
        days("2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"),
        dates("--from", "2024-02-27", "--to", "2024-03-01").dates(),
        "day is the default; 2024 is a leap year");
    assertEquals(
        days("2024-11-24", "2024-12-01", "2024-12-08"),
        dates("--from", "2024-11-24", "--to", "2024-12-10", "--every", "week").dates());
    assertEquals(
        days("2024-01-15", "2024-02-15", "2024-03-15"),
        dates("--from", "2024-01-15", "--to", "2024-04-14", "--every", "month").dates());
    assertEquals(
        days("2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"),
        dates("--from", "2024-01-31", "--to", "2024-04-30", "--every", "month-end").dates());
    assertEquals(days("2024-12-31"), dates("--as-of", "2024-12-31").dates());
    assertEquals(days("2024-12-31"), dates("--from", "2024-12-31", "--to", "2024-12-31").dates());
  }

  /** A resume starts --from a date of the run: the dates from there on must be the same ones. */
  @Test
  void resumingFromAnyDateOfARangeRunsTheSameRemainingDates() {
    for (String every : List.of("day", "week", "month", "month-end")) {
      String from = every.equals("month-end") ? "2023-01-31" : "2023-01-28";
      RunDates all = dates("--from", from, "--to", "2024-12-31", "--every", every);
      for (int i = 0; i < all.dates().size(); i += every.equals("day") ? 37 : 1) {
        List<String> resume = new ArrayList<>(all.from(all.dates().get(i)));
        assertEquals(
            all.dates().subList(i, all.dates().size()),
            dates(resume.toArray(String[]::new)).dates(),
            every + " from " + all.dates().get(i));
      }
    }
    assertEquals(
        List.of("--as-of", "2024-12-31"),
        dates("--as-of", "2024-12-31").from(LocalDate.parse("2024-12-31")));
  }

  /**
   * Runs the schedule as the pipeline does: each training adds a model of its date to the registry.
   */
  private static List<LocalDate> trained(
      TrainEvery every, boolean backfillStart, List<LocalDate> dates, List<LocalDate> registry) {
    TrainSchedule schedule = new TrainSchedule(every, backfillStart);
    List<LocalDate> models = new ArrayList<>(registry);
    List<LocalDate> out = new ArrayList<>();
    for (int i = 0; i < dates.size(); i++) {
      if (schedule.reason(dates, i, models).isPresent()) {
        out.add(dates.get(i));
        models.add(dates.get(i));
      }
    }
    return out;
  }

  @Test
  void monthlyTrainingRunsOnTheFirstDateAndTheFirstDateOfEachNewMonth() {
    List<LocalDate> weekly =
        dates("--from", "2024-11-03", "--to", "2025-01-26", "--every", "week").dates();
    assertEquals(
        days("2024-11-03", "2024-12-01", "2025-01-05"),
        trained(TrainEvery.MONTH, true, weekly, List.of()));
    assertEquals(
        days("2024-11-03", "2024-12-01", "2025-01-05"),
        trained(TrainEvery.MONTH, true, weekly, days("2024-11-01")),
        "a backfill starts with a model of its own");
    assertEquals(weekly, trained(TrainEvery.ALWAYS, true, weekly, List.of()));
    assertEquals(
        weekly,
        trained(TrainEvery.WEEK, true, weekly, List.of()),
        "weekly dates: every one is a new week");
  }

  /**
   * Quarters start in January, April, July and October; month-end dates of one quarter share a
   * model.
   */
  @Test
  void quarterlyTrainingRunsOnTheFirstDateOfEachQuarter() {
    List<LocalDate> monthEnds =
        dates("--from", "2024-08-31", "--to", "2025-01-31", "--every", "month-end").dates();
    assertEquals(
        days("2024-08-31", "2024-10-31", "2025-01-31"),
        trained(TrainEvery.QUARTER, true, monthEnds, List.of()));
    assertEquals(
        days("2024-11-30"),
        trained(TrainEvery.QUARTER, true, days("2024-11-30", "2024-12-31"), List.of()),
        "the quick start's two dates train once");
  }

  @Test
  void weeklyTrainingFollowsIsoWeeksMondayToSunday() {
    List<LocalDate> daily = dates("--from", "2024-12-01", "--to", "2024-12-10").dates();
    assertEquals(
        days("2024-12-01", "2024-12-02", "2024-12-09"),
        trained(TrainEvery.WEEK, true, daily, List.of()));
  }

  /**
   * --as-of alone, as a daily schedule runs it: train when the month has no model yet at or before
   * the date.
   */
  @Test
  void aSingleDateTrainsWhenItsPeriodHasNoModelAtOrBeforeIt() {
    TrainSchedule daily = new TrainSchedule(TrainEvery.MONTH, false);
    assertTrue(daily.reason(days("2024-12-15"), 0, days("2024-12-01")).isEmpty());
    assertEquals(
        "no model of a snapshot in the month of 2025-01-01 at or before it",
        daily.reason(days("2025-01-01"), 0, days("2024-12-01")).orElseThrow());
    assertTrue(
        daily.reason(days("2024-12-15"), 0, days("2024-12-20")).isPresent(),
        "a model of a later snapshot does not count");
    List<LocalDate> december = dates("--from", "2024-11-28", "--to", "2024-12-31").dates();
    List<LocalDate> runs = new ArrayList<>();
    for (LocalDate day : december) {
      runs.addAll(trained(TrainEvery.MONTH, false, List.of(day), runs));
    }
    assertEquals(
        days("2024-11-28", "2024-12-01"),
        runs,
        "a daily run trains on the first day it runs in a month");
  }

  /** A resumed backfill (--from-job) trains exactly where the first run would have. */
  @Test
  void aResumedBackfillTrainsWhereTheFirstRunWouldHave() {
    List<LocalDate> all =
        dates("--from", "2024-11-24", "--to", "2024-12-22", "--every", "week").dates();
    List<LocalDate> first = trained(TrainEvery.MONTH, true, all, List.of());
    for (int failedAt = 1; failedAt < all.size(); failedAt++) {
      LocalDate failed = all.get(failedAt);
      List<LocalDate> before = first.stream().filter(d -> d.isBefore(failed)).toList();
      List<LocalDate> resumed = new ArrayList<>(before);
      resumed.addAll(trained(TrainEvery.MONTH, false, all.subList(failedAt, all.size()), before));
      assertEquals(first, resumed, "resumed at " + failed);
    }
  }

  @Test
  void trainEveryAcceptsAlwaysWeekOrMonthAndNamesTheKeyOtherwise() {
    for (TrainEvery every : TrainEvery.values()) {
      ConfigReader r =
          new ConfigReader(
              ConfigFactory.parseString("segpipe.pipeline.train-every = " + every.word()));
      assertEquals(every, TrainEvery.read(r));
      assertTrue(r.problems().isEmpty());
    }
    ConfigReader r =
        new ConfigReader(ConfigFactory.parseString("segpipe.pipeline.train-every = daily"));
    TrainEvery.read(r);
    assertEquals(1, r.problems().size());
    assertTrue(
        r.problems().get(0).startsWith("segpipe.pipeline.train-every")
            && r.problems().get(0).contains("'daily' is not one of always, week, month, quarter"),
        r.problems().get(0));
  }

  @Test
  void resumeCommandWordsSurviveTheShell() {
    assertEquals("--as-of", PipelineJob.shellWord("--as-of"));
    assertEquals(
        "segpipe.lake.root=/data/lake", PipelineJob.shellWord("segpipe.lake.root=/data/lake"));
    assertEquals(
        "'segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"'",
        PipelineJob.shellWord("segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""));
    assertEquals("'a b'\\''c'", PipelineJob.shellWord("a b'c"));
  }
}

package io.segpipe.jobs.pipeline;

import io.segpipe.common.config.ConfigReader;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * When the pipeline runs the train job (segpipe.pipeline.train-every); segment, export and report
 * run on every date, with the latest model trained at or before it. With week, month or quarter,
 * train runs on a date when
 *
 * <ol>
 *   <li>it is the first date of a backfill (--from/--to without --from-job): a backfill starts from
 *       a model of its own;
 *   <li>it starts a new ISO week (Monday to Sunday), calendar month or quarter compared with the
 *       run's previous date; or
 *   <li>the registry holds no model (trained on the configured features) of a snapshot in the
 *       date's week or month, at or before the date: so a daily --as-of run trains on the first day
 *       it runs in a month, and a resumed backfill trains exactly where the first run would have.
 * </ol>
 */
record TrainSchedule(TrainEvery every, boolean backfillStart) {
  static final String KEY = "segpipe.pipeline.train-every";

  enum TrainEvery {
    ALWAYS,
    WEEK,
    MONTH,
    QUARTER;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    static TrainEvery read(ConfigReader r) {
      String value = r.string(KEY);
      return Arrays.stream(values())
          .filter(t -> t.word().equals(value))
          .findFirst()
          .orElseGet(
              () -> {
                r.problem(
                    KEY,
                    "'"
                        + value
                        + "' is not one of always, week, month, quarter (how often the pipeline trains;"
                        + " segment, export and report run on every date)");
                return ALWAYS;
              });
    }

    /**
     * The first day of the period holding {@code date}: its ISO week's Monday, its month's or
     * quarter's first day.
     */
    LocalDate periodStart(LocalDate date) {
      return switch (this) {
        case ALWAYS -> date;
        case WEEK -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        case MONTH -> date.withDayOfMonth(1);
        case QUARTER -> date.withDayOfMonth(1).withMonth((date.getMonthValue() - 1) / 3 * 3 + 1);
      };
    }
  }

  /**
   * Why train runs on {@code dates.get(index)}, or empty when it is not due.
   *
   * @param modelDates the as-of dates of the usable clusters models in the registry
   */
  Optional<String> reason(List<LocalDate> dates, int index, List<LocalDate> modelDates) {
    LocalDate date = dates.get(index);
    if (every == TrainEvery.ALWAYS) {
      return Optional.of(KEY + " = always");
    }
    if (index == 0 && backfillStart) {
      return Optional.of("the first date of the backfill");
    }
    if (index > 0 && !every.periodStart(date).equals(every.periodStart(dates.get(index - 1)))) {
      return Optional.of("the first date of a new " + periodName());
    }
    return modelOfPeriod(date, modelDates).isPresent()
        ? Optional.empty()
        : Optional.of(
            "no model of a snapshot in the " + periodName() + " of " + date + " at or before it");
  }

  /** The latest of {@code modelDates} in the period of {@code date}, at or before it. */
  Optional<LocalDate> modelOfPeriod(LocalDate date, List<LocalDate> modelDates) {
    LocalDate start = every.periodStart(date);
    return modelDates.stream()
        .filter(d -> !d.isBefore(start) && !d.isAfter(date))
        .max(LocalDate::compareTo);
  }

  private String periodName() {
    return switch (every) {
      case WEEK -> "ISO week";
      case QUARTER -> "quarter";
      default -> "month";
    };
  }
}

package io.segpipe.jobs.pipeline;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The snapshot dates a pipeline run covers, in order: the one {@code --as-of} date, or {@code
 * --from} to {@code --to} (both included when on the step) stepped by {@code --every}. Checked
 * before Spark starts; a bad combination is a {@link UserError}.
 *
 * @param every the step of a range; empty for a single --as-of date
 */
record RunDates(List<LocalDate> dates, Optional<Every> every) {

  /**
   * How a range steps. Every date a step produces, taken as a new --from, continues the same dates.
   */
  enum Every {
    /** every day */
    DAY,
    /** every 7 days from --from */
    WEEK,
    /** the day of the month of --from (1 to 28, so every month has it) */
    MONTH,
    /** the last day of each month, from --from (itself the last day of its month) */
    MONTH_END;

    String word() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String words() {
      return String.join(", ", Arrays.stream(values()).map(Every::word).toList());
    }

    LocalDate step(LocalDate from, int n) {
      return switch (this) {
        case DAY -> from.plusDays(n);
        case WEEK -> from.plusWeeks(n);
        case MONTH -> from.plusMonths(n);
        case MONTH_END -> YearMonth.from(from).plusMonths(n).atEndOfMonth();
      };
    }
  }

  RunDates {
    dates = List.copyOf(dates);
  }

  static final String EXAMPLE =
      "e.g. --as-of 2024-12-31, or --from 2024-01-31 --to 2024-12-31 --every month-end";

  static RunDates of(JobArguments args) {
    Optional<String> from = args.option("from");
    Optional<String> to = args.option("to");
    Optional<String> every = args.option("every");
    if (args.asOf().isPresent()) {
      if (from.isPresent() || to.isPresent() || every.isPresent()) {
        throw new UserError(
            "--as-of runs one date and --from/--to [--every] a range of dates; give one or the other, "
                + EXAMPLE
                + ".");
      }
      return new RunDates(List.of(args.asOf().get()), Optional.empty());
    }
    if (from.isEmpty() && to.isEmpty()) {
      throw new UserError(
          every.isPresent()
              ? "--every steps a range: give --from and --to with it, " + EXAMPLE + "."
              : "The pipeline needs the snapshot date(s) to compute: --as-of YYYY-MM-DD for one date, or --from YYYY-MM-DD"
                  + " --to YYYY-MM-DD [--every "
                  + Every.words().replace(", ", "|")
                  + "] for a range, "
                  + EXAMPLE
                  + ".");
    }
    if (from.isEmpty() || to.isEmpty()) {
      throw new UserError(
          "A range needs both ends: "
              + (from.isEmpty() ? "--to without --from" : "--from without --to")
              + ", "
              + EXAMPLE
              + " (for one date use --as-of).");
    }
    LocalDate first = JobArguments.parseDate("--from", from.get());
    LocalDate last = JobArguments.parseDate("--to", to.get());
    if (last.isBefore(first)) {
      throw new UserError(
          "--to "
              + last
              + " is before --from "
              + first
              + "; the range runs forward in time, from the"
              + " earlier date to the later one.");
    }
    Every step = every.map(RunDates::every).orElse(Every.DAY);
    if (step == Every.MONTH && first.getDayOfMonth() > 28) {
      throw new UserError(
          "--every month keeps the day of the month of --from, and day "
              + first.getDayOfMonth()
              + " (--from "
              + first
              + ") is not in every month. Use --every month-end for the last day of each month,"
              + " or a --from on a day from 1 to 28.");
    }
    if (step == Every.MONTH_END && !first.equals(YearMonth.from(first).atEndOfMonth())) {
      throw new UserError(
          "--every month-end runs the last day of each month, and --from "
              + first
              + " is not the last"
              + " day of its month; use --from "
              + YearMonth.from(first).atEndOfMonth()
              + ", or --every month to keep"
              + " the day of the month.");
    }
    List<LocalDate> dates = new ArrayList<>();
    for (int n = 0; !step.step(first, n).isAfter(last); n++) {
      dates.add(step.step(first, n));
    }
    return new RunDates(dates, Optional.of(step));
  }

  private static Every every(String word) {
    return Arrays.stream(Every.values())
        .filter(e -> e.word().equals(word))
        .findFirst()
        .orElseThrow(
            () ->
                new UserError("--every must be one of " + Every.words() + "; got '" + word + "'."));
  }

  boolean range() {
    return every.isPresent();
  }

  LocalDate first() {
    return dates.get(0);
  }

  LocalDate last() {
    return dates.get(dates.size() - 1);
  }

  /** The date options that run this set of dates again from {@code date} on. */
  List<String> from(LocalDate date) {
    return every
        .map(
            e -> List.of("--from", date.toString(), "--to", last().toString(), "--every", e.word()))
        .orElse(List.of("--as-of", date.toString()));
  }
}

package io.segpipe.jobs.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * When things happen: the yearly shape of demand (a November-December peak, a quiet January) and the
 * hour of day per channel (stores open 9-20, online evenings).
 */
final class Seasons {
  private Seasons() {}

  static final long SECONDS_PER_DAY = 86_400;

  /** Demand per calendar month, relative to an average month. */
  private static final double[] MONTH_FACTOR = {0.75, 0.80, 0.90, 0.90, 0.95, 0.95, 0.95, 0.90, 1.00, 1.05, 1.55, 1.80};
  static final double PEAK_FACTOR = 1.80;

  private static final double[] ONLINE_HOURS = {
      0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 4, 5, 5, 4, 4, 4, 5, 6, 8, 9, 9, 7, 4};
  private static final double[] STORE_HOURS = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 9, 9, 7, 6, 6, 6, 5, 3, 1, 0, 0, 0};
  private static final double[] CALL_CENTER_HOURS = {
      0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 7, 7, 6, 6, 7, 7, 6, 5, 3, 2, 0, 0, 0, 0};

  static double factor(long epochDay) {
    return MONTH_FACTOR[LocalDate.ofEpochDay(epochDay).getMonthValue() - 1];
  }

  /** A moment (epoch seconds) on {@code epochDay} at an hour typical for the channel. */
  static long timeOfDay(SplittableRandom rng, long epochDay, Channel channel) {
    double[] hours = channel == Channel.STORE ? STORE_HOURS
        : channel == Channel.CALL_CENTER ? CALL_CENTER_HOURS : ONLINE_HOURS;
    int hour = Draw.weighted(rng, hours);
    return epochDay * SECONDS_PER_DAY + hour * 3600L + rng.nextInt(3600);
  }
}

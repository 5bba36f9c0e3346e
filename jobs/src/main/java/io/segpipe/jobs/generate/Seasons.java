package io.segpipe.jobs.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * When things happen: the yearly shape of demand, the retailer's (UK: a November-December peak, a
 * quiet January; China: Double 11 in November, 618 in June, a quiet Spring Festival in February)
 * and the hour of day per channel (stores open 9-20, online evenings), in the retailer's local
 * time.
 */
final class Seasons {
  private Seasons() {}

  static final long SECONDS_PER_DAY = 86_400;

  /** Demand per calendar month, relative to an average month: a UK retailer's. */
  static final double[] UK_MONTHS = {
    0.75, 0.80, 0.90, 0.90, 0.95, 0.95, 0.95, 0.90, 1.00, 1.05, 1.55, 1.80
  };

  /**
   * A Chinese retailer's: shopping before the Spring Festival in January and a lull during it in
   * February, the 618 festival in June, Double 11 (Singles' Day) in November and Double 12 in
   * December.
   */
  static final double[] CN_MONTHS = {
    1.05, 0.75, 0.90, 0.90, 0.95, 1.40, 0.85, 0.90, 0.95, 0.95, 1.80, 1.10
  };

  /** The busiest month's factor, of every retailer: activity is drawn at this rate and thinned. */
  static final double PEAK_FACTOR = 1.80;

  private static final double[] ONLINE_HOURS = {
    0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 4, 5, 5, 4, 4, 4, 5, 6, 8, 9, 9, 7, 4
  };
  private static final double[] STORE_HOURS = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 9, 9, 7, 6, 6, 6, 5, 3, 1, 0, 0, 0
  };
  private static final double[] CALL_CENTER_HOURS = {
    0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 7, 7, 6, 6, 7, 7, 6, 5, 3, 2, 0, 0, 0, 0
  };

  static double factor(Retailer retailer, long epochDay) {
    return retailer.months()[LocalDate.ofEpochDay(epochDay).getMonthValue() - 1];
  }

  /**
   * A moment on {@code epochDay} at an hour typical for the channel, in the retailer's local time
   * as seconds since the epoch (the {@link EventWriter} turns it into an instant).
   */
  static long timeOfDay(SplittableRandom rng, long epochDay, Channel channel) {
    double[] hours =
        channel == Channel.STORE
            ? STORE_HOURS
            : channel == Channel.CALL_CENTER ? CALL_CENTER_HOURS : ONLINE_HOURS;
    int hour = Draw.weighted(rng, hours);
    return epochDay * SECONDS_PER_DAY + hour * 3600L + rng.nextInt(3600);
  }
}

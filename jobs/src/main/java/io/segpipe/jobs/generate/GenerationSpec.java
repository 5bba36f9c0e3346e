package io.segpipe.jobs.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * What every executor needs to generate any customer on its own: the seed, the date range, the
 * anonymous and dirty shares, the activity scale that makes the total land near --events, and the
 * retailer whose data it is.
 *
 * @param activity multiplier on order and browsing rates (1 = the archetypes' natural rates)
 * @param campaigns campaigns whose effect is planted (none by default)
 * @param retailer places, currency, prices, channels and seasons (UK by default); --from and --to
 *     are days of its local time
 */
record GenerationSpec(
    long seed,
    LocalDate from,
    LocalDate to,
    double anonymousShare,
    double dirtyShare,
    double activity,
    List<PlantedCampaign> campaigns,
    Retailer retailer)
    implements Serializable {

  GenerationSpec(
      long seed,
      LocalDate from,
      LocalDate to,
      double anonymousShare,
      double dirtyShare,
      double activity) {
    this(seed, from, to, anonymousShare, dirtyShare, activity, List.of(), Retailer.UK);
  }

  GenerationSpec withActivity(double scale) {
    return new GenerationSpec(
        seed, from, to, anonymousShare, dirtyShare, scale, campaigns, retailer);
  }

  GenerationSpec withCampaigns(List<PlantedCampaign> planted) {
    return new GenerationSpec(
        seed, from, to, anonymousShare, dirtyShare, activity, List.copyOf(planted), retailer);
  }

  GenerationSpec withRetailer(Retailer r) {
    return new GenerationSpec(seed, from, to, anonymousShare, dirtyShare, activity, campaigns, r);
  }

  long firstDay() {
    return from.toEpochDay();
  }

  long lastDay() {
    return to.toEpochDay();
  }

  /**
   * The first second after the range, in local time (as {@link Seasons#timeOfDay}): nothing happens
   * at or after it.
   */
  long endSecond() {
    return (lastDay() + 1) * Seasons.SECONDS_PER_DAY;
  }
}

package io.segpipe.jobs.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * What every executor needs to generate any customer on its own: the seed, the date range, the
 * anonymous and dirty shares, and the activity scale that makes the total land near --events.
 *
 * @param activity multiplier on order and browsing rates (1 = the archetypes' natural rates)
 * @param campaigns campaigns whose effect is planted (none by default)
 */
record GenerationSpec(long seed, LocalDate from, LocalDate to, double anonymousShare, double dirtyShare,
    double activity, List<PlantedCampaign> campaigns) implements Serializable {

  GenerationSpec(long seed, LocalDate from, LocalDate to, double anonymousShare, double dirtyShare, double activity) {
    this(seed, from, to, anonymousShare, dirtyShare, activity, List.of());
  }

  GenerationSpec withActivity(double scale) {
    return new GenerationSpec(seed, from, to, anonymousShare, dirtyShare, scale, campaigns);
  }

  GenerationSpec withCampaigns(List<PlantedCampaign> planted) {
    return new GenerationSpec(seed, from, to, anonymousShare, dirtyShare, activity, List.copyOf(planted));
  }

  long firstDay() {
    return from.toEpochDay();
  }

  long lastDay() {
    return to.toEpochDay();
  }

  /** The first second after the range: nothing happens at or after it. */
  long endSecond() {
    return (lastDay() + 1) * Seasons.SECONDS_PER_DAY;
  }
}

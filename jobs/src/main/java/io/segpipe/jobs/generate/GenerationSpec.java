package io.segpipe.jobs.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * What every executor needs to generate any customer on its own: the seed, the date range, the
 * anonymous and dirty shares, the activity scale that makes the total land near --events, the
 * retailer whose data it is, and what is planted (campaigns, category affinities).
 *
 * @param activity multiplier on order and browsing rates (1 = the archetypes' natural rates)
 * @param campaigns campaigns whose effect is planted (none by default)
 * @param retailer places, currency, prices, channels and seasons (UK by default); --from and --to
 *     are days of its local time
 * @param affinities category pairs planted to be bought together, at most one per archetype (none
 *     by default)
 * @param identities the identifiers, second accounts and traps --identities plants (null: none)
 */
record GenerationSpec(
    long seed,
    LocalDate from,
    LocalDate to,
    double anonymousShare,
    double dirtyShare,
    double activity,
    List<PlantedCampaign> campaigns,
    Retailer retailer,
    List<AffinityPlan> affinities,
    Identities identities)
    implements Serializable {

  GenerationSpec(
      long seed,
      LocalDate from,
      LocalDate to,
      double anonymousShare,
      double dirtyShare,
      double activity) {
    this(
        seed,
        from,
        to,
        anonymousShare,
        dirtyShare,
        activity,
        List.of(),
        Retailer.UK,
        List.of(),
        null);
  }

  GenerationSpec withActivity(double scale) {
    return new GenerationSpec(
        seed,
        from,
        to,
        anonymousShare,
        dirtyShare,
        scale,
        campaigns,
        retailer,
        affinities,
        identities);
  }

  GenerationSpec withCampaigns(List<PlantedCampaign> planted) {
    return new GenerationSpec(
        seed,
        from,
        to,
        anonymousShare,
        dirtyShare,
        activity,
        List.copyOf(planted),
        retailer,
        affinities,
        identities);
  }

  GenerationSpec withRetailer(Retailer r) {
    return new GenerationSpec(
        seed, from, to, anonymousShare, dirtyShare, activity, campaigns, r, affinities, identities);
  }

  GenerationSpec withAffinities(List<AffinityPlan> planted) {
    return new GenerationSpec(
        seed,
        from,
        to,
        anonymousShare,
        dirtyShare,
        activity,
        campaigns,
        retailer,
        List.copyOf(planted),
        identities);
  }

  GenerationSpec withIdentities(Identities planted) {
    return new GenerationSpec(
        seed,
        from,
        to,
        anonymousShare,
        dirtyShare,
        activity,
        campaigns,
        retailer,
        affinities,
        planted);
  }

  /** The category pair planted in {@code archetype}, or null. */
  AffinityPlan affinity(Archetype archetype) {
    for (AffinityPlan plan : affinities) {
      if (plan.archetype() == archetype) {
        return plan;
      }
    }
    return null;
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

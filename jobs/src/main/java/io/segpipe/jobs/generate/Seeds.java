package io.segpipe.jobs.generate;

import java.util.SplittableRandom;

/**
 * Random streams keyed by (seed, customer index, purpose). Each customer draws from its own
 * streams, so its rows do not depend on which partition or executor generates it, nor on how many
 * customers come before it.
 */
enum Seeds {
  /** Who the customer is: archetype, demographics, signup and churn dates. */
  PROFILE,
  /** What the customer does: orders, browsing, returns, feedback, anonymous traffic. */
  ACTIVITY,
  /**
   * Which rows --dirty-share breaks or duplicates. Kept apart from ACTIVITY so that dirty data is
   * the clean data set plus damage, not a different data set.
   */
  DIRT,
  /**
   * Whether a planted campaign moves a treated customer to buy, and that order. Apart from
   * ACTIVITY, so a data set with a campaign is the one without it plus the planted orders.
   */
  CAMPAIGN,
  /**
   * Whether --affinity adds the consequent category to an order of the planted archetype, the added
   * line and its damage by --dirty-share. Apart from ACTIVITY and DIRT (and after CAMPAIGN, so the
   * other streams keep their ordinals and seeds), so a data set with a planted affinity is the one
   * without it plus the added lines.
   */
  AFFINITY,
  /**
   * Who the person is to identity stitching (--identities): its emails, devices, phone, how they
   * are written on the customers record, and whether it has a second account for its store events
   * (and that account's consent). Apart from every other stream (and after them, so they keep their
   * ordinals and seeds), so a data set with identities is the one without them plus the identifier
   * columns and the second accounts' customer ids.
   */
  IDENTITY,
  /**
   * Which identifiers each of the person's events carries and how they are written (device of a
   * session, case and spaces, e-receipts, the shared tablet and the placeholder email). Apart from
   * IDENTITY so the person's identifiers do not depend on how many events it has.
   */
  IDENTITY_USE;

  SplittableRandom random(long seed, long customerIndex) {
    long mixed = mix(mix(seed ^ 0x5E6B1DEC0DEL) + customerIndex);
    return new SplittableRandom(mix(mixed + 0x9E3779B97F4A7C15L * (ordinal() + 1)));
  }

  /**
   * SplitMix64's finaliser: neighbouring inputs give unrelated outputs. A bijection of the longs,
   * so distinct inputs never give the same output (identifiers built from it are unique).
   */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

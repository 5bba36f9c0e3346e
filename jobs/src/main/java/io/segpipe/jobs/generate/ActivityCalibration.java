package io.segpipe.jobs.generate;

import io.segpipe.common.UserError;

/**
 * Finds the activity scale that makes the total land near --events. Events per customer grow
 * linearly with the scale (order and browsing rates are Poisson rates times the scale; one-time
 * buyers and new signups keep their fixed orders), so two runs over an evenly spread sample of
 * customers, generated on the driver exactly as the executors will, give the line to solve.
 */
final class ActivityCalibration {
  private ActivityCalibration() {}

  /** Enough customers for a mean within a few percent; a second or two on the driver. */
  static final int SAMPLE = 3000;

  /** Below this the archetypes stop looking like themselves (a loyal customer with no orders). */
  static final double MIN_ACTIVITY = 0.05;

  /** Mean events (rows, duplicates included) per customer for {@code spec}, from a sample. */
  static double meanEvents(GenerationSpec spec, long customers) {
    int n = (int) Math.min(customers, SAMPLE);
    long total = 0;
    for (int i = 0; i < n; i++) {
      total += CustomerActivity.generate(spec, customers * i / n).rows().size();
    }
    return (double) total / n;
  }

  static double activityFor(GenerationSpec spec, long customers, long targetEvents) {
    double atOne = meanEvents(spec.withActivity(1), customers);
    double atTwo = meanEvents(spec.withActivity(2), customers);
    double slope = atTwo - atOne;
    double fixed = atOne - slope;
    double wanted = (double) targetEvents / customers;
    double activity = (wanted - fixed) / slope;
    if (activity < MIN_ACTIVITY) {
      long least = (long) Math.ceil(customers * (fixed + slope * MIN_ACTIVITY));
      throw new UserError(
          String.format(
              "--events %d is too few for --customers %d: they make at least about %d events (%.1f each). "
                  + "Ask for --events %d or more, or fewer customers (about %d).",
              targetEvents,
              customers,
              least,
              (double) least / customers,
              least,
              (long) (targetEvents / (fixed + slope * MIN_ACTIVITY))));
    }
    return activity;
  }
}

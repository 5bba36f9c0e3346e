package io.segpipe.jobs.generate;

import java.util.SplittableRandom;

/** The few distributions the generator draws from, on a caller-owned random stream. */
final class Draw {
  private Draw() {}

  /** An index into {@code weights} chosen with probability proportional to its weight. */
  static int weighted(SplittableRandom rng, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = rng.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** A whole number in [low, high], both included. */
  static int between(SplittableRandom rng, int low, int high) {
    return high <= low ? low : low + rng.nextInt(high - low + 1);
  }

  /** A day in [low, high], both included; low when the interval is empty. */
  static long day(SplittableRandom rng, long low, long high) {
    return high <= low ? low : low + rng.nextLong(high - low + 1);
  }

  static boolean chance(SplittableRandom rng, double probability) {
    return rng.nextDouble() < probability;
  }

  static double gaussian(SplittableRandom rng, double mean, double sd) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return mean + sd * Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Time to the next event of a Poisson process with {@code rate} events per unit. */
  static double exponential(SplittableRandom rng, double rate) {
    return -Math.log(1.0 - rng.nextDouble()) / rate;
  }
}

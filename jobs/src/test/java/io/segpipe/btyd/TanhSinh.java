package io.segpipe.btyd;

/**
 * Tanh-sinh (double-exponential) quadrature on (0, 1) for the tests' independent computations. It
 * never evaluates the end points and passes both s and 1 − s to the integrand, each computed
 * without cancellation, so integrable end-point singularities are fine. The step halves until two
 * levels agree to 1e-14 relative.
 */
final class TanhSinh {

  /** f(s, 1 − s). */
  interface Integrand {
    double value(double s, double oneMinusS);
  }

  private TanhSinh() {}

  static double integrate(Integrand f) {
    double previous = Double.NaN;
    for (int level = 2; level <= 12; level++) {
      double h = Math.scalb(1.0, -level);
      double sum = 0;
      int kMax = (int) Math.ceil(4.5 / h);
      for (int k = -kMax; k <= kMax; k++) {
        double t = k * h;
        double u = 0.5 * Math.PI * Math.sinh(t);
        // s = (1 + tanh u)/2: with e = exp(-2|u|) the two halves are 1/(1 + e) and e/(1 + e).
        double e = Math.exp(-2 * Math.abs(u));
        double small = e / (1 + e);
        double large = 1 / (1 + e);
        double s = u >= 0 ? large : small;
        double oneMinusS = u >= 0 ? small : large;
        if (s <= 0 || oneMinusS <= 0) {
          continue;
        }
        // ds/dt = (π/2) cosh t · sech²(u)/2 and sech²(u)/2 = 2e/(1 + e)².
        double weight = 0.5 * Math.PI * Math.cosh(t) * 2 * e / ((1 + e) * (1 + e));
        if (weight == 0) {
          continue;
        }
        sum += weight * f.value(s, oneMinusS);
      }
      double estimate = sum * h;
      if (Math.abs(estimate - previous) <= 1e-14 * Math.abs(estimate)) {
        return estimate;
      }
      previous = estimate;
    }
    throw new AssertionError("tanh-sinh quadrature did not settle; last estimate " + previous);
  }
}

package io.segpipe.btyd;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) = Σ_k (a)_k (b)_k / ((c)_k k!) z^k for a, b, c
 * &gt; 0 and 0 &lt;= z &lt; 1: the range of the BG/NBD conditional expectation (Fader, Hardie &amp;
 * Lee 2005, "Counting your customers the easy way"), which needs 2F1(r+x, b+x; a+b+x-1; t/(α+T+t)).
 *
 * <p>With positive parameters every term of the series is positive, so the sum is summed directly.
 * For large a·b/c·z (many repeat purchases, z near 1) the terms grow far beyond {@code
 * Double.MAX_VALUE} before they decay; the running sum is therefore kept rescaled and its scale
 * carried as a logarithm, which {@link #logHyp2f1} returns. The summation stops once the term ratio
 * is past its last turning point (so it is monotone from there on), below 1, and the geometric
 * bound on the rest of the tail is below 1e-17 of the sum; it throws after {@value #MAX_TERMS}
 * terms.
 */
public final class Hypergeometric {

  /** The hard cap on the number of series terms. */
  public static final int MAX_TERMS = 20_000_000;

  private static final double RESCALE_ABOVE = 1e250;
  private static final double RESCALE_BY = 1e-250;
  private static final double LOG_RESCALE = 250 * Math.log(10);
  private static final double TAIL_TOLERANCE = 1e-17;

  private Hypergeometric() {}

  /**
   * 2F1(a, b; c; z); {@code Double.POSITIVE_INFINITY} when the value exceeds the double range (use
   * {@link #logHyp2f1} then).
   *
   * @throws IllegalArgumentException if a, b or c is not positive, z is outside [0, 1), or the
   *     series does not converge within {@value #MAX_TERMS} terms
   */
  public static double hyp2f1(double a, double b, double c, double z) {
    return Math.exp(logHyp2f1(a, b, c, z));
  }

  /** ln 2F1(a, b; c; z), with the same domain and errors as {@link #hyp2f1}. */
  public static double logHyp2f1(double a, double b, double c, double z) {
    if (!(a > 0 && b > 0 && c > 0)
        || Double.isInfinite(a)
        || Double.isInfinite(b)
        || Double.isInfinite(c)) {
      throw new IllegalArgumentException("hyp2f1 needs finite a, b, c > 0: " + args(a, b, c, z));
    }
    if (!(z >= 0 && z < 1)) {
      throw new IllegalArgumentException("hyp2f1 needs 0 <= z < 1: " + args(a, b, c, z));
    }
    if (z == 0) {
      return 0.0;
    }
    long monotoneFrom = lastTurningPoint(a, b, c);
    double sum = 1.0;
    double term = 1.0;
    double logScale = 0.0;
    for (int k = 0; k < MAX_TERMS; k++) {
      double ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
      term *= ratio;
      sum += term;
      if (sum > RESCALE_ABOVE) {
        sum *= RESCALE_BY;
        term *= RESCALE_BY;
        logScale += LOG_RESCALE;
      }
      if (k >= monotoneFrom) {
        // From here on the ratios move monotonically towards their limit z, so all later ratios are
        // at most max(ratio, z) and the rest of the series is bounded by a geometric tail.
        double bound = Math.max(ratio, z);
        if (bound < 1 && term * bound / (1 - bound) <= TAIL_TOLERANCE * sum) {
          return logScale + Math.log(sum);
        }
      }
    }
    throw new IllegalArgumentException(
        "hyp2f1 series did not converge within " + MAX_TERMS + " terms: " + args(a, b, c, z));
  }

  /**
   * The smallest k from which the term ratio ρ(k) = z(a+k)(b+k)/((c+k)(k+1)) is monotone: the sign
   * of ρ'(k) is that of Q(k) = (c+1-a-b)k² + 2(c-ab)k + ((a+b)c - ab(c+1)), so past the largest
   * real root of Q it no longer changes.
   */
  private static long lastTurningPoint(double a, double b, double c) {
    double qa = c + 1 - a - b;
    double qb = 2 * (c - a * b);
    double qc = (a + b) * c - a * b * (c + 1);
    double root;
    if (Math.abs(qa) < 1e-12 * (Math.abs(qb) + Math.abs(qc) + 1)) {
      root = qb == 0 ? 0 : -qc / qb;
    } else {
      double disc = qb * qb - 4 * qa * qc;
      if (disc < 0) {
        return 0;
      }
      double sq = Math.sqrt(disc);
      root = Math.max((-qb + sq) / (2 * qa), (-qb - sq) / (2 * qa));
    }
    if (!(root > 0)) {
      return 0;
    }
    return (long) Math.min(Math.ceil(root) + 1, Long.MAX_VALUE / 2);
  }

  private static String args(double a, double b, double c, double z) {
    return "a=" + a + ", b=" + b + ", c=" + c + ", z=" + z;
  }
}

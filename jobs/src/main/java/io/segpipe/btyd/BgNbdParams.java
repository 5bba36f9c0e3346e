package io.segpipe.btyd;

/**
 * BG/NBD parameters (Fader, Hardie &amp; Lee 2005): transaction rates λ ~ Gamma(shape r, rate α)
 * and dropout probabilities p ~ Beta(a, b). All four must be positive and finite.
 */
public record BgNbdParams(double r, double alpha, double a, double b) {

  public BgNbdParams {
    if (!positive(r) || !positive(alpha) || !positive(a) || !positive(b)) {
      throw new IllegalArgumentException(
          "BG/NBD parameters must be positive and finite: r="
              + r
              + ", alpha="
              + alpha
              + ", a="
              + a
              + ", b="
              + b);
    }
  }

  /** The parameters of a BG/NBD {@link FitResult} (names r, alpha, a, b). */
  public static BgNbdParams of(FitResult fit) {
    return new BgNbdParams(fit.value("r"), fit.value("alpha"), fit.value("a"), fit.value("b"));
  }

  private static boolean positive(double v) {
    return v > 0 && Double.isFinite(v);
  }
}

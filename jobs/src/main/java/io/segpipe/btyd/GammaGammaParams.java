package io.segpipe.btyd;

/**
 * Gamma-Gamma spend parameters (Fader, Hardie &amp; Lee 2005, "RFM and CLV: using iso-value curves
 * for customer base analysis"): a transaction's value ~ Gamma(shape p, rate ν) with ν ~ Gamma(shape
 * q, rate γ). All three must be positive and finite.
 */
public record GammaGammaParams(double p, double q, double gamma) {

  public GammaGammaParams {
    if (!(p > 0 && q > 0 && gamma > 0)
        || !Double.isFinite(p)
        || !Double.isFinite(q)
        || !Double.isFinite(gamma)) {
      throw new IllegalArgumentException(
          "Gamma-Gamma parameters must be positive and finite: p="
              + p
              + ", q="
              + q
              + ", gamma="
              + gamma);
    }
  }

  /** The parameters of a Gamma-Gamma {@link FitResult} (names p, q, gamma). */
  public static GammaGammaParams of(FitResult fit) {
    return new GammaGammaParams(fit.value("p"), fit.value("q"), fit.value("gamma"));
  }
}

package io.segpipe.btyd;

/**
 * Settings of a maximum-likelihood fit.
 *
 * @param maxIterations optimiser iterations before {@link FitNotConverged}
 * @param maxEvaluations log-likelihood evaluations (line searches included) before {@link
 *     FitNotConverged}
 * @param tolerance converged when the mean log-likelihood per customer changes by at most this,
 *     relative, between iterations ...
 * @param decrementTolerance ... and the Newton decrement gᵀ(−H)⁻¹g of the total log-likelihood (g
 *     its gradient, H its Hessian, in log-parameters) is at most this: the squared distance to the
 *     maximum in standard-error units, so 1e-4 leaves each estimate within about 0.01 of its
 *     standard error of the exact maximum
 */
public record FitOptions(
    int maxIterations, int maxEvaluations, double tolerance, double decrementTolerance) {

  /** 2,000 iterations, 200,000 evaluations, relative change 1e-12, Newton decrement 1e-4. */
  public static final FitOptions DEFAULTS = new FitOptions(2_000, 200_000, 1e-12, 1e-4);

  public FitOptions {
    if (maxIterations < 1 || maxEvaluations < 1 || !(tolerance > 0) || !(decrementTolerance > 0)) {
      throw new IllegalArgumentException(
          "FitOptions need positive limits and tolerances: maxIterations="
              + maxIterations
              + ", maxEvaluations="
              + maxEvaluations
              + ", tolerance="
              + tolerance
              + ", decrementTolerance="
              + decrementTolerance);
    }
  }
}

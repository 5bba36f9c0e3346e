package io.segpipe.btyd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared maximum-likelihood machinery on objectives whose answers are known exactly. */
class LogParameterMleTest {

  /**
   * A Gaussian log-likelihood in θ with maximum at (ln 2, ln 5) and covariance diag(0.01, 0.04)
   * correlated at 0.5: the fit must return those values and that covariance (the Hessian of a
   * quadratic is exact).
   */
  @Test
  void recoversTheMaximumAndCovarianceOfAQuadratic() {
    double[] centre = {Math.log(2), Math.log(5)};
    double[][] cov = {{0.01, 0.01}, {0.01, 0.04}};
    double det = cov[0][0] * cov[1][1] - cov[0][1] * cov[0][1];
    double[][] precision = {
      {cov[1][1] / det, -cov[0][1] / det}, {-cov[0][1] / det, cov[0][0] / det}
    };
    LogParameterMle.Objective quadratic =
        new LogParameterMle.Objective() {
          @Override
          public double value(double[] theta, double[] gradient) {
            double d0 = theta[0] - centre[0];
            double d1 = theta[1] - centre[1];
            double g0 = -(precision[0][0] * d0 + precision[0][1] * d1);
            double g1 = -(precision[1][0] * d0 + precision[1][1] * d1);
            if (gradient != null) {
              gradient[0] = g0;
              gradient[1] = g1;
            }
            return 0.5 * (g0 * d0 + g1 * d1) - 10;
          }

          @Override
          public double weight() {
            return 1;
          }
        };
    FitResult fit =
        LogParameterMle.fit(List.of("u", "v"), quadratic, new double[] {0, 0}, FitOptions.DEFAULTS);
    assertEquals(2.0, fit.value("u"), 1e-6);
    assertEquals(5.0, fit.value("v"), 1e-5);
    assertEquals(-10.0, fit.logLikelihood(), 1e-10);
    double[][] estimated = fit.covarianceLog();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(cov[i][j], estimated[i][j], 1e-8, "covariance " + i + "," + j);
      }
    }
    assertEquals(2.0 * Math.exp(-FitResult.Z95 * 0.1), fit.lower95("u"), 1e-6);
    assertEquals(0.1 * fit.value("u"), fit.se("u"), 1e-8);
  }

  /**
   * A likelihood flat in its second parameter has no interior maximum: the fit stops once it no
   * longer rises and says so (not converged, no standard errors), with the first parameter at its
   * maximum.
   */
  @Test
  void saysSoWhenTheHessianIsNotNegativeDefinite() {
    LogParameterMle.Objective flat =
        new LogParameterMle.Objective() {
          @Override
          public double value(double[] theta, double[] gradient) {
            // Rises ever more slowly as v grows: the supremum is at the edge, as for BG/NBD without
            // dropout.
            double rise = 1e-6 * Math.tanh(theta[1]);
            if (gradient != null) {
              gradient[0] = -2 * (theta[0] - 1);
              gradient[1] = 1e-6 * (1 - Math.tanh(theta[1]) * Math.tanh(theta[1]));
            }
            return -(theta[0] - 1) * (theta[0] - 1) + rise;
          }

          @Override
          public double weight() {
            return 1;
          }
        };
    FitResult fit =
        LogParameterMle.fit(
            List.of("u", "v"), flat, new double[] {0, 0}, new FitOptions(200, 10_000, 1e-12, 1e-4));
    assertFalse(fit.converged());
    assertEquals(Math.E, fit.value("u"), 1e-4);
    assertTrue(Double.isNaN(fit.se("u")) && Double.isNaN(fit.se("v")));
  }
}

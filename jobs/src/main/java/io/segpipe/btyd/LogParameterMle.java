package io.segpipe.btyd;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.optim.ConvergenceChecker;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.MaxIter;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunctionGradient;
import org.apache.commons.math3.optim.nonlinear.scalar.gradient.NonLinearConjugateGradientOptimizer;

/**
 * Maximum likelihood over log-parameters with commons-math3's Polak–Ribière non-linear conjugate
 * gradient and an analytic gradient, followed by the Hessian (central differences of the analytic
 * gradient) for standard errors. The optimiser works on the mean log-likelihood per customer so its
 * line-search tolerances do not depend on the number of customers.
 */
final class LogParameterMle {

  /** A total log-likelihood of log-parameters θ. */
  interface Objective {
    /** Σ count · LL_i at θ; fills {@code gradient} (d/dθ) when it is not null. */
    double value(double[] theta, double[] gradient);

    /** Σ count, the number of customers. */
    double weight();
  }

  /*
   * Line-search tolerances on the step length. The library's defaults (1e-8) leave conjugate gradient
   * zig-zagging a few 1e-4 from the optimum for thousands of iterations on BG/NBD data; near-exact line
   * searches converge in a few dozen.
   */
  private static final double LINE_SEARCH_RELATIVE = 1e-12;
  private static final double LINE_SEARCH_ABSOLUTE = 1e-14;
  private static final double LINE_SEARCH_BRACKET = 1e-3;

  /*
   * A likelihood whose supremum lies at the edge of the parameter space (e.g. BG/NBD on data that show no
   * dropout: a -> 0, b -> infinity) keeps rising ever more slowly and has no interior maximum for the Newton
   * decrement to confirm. The fit stops there when the mean log-likelihood has changed by at most
   * STALL_TOLERANCE (relative) in each of STALL_ITERATIONS iterations in a row, or a log-parameter has run past
   * EDGE, and is reported as at the boundary (not converged to an interior maximum; no standard errors).
   */
  private static final double STALL_TOLERANCE = 1e-10;
  private static final int STALL_ITERATIONS = 25;
  private static final double EDGE = 12;

  /** Central-difference step in θ for the Hessian. */
  private static final double HESSIAN_STEP = 1e-5;

  private LogParameterMle() {}

  static FitResult fit(
      List<String> names, Objective objective, double[] start, FitOptions options) {
    int n = start.length;
    double weight = objective.weight();
    double[] last = start.clone();
    double[] lastValue = {Double.NaN};
    ObjectiveFunction value =
        new ObjectiveFunction(
            theta -> {
              double v = objective.value(theta, null) / weight;
              System.arraycopy(theta, 0, last, 0, n);
              lastValue[0] = v * weight;
              // The line search may step far out; an overflowing likelihood there is simply very
              // poor.
              return Double.isFinite(v) ? v : -Double.MAX_VALUE;
            });
    ObjectiveFunctionGradient gradient =
        new ObjectiveFunctionGradient(
            theta -> {
              double[] g = new double[n];
              objective.value(theta, g);
              for (int i = 0; i < n; i++) {
                g[i] /= weight;
              }
              return g;
            });
    int[] stalled = {0};
    ConvergenceChecker<PointValuePair> checker =
        (iteration, previous, current) -> {
          double change = Math.abs(current.getValue() - previous.getValue());
          double scale = Math.abs(current.getValue());
          stalled[0] = change <= STALL_TOLERANCE * (scale + STALL_TOLERANCE) ? stalled[0] + 1 : 0;
          if (stalled[0] >= STALL_ITERATIONS || atEdge(current.getPoint())) {
            return true;
          }
          if (change > options.tolerance() * (scale + options.tolerance())) {
            return false;
          }
          return newtonDecrement(objective, current.getPoint()) <= options.decrementTolerance();
        };
    NonLinearConjugateGradientOptimizer optimizer =
        new NonLinearConjugateGradientOptimizer(
            NonLinearConjugateGradientOptimizer.Formula.POLAK_RIBIERE,
            checker,
            LINE_SEARCH_RELATIVE,
            LINE_SEARCH_ABSOLUTE,
            LINE_SEARCH_BRACKET,
            new NonLinearConjugateGradientOptimizer.IdentityPreconditioner());
    double[] theta;
    try {
      PointValuePair best =
          optimizer.optimize(
              new MaxEval(options.maxEvaluations()),
              new MaxIter(options.maxIterations()),
              value,
              gradient,
              GoalType.MAXIMIZE,
              new InitialGuess(start.clone()));
      theta = best.getPoint();
    } catch (MathIllegalStateException e) {
      boolean definite = Double.isFinite(newtonDecrement(objective, last));
      throw new FitNotConverged(
          "maximum-likelihood fit did not converge ("
              + e.getMessage()
              + ") after "
              + optimizer.getIterations()
              + " iterations; last parameters "
              + describe(names, last)
              + ", log-likelihood "
              + lastValue[0]
              + (definite ? "" : "; the Hessian there is not negative definite"),
          e);
    }

    double[] g0 = new double[n];
    double logLikelihood = objective.value(theta, g0);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = Math.exp(theta[i]);
    }
    if (!(newtonDecrement(objective, theta) <= options.decrementTolerance())) {
      // Stopped on a flat likelihood without an interior maximum: at the boundary, no standard
      // errors.
      double[][] none = new double[n][n];
      for (double[] row : none) {
        Arrays.fill(row, Double.NaN);
      }
      return new FitResult(names, values, none, logLikelihood, optimizer.getIterations(), false);
    }
    double[][] hessian = hessian(objective, theta);
    RealMatrix negative = new Array2DRowRealMatrix(hessian).scalarMultiply(-1);
    double[][] covariance;
    try {
      covariance =
          new CholeskyDecomposition(negative, 1e-10, 0.0).getSolver().getInverse().getData();
    } catch (NonPositiveDefiniteMatrixException e) {
      throw new FitNotConverged(
          "the log-likelihood's Hessian is not negative definite at "
              + describe(names, theta)
              + " (log-likelihood "
              + logLikelihood
              + ", "
              + optimizer.getIterations()
              + " iterations): no maximum there, no standard errors; Hessian "
              + Arrays.deepToString(hessian),
          e);
    }
    return new FitResult(names, values, covariance, logLikelihood, optimizer.getIterations(), true);
  }

  private static boolean atEdge(double[] theta) {
    for (double t : theta) {
      if (Math.abs(t) > EDGE) {
        return true;
      }
    }
    return false;
  }

  /** gᵀ(−H)⁻¹g of the total log-likelihood at θ; +∞ where −H is not positive definite. */
  static double newtonDecrement(Objective objective, double[] theta) {
    double[] g = new double[theta.length];
    objective.value(theta, g);
    RealMatrix negative = new Array2DRowRealMatrix(hessian(objective, theta)).scalarMultiply(-1);
    try {
      double[] step =
          new CholeskyDecomposition(negative, 1e-10, 0.0)
              .getSolver()
              .solve(new ArrayRealVector(g))
              .toArray();
      double d = 0;
      for (int i = 0; i < g.length; i++) {
        d += g[i] * step[i];
      }
      return d;
    } catch (NonPositiveDefiniteMatrixException e) {
      return Double.POSITIVE_INFINITY;
    }
  }

  /** Hessian in θ by central differences of the analytic gradient, symmetrised. */
  static double[][] hessian(Objective objective, double[] theta) {
    int n = theta.length;
    double[][] h = new double[n][n];
    double[] plus = new double[n];
    double[] minus = new double[n];
    for (int i = 0; i < n; i++) {
      double[] t = theta.clone();
      t[i] = theta[i] + HESSIAN_STEP;
      objective.value(t, plus);
      t[i] = theta[i] - HESSIAN_STEP;
      objective.value(t, minus);
      for (int j = 0; j < n; j++) {
        h[i][j] = (plus[j] - minus[j]) / (2 * HESSIAN_STEP);
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = 0.5 * (h[i][j] + h[j][i]);
        h[i][j] = s;
        h[j][i] = s;
      }
    }
    return h;
  }

  static String describe(List<String> names, double[] theta) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < theta.length; i++) {
      s.append(i == 0 ? "" : ", ").append(names.get(i)).append('=').append(Math.exp(theta[i]));
    }
    return s.append('}').toString();
  }
}

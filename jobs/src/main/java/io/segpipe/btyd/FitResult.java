package io.segpipe.btyd;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * A maximum-likelihood fit of positive parameters estimated on the log scale (θ = ln value).
 * Standard errors come from the inverse of the negative Hessian of the total log-likelihood in θ;
 * on the natural scale se(value) = value · se(θ) (delta method). The 95 % interval is exp(θ ±
 * 1.959964 · se(θ)), which stays positive and is the one whose coverage the tests check.
 */
public final class FitResult {

  /** The standard normal 97.5 % quantile. */
  public static final double Z95 = 1.959964;

  private final List<String> names;
  private final double[] values;
  private final double[] seLog;
  private final double[][] covarianceLog;
  private final double logLikelihood;
  private final int iterations;
  private final boolean converged;

  FitResult(
      List<String> names,
      double[] values,
      double[][] covarianceLog,
      double logLikelihood,
      int iterations,
      boolean converged) {
    this.names = List.copyOf(names);
    this.values = values.clone();
    this.covarianceLog = new double[values.length][];
    this.seLog = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      this.covarianceLog[i] = covarianceLog[i].clone();
      this.seLog[i] = Math.sqrt(covarianceLog[i][i]);
    }
    this.logLikelihood = logLikelihood;
    this.iterations = iterations;
    this.converged = converged;
  }

  /** Parameter names in the model's order. */
  public List<String> names() {
    return names;
  }

  /** Name → estimate, in the model's order. */
  public Map<String, Double> values() {
    return map(i -> values[i]);
  }

  /** Name → standard error on the natural scale (value × log-scale standard error). */
  public Map<String, Double> standardErrors() {
    return map(this::seAt);
  }

  /** Name → standard error of ln(value). */
  public Map<String, Double> standardErrorsLog() {
    return map(i -> seLog[i]);
  }

  public double value(String name) {
    return values[index(name)];
  }

  public double se(String name) {
    return seAt(index(name));
  }

  public double seLog(String name) {
    return seLog[index(name)];
  }

  /** Lower end of the 95 % interval exp(ln value − 1.959964 se_log). */
  public double lower95(String name) {
    int i = index(name);
    return Math.exp(Math.log(values[i]) - Z95 * seLog[i]);
  }

  /** Upper end of the 95 % interval exp(ln value + 1.959964 se_log). */
  public double upper95(String name) {
    int i = index(name);
    return Math.exp(Math.log(values[i]) + Z95 * seLog[i]);
  }

  /** Covariance matrix of the log-parameters, in the order of {@link #names()} (a copy). */
  public double[][] covarianceLog() {
    double[][] copy = new double[covarianceLog.length][];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = covarianceLog[i].clone();
    }
    return copy;
  }

  /** Total log-likelihood at the estimate. */
  public double logLikelihood() {
    return logLikelihood;
  }

  public int iterations() {
    return iterations;
  }

  /**
   * True for an interior maximum confirmed by the Newton decrement; false when the likelihood
   * flattened out towards the edge of the parameter space (its supremum is a limit, e.g. BG/NBD
   * with no dropout in the data): the values are where the fit stopped and the standard errors are
   * NaN.
   */
  public boolean converged() {
    return converged;
  }

  double[] valueArray() {
    return values.clone();
  }

  private double seAt(int i) {
    return values[i] * seLog[i];
  }

  private int index(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no parameter " + name + " in " + names);
    }
    return i;
  }

  private Map<String, Double> map(IntToDoubleFunction f) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), f.applyAsDouble(i));
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FitResult f
        && names.equals(f.names)
        && Arrays.equals(values, f.values)
        && Arrays.deepEquals(covarianceLog, f.covarianceLog)
        && Double.compare(logLikelihood, f.logLikelihood) == 0
        && iterations == f.iterations
        && converged == f.converged;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values) * 31 + Double.hashCode(logLikelihood);
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder("FitResult{logLikelihood=")
            .append(logLikelihood)
            .append(", iterations=")
            .append(iterations)
            .append(", converged=")
            .append(converged);
    for (int i = 0; i < names.size(); i++) {
      s.append(", ")
          .append(names.get(i))
          .append('=')
          .append(values[i])
          .append(" (se ")
          .append(seAt(i))
          .append(')');
    }
    return s.append('}').toString();
  }
}

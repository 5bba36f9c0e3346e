package io.segpipe.modelling;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One maximum-likelihood fit as the job records it: parameters by their names in the papers,
 * standard errors from the inverse Hessian (natural scale), the 95 % interval computed on the log
 * scale, the log-likelihood and the optimiser's iterations. {@code atBoundary}: the likelihood
 * flattened out towards the edge of the parameter space without an interior maximum (the values are
 * where it stopped; there are no standard errors or intervals).
 */
record ParameterFit(
    Map<String, Double> values,
    Map<String, Double> standardErrors,
    Map<String, Double> ciLow,
    Map<String, Double> ciHigh,
    double logLikelihood,
    int iterations,
    boolean atBoundary) {

  ParameterFit {
    values = new LinkedHashMap<>(values);
    standardErrors = new LinkedHashMap<>(standardErrors);
    ciLow = new LinkedHashMap<>(ciLow);
    ciHigh = new LinkedHashMap<>(ciHigh);
  }

  /** The numbers model_runs keeps (its metrics map holds doubles). */
  Map<String, Object> metrics() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("log_likelihood", logLikelihood);
    out.put("iterations", iterations);
    out.put("at_boundary", atBoundary ? 1 : 0);
    standardErrors.forEach((k, v) -> out.put("se_" + k, v));
    ciLow.forEach((k, v) -> out.put("ci95_low_" + k, v));
    ciHigh.forEach((k, v) -> out.put("ci95_high_" + k, v));
    return out;
  }

  String describe() {
    return values.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + " "
                    + String.format("%.6g", e.getValue())
                    + (standardErrors.containsKey(e.getKey())
                        ? " (se " + String.format("%.3g", standardErrors.get(e.getKey())) + ")"
                        : ""))
        .collect(Collectors.joining(", "));
  }

  /** Ten significant digits, as the other models' metrics are reported. */
  static double reported(double value) {
    return ModelMetadata.reported(value);
  }
}

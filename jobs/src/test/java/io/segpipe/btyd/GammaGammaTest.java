package io.segpipe.btyd;

import static io.segpipe.btyd.HypergeometricTest.assertRelative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.math3.special.Gamma;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.junit.jupiter.api.Test;

/**
 * Gamma-Gamma likelihood, fit and expected value, checked against planted truth and direct
 * computations.
 */
class GammaGammaTest {

  private static final GammaGammaParams PLANTED = PlantedData.SPEND;
  private static final double[] PLANTED_VALUES = {6, 4, 15};

  @Test
  void recoversPlantedParameters() {
    FitResult fit = PlantedData.GAMMA_GAMMA_FIT;
    System.out.println(
        PlantedData.table(
            "Gamma-Gamma, "
                + PlantedData.REPEAT.size()
                + " repeat customers of "
                + PlantedData.CUSTOMERS
                + ", LL "
                + fit.logLikelihood()
                + ", "
                + fit.iterations()
                + " iterations",
            fit,
            PLANTED_VALUES));
    assertEquals(List.of("p", "q", "gamma"), List.copyOf(fit.values().keySet()));
    for (int i = 0; i < PLANTED_VALUES.length; i++) {
      String name = fit.names().get(i);
      double z = (fit.value(name) - PLANTED_VALUES[i]) / fit.se(name);
      assertTrue(
          Math.abs(z) <= 3,
          name + " = " + fit.value(name) + " is " + z + " SE from " + PLANTED_VALUES[i]);
    }
  }

  /**
   * Seeds 1..100, 5,000 customers each (about 2,400 repeat customers): coverage in 90..99 of 100.
   */
  @Test
  void intervalsCoverThePlantedValuesAtTheirStatedRate() {
    BtydSimulator simulator = new BtydSimulator(PlantedData.TRANSACTIONS, PLANTED, 52, 0, 0);
    List<FitResult> fits =
        IntStream.rangeClosed(1, 100)
            .parallel()
            .mapToObj(
                seed ->
                    GammaGamma.fit(
                        BtydSimulator.toGammaGammaData(simulator.simulate(5_000, seed), 52)))
            .toList();
    int[] covered = new int[PLANTED_VALUES.length];
    for (FitResult fit : fits) {
      for (int i = 0; i < covered.length; i++) {
        String name = fit.names().get(i);
        if (fit.lower95(name) <= PLANTED_VALUES[i] && PLANTED_VALUES[i] <= fit.upper95(name)) {
          covered[i]++;
        }
      }
    }
    String report =
        "Gamma-Gamma 95% interval coverage over 100 replicates of 5,000: p="
            + covered[0]
            + " q="
            + covered[1]
            + " gamma="
            + covered[2];
    System.out.println(report);
    for (int c : covered) {
      assertTrue(c >= 90 && c <= 99, report);
    }
  }

  /**
   * The total log-likelihood against the density of x·m written out: x·m | ν ~ Gamma(p·x, ν)
   * integrated over ν ~ Gamma(q, γ) gives f(x·m) = Γ(px+q)/(Γ(px)Γ(q)) γ^q (x·m)^(px−1) / (γ +
   * x·m)^(px+q); the density of m is x·f(x·m).
   */
  @Test
  void logLikelihoodAgreesWithTheDensityOfTheMean() {
    FitResult fit = PlantedData.GAMMA_GAMMA_FIT;
    GammaGammaParams g = GammaGammaParams.of(fit);
    GammaGammaData data = PlantedData.REPEAT;
    double total = 0;
    for (int i = 0; i < data.size(); i++) {
      double px = g.p() * data.x(i);
      double sum = data.x(i) * data.m(i);
      total +=
          Gamma.logGamma(px + g.q())
              - Gamma.logGamma(px)
              - Gamma.logGamma(g.q())
              + g.q() * Math.log(g.gamma())
              + (px - 1) * Math.log(sum)
              - (px + g.q()) * Math.log(g.gamma() + sum)
              + Math.log(data.x(i));
    }
    assertRelative(total, fit.logLikelihood(), 1e-9, "Gamma-Gamma log-likelihood");
  }

  /**
   * E[M | x, m] as the paper's weighted average of the population mean p·γ/(q−1) and the observed
   * mean m, with weight p·x/(p·x+q−1) on m, and as the posterior mean of p/ν with ν | x, m ~
   * Gamma(q + p·x, γ + x·m), integrated numerically.
   */
  @Test
  void expectedValueMatchesTheWeightedAverageAndThePosteriorMean() {
    GammaGammaParams g = new GammaGammaParams(6, 4, 15);
    double population = g.p() * g.gamma() / (g.q() - 1);
    assertRelative(population, GammaGamma.expectedValue(g, 0, 0), 1e-15, "x = 0");
    for (int x : new int[] {1, 3, 40}) {
      for (double m : new double[] {2.5, 30, 400}) {
        double weight = g.p() * x / (g.p() * x + g.q() - 1);
        double weighted = (1 - weight) * population + weight * m;
        double actual = GammaGamma.expectedValue(g, x, m);
        assertRelative(weighted, actual, 1e-13, "weighted average x=" + x + " m=" + m);
        double shape = g.q() + g.p() * x;
        double rate = g.gamma() + x * m;
        // ν = w/rate with w ~ Gamma(shape, 1), so E[p/ν] = p·rate·E[1/w]; w = u/(1−u) maps (0,1)
        // onto (0,∞).
        double posteriorMean =
            TanhSinh.integrate(
                (u, oneMinusU) -> {
                  double logW = Math.log(u) - Math.log(oneMinusU);
                  double w = Math.exp(logW);
                  double logDensity = (shape - 1) * logW - w - Gamma.logGamma(shape);
                  return Math.exp(
                      Math.log(g.p() * rate) - logW + logDensity - 2 * Math.log(oneMinusU));
                });
        assertRelative(posteriorMean, actual, 1e-9, "posterior mean x=" + x + " m=" + m);
      }
    }
  }

  @Test
  void refusesHeavyTailedSpendWithQAtMostOne() {
    GammaGammaParams heavy = new GammaGammaParams(2, 0.7, 10);
    IllegalStateException fitted =
        assertThrows(
            IllegalStateException.class,
            () ->
                GammaGamma.fit(
                    BtydSimulator.toGammaGammaData(
                        new BtydSimulator(PlantedData.TRANSACTIONS, heavy, 52, 0, 0)
                            .simulate(20_000, 3),
                        52)));
    assertTrue(
        fitted.getMessage().contains("q = ") && fitted.getMessage().contains("no finite mean"),
        fitted.getMessage());
    IllegalStateException direct =
        assertThrows(IllegalStateException.class, () -> GammaGamma.expectedValue(heavy, 3, 20));
    assertTrue(direct.getMessage().contains("q=0.7"), direct.getMessage());
  }

  @Test
  void fittingIsDeterministicAndRejectsBadInput() {
    GammaGammaData data =
        BtydSimulator.toGammaGammaData(
            new BtydSimulator(PlantedData.TRANSACTIONS, PLANTED, 52, 0, 0).simulate(3_000, 8), 52);
    assertEquals(GammaGamma.fit(data), GammaGamma.fit(data));

    assertThrows(
        IllegalArgumentException.class, () -> GammaGammaData.of(new int[0], new double[0]));
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> GammaGammaData.of(new int[] {2, 0}, new double[] {5, 5}));
    assertTrue(zero.getMessage().contains("row 1"), zero.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> GammaGammaData.of(new int[] {2}, new double[] {-5}));
    assertThrows(
        IllegalArgumentException.class,
        () -> GammaGammaData.of(new int[] {2}, new double[] {5, 6}));
    assertThrows(IllegalArgumentException.class, () -> new GammaGammaParams(0, 4, 15));
  }

  @Test
  void pearsonMatchesCommonsMath() {
    GammaGammaData data = PlantedData.REPEAT;
    int[] x = new int[data.size()];
    double[] m = new double[data.size()];
    double[] xd = new double[data.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = data.x(i);
      xd[i] = x[i];
      m[i] = data.m(i);
    }
    double r = GammaGamma.pearson(x, m);
    assertRelative(new PearsonsCorrelation().correlation(xd, m), r, 1e-10, "pearson");
    // The simulation draws spend independently of frequency.
    assertTrue(Math.abs(r) < 4 / Math.sqrt(x.length), "correlation " + r);
    assertRelative(
        1.0, GammaGamma.pearson(new int[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-15, "linear");
    assertRelative(
        -1.0, GammaGamma.pearson(new int[] {1, 2, 3}, new double[] {6, 4, 2}), 1e-15, "reversed");
  }
}

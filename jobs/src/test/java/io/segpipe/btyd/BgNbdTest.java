package io.segpipe.btyd;

import static io.segpipe.btyd.HypergeometricTest.assertRelative;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

/**
 * BG/NBD likelihood, fit and scores, checked against planted truth and independent computations.
 */
class BgNbdTest {

  private static final BgNbdParams PLANTED = PlantedData.TRANSACTIONS;
  private static final double[] PLANTED_VALUES = {0.25, 4, 0.8, 2.5};

  // ---------------------------------------------------------------- estimation

  @Test
  void recoversPlantedParametersFrom50000Customers() {
    FitResult fit = PlantedData.BG_NBD_FIT;
    System.out.println(
        PlantedData.table(
            "BG/NBD, 50,000 customers, seed "
                + PlantedData.SEED
                + ", LL "
                + fit.logLikelihood()
                + ", "
                + fit.iterations()
                + " iterations",
            fit,
            PLANTED_VALUES));
    assertEquals(List.of("r", "alpha", "a", "b"), List.copyOf(fit.values().keySet()));
    assertTrue(fit.converged());
    for (int i = 0; i < PLANTED_VALUES.length; i++) {
      String name = fit.names().get(i);
      double z = (fit.value(name) - PLANTED_VALUES[i]) / fit.se(name);
      assertTrue(
          Math.abs(z) <= 3,
          name + " = " + fit.value(name) + " is " + z + " SE from " + PLANTED_VALUES[i]);
      assertRelative(
          fit.value(name) * fit.seLog(name), fit.se(name), 1e-12, "delta-method SE of " + name);
      assertTrue(fit.lower95(name) < fit.value(name) && fit.value(name) < fit.upper95(name));
    }
  }

  /**
   * 100 replicates (seeds 1..100) of 5,000 customers: each parameter's 95 % log-scale interval must
   * cover the planted value in 90 to 99 of them (a binomial(100, 0.95) count is in that range with
   * probability 0.97; fits that are off by the rate would fall outside).
   */
  @Test
  void intervalsCoverThePlantedValuesAtTheirStatedRate() {
    BtydSimulator simulator = new BtydSimulator(PLANTED, PlantedData.SPEND, 52, 0, 0);
    List<FitResult> fits =
        IntStream.rangeClosed(1, 100)
            .parallel()
            .mapToObj(
                seed ->
                    BgNbd.fit(
                        BtydSimulator.toBtydData(simulator.simulate(5_000, seed), 52).aggregate()))
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
    StringBuilder report =
        new StringBuilder("BG/NBD 95% interval coverage over 100 replicates of 5,000:");
    for (int i = 0; i < covered.length; i++) {
      report.append(' ').append(BgNbd.NAMES.get(i)).append('=').append(covered[i]);
    }
    System.out.println(report);
    for (int i = 0; i < covered.length; i++) {
      assertTrue(covered[i] >= 90 && covered[i] <= 99, report.toString());
    }
  }

  /**
   * The fitted log-likelihood (over aggregated triples, A1..A4 form) recomputed per raw customer
   * from the likelihood of eq. 3 written with Beta functions: L = B(a,b+x)/B(a,b)
   * Γ(r+x)α^r/(Γ(r)(α+T)^(r+x)) + [x&gt;0] B(a+1,b+x−1)/B(a,b) Γ(r+x)α^r/(Γ(r)(α+t_x)^(r+x)).
   */
  @Test
  void logLikelihoodAgreesWithAPerCustomerBetaFunctionComputation() {
    FitResult fit = PlantedData.BG_NBD_FIT;
    BgNbdParams p = BgNbdParams.of(fit);
    BtydData raw = PlantedData.RAW;
    double total = 0;
    for (int i = 0; i < raw.size(); i++) {
      total += equation3(p, raw.x(i), raw.tx(i), raw.tCal(i));
    }
    assertTrue(raw.size() == 50_000 && PlantedData.AGGREGATED.size() < raw.size());
    assertRelative(total, fit.logLikelihood(), 1e-9, "total log-likelihood");
    assertRelative(
        equation3(p, 7, 30.5, 52), BgNbd.logLikelihood(p, 7, 30.5, 52), 1e-12, "one customer");
  }

  static double equation3(BgNbdParams p, int x, double tx, double tCal) {
    double r = p.r();
    double alpha = p.alpha();
    double a = p.a();
    double b = p.b();
    double common =
        Gamma.logGamma(r + x) - Gamma.logGamma(r) + r * Math.log(alpha) - Beta.logBeta(a, b);
    double alive = common + Beta.logBeta(a, b + x) - (r + x) * Math.log(alpha + tCal);
    if (x == 0) {
      return alive;
    }
    double dead = common + Beta.logBeta(a + 1, b + x - 1) - (r + x) * Math.log(alpha + tx);
    double hi = Math.max(alive, dead);
    return hi + Math.log1p(Math.exp(Math.min(alive, dead) - hi));
  }

  @Test
  void fittingTheSameDataTwiceIsBitwiseIdenticalAndOrderBarelyMatters() {
    BtydData raw =
        BtydSimulator.toBtydData(
            new BtydSimulator(PLANTED, PlantedData.SPEND, 52, 0, 20).simulate(5_000, 11), 52);
    FitResult first = BgNbd.fit(raw);
    FitResult second = BgNbd.fit(raw);
    assertEquals(first, second);
    assertEquals(
        Double.doubleToRawLongBits(first.logLikelihood()),
        Double.doubleToRawLongBits(second.logLikelihood()));

    List<Integer> order = new ArrayList<>(IntStream.range(0, raw.size()).boxed().toList());
    Collections.shuffle(order, new Random(5));
    int[] x = new int[raw.size()];
    double[] tx = new double[raw.size()];
    double[] tCal = new double[raw.size()];
    for (int i = 0; i < x.length; i++) {
      int k = order.get(i);
      x[i] = raw.x(k);
      tx[i] = raw.tx(k);
      tCal[i] = raw.tCal(k);
    }
    BtydData shuffled = BtydData.of(x, tx, tCal);
    BgNbdParams p = BgNbdParams.of(first);
    assertRelative(
        BgNbd.logLikelihood(p, raw), BgNbd.logLikelihood(p, shuffled), 1e-9, "LL after shuffling");
    FitResult refit = BgNbd.fit(shuffled);
    assertRelative(first.logLikelihood(), refit.logLikelihood(), 1e-9, "fitted LL after shuffling");
    for (String name : BgNbd.NAMES) {
      assertTrue(Math.abs(refit.value(name) - first.value(name)) <= 0.01 * first.se(name), name);
    }
  }

  @Test
  void saysSoWhenTheOptimiserStopsEarly() {
    FitNotConverged e =
        assertThrows(
            FitNotConverged.class,
            () -> BgNbd.fit(PlantedData.AGGREGATED, new FitOptions(2, 200_000, 1e-12, 1e-4)));
    assertTrue(
        e.getMessage().contains("did not converge")
            && e.getMessage().contains("r=")
            && e.getMessage().contains("iterations")
            && e.getMessage().contains("log-likelihood"),
        e.getMessage());
  }

  @Test
  void rejectsBadInput() {
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> BtydData.of(new int[0], new double[0], new double[0]));
    assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> BtydData.of(new int[] {1, 2}, new double[] {3, -1}, new double[] {10, 10}));
    assertTrue(
        negative.getMessage().contains("row 1") && negative.getMessage().contains("tx=-1.0"),
        negative.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> BtydData.of(new int[] {1}, new double[] {3}, new double[] {-2}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BtydData.of(new int[] {1}, new double[] {12}, new double[] {10}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BtydData.of(new int[] {-1}, new double[] {0}, new double[] {10}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BtydData.of(new int[] {1, 2}, new double[] {3}, new double[] {10, 10}));
    assertThrows(IllegalArgumentException.class, () -> new BgNbdParams(0.25, -4, 0.8, 2.5));
    assertThrows(IllegalArgumentException.class, () -> BgNbd.probabilityAlive(PLANTED, 2, -1, 10));
    assertThrows(
        IllegalArgumentException.class, () -> BgNbd.expectedTransactions(PLANTED, 2, 1, 10, -5));
  }

  // ---------------------------------------------------------------- scores

  private static final BgNbdParams[] SCORE_PARAMS = {
    PLANTED, new BgNbdParams(2, 10, 3, 0.5), new BgNbdParams(0.05, 0.5, 0.3, 10)
  };

  /**
   * P(alive) against its Beta-function form B(a,b+x)(α+T)^-(r+x) / [that +
   * B(a+1,b+x−1)(α+t_x)^-(r+x)].
   */
  @Test
  void probabilityAliveAgreesWithTheBetaFunctionForm() {
    for (BgNbdParams p : SCORE_PARAMS) {
      for (double[] c : customers()) {
        int x = (int) c[0];
        double expected = 1 / (1 + Math.exp(logOddsDead(p, x, c[1], c[2])));
        assertRelative(
            expected,
            BgNbd.probabilityAlive(p, x, c[1], c[2]),
            1e-10,
            p + " x=" + x + " tx=" + c[1] + " T=" + c[2]);
      }
    }
    assertEquals(1.0, BgNbd.probabilityAlive(PLANTED, 0, 0, 52));
  }

  /**
   * E[Y(t) | x, t_x, T] against the model integrated directly: given λ, p and alive at T a customer
   * makes (1 − e^{−λpt})/p purchases in t; integrating λ analytically against its posterior leaves
   * ∫ p^(a−2)(1−p)^(b+x−1) [1 − ((α+T)/(α+T+pt))^(r+x)] dp / [B(a,b+x) + [x&gt;0]
   * B(a+1,b+x−1)((α+T)/(α+t_x))^(r+x)], computed by tanh-sinh quadrature after p = s^(1/a) (no
   * hypergeometric function involved). Agreement to 1e-8 relative on a grid with x up to 200 and t
   * up to 300 weeks.
   */
  @Test
  void expectedTransactionsAgreeWithQuadratureOfTheModel() {
    int checked = 0;
    for (BgNbdParams p : SCORE_PARAMS) {
      for (double[] c : customers()) {
        for (double t : new double[] {1, 26, 300}) {
          int x = (int) c[0];
          double expected = expectedByQuadrature(p, x, c[1], c[2], t);
          assertRelative(
              expected,
              BgNbd.expectedTransactions(p, x, c[1], c[2], t),
              1e-8,
              "E[Y(" + t + ")] " + p + " x=" + x + " tx=" + c[1] + " T=" + c[2]);
          checked++;
        }
      }
      for (double t : new double[] {1, 52, 300}) {
        assertRelative(
            expectedByQuadrature(p, 0, 0, 0, t),
            BgNbd.expectedTransactionsNew(p, t),
            1e-8,
            "E[X(" + t + ")] " + p);
      }
    }
    assertTrue(checked > 300);
  }

  @Test
  void aEqualToOneIsHandled() {
    for (double a : new double[] {1.0, 1 + 3e-5, 1 - 9e-5}) {
      BgNbdParams p = new BgNbdParams(0.25, 4, a, 2.5);
      for (int x : new int[] {0, 4, 60}) {
        double tx = x == 0 ? 0 : 40;
        assertRelative(
            expectedByQuadrature(p, x, tx, 52, 52),
            BgNbd.expectedTransactions(p, x, tx, 52, 52),
            5e-8,
            "a=" + a + " x=" + x);
      }
      assertRelative(
          expectedByQuadrature(p, 0, 0, 0, 52),
          BgNbd.expectedTransactionsNew(p, 52),
          5e-8,
          "E[X] a=" + a);
    }
  }

  @Test
  void expectedTransactionsGrowWithTimeAndFadeForLongSilentCustomers() {
    for (double[] c : customers()) {
      double previous = 0;
      for (double t = 1; t <= 300; t += 7) {
        double e = BgNbd.expectedTransactions(PLANTED, (int) c[0], c[1], c[2], t);
        assertTrue(
            e > previous,
            "E[Y(t)] not increasing at t=" + t + " for " + c[0] + "," + c[1] + "," + c[2]);
        previous = e;
      }
    }
    // No repeat purchase in 5 years: the posterior rate is Gamma(r, α+T), mean r/(α+T) ≈ 0.001 a
    // week, and
    // dropouts only lower the count below λt.
    double silent = BgNbd.expectedTransactions(PLANTED, 0, 0, 260, 52);
    double bound = PLANTED.r() / (PLANTED.alpha() + 260) * 52;
    assertTrue(
        silent > 0.5 * bound && silent < bound,
        "E[Y(52)] for x=0, T=260: " + silent + ", bound " + bound);
    assertTrue(silent < BgNbd.expectedTransactions(PLANTED, 0, 0, 26, 52));
    // A frequent buyer who stopped long ago is probably gone.
    assertTrue(BgNbd.probabilityAlive(PLANTED, 30, 5, 150) < 1e-6);
  }

  /** The simulated holdout year matches Σ E[Y(52) | calibration data] at the true parameters. */
  @Test
  void conditionalExpectationPredictsTheSimulatedHoldout() {
    double calibration = 52;
    List<BtydSimulator.Customer> customers =
        new BtydSimulator(PLANTED, PlantedData.SPEND, calibration, 52, 39).simulate(20_000, 2026);
    BtydData data = BtydSimulator.toBtydData(customers, calibration);
    double sum = 0;
    double sumSquares = 0;
    double predicted = 0;
    for (int i = 0; i < data.size(); i++) {
      double e = BgNbd.expectedTransactions(PLANTED, data.x(i), data.tx(i), data.tCal(i), 52);
      double diff = customers.get(i).purchasesBetween(calibration, calibration + 52) - e;
      sum += diff;
      sumSquares += diff * diff;
      predicted += e;
    }
    double z = sum / Math.sqrt(sumSquares);
    System.out.println(
        "holdout: predicted " + predicted + ", observed " + (predicted + sum) + ", z " + z);
    assertTrue(Math.abs(z) < 4, "holdout off by " + z + " SE");

    // Everyone starts at 0 in the planted data, so mean x estimates E[X(52)].
    BtydData planted = PlantedData.RAW;
    double mean = 0;
    for (int i = 0; i < planted.size(); i++) {
      mean += planted.x(i);
    }
    mean /= planted.size();
    double variance = 0;
    for (int i = 0; i < planted.size(); i++) {
      variance += (planted.x(i) - mean) * (planted.x(i) - mean);
    }
    double se = Math.sqrt(variance / (planted.size() - 1) / planted.size());
    double expected = BgNbd.expectedTransactionsNew(PLANTED, 52);
    assertTrue(
        Math.abs(mean - expected) < 4 * se,
        "mean x " + mean + " vs E[X(52)] " + expected + " (se " + se + ")");
  }

  /**
   * P(no purchase in the next 13 weeks) at the true parameters against the simulated holdout
   * quarter: Σ (no purchase − P) over 20,000 customers within 4 standard errors, and per tenth of P
   * too (the probability is calibrated, not only right on average); it lies between 1 − P(alive)
   * and 1.
   */
  @Test
  void probabilityOfNoTransactionPredictsTheSimulatedHoldout() {
    double calibration = 52;
    List<BtydSimulator.Customer> customers =
        new BtydSimulator(PLANTED, PlantedData.SPEND, calibration, 13, 39).simulate(20_000, 2027);
    BtydData data = BtydSimulator.toBtydData(customers, calibration);
    double[] sum = new double[11];
    double[] variance = new double[11];
    for (int i = 0; i < data.size(); i++) {
      double p = BgNbd.probabilityNoTransaction(PLANTED, data.x(i), data.tx(i), data.tCal(i), 13);
      double alive = BgNbd.probabilityAlive(PLANTED, data.x(i), data.tx(i), data.tCal(i));
      assertTrue(p >= 1 - alive - 1e-15 && p <= 1, "P " + p + " with P(alive) " + alive);
      double quiet = customers.get(i).purchasesBetween(calibration, calibration + 13) == 0 ? 1 : 0;
      for (int bin : new int[] {10, (int) Math.min(9, p * 10)}) {
        sum[bin] += quiet - p;
        variance[bin] += p * (1 - p);
      }
    }
    for (int bin = 0; bin <= 10; bin++) {
      if (variance[bin] > 0) {
        double z = sum[bin] / Math.sqrt(variance[bin]);
        assertTrue(
            Math.abs(z) < 4,
            (bin == 10 ? "all customers" : "P in tenth " + bin) + ": off by " + z + " SE");
      }
    }
    assertEquals(1.0, BgNbd.probabilityNoTransaction(PLANTED, 0, 0, 0, 0), 1e-15);
  }

  @Test
  void clvSumsDiscountedMonthlyIncrements() {
    double monthLength = 52.0 / 12;
    for (double horizon : new double[] {52, 50, 3, 0}) {
      for (double rate : new double[] {0.0, 0.01}) {
        int months = (int) Math.ceil(horizon / monthLength);
        double expected = 0;
        for (int m = 1; m <= months; m++) {
          double increment =
              BgNbd.expectedTransactions(PLANTED, 3, 30, 52, Math.min(m * monthLength, horizon))
                  - BgNbd.expectedTransactions(PLANTED, 3, 30, 52, (m - 1) * monthLength);
          expected += increment * 25 / Math.pow(1 + rate, m);
        }
        double clv = BgNbd.clv(PLANTED, 3, 30, 52, 25, horizon, monthLength, rate);
        if (horizon == 0) {
          assertEquals(0.0, clv);
        } else {
          assertRelative(expected, clv, 1e-12, "clv H=" + horizon + " rate=" + rate);
        }
        if (rate == 0 && horizon > 0) {
          assertRelative(
              25 * BgNbd.expectedTransactions(PLANTED, 3, 30, 52, horizon),
              clv,
              1e-12,
              "undiscounted clv telescopes");
        }
      }
    }
    assertTrue(
        BgNbd.clv(PLANTED, 3, 30, 52, 25, 52, monthLength, 0.01)
            < BgNbd.clv(PLANTED, 3, 30, 52, 25, 52, monthLength, 0.0));
  }

  // ---------------------------------------------------------------- independent computations

  /** (x, t_x, T) triples, x up to 200. */
  private static List<double[]> customers() {
    List<double[]> out = new ArrayList<>();
    for (double tCal : new double[] {10, 52, 150}) {
      out.add(new double[] {0, 0, tCal});
      for (int x : new int[] {1, 5, 30, 200}) {
        for (double f : new double[] {0.1, 0.9, 1.0}) {
          out.add(new double[] {x, f * tCal, tCal});
        }
      }
    }
    return out;
  }

  private static double logOddsDead(BgNbdParams p, int x, double tx, double tCal) {
    if (x == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    return Beta.logBeta(p.a() + 1, p.b() + x - 1)
        - Beta.logBeta(p.a(), p.b() + x)
        + (p.r() + x) * (Math.log(p.alpha() + tCal) - Math.log(p.alpha() + tx));
  }

  static double expectedByQuadrature(BgNbdParams params, int x, double tx, double tCal, double t) {
    double a = params.a();
    double rx = params.r() + x;
    double scale = params.alpha() + tCal;
    double shape = params.b() + x - 1;
    double logB = Beta.logBeta(a, params.b() + x);
    double integral =
        TanhSinh.integrate(
            (s, oneMinusS) -> {
              double logS = s < 0.5 ? Math.log(s) : Math.log1p(-oneMinusS);
              double p = Math.exp(logS / a);
              double oneMinusP = -Math.expm1(logS / a);
              double bracketOverP =
                  p == 0 ? rx * t / scale : -Math.expm1(-rx * Math.log1p(p * t / scale)) / p;
              return Math.exp(shape * Math.log(oneMinusP) - logB) / a * bracketOverP;
            });
    return integral / (1 + Math.exp(logOddsDead(params, x, tx, tCal)));
  }
}

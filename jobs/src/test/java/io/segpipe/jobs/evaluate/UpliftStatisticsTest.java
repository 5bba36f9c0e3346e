package io.segpipe.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.jobs.evaluate.UpliftStatistics.Comparison;
import io.segpipe.jobs.evaluate.UpliftStatistics.Estimate;
import io.segpipe.jobs.evaluate.UpliftStatistics.Group;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Uplift statistics checked against commons-math3's tests, a hand-worked example and seeded
 * simulations.
 */
class UpliftStatisticsTest {

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final int TRIALS = 2_000;

  // ----------------------------------------------------------------------------------------------
  // helpers

  private static void assertRelative(
      double expected, double actual, double tolerance, String what) {
    assertTrue(
        Math.abs(actual - expected) <= tolerance * Math.abs(expected),
        what + ": expected " + expected + ", was " + actual);
  }

  private static Group group(double[] values) {
    double sum = 0;
    double sumSquares = 0;
    for (double x : values) {
      sum += x;
      sumSquares += x * x;
    }
    return new Group(values.length, sum, sumSquares);
  }

  private static double[] draw(int n, DoubleSupplier value) {
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = value.getAsDouble();
    }
    return values;
  }

  /** Revenue per customer: 0 with probability 0.8, else lognormal(3, 0.5). */
  private static double revenue(SplittableRandom random) {
    return random.nextDouble() < 0.8 ? 0 : Math.exp(3 + 0.5 * random.nextGaussian());
  }

  /**
   * n customers' revenue plus shift, summed straight into a Group (no array: the simulations are
   * large).
   */
  private static Group revenueGroup(SplittableRandom random, int n, double shift) {
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      double x = revenue(random) + shift;
      sum += x;
      sumSquares += x * x;
    }
    return new Group(n, sum, sumSquares);
  }

  private static long buyers(SplittableRandom random, int n, double rate) {
    long buyers = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < rate) {
        buyers++;
      }
    }
    return buyers;
  }

  private static boolean covers(Estimate estimate, double truth) {
    return estimate.low() <= truth && truth <= estimate.high();
  }

  /** The 99.9 % range of the number of successes in TRIALS trials of probability p. */
  private static int[] binomialRange(double p) {
    BinomialDistribution binomial = new BinomialDistribution(null, TRIALS, p);
    return new int[] {
      binomial.inverseCumulativeProbability(0.0005), binomial.inverseCumulativeProbability(0.9995)
    };
  }

  private static void assertCount(int count, int[] range, String what) {
    String report =
        what + ": " + count + " of " + TRIALS + ", 99.9 % range " + range[0] + ".." + range[1];
    System.out.println(report);
    assertTrue(range[0] <= count && count <= range[1], report);
  }

  // ----------------------------------------------------------------------------------------------
  // means

  /**
   * Raw seeded arrays → Group → means(), against commons-math3 TTest.tTest (Welch, unequal
   * variances) for the p-value, and against the interval, relative interval and MDE written out
   * from SummaryStatistics.
   */
  @Test
  void meansAgreeWithWelchTTestAndADirectComputationFromTheRawValues() {
    SplittableRandom random = new SplittableRandom(20240601);
    List<double[][]> cases =
        List.of(
            // normal values, unequal sizes and spreads, a small effect
            new double[][] {
              draw(800, () -> 10.3 + 4 * random.nextGaussian()),
              draw(300, () -> 10 + 2.5 * random.nextGaussian())
            },
            // skewed revenue, 9:1 split, a planted +1.5 per customer
            new double[][] {
              draw(4_500, () -> revenue(random) + 1.5), draw(500, () -> revenue(random))
            },
            // orders per customer (small integers), equal sizes, no effect
            new double[][] {
              draw(2_000, () -> Math.floor(-Math.log(1 - random.nextDouble()) * 1.2)),
              draw(2_000, () -> Math.floor(-Math.log(1 - random.nextDouble()) * 1.2))
            },
            // tiny groups
            new double[][] {{3, 7, 8}, {1, 2}});
    double confidence = 0.9;
    double power = 0.8;
    for (double[][] arrays : cases) {
      double[] treated = arrays[0];
      double[] control = arrays[1];
      String name = treated.length + " vs " + control.length;
      Comparison comparison =
          UpliftStatistics.means(group(treated), group(control), confidence, power);

      SummaryStatistics st = new SummaryStatistics();
      SummaryStatistics sc = new SummaryStatistics();
      for (double x : treated) {
        st.addValue(x);
      }
      for (double x : control) {
        sc.addValue(x);
      }
      double nt = st.getN();
      double nc = sc.getN();
      double mt = st.getMean();
      double mc = sc.getMean();
      double vt = st.getVariance();
      double vc = sc.getVariance();
      assertRelative(vt, group(treated).variance(), 1e-9, name + " treated variance");
      assertRelative(vc, group(control).variance(), 1e-9, name + " control variance");
      assertRelative(mt, comparison.treatedMean(), 1e-9, name + " treated mean");
      assertRelative(mc, comparison.controlMean(), 1e-9, name + " control mean");

      // Welch: se² = vt/nt + vc/nc, df = se⁴ / ((vt/nt)²/(nt−1) + (vc/nc)²/(nc−1)), interval diff ±
      // t_{df,0.95}·se
      double se = Math.sqrt(vt / nt + vc / nc);
      double df =
          Math.pow(vt / nt + vc / nc, 2)
              / (Math.pow(vt / nt, 2) / (nt - 1) + Math.pow(vc / nc, 2) / (nc - 1));
      double t = new TDistribution(df).inverseCumulativeProbability(0.95);
      Estimate absolute = comparison.absolute();
      assertRelative(mt - mc, absolute.value(), 1e-9, name + " difference");
      assertRelative(mt - mc - t * se, absolute.low(), 1e-9, name + " low");
      assertRelative(mt - mc + t * se, absolute.high(), 1e-9, name + " high");
      assertRelative(
          new TTest().tTest(treated, control), absolute.pValue(), 1e-9, name + " Welch p-value");

      // relative: exp(log(mt/mc) ± z·√(vt/(nt·mt²) + vc/(nc·mc²))) − 1, z = z_{0.95}
      double z = NORMAL.inverseCumulativeProbability(0.95);
      double logSe = Math.sqrt(vt / (nt * mt * mt) + vc / (nc * mc * mc));
      Estimate relative = comparison.relative();
      assertRelative(mt / mc - 1, relative.value(), 1e-9, name + " relative");
      assertRelative(
          Math.exp(Math.log(mt / mc) - z * logSe) - 1,
          relative.low(),
          1e-9,
          name + " relative low");
      assertRelative(
          Math.exp(Math.log(mt / mc) + z * logSe) - 1,
          relative.high(),
          1e-9,
          name + " relative high");
      assertEquals(absolute.pValue(), relative.pValue(), name + " relative p-value");

      double mde =
          (z + NORMAL.inverseCumulativeProbability(power)) * Math.sqrt(vc * (1 / nt + 1 / nc));
      assertRelative(mde, comparison.minimumDetectableEffect(), 1e-9, name + " MDE");
    }
  }

  @Test
  void meansWithoutSpreadHaveAPointIntervalAndAZeroOrOnePValue() {
    Estimate same =
        UpliftStatistics.means(group(new double[] {5, 5, 5}), group(new double[] {5, 5}), 0.95, 0.8)
            .absolute();
    assertEquals(new Estimate(0, 0, 0, 1.0), same);
    Estimate apart =
        UpliftStatistics.means(group(new double[] {6, 6, 6}), group(new double[] {5, 5}), 0.95, 0.8)
            .absolute();
    assertEquals(new Estimate(1, 1, 1, 0.0), apart);

    Comparison zeroControl =
        UpliftStatistics.means(group(new double[] {1, 2}), group(new double[] {0, 0}), 0.95, 0.8);
    assertTrue(
        Double.isNaN(zeroControl.relative().value()),
        "no relative uplift over a zero control mean");
    assertTrue(
        Double.isNaN(zeroControl.relative().low()) && Double.isNaN(zeroControl.relative().high()));
    assertEquals(0.0, zeroControl.minimumDetectableEffect(), "no control variance, no MDE");
  }

  @Test
  void groupMeanAndVarianceGuardTheEdges() {
    Group values = group(new double[] {2, 4, 9});
    assertEquals(5.0, values.mean(), 1e-12);
    assertEquals(13.0, values.variance(), 1e-12, "((2-5)² + (4-5)² + (9-5)²) / 2");
    assertEquals(0.0, new Group(1, 3, 9).variance(), "n < 2");
    assertEquals(0.0, new Group(0, 0, 0).variance(), "n = 0");
    // 3 × 0.1: Σx² − (Σx)²/n rounds to a hair below 0
    Group rounding = new Group(3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01);
    assertTrue(
        rounding.sumSquares() - rounding.sum() * rounding.sum() / 3 < 0,
        "the case rounds below zero");
    assertEquals(0.0, rounding.variance(), "negative rounding is 0");
  }

  // ----------------------------------------------------------------------------------------------
  // proportions

  /**
   * 60/1000 treated vs 40/1000 control, 95 %, power 0.8 (worked with 30-digit arithmetic): pt =
   * 0.06, pc = 0.04, diff = 0.02; z_{0.975} = 1.959963984540054, z_{0.8} = 0.8416212335729142. Wald
   * se = √(0.06·0.94/1000 + 0.04·0.96/1000) = √0.0000948 = 0.009736529155710468, interval 0.02 ±
   * 1.959963984540054 · se = [0.000916753520383301, 0.0390832464796167]. Pooled p = 100/2000 =
   * 0.05, se = √(0.05·0.95·2/1000) = √0.000095 = 0.009746794344808964, z = 0.02 / se =
   * 2.051956704170308 (z² = 80/19 = 4.210526315789474), p = 2Φ(−z) = 0.04017387028851208. Relative
   * 0.06/0.04 − 1 = 0.5; log-ratio se = √(0.94/60 + 0.96/40) = √0.03966667 = 0.1991649232838621,
   * interval exp(log 1.5 ± z·se) − 1 = [0.01522374993773884, 1.216260208784504]. MDE =
   * (1.959963984540054 + 0.8416212335729142) · √(0.04·0.96·2/1000) = 0.02455186273173606.
   */
  @Test
  void proportionsMatchAHandWorkedExample() {
    Comparison c = UpliftStatistics.proportions(60, 1000, 40, 1000, 0.95, 0.8);
    assertRelative(0.06, c.treatedMean(), 1e-12, "pt");
    assertRelative(0.04, c.controlMean(), 1e-12, "pc");
    assertRelative(0.02, c.absolute().value(), 1e-9, "diff");
    assertRelative(0.000916753520383301, c.absolute().low(), 1e-9, "low");
    assertRelative(0.0390832464796167, c.absolute().high(), 1e-9, "high");
    assertRelative(0.04017387028851208, c.absolute().pValue(), 1e-9, "pooled z p-value");
    assertRelative(0.5, c.relative().value(), 1e-9, "relative");
    assertRelative(0.01522374993773884, c.relative().low(), 1e-9, "relative low");
    assertRelative(1.216260208784504, c.relative().high(), 1e-9, "relative high");
    assertEquals(c.absolute().pValue(), c.relative().pValue(), "relative p-value");
    assertRelative(0.02455186273173606, c.minimumDetectableEffect(), 1e-9, "MDE");
  }

  /** The pooled two-proportion z² is the 2×2 Pearson chi-square without continuity correction. */
  @Test
  void proportionsPValueIsThe2x2ChiSquareTest() {
    long[][] cases = {
      {60, 1000, 40, 1000},
      {1_130, 45_000, 118, 5_000},
      {9_100, 45_000, 1_000, 5_000},
      {3, 20, 9, 25},
      {52, 400, 52, 400},
      {0, 500, 4, 500},
      {1_000, 1_000, 990, 1_000}
    };
    for (long[] k : cases) {
      double expected =
          new ChiSquareTest()
              .chiSquareTest(new long[][] {{k[0], k[1] - k[0]}, {k[2], k[3] - k[2]}});
      double actual =
          UpliftStatistics.proportions(k[0], k[1], k[2], k[3], 0.95, 0.8).absolute().pValue();
      assertRelative(expected, actual, 1e-9, k[0] + "/" + k[1] + " vs " + k[2] + "/" + k[3]);
    }
  }

  @Test
  void proportionsWithoutBuyersOrWithoutControlBuyers() {
    Comparison none = UpliftStatistics.proportions(0, 1000, 0, 500, 0.95, 0.8);
    assertEquals(
        new Estimate(0, 0, 0, 1.0), none.absolute(), "no buyers anywhere: no difference, p = 1");
    assertTrue(Double.isNaN(none.relative().value()) && Double.isNaN(none.relative().low()));
    assertEquals(0.0, none.minimumDetectableEffect());

    Comparison all = UpliftStatistics.proportions(1000, 1000, 500, 500, 0.95, 0.8);
    assertEquals(
        new Estimate(0, 0, 0, 1.0), all.absolute(), "everyone bought: no difference, p = 1");
    assertEquals(new Estimate(0, 0, 0, 1.0), all.relative());

    Comparison treatedNone = UpliftStatistics.proportions(0, 1000, 10, 500, 0.95, 0.8);
    assertEquals(-1.0, treatedNone.relative().value(), "no treated buyers is −100 %");
    assertTrue(
        Double.isNaN(treatedNone.relative().low()) && Double.isNaN(treatedNone.relative().high()),
        "no log-ratio interval at pt = 0");
    assertTrue(treatedNone.absolute().pValue() < 1e-4);
  }

  // ----------------------------------------------------------------------------------------------
  // sample ratio

  @Test
  void sampleRatioMatchesTheChiSquareGoodnessOfFitTest() {
    long[][] cases = {
      {4_950, 50_000}, {5_120, 50_000}, {4_800, 50_000}, {30, 200}, {497, 1_000}, {1, 3}
    };
    double[] shares = {0.1, 0.1, 0.1, 0.2, 0.5, 0.5};
    for (int i = 0; i < cases.length; i++) {
      long control = cases[i][0];
      long total = cases[i][1];
      double share = shares[i];
      double expected =
          new ChiSquareTest()
              .chiSquareTest(
                  new double[] {total * share, total * (1 - share)},
                  new long[] {control, total - control});
      assertRelative(
          expected,
          UpliftStatistics.sampleRatioPValue(control, total, share),
          1e-9,
          control + " of " + total + " at " + share);
    }
    assertTrue(
        UpliftStatistics.sampleRatioPValue(2_500, 50_000, 0.1) < 0.001,
        "5 % observed for 10 % planned");
    assertEquals(
        1.0, UpliftStatistics.sampleRatioPValue(5_000, 50_000, 0.1), "exactly the planned 10 %");
  }

  // ----------------------------------------------------------------------------------------------
  // simulations

  /**
   * A/A: 95 % intervals of the difference cover 0 at 95 %, for conversion and for skewed revenue.
   */
  @Test
  void aaIntervalsCoverZeroAtTheirStatedRate() {
    int[] range = binomialRange(0.95);
    SplittableRandom random = new SplittableRandom(1);
    int conversion = 0;
    int revenue = 0;
    for (int i = 0; i < TRIALS; i++) {
      if (covers(
          UpliftStatistics.proportions(
                  buyers(random, 4_500, 0.2), 4_500, buyers(random, 500, 0.2), 500, 0.95, 0.8)
              .absolute(),
          0)) {
        conversion++;
      }
      if (covers(
          UpliftStatistics.means(
                  revenueGroup(random, 4_500, 0), revenueGroup(random, 500, 0), 0.95, 0.8)
              .absolute(),
          0)) {
        revenue++;
      }
    }
    assertCount(conversion, range, "A/A conversion 0.2, 4,500 vs 500: 95 % intervals covering 0");
    assertCount(
        revenue,
        range,
        "A/A revenue (0 w.p. 0.8, else lognormal), 4,500 vs 500: 95 % intervals covering 0");
  }

  /** Treated 0.25 vs control 0.20, 45,000 vs 5,000: intervals cover +0.05 and +25 % at 95 %. */
  @Test
  void plantedDifferenceIsCoveredAtTheStatedRate() {
    int[] range = binomialRange(0.95);
    SplittableRandom random = new SplittableRandom(2);
    int absolute = 0;
    int relative = 0;
    for (int i = 0; i < TRIALS; i++) {
      Comparison c =
          UpliftStatistics.proportions(
              buyers(random, 45_000, 0.25), 45_000, buyers(random, 5_000, 0.2), 5_000, 0.95, 0.8);
      if (covers(c.absolute(), 0.05)) {
        absolute++;
      }
      if (covers(c.relative(), 0.25)) {
        relative++;
      }
    }
    assertCount(absolute, range, "planted 0.25 vs 0.20: 95 % intervals covering +0.05");
    assertCount(relative, range, "planted 0.25 vs 0.20: 95 % relative intervals covering +25 %");
  }

  /**
   * With the MDE (95 %, power 0.8) planted as the true effect, the test rejects at 5 % in about 80
   * % of trials: conversion 0.2, 5,000 vs 5,000 (the MDE from the expected counts), and revenue
   * 4,500 vs 500 shifted by the MDE computed from the population mean and variance of the revenue
   * distribution.
   */
  @Test
  void theMinimumDetectableEffectIsDetectedWithTheStatedPower() {
    SplittableRandom random = new SplittableRandom(3);
    double conversionMde =
        UpliftStatistics.proportions(1_000, 5_000, 1_000, 5_000, 0.95, 0.8)
            .minimumDetectableEffect();
    int conversion = 0;
    for (int i = 0; i < TRIALS; i++) {
      long treated = buyers(random, 5_000, 0.2 + conversionMde);
      if (UpliftStatistics.proportions(treated, 5_000, buyers(random, 5_000, 0.2), 5_000, 0.95, 0.8)
              .absolute()
              .pValue()
          < 0.05) {
        conversion++;
      }
    }
    // 0.2·lognormal(3, 0.5): E = 0.2·e^{3.125}, E[x²] = 0.2·e^{6.5}
    double mean = 0.2 * Math.exp(3.125);
    double variance = 0.2 * Math.exp(6.5) - mean * mean;
    Group treatedPopulation =
        new Group(4_500, 4_500 * mean, 4_499 * variance + 4_500 * mean * mean);
    Group controlPopulation = new Group(500, 500 * mean, 499 * variance + 500 * mean * mean);
    double revenueMde =
        UpliftStatistics.means(treatedPopulation, controlPopulation, 0.95, 0.8)
            .minimumDetectableEffect();
    int revenue = 0;
    for (int i = 0; i < TRIALS; i++) {
      if (UpliftStatistics.means(
                  revenueGroup(random, 4_500, revenueMde), revenueGroup(random, 500, 0), 0.95, 0.8)
              .absolute()
              .pValue()
          < 0.05) {
        revenue++;
      }
    }
    String report =
        "power at the MDE over "
            + TRIALS
            + " trials: conversion (MDE "
            + conversionMde
            + ") "
            + conversion
            + ", revenue (MDE "
            + revenueMde
            + ") "
            + revenue;
    System.out.println(report);
    assertTrue(conversion >= 0.74 * TRIALS && conversion <= 0.86 * TRIALS, report);
    assertTrue(revenue >= 0.74 * TRIALS && revenue <= 0.86 * TRIALS, report);
  }

  /**
   * The normal-approximation power at the MDE, Φ(mde/se − z) + Φ(−mde/se − z), is the requested
   * power.
   */
  @Test
  void theMinimumDetectableEffectHasTheRequestedNormalApproximationPower() {
    double[][] designs = {
      {4_500, 500, 0.2, 0.95, 0.8}, {45_000, 5_000, 0.03, 0.9, 0.9}, {1_000, 1_000, 0.5, 0.99, 0.5}
    };
    for (double[] d : designs) {
      long nt = (long) d[0];
      long nc = (long) d[1];
      double pc = d[2];
      double confidence = d[3];
      double power = d[4];
      double z = NORMAL.inverseCumulativeProbability(1 - (1 - confidence) / 2);
      double se = Math.sqrt(pc * (1 - pc) * (1.0 / nt + 1.0 / nc));
      double mde =
          UpliftStatistics.proportions(
                  Math.round(nt * pc), nt, Math.round(nc * pc), nc, confidence, power)
              .minimumDetectableEffect();
      double achieved =
          NORMAL.cumulativeProbability(mde / se - z) + NORMAL.cumulativeProbability(-mde / se - z);
      assertEquals(power, achieved, 1e-4, "proportions " + Arrays.toString(d));

      // the same design as a mean: 0/1 values with the control variance pc(1−pc)·nc/(nc−1)
      Group control = new Group(nc, nc * pc, nc * pc);
      Group treated = new Group(nt, nt * pc, nt * pc);
      double meansMde =
          UpliftStatistics.means(treated, control, confidence, power).minimumDetectableEffect();
      double meansSe = Math.sqrt(control.variance() * (1.0 / nt + 1.0 / nc));
      double meansAchieved =
          NORMAL.cumulativeProbability(meansMde / meansSe - z)
              + NORMAL.cumulativeProbability(-meansMde / meansSe - z);
      assertEquals(power, meansAchieved, 1e-4, "means " + Arrays.toString(d));
    }
  }

  // ----------------------------------------------------------------------------------------------
  // arguments

  @Test
  void badArgumentsAreRejectedNamingTheArgument() {
    Group ok = new Group(10, 5, 5);
    assertRejected("confidence", "1.0", () -> UpliftStatistics.proportions(1, 10, 1, 10, 1.0, 0.8));
    assertRejected("confidence", "0.0", () -> UpliftStatistics.means(ok, ok, 0.0, 0.8));
    assertRejected("confidence", "NaN", () -> UpliftStatistics.means(ok, ok, Double.NaN, 0.8));
    assertRejected("power", "1.5", () -> UpliftStatistics.proportions(1, 10, 1, 10, 0.95, 1.5));
    assertRejected("power", "-0.2", () -> UpliftStatistics.means(ok, ok, 0.95, -0.2));
    assertRejected("treatedN", "0", () -> UpliftStatistics.proportions(0, 0, 1, 10, 0.95, 0.8));
    assertRejected("controlN", "-3", () -> UpliftStatistics.proportions(1, 10, 0, -3, 0.95, 0.8));
    assertRejected(
        "treatedBuyers", "11", () -> UpliftStatistics.proportions(11, 10, 1, 10, 0.95, 0.8));
    assertRejected(
        "controlBuyers", "-1", () -> UpliftStatistics.proportions(1, 10, -1, 10, 0.95, 0.8));
    assertRejected(
        "treated", "n = 1", () -> UpliftStatistics.means(new Group(1, 5, 25), ok, 0.95, 0.8));
    assertRejected(
        "control", "n = 0", () -> UpliftStatistics.means(ok, new Group(0, 0, 0), 0.95, 0.8));
    assertRejected("n", "-1", () -> new Group(-1, 0, 0));
    assertRejected("sum", "NaN", () -> new Group(3, Double.NaN, 1));
    assertRejected("sumSquares", "-1.0", () -> new Group(3, 1, -1));
    assertRejected("total", "0", () -> UpliftStatistics.sampleRatioPValue(0, 0, 0.1));
    assertRejected("control", "51", () -> UpliftStatistics.sampleRatioPValue(51, 50, 0.1));
    assertRejected("control", "-1", () -> UpliftStatistics.sampleRatioPValue(-1, 50, 0.1));
    assertRejected("controlShare", "1.0", () -> UpliftStatistics.sampleRatioPValue(5, 50, 1.0));
    assertRejected("controlShare", "0.0", () -> UpliftStatistics.sampleRatioPValue(5, 50, 0.0));
  }

  private static void assertRejected(String argument, String value, Executable call) {
    String message = assertThrows(IllegalArgumentException.class, call).getMessage();
    assertTrue(
        message.startsWith(argument + " ") && message.contains(value),
        "message should name " + argument + " and " + value + ": " + message);
  }
}

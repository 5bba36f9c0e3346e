package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The churn figures against second computations written another way: ranks, pairs and bins by hand.
 */
class ChurnMetricsTest {

  static double rankAuc(double[] p, double[] y) {
    return ChurnFigures.rankAuc(p, y);
  }

  /** AUC by comparing every (churner, stayer) pair. */
  static double pairAuc(double[] p, double[] y) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (y[i] == 1.0 && y[j] == 0.0) {
          pairs++;
          wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
        }
      }
    }
    return wins / pairs;
  }

  private static double[][] sample(int n, long seed, int levels) {
    Random rng = new Random(seed);
    double[] p = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = levels > 0 ? rng.nextInt(levels) / (double) levels : rng.nextDouble();
      y[i] = rng.nextDouble() < p[i] * 0.8 + 0.1 ? 1.0 : 0.0;
    }
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i])); // stable: ties keep their order
    return new double[][] {
      Arrays.stream(order).mapToDouble(i -> p[i]).toArray(),
      Arrays.stream(order).mapToDouble(i -> y[i]).toArray()
    };
  }

  @Test
  void aucAgreesWithTheRankFormulaAndWithEveryPairWithAndWithoutTies() {
    for (int levels : new int[] {0, 5, 40}) {
      double[][] s = sample(1500, 7 + levels, levels);
      ChurnMetrics m = ChurnMetrics.of(s[0], s[1]);
      assertEquals(rankAuc(s[0], s[1]), m.auc(), 1e-12, "levels " + levels);
      assertEquals(pairAuc(s[0], s[1]), m.auc(), 1e-12, "levels " + levels);
    }
  }

  @Test
  void brierLogLossLiftAndReliabilityByHand() {
    double[][] s = sample(1003, 3, 0);
    double[] p = s[0];
    double[] y = s[1];
    ChurnMetrics m = ChurnMetrics.of(p, y);
    double brier = 0;
    double logLoss = 0;
    double churners = 0;
    for (int i = 0; i < p.length; i++) {
      brier += Math.pow(p[i] - y[i], 2);
      logLoss +=
          -(y[i] * Math.log(Math.max(p[i], 1e-15))
              + (1 - y[i]) * Math.log(Math.max(1 - p[i], 1e-15)));
      churners += y[i];
    }
    assertEquals(brier / p.length, m.brier(), 1e-12);
    assertEquals(logLoss / p.length, m.logLoss(), 1e-12);
    assertEquals((long) churners, m.churners());
    // top decile: the 101 highest of 1003
    double top = 0;
    for (int i = p.length - 101; i < p.length; i++) {
      top += y[i];
    }
    assertEquals((top / 101) / (churners / p.length), m.liftTopDecile(), 1e-12);
    // ten bins of 100 or 101 rows: 1003 rows, bin of row i = floor(10 i / 1003)
    assertEquals(10, m.reliability().size());
    double ece = 0;
    long rows = 0;
    for (ChurnMetrics.Bin bin : m.reliability()) {
      int from = (int) rows;
      int to = from + (int) bin.rows();
      double sp = 0;
      double sy = 0;
      for (int i = from; i < to; i++) {
        assertEquals(bin.bin() - 1, 10 * i / 1003, "row " + i + " in bin " + bin.bin());
        sp += p[i];
        sy += y[i];
      }
      assertEquals(sp / bin.rows(), bin.meanPredicted(), 1e-12);
      assertEquals(sy / bin.rows(), bin.observed(), 1e-12);
      ece += bin.rows() * Math.abs(sp / bin.rows() - sy / bin.rows());
      rows += bin.rows();
    }
    assertEquals(1003, rows);
    assertEquals(ece / 1003, m.ece(), 1e-12);
  }

  @Test
  void perfectAndWorthlessScores() {
    assertEquals(
        1.0, ChurnMetrics.of(new double[] {0.1, 0.2, 0.8, 0.9}, new double[] {0, 0, 1, 1}).auc());
    assertEquals(
        0.5, ChurnMetrics.of(new double[] {0.3, 0.3, 0.3, 0.3}, new double[] {0, 1, 0, 1}).auc());
    assertEquals(
        0.0, ChurnMetrics.of(new double[] {0.1, 0.2, 0.8, 0.9}, new double[] {1, 1, 0, 0}).auc());
    assertThrows(
        IllegalArgumentException.class,
        () -> ChurnMetrics.of(new double[] {0.5, 0.2}, new double[] {0, 1}));
  }
}

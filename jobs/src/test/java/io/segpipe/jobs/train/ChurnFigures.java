package io.segpipe.jobs.train;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The tests' own churn figures, computed another way than {@link ChurnMetrics}: ranks and
 * resampling.
 */
public final class ChurnFigures {
  private ChurnFigures() {}

  /**
   * AUC by the rank formula (mid-ranks for ties): (Σ ranks of churners − P(P+1)/2) / (P·N); any
   * order.
   */
  public static double rankAuc(double[] p, double[] y) {
    int n = p.length;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double sum = 0;
    long positives = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && p[order[j]] == p[order[i]]) {
        j++;
      }
      double mid = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
      for (int k = i; k < j; k++) {
        if (y[order[k]] == 1.0) {
          sum += mid;
          positives++;
        }
      }
      i = j;
    }
    long negatives = n - positives;
    return (sum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /**
   * A seeded paired bootstrap of AUC(a) − AUC(b) over the same customers (rows aligned): the 2.5 %
   * and 97.5 % quantiles of {@code resamples} differences, each on n rows drawn with replacement.
   */
  public static double[] aucDifferenceInterval(
      double[] a, double[] b, double[] y, int resamples, long seed) {
    Random rng = new Random(seed);
    int n = y.length;
    double[] differences = new double[resamples];
    double[] ra = new double[n];
    double[] rb = new double[n];
    double[] ry = new double[n];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < n; i++) {
        int k = rng.nextInt(n);
        ra[i] = a[k];
        rb[i] = b[k];
        ry[i] = y[k];
      }
      differences[r] = rankAuc(ra, ry) - rankAuc(rb, ry);
    }
    Arrays.sort(differences);
    return new double[] {
      differences[(int) Math.floor(0.025 * (resamples - 1))],
      differences[(int) Math.ceil(0.975 * (resamples - 1))]
    };
  }
}

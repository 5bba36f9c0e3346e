package io.segpipe.jobs.train;

import io.segpipe.modelling.ModelMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How good a churn probability is, from (probability, label) pairs in ascending order of
 * probability (ties in a fixed order: by customer_id). Plain Java over every pair, no sampling or
 * binning of the ROC curve, so each figure is exact and the same whatever the partitioning that
 * produced the pairs.
 *
 * <ul>
 *   <li>AUC: the area under the ROC curve, with tied probabilities counting half (the Mann-Whitney
 *       statistic), computed by sweeping the groups of equal probability;
 *   <li>log loss: −mean(y ln p + (1 − y) ln(1 − p)), p clipped to [1e-15, 1 − 1e-15];
 *   <li>Brier score: mean((p − y)²);
 *   <li>lift in the top decile: the churn rate among the ⌈n/10⌉ highest probabilities (the last of
 *       equal probabilities first, as the order gives them) over the churn rate of all;
 *   <li>reliability: ten bins of equal count by rank (bin of row i = ⌊10 i / n⌋), each bin's mean
 *       probability against its observed churn rate; the expected calibration error (ECE) is the
 *       count-weighted mean of |mean probability − observed rate|;
 *   <li>precision and recall of "will churn" = probability at or above a threshold;
 *   <li>cumulative gains: the share of all churners among the ⌈n k / 10⌉ highest probabilities, k =
 *       0..10.
 * </ul>
 */
public record ChurnMetrics(
    long rows,
    long churners,
    double auc,
    double logLoss,
    double brier,
    double liftTopDecile,
    double ece,
    List<Bin> reliability,
    double threshold,
    double precision,
    double recall,
    double[] gains) {

  public static final int BINS = 10;
  static final double CLIP = 1e-15;

  /**
   * One reliability bin: how many rows, their mean predicted probability and observed churn rate.
   */
  public record Bin(int bin, long rows, double meanPredicted, double observed) {}

  /**
   * The figures of {@code p} against {@code y} (1 churned, 0 stayed), both in ascending order of p.
   */
  public static ChurnMetrics of(double[] p, double[] y) {
    return of(p, y, 0.5);
  }

  /** As {@link #of(double[], double[])}, with precision and recall at {@code threshold}. */
  public static ChurnMetrics of(double[] p, double[] y, double threshold) {
    int n = p.length;
    if (n == 0 || y.length != n) {
      throw new IllegalArgumentException(
          "need as many labels as probabilities, at least one: " + n + ", " + y.length);
    }
    long positives = 0;
    double logLoss = 0;
    double brier = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && p[i] < p[i - 1]) {
        throw new IllegalArgumentException(
            "probabilities must be in ascending order (row " + i + ")");
      }
      positives += y[i] == 1.0 ? 1 : 0;
      double q = Math.min(Math.max(p[i], CLIP), 1 - CLIP);
      logLoss -= y[i] == 1.0 ? Math.log(q) : Math.log(1 - q);
      brier += (p[i] - y[i]) * (p[i] - y[i]);
    }
    long negatives = n - positives;
    // AUC: for each group of equal probability, its positives beat every negative below and tie its
    // own.
    double wins = 0;
    long negativesBelow = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      long groupPositives = 0;
      while (j < n && p[j] == p[i]) {
        groupPositives += y[j] == 1.0 ? 1 : 0;
        j++;
      }
      long groupNegatives = (j - i) - groupPositives;
      wins += groupPositives * (negativesBelow + 0.5 * groupNegatives);
      negativesBelow += groupNegatives;
      i = j;
    }
    double auc =
        positives == 0 || negatives == 0 ? Double.NaN : wins / ((double) positives * negatives);
    int top = (int) Math.ceil(n / 10.0);
    long topPositives = 0;
    for (int i = n - top; i < n; i++) {
      topPositives += y[i] == 1.0 ? 1 : 0;
    }
    double rate = positives / (double) n;
    double lift = positives == 0 ? Double.NaN : (topPositives / (double) top) / rate;
    List<Bin> bins = new ArrayList<>();
    double ece = 0;
    int start = 0;
    for (int b = 0; b < BINS; b++) {
      int end = start;
      while (end < n && (int) ((long) BINS * end / n) == b) {
        end++;
      }
      if (end > start) {
        double sumP = 0;
        long sumY = 0;
        for (int i = start; i < end; i++) {
          sumP += p[i];
          sumY += y[i] == 1.0 ? 1 : 0;
        }
        int count = end - start;
        Bin bin = new Bin(b + 1, count, sumP / count, sumY / (double) count);
        bins.add(bin);
        ece += count * Math.abs(bin.meanPredicted() - bin.observed());
      }
      start = end;
    }
    long flagged = 0;
    long hits = 0;
    for (int i = 0; i < n; i++) {
      if (p[i] >= threshold) {
        flagged++;
        hits += y[i] == 1.0 ? 1 : 0;
      }
    }
    double[] gains = new double[BINS + 1];
    long captured = 0;
    int taken = 0;
    for (int k = 1; k <= BINS; k++) {
      int upTo = (int) Math.ceil((double) n * k / BINS);
      for (; taken < upTo; taken++) {
        captured += y[n - 1 - taken] == 1.0 ? 1 : 0;
      }
      gains[k] = positives == 0 ? Double.NaN : captured / (double) positives;
    }
    return new ChurnMetrics(
        n,
        positives,
        auc,
        logLoss / n,
        brier / n,
        lift,
        ece / n,
        List.copyOf(bins),
        threshold,
        flagged == 0 ? 0 : hits / (double) flagged,
        positives == 0 ? 0 : hits / (double) positives,
        gains);
  }

  /** The reliability bins as model_runs metrics: reliability_{bin}_{rows, predicted, observed}. */
  public Map<String, Object> reliabilityMetrics(String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Bin b : reliability) {
      m.put(prefix + "reliability_" + b.bin() + "_rows", b.rows());
      m.put(
          prefix + "reliability_" + b.bin() + "_predicted",
          ModelMetadata.reported(b.meanPredicted()));
      m.put(prefix + "reliability_" + b.bin() + "_observed", ModelMetadata.reported(b.observed()));
    }
    return m;
  }

  /** The figures as model_runs metrics, under {@code prefix}. */
  public Map<String, Object> asMetrics(String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "auc", ModelMetadata.reported(auc));
    m.put(prefix + "log_loss", ModelMetadata.reported(logLoss));
    m.put(prefix + "brier", ModelMetadata.reported(brier));
    m.put(prefix + "lift_top_decile", ModelMetadata.reported(liftTopDecile));
    m.put(prefix + "ece", ModelMetadata.reported(ece));
    m.put(prefix + "precision", ModelMetadata.reported(precision));
    m.put(prefix + "recall", ModelMetadata.reported(recall));
    for (int k = 1; k <= BINS; k++) {
      m.put(prefix + "gains_" + (k * 100 / BINS), ModelMetadata.reported(gains[k]));
    }
    return m;
  }
}

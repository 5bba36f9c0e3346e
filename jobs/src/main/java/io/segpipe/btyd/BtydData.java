package io.segpipe.btyd;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Recency/frequency summaries for the BG/NBD model, one row per distinct (x, t_x, T) triple: x
 * repeat transactions, t_x the time of the last one and T the time since the first purchase (both
 * measured from the first purchase, in model time units), and the number of customers who share the
 * triple. Rows stay in the order given; every sum over them runs in that order. The arrays are
 * copied.
 */
public final class BtydData {
  private final int[] x;
  private final double[] tx;
  private final double[] tCal;
  private final long[] count;

  public BtydData(int[] x, double[] tx, double[] tCal, long[] count) {
    if (x == null || tx == null || tCal == null || count == null) {
      throw new IllegalArgumentException("BtydData needs x, tx, tCal and count arrays, got a null");
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("BtydData is empty: there are no customers to fit");
    }
    if (tx.length != x.length || tCal.length != x.length || count.length != x.length) {
      throw new IllegalArgumentException(
          "BtydData arrays differ in length: x "
              + x.length
              + ", tx "
              + tx.length
              + ", tCal "
              + tCal.length
              + ", count "
              + count.length);
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] < 0
          || !(tx[i] >= 0)
          || !(tCal[i] >= 0)
          || !Double.isFinite(tCal[i])
          || tx[i] > tCal[i]
          || count[i] < 1
          || (x[i] == 0 && tx[i] != 0)) {
        throw new IllegalArgumentException(
            "BtydData row "
                + i
                + " is invalid (need x >= 0, "
                + "0 <= tx <= tCal finite, tx = 0 when x = 0, count >= 1): x="
                + x[i]
                + ", tx="
                + tx[i]
                + ", tCal="
                + tCal[i]
                + ", count="
                + count[i]);
      }
    }
    this.x = x.clone();
    this.tx = tx.clone();
    this.tCal = tCal.clone();
    this.count = count.clone();
  }

  /** One row per customer (count 1 each). */
  public static BtydData of(int[] x, double[] tx, double[] tCal) {
    long[] ones = new long[x == null ? 0 : x.length];
    Arrays.fill(ones, 1L);
    return new BtydData(x, tx, tCal, ones);
  }

  /** The same customers with equal (x, t_x, T) triples merged, sorted by x, then t_x, then T. */
  public BtydData aggregate() {
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.<Integer>comparingInt(i -> x[i])
            .thenComparingDouble(i -> tx[i])
            .thenComparingDouble(i -> tCal[i]));
    int[] ax = new int[x.length];
    double[] atx = new double[x.length];
    double[] aT = new double[x.length];
    long[] ac = new long[x.length];
    int rows = 0;
    for (int k : order) {
      if (rows > 0 && ax[rows - 1] == x[k] && atx[rows - 1] == tx[k] && aT[rows - 1] == tCal[k]) {
        ac[rows - 1] += count[k];
      } else {
        ax[rows] = x[k];
        atx[rows] = tx[k];
        aT[rows] = tCal[k];
        ac[rows] = count[k];
        rows++;
      }
    }
    return new BtydData(
        Arrays.copyOf(ax, rows),
        Arrays.copyOf(atx, rows),
        Arrays.copyOf(aT, rows),
        Arrays.copyOf(ac, rows));
  }

  public int size() {
    return x.length;
  }

  public int x(int i) {
    return x[i];
  }

  public double tx(int i) {
    return tx[i];
  }

  public double tCal(int i) {
    return tCal[i];
  }

  public long count(int i) {
    return count[i];
  }

  /** Σ count. */
  public long customers() {
    long n = 0;
    for (long c : count) {
      n += c;
    }
    return n;
  }
}

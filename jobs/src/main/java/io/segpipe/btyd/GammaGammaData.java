package io.segpipe.btyd;

import java.util.Arrays;

/**
 * Repeat customers for the Gamma-Gamma model: x &gt;= 1 repeat transactions with mean value m &gt;
 * 0, and how many customers share the pair. Rows stay in the order given; sums over them run in
 * that order. Arrays are copied.
 */
public final class GammaGammaData {
  private final int[] x;
  private final double[] m;
  private final long[] count;

  public GammaGammaData(int[] x, double[] m, long[] count) {
    if (x == null || m == null || count == null) {
      throw new IllegalArgumentException("GammaGammaData needs x, m and count arrays, got a null");
    }
    if (x.length == 0) {
      throw new IllegalArgumentException(
          "GammaGammaData is empty: there are no repeat customers to fit");
    }
    if (m.length != x.length || count.length != x.length) {
      throw new IllegalArgumentException(
          "GammaGammaData arrays differ in length: x "
              + x.length
              + ", m "
              + m.length
              + ", count "
              + count.length);
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] < 1 || !(m[i] > 0) || !Double.isFinite(m[i]) || count[i] < 1) {
        throw new IllegalArgumentException(
            "GammaGammaData row "
                + i
                + " is invalid (need x >= 1, finite "
                + "m > 0, count >= 1): x="
                + x[i]
                + ", m="
                + m[i]
                + ", count="
                + count[i]);
      }
    }
    this.x = x.clone();
    this.m = m.clone();
    this.count = count.clone();
  }

  /** One row per customer (count 1 each). */
  public static GammaGammaData of(int[] x, double[] m) {
    long[] ones = new long[x == null ? 0 : x.length];
    Arrays.fill(ones, 1L);
    return new GammaGammaData(x, m, ones);
  }

  public int size() {
    return x.length;
  }

  public int x(int i) {
    return x[i];
  }

  public double m(int i) {
    return m[i];
  }

  public long count(int i) {
    return count[i];
  }
}

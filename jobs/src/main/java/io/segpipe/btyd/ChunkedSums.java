package io.segpipe.btyd;

import java.util.stream.IntStream;

/**
 * Sums over the rows of a data set in a fixed number of chunks, added up in chunk order: the same
 * total on any number of threads. From {@link #PARALLEL_FROM} rows the chunks run on all cores (at
 * 30M events BG/NBD has ~340k triples, Gamma-Gamma ~700k repeat customers, and the optimiser
 * evaluates each likelihood hundreds of times).
 */
final class ChunkedSums {
  static final int CHUNKS = 16;
  static final int PARALLEL_FROM = 20_000;

  /** The sums of rows [from, to), one per component. */
  interface Range {
    double[] sum(int from, int to);
  }

  private ChunkedSums() {}

  /** The {@code width} component sums over rows 0..n−1. */
  static double[] over(int n, int width, Range range) {
    int chunks = Math.min(CHUNKS, Math.max(1, n));
    IntStream ids = IntStream.range(0, chunks);
    double[][] parts =
        (n >= PARALLEL_FROM ? ids.parallel() : ids)
            .mapToObj(
                c -> range.sum((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)))
            .toArray(double[][]::new);
    double[] total = new double[width];
    for (double[] part : parts) {
      for (int k = 0; k < width; k++) {
        total[k] += part[k];
      }
    }
    return total;
  }
}

package io.segpipe.modelling;

import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The distinct (x, t_x, t_cal) triples of one summary with how many customers share each, in the
 * order given (the job sorts them by x, t_x, t_cal, so the likelihood is summed in the same order
 * whatever the partitioning). Times are kept in whole days; {@link #unitDays} converts them.
 */
public record ClvData(int[] x, int[] txDays, int[] tCalDays, long[] count, int unitDays) {

  /** From rows of (x, t_x_days, t_cal_days, count). */
  public static ClvData of(List<Row> rows, int unitDays) {
    int n = rows.size();
    int[] x = new int[n];
    int[] tx = new int[n];
    int[] tCal = new int[n];
    long[] count = new long[n];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      x[i] = row.getInt(0);
      tx[i] = row.getInt(1);
      tCal[i] = row.getInt(2);
      count[i] = row.getLong(3);
    }
    return new ClvData(x, tx, tCal, count, unitDays);
  }

  public int triples() {
    return x.length;
  }

  public long customers() {
    long total = 0;
    for (long c : count) {
      total += c;
    }
    return total;
  }

  public long repeatCustomers() {
    long total = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] > 0) {
        total += count[i];
      }
    }
    return total;
  }

  public double tx(int i) {
    return txDays[i] / (double) unitDays;
  }

  public double tCal(int i) {
    return tCalDays[i] / (double) unitDays;
  }
}

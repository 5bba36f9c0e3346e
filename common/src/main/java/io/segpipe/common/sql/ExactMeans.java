package io.segpipe.common.sql;

/**
 * SQL for sums and means of a DOUBLE column that do not depend on the order Spark adds rows in:
 * each value is rounded to a whole number of units of 10^-digits (in double arithmetic, half up),
 * and those integers are added up as decimals, which is exact. A value too large for that (|x| of 9
 * x 10^(18 - digits) or more, or NaN) stops the query with an error naming the column and value
 * instead of overflowing. Nulls are left out, as sum and avg leave them out.
 *
 * <p>This replaces CAST(x AS DECIMAL(38, 18)) sums: Spark converts a double to a decimal through
 * its decimal string (Double.toString) and adds 38-digit decimals as BigIntegers, which together
 * took over half of segment profiles' aggregation time at a million customers.
 */
public final class ExactMeans {
  /** The largest |x| * 10^digits kept: under Long.MAX_VALUE (9.22e18), with room for the +0.5. */
  private static final double LIMIT = 9e18;

  /** Digits kept of shares, ratings, probabilities: the means are good to 1e-9 and sum exactly. */
  public static final int RATIO_DIGITS = 9;

  /** Digits kept of money (a millionth of the currency unit): values up to 9e12 sum exactly. */
  public static final int MONEY_DIGITS = 6;

  private ExactMeans() {}

  /**
   * {@code x} as a DECIMAL(20, 0) count of units of 10^-digits; null where x is null.
   *
   * @param x a DOUBLE expression (a column name, or any SQL)
   * @param digits decimal places kept, 0 to 15
   * @param what where the value comes from, for the error (e.g. "segment profiles: avg_rating")
   */
  public static String units(String x, int digits, String what) {
    if (digits < 0 || digits > 15) {
      throw new IllegalArgumentException("digits must be 0 to 15: " + digits);
    }
    String scale = "1E" + digits;
    String bound = String.valueOf(LIMIT / Math.pow(10, digits));
    return "CASE WHEN abs("
        + x
        + ") < "
        + bound
        + "D THEN CAST(floor(("
        + x
        + ") * "
        + scale
        + "D + 0.5D) AS DECIMAL(20, 0)) WHEN ("
        + x
        + ") IS NOT NULL THEN CAST(raise_error(concat('"
        + what.replace("'", "''")
        + " is ', CAST(("
        + x
        + ") AS STRING), ': exact sums take values under "
        + bound
        + " in absolute value')) AS DECIMAL(20, 0)) END";
  }

  /** The exact sum of {@code x} over the group, as a DOUBLE (null when every x is null). */
  public static String sum(String x, int digits, String what) {
    return sumOfParts(units(x, digits, what), digits);
  }

  /** The mean of {@code x} over the group's non-null values, as a DOUBLE, from the exact sum. */
  public static String mean(String x, int digits, String what) {
    return "(" + sum(x, digits, what) + " / count(" + x + "))";
  }

  /**
   * The units of {@code x} added up over a part of the rows (a DECIMAL); {@link #sumOfParts} and
   * {@link #meanOfParts} add the parts up to the same bits as {@link #sum} and {@link #mean} of all
   * the rows, since integers add up exactly in any grouping.
   */
  public static String unitSum(String x, int digits, String what) {
    return "sum(" + units(x, digits, what) + ")";
  }

  /** The exact sum, as a DOUBLE, of the parts' {@link #unitSum} values in column {@code parts}. */
  public static String sumOfParts(String parts, int digits) {
    return "CAST(sum(" + parts + ") AS DOUBLE) / 1E" + digits + "D";
  }

  /**
   * The mean, as a DOUBLE, from the parts' {@link #unitSum} values and their counts of non-null
   * values (columns {@code parts} and {@code counts}).
   */
  public static String meanOfParts(String parts, String counts, int digits) {
    return "(" + sumOfParts(parts, digits) + " / sum(" + counts + "))";
  }
}

package io.segpipe.btyd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Simulates customers under the BG/NBD transaction model (Fader, Hardie &amp; Lee 2005, "Counting
 * your customers the easy way") and the Gamma-Gamma spend model (Fader, Hardie &amp; Lee 2005, "RFM
 * and CLV"), for checking that fits recover planted parameters.
 *
 * <p>Customer i: λ ~ Gamma(shape r, rate α), p ~ Beta(a, b), ν ~ Gamma(shape q, rate γ); first
 * purchase at s ~ Uniform[0, cohortSpread]; repeat purchases at Poisson rate λ, and after each
 * repeat purchase the customer drops out with probability p (never at the first purchase). Every
 * purchase up to calibrationEnd + holdout is recorded with a value ~ Gamma(shape p_spend, rate ν).
 * The same seed gives the same customers.
 */
public final class BtydSimulator {

  /**
   * One simulated customer: purchase times (first purchase included) with their values, and the
   * truth.
   */
  public record Customer(
      double start,
      double[] purchaseTimes,
      double[] values,
      double lambda,
      double dropout,
      double nu) {
    public Customer {
      purchaseTimes = purchaseTimes.clone();
      values = values.clone();
    }

    @Override
    public double[] purchaseTimes() {
      return purchaseTimes.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    /** Purchases at or before {@code end}, the first included. */
    public int purchasesUpTo(double end) {
      int n = 0;
      while (n < purchaseTimes.length && purchaseTimes[n] <= end) {
        n++;
      }
      return n;
    }

    /** Purchases in (from, to]. */
    public int purchasesBetween(double from, double to) {
      return purchasesUpTo(to) - purchasesUpTo(from);
    }
  }

  private final BgNbdParams transactions;
  private final GammaGammaParams spend;
  private final double calibrationEnd;
  private final double holdout;
  private final double cohortSpread;

  /**
   * @param calibrationEnd E, the end of the calibration period (model time, first purchases start
   *     at 0)
   * @param holdout H &gt;= 0, purchases in (E, E + H] are simulated too
   * @param cohortSpread first purchases are uniform on [0, cohortSpread]; 0 puts everyone at 0
   */
  public BtydSimulator(
      BgNbdParams transactions,
      GammaGammaParams spend,
      double calibrationEnd,
      double holdout,
      double cohortSpread) {
    if (!(calibrationEnd > 0)
        || !(holdout >= 0)
        || !(cohortSpread >= 0)
        || !(cohortSpread <= calibrationEnd)
        || !Double.isFinite(calibrationEnd + holdout)) {
      throw new IllegalArgumentException(
          "need calibrationEnd > 0, holdout >= 0, 0 <= cohortSpread <= "
              + "calibrationEnd: calibrationEnd="
              + calibrationEnd
              + ", holdout="
              + holdout
              + ", cohortSpread="
              + cohortSpread);
    }
    this.transactions = transactions;
    this.spend = spend;
    this.calibrationEnd = calibrationEnd;
    this.holdout = holdout;
    this.cohortSpread = cohortSpread;
  }

  /** {@code customers} customers from the generator Well19937c(seed). */
  public List<Customer> simulate(int customers, long seed) {
    if (customers < 1) {
      throw new IllegalArgumentException("need at least one customer, got " + customers);
    }
    RandomGenerator rng = new Well19937c(seed);
    GammaDistribution lambdas =
        new GammaDistribution(rng, transactions.r(), 1 / transactions.alpha());
    BetaDistribution dropouts = new BetaDistribution(rng, transactions.a(), transactions.b());
    GammaDistribution nus = new GammaDistribution(rng, spend.q(), 1 / spend.gamma());
    GammaDistribution unitValues = new GammaDistribution(rng, spend.p(), 1.0);
    double end = calibrationEnd + holdout;
    List<Customer> out = new ArrayList<>(customers);
    double[] times = new double[16];
    double[] values = new double[16];
    for (int i = 0; i < customers; i++) {
      double start = cohortSpread > 0 ? cohortSpread * rng.nextDouble() : 0.0;
      double lambda = lambdas.sample();
      double dropout = dropouts.sample();
      double nu = nus.sample();
      int n = 0;
      double t = start;
      while (true) {
        if (n == times.length) {
          times = Arrays.copyOf(times, 2 * n);
          values = Arrays.copyOf(values, 2 * n);
        }
        times[n] = t;
        values[n] = unitValues.sample() / nu;
        n++;
        if (n > 1 && rng.nextDouble() < dropout) {
          break;
        }
        t += -Math.log1p(-rng.nextDouble()) / lambda;
        if (!(t <= end)) {
          break;
        }
      }
      out.add(
          new Customer(
              start, Arrays.copyOf(times, n), Arrays.copyOf(values, n), lambda, dropout, nu));
    }
    return out;
  }

  public double calibrationEnd() {
    return calibrationEnd;
  }

  /**
   * BG/NBD summaries over the calibration period, one row per customer in list order: x =
   * calibration purchases − 1, t_x = last calibration purchase − s, T = E − s.
   */
  public static BtydData toBtydData(List<Customer> customers, double calibrationEnd) {
    int n = customers.size();
    int[] x = new int[n];
    double[] tx = new double[n];
    double[] tCal = new double[n];
    for (int i = 0; i < n; i++) {
      Customer c = customers.get(i);
      int k = c.purchasesUpTo(calibrationEnd);
      x[i] = k - 1;
      tx[i] = c.purchaseTimes[k - 1] - c.start();
      tCal[i] = calibrationEnd - c.start();
    }
    return BtydData.of(x, tx, tCal);
  }

  /**
   * Gamma-Gamma input over the calibration period: customers with x &gt;= 1 repeat purchases, in
   * list order, with the mean value of their repeat purchases (the first purchase excluded).
   */
  public static GammaGammaData toGammaGammaData(List<Customer> customers, double calibrationEnd) {
    int[] x = new int[customers.size()];
    double[] m = new double[customers.size()];
    int rows = 0;
    for (Customer c : customers) {
      int k = c.purchasesUpTo(calibrationEnd);
      if (k < 2) {
        continue;
      }
      double sum = 0;
      for (int j = 1; j < k; j++) {
        sum += c.values[j];
      }
      x[rows] = k - 1;
      m[rows] = sum / (k - 1);
      rows++;
    }
    return GammaGammaData.of(Arrays.copyOf(x, rows), Arrays.copyOf(m, rows));
  }
}

package io.segpipe.btyd;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * The BG/NBD model of Fader, Hardie &amp; Lee (2005), "Counting your customers the easy way: an
 * alternative to the Pareto/NBD model", Marketing Science 24(2): while alive a customer buys at
 * Poisson rate λ ~ Gamma(r, α); after each repeat purchase they drop out with probability p ~
 * Beta(a, b).
 *
 * <p>Log-likelihood of one customer with x repeat purchases, the last at t_x, observed for T (eq.
 * 6):
 *
 * <pre>
 *   A1 = lnΓ(r+x) − lnΓ(r) + r ln α
 *   A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x)
 *   A3 = −(r+x) ln(α+T)
 *   A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)          (x &gt; 0 only)
 *   LL = A1 + A2 + ln(e^A3 + [x&gt;0] e^A4)
 * </pre>
 *
 * The fit maximises Σ count·LL over θ = (ln r, ln α, ln a, ln b) with the analytic gradient
 * (digamma); see {@link FitResult} for the standard errors.
 *
 * <p>Scores (the paper's conditional and unconditional expectations, and P(alive) from the same
 * model):
 *
 * <pre>
 *   P(alive) = 1 / (1 + [x&gt;0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
 *   E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *                         / (1 + [x&gt;0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
 *   E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r 2F1(r, b; a+b−1; t/(α+t))]
 * </pre>
 *
 * a = 1 is a removable singularity of both expectations: within {@value #NEAR_ONE} of 1 they are
 * interpolated linearly between a = 1 ∓ {@value #NEAR_ONE} (relative error about 1e-8). The series
 * needs a + b + x − 1 &gt; 0, so for x = 0 the expectations throw an {@link
 * IllegalArgumentException} when a + b &lt;= 1.
 */
public final class BgNbd {

  /** Parameter names, in the order of θ. */
  public static final List<String> NAMES = List.of("r", "alpha", "a", "b");

  /** Half-width of the window around a = 1 where the expectations are interpolated. */
  public static final double NEAR_ONE = 1e-4;

  private BgNbd() {}

  // ---------------------------------------------------------------- likelihood

  /** Log-likelihood of one customer (eq. 6). */
  public static double logLikelihood(BgNbdParams params, int x, double tx, double tCal) {
    return logLikelihood(
        params, BtydData.of(new int[] {x}, new double[] {tx}, new double[] {tCal}));
  }

  /** Σ count·LL over the rows of {@code data}, summed in row order. */
  public static double logLikelihood(BgNbdParams params, BtydData data) {
    return new Likelihood(data).value(theta(params), null);
  }

  /** Maximum-likelihood fit with {@link FitOptions#DEFAULTS} and the default start. */
  public static FitResult fit(BtydData data) {
    return fit(data, FitOptions.DEFAULTS);
  }

  /**
   * Maximum-likelihood fit from the default start: r = 1, α = mean T / mean x (at least 1e-3), a =
   * 1, b = 1.
   */
  public static FitResult fit(BtydData data, FitOptions options) {
    return fit(data, options, defaultStart(data));
  }

  /**
   * Maximum-likelihood fit from {@code start}.
   *
   * @throws FitNotConverged if the optimiser stops without converging or the Hessian is not
   *     negative definite
   */
  public static FitResult fit(BtydData data, FitOptions options, BgNbdParams start) {
    return LogParameterMle.fit(NAMES, new Likelihood(data), theta(start), options);
  }

  static BgNbdParams defaultStart(BtydData data) {
    double n = 0;
    double sumX = 0;
    double sumT = 0;
    for (int i = 0; i < data.size(); i++) {
      n += data.count(i);
      sumX += data.count(i) * (double) data.x(i);
      sumT += data.count(i) * data.tCal(i);
    }
    double alpha = sumX > 0 ? sumT / sumX : sumT / n;
    return new BgNbdParams(1.0, Math.max(alpha, 1e-3), 1.0, 1.0);
  }

  private static double[] theta(BgNbdParams p) {
    return new double[] {Math.log(p.r()), Math.log(p.alpha()), Math.log(p.a()), Math.log(p.b())};
  }

  /** Total log-likelihood and gradient in θ; the Γ and ψ terms are computed once per distinct x. */
  static final class Likelihood implements LogParameterMle.Objective {
    private final BtydData data;
    private final int[] distinctX;
    private final int[] xIndex;
    private final double weight;

    Likelihood(BtydData data) {
      this.data = data;
      int[] xs = new int[data.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = data.x(i);
      }
      distinctX = Arrays.stream(xs).distinct().sorted().toArray();
      xIndex = new int[xs.length];
      for (int i = 0; i < xs.length; i++) {
        xIndex[i] = Arrays.binarySearch(distinctX, xs[i]);
      }
      double w = 0;
      for (int i = 0; i < data.size(); i++) {
        w += data.count(i);
      }
      weight = w;
    }

    @Override
    public double weight() {
      return weight;
    }

    @Override
    public double value(double[] theta, double[] gradient) {
      double r = Math.exp(theta[0]);
      double alpha = Math.exp(theta[1]);
      double a = Math.exp(theta[2]);
      double b = Math.exp(theta[3]);
      boolean grad = gradient != null;
      int k = distinctX.length;
      double[] gammaTerms = new double[k];
      double[] psiR = new double[k];
      double[] psiA = new double[k];
      double[] psiB = new double[k];
      double lgR = Gamma.logGamma(r);
      double lgAB = Gamma.logGamma(a + b);
      double lgB = Gamma.logGamma(b);
      double dgR = grad ? Gamma.digamma(r) : 0;
      double dgAB = grad ? Gamma.digamma(a + b) : 0;
      double dgB = grad ? Gamma.digamma(b) : 0;
      for (int j = 0; j < k; j++) {
        int x = distinctX[j];
        gammaTerms[j] =
            Gamma.logGamma(r + x)
                - lgR
                + lgAB
                + Gamma.logGamma(b + x)
                - lgB
                - Gamma.logGamma(a + b + x);
        if (grad) {
          double dgABX = Gamma.digamma(a + b + x);
          psiR[j] = Gamma.digamma(r + x) - dgR;
          psiA[j] = dgAB - dgABX;
          psiB[j] = dgAB + Gamma.digamma(b + x) - dgB - dgABX;
        }
      }
      double logA = Math.log(a);
      double[] sums =
          ChunkedSums.over(
              data.size(),
              5,
              (from, to) ->
                  sum(from, to, r, alpha, a, b, logA, gammaTerms, psiR, psiA, psiB, grad));
      double total = sums[0];
      double gr = sums[1];
      double gAlpha = sums[2];
      double ga = sums[3];
      double gb = sums[4];
      if (grad) {
        gradient[0] = r * gr;
        gradient[1] = alpha * gAlpha;
        gradient[2] = a * ga;
        gradient[3] = b * gb;
      }
      return total;
    }

    /** Σ count·LL and its gradient terms over triples [from, to). */
    private double[] sum(
        int from,
        int to,
        double r,
        double alpha,
        double a,
        double b,
        double logA,
        double[] gammaTerms,
        double[] psiR,
        double[] psiA,
        double[] psiB,
        boolean grad) {
      double logAlpha = Math.log(alpha);
      double total = 0;
      double gr = 0;
      double gAlpha = 0;
      double ga = 0;
      double gb = 0;
      for (int i = from; i < to; i++) {
        int x = data.x(i);
        int j = xIndex[i];
        double c = data.count(i);
        double logAT = Math.log(alpha + data.tCal(i));
        double a3 = -(r + x) * logAT;
        double ll;
        double w4 = 0;
        double logAtx = 0;
        if (x > 0) {
          logAtx = Math.log(alpha + data.tx(i));
          double a4 = logA - Math.log(b + x - 1) - (r + x) * logAtx;
          double m = Math.max(a3, a4);
          double e3 = Math.exp(a3 - m);
          double e4 = Math.exp(a4 - m);
          ll = m + Math.log(e3 + e4);
          w4 = e4 / (e3 + e4);
        } else {
          ll = a3;
        }
        total += c * (gammaTerms[j] + r * logAlpha + ll);
        if (grad) {
          double w3 = 1 - w4;
          gr += c * (psiR[j] + logAlpha - w3 * logAT - w4 * logAtx);
          gAlpha +=
              c * (r / alpha - (r + x) * (w3 / (alpha + data.tCal(i)) + w4 / (alpha + data.tx(i))));
          ga += c * (psiA[j] + w4 / a);
          gb += c * (psiB[j] - (x > 0 ? w4 / (b + x - 1) : 0));
        }
      }
      return new double[] {total, gr, gAlpha, ga, gb};
    }
  }

  // ---------------------------------------------------------------- scores

  /** P(alive at T | x, t_x, T). */
  public static double probabilityAlive(BgNbdParams p, int x, double tx, double tCal) {
    checkCustomer(x, tx, tCal);
    return 1.0 / (1.0 + oddsDead(p, x, tx, tCal));
  }

  /**
   * a/(b+x−1) · ((α+T)/(α+t_x))^(r+x), 0 when x = 0, computed in logs (overflow gives +∞, P(alive)
   * 0).
   */
  private static double oddsDead(BgNbdParams p, int x, double tx, double tCal) {
    if (x == 0) {
      return 0.0;
    }
    return Math.exp(
        Math.log(p.a())
            - Math.log(p.b() + x - 1)
            + (p.r() + x) * (Math.log(p.alpha() + tCal) - Math.log(p.alpha() + tx)));
  }

  /**
   * P(no transaction in (T, T+t] | x, t_x, T) = 1 − P(alive) + P(alive) ((α+T)/(α+T+t))^(r+x): dead
   * customers buy nothing, and a customer alive at T cannot drop out without buying (BG/NBD drops
   * out only just after a transaction), so it buys nothing with the Poisson-Gamma posterior's
   * chance.
   */
  public static double probabilityNoTransaction(
      BgNbdParams p, int x, double tx, double tCal, double t) {
    checkCustomer(x, tx, tCal);
    checkTime(t, "t");
    double alive = 1.0 / (1.0 + oddsDead(p, x, tx, tCal));
    double quiet =
        Math.exp((p.r() + x) * (Math.log(p.alpha() + tCal) - Math.log(p.alpha() + tCal + t)));
    return 1.0 - alive + alive * quiet;
  }

  /** E[Y(t) | x, t_x, T]: expected repeat transactions in (T, T+t]. */
  public static double expectedTransactions(
      BgNbdParams p, int x, double tx, double tCal, double t) {
    checkCustomer(x, tx, tCal);
    checkTime(t, "t");
    return conditionalBracket(p, x, tCal, t) / (1.0 + oddsDead(p, x, tx, tCal));
  }

  /** E[X(t)]: expected repeat transactions in the first t after a new customer's first purchase. */
  public static double expectedTransactionsNew(BgNbdParams p, double t) {
    checkTime(t, "t");
    return conditionalBracket(p, 0, 0.0, t);
  }

  /**
   * E[Y(t_k) | x, t_x, T] for each t_k in {@code times}: the P(alive) factor is computed once, the
   * hypergeometric term once per time.
   */
  public static double[] expectedTransactions(
      BgNbdParams p, int x, double tx, double tCal, double[] times) {
    checkCustomer(x, tx, tCal);
    double denominator = 1.0 + oddsDead(p, x, tx, tCal);
    double[] out = new double[times.length];
    for (int k = 0; k < times.length; k++) {
      checkTime(times[k], "times[" + k + "]");
      out[k] = conditionalBracket(p, x, tCal, times[k]) / denominator;
    }
    return out;
  }

  /**
   * Discounted expected transaction value of one customer over {@code horizon}: Σ_{m=1..M}
   * (E[Y(min(m·L, H))] − E[Y((m−1)·L)]) · value / (1 + monthlyRate)^m with M = ceil(H/L).
   *
   * @param value expected value of one transaction (margin applied by the caller)
   * @param horizon H, in model time units
   * @param monthLength L, one discounting period in model time units
   * @param monthlyRate discount rate per period (0 for none)
   */
  public static double clv(
      BgNbdParams p,
      int x,
      double tx,
      double tCal,
      double value,
      double horizon,
      double monthLength,
      double monthlyRate) {
    if (!(horizon >= 0)
        || !(monthLength > 0)
        || !(monthlyRate > -1)
        || !Double.isFinite(horizon)
        || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "clv needs a finite value, horizon >= 0, monthLength > 0, "
              + "monthlyRate > -1: value="
              + value
              + ", horizon="
              + horizon
              + ", monthLength="
              + monthLength
              + ", monthlyRate="
              + monthlyRate);
    }
    int months = (int) Math.ceil(horizon / monthLength);
    double[] times = new double[months];
    for (int m = 1; m <= months; m++) {
      times[m - 1] = Math.min(m * monthLength, horizon);
    }
    double[] cumulative = expectedTransactions(p, x, tx, tCal, times);
    double clv = 0;
    double previous = 0;
    double discount = 1;
    for (int m = 0; m < months; m++) {
      discount /= 1 + monthlyRate;
      clv += (cumulative[m] - previous) * value * discount;
      previous = cumulative[m];
    }
    return clv;
  }

  /**
   * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))], which is
   * E[Y(t)] for a customer certainly alive at T with x repeat purchases (and E[X(t)] at x = 0, T =
   * 0).
   */
  private static double conditionalBracket(BgNbdParams p, int x, double tCal, double t) {
    double a = p.a();
    if (Math.abs(a - 1) >= NEAR_ONE) {
      return bracketAt(p.r(), p.alpha(), a, p.b(), x, tCal, t);
    }
    double lo = bracketAt(p.r(), p.alpha(), 1 - NEAR_ONE, p.b(), x, tCal, t);
    double hi = bracketAt(p.r(), p.alpha(), 1 + NEAR_ONE, p.b(), x, tCal, t);
    return lo + (hi - lo) * (a - (1 - NEAR_ONE)) / (2 * NEAR_ONE);
  }

  private static double bracketAt(
      double r, double alpha, double a, double b, int x, double tCal, double t) {
    if (t == 0) {
      return 0.0;
    }
    double z = t / (alpha + tCal + t);
    double logOneMinusZ = -Math.log1p(t / (alpha + tCal));
    double logProduct =
        (r + x) * logOneMinusZ + Hypergeometric.logHyp2f1(r + x, b + x, a + b + x - 1, z);
    return (a + b + x - 1) / (a - 1) * -Math.expm1(logProduct);
  }

  private static void checkCustomer(int x, double tx, double tCal) {
    if (x < 0 || !(tx >= 0) || !(tCal >= tx) || !Double.isFinite(tCal) || (x == 0 && tx != 0)) {
      throw new IllegalArgumentException(
          "need x >= 0 and 0 <= tx <= tCal finite (tx = 0 when x = 0): x="
              + x
              + ", tx="
              + tx
              + ", tCal="
              + tCal);
    }
  }

  private static void checkTime(double t, String name) {
    if (!(t >= 0) || !Double.isFinite(t)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + t);
    }
  }
}

package io.segpipe.btyd;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.special.Gamma;

/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie &amp; Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis", Journal of Marketing Research 42(4)): each
 * transaction's value is Gamma(p, ν) distributed around a customer-level rate ν ~ Gamma(q, γ),
 * independently of the transaction process. For a customer with x repeat transactions of mean value
 * m (x·m ~ Gamma(p·x, ν)) the log-likelihood is
 *
 * <pre>
 *   LL = lnΓ(p·x+q) − lnΓ(p·x) − lnΓ(q) + q ln γ + (p·x−1) ln m + p·x ln x − (p·x+q) ln(γ + x·m)
 * </pre>
 *
 * fitted like {@link BgNbd} over θ = (ln p, ln q, ln γ) with the analytic gradient. The posterior
 * mean value of a transaction is E[M | x, m] = p(γ + x·m)/(p·x + q − 1), and p·γ/(q − 1) for a
 * customer with no repeat transactions; both need q &gt; 1.
 */
public final class GammaGamma {

  /** Parameter names, in the order of θ. */
  public static final List<String> NAMES = List.of("p", "q", "gamma");

  private GammaGamma() {}

  /** Σ count·LL over the rows, in row order. */
  public static double logLikelihood(GammaGammaParams params, GammaGammaData data) {
    return new Likelihood(data).value(theta(params), null);
  }

  public static FitResult fit(GammaGammaData data) {
    return fit(data, FitOptions.DEFAULTS);
  }

  /**
   * Fit from the default start p = 1, q = 2, γ = mean m (so the start's mean spend is the sample
   * mean).
   */
  public static FitResult fit(GammaGammaData data, FitOptions options) {
    double n = 0;
    double sum = 0;
    for (int i = 0; i < data.size(); i++) {
      n += data.count(i);
      sum += data.count(i) * data.m(i);
    }
    return fit(data, options, new GammaGammaParams(1.0, 2.0, sum / n));
  }

  /**
   * Maximum-likelihood fit from {@code start}.
   *
   * @throws FitNotConverged if the optimiser does not converge or the Hessian is not negative
   *     definite
   * @throws IllegalStateException if the fitted q is at most 1: the mean spend is then infinite
   */
  public static FitResult fit(GammaGammaData data, FitOptions options, GammaGammaParams start) {
    FitResult fit = LogParameterMle.fit(NAMES, new Likelihood(data), theta(start), options);
    double q = fit.value("q");
    if (!(q > 1)) {
      throw new IllegalStateException(
          "Gamma-Gamma fit gives q = "
              + q
              + " <= 1 (p = "
              + fit.value("p")
              + ", gamma = "
              + fit.value("gamma")
              + "): the spend distribution has no finite mean, so no "
              + "expected transaction value can be computed");
    }
    return fit;
  }

  /**
   * E[M | x, m] = p(γ + x·m)/(p·x + q − 1); for x = 0 (m ignored) the population mean p·γ/(q − 1).
   */
  public static double expectedValue(GammaGammaParams params, int x, double m) {
    if (x < 0 || (x > 0 && !(m > 0 && Double.isFinite(m)))) {
      throw new IllegalArgumentException(
          "need x >= 0 and, when x > 0, finite m > 0: x=" + x + ", m=" + m);
    }
    double p = params.p();
    double q = params.q();
    if (!(q > 1)) {
      throw new IllegalStateException(
          "expected value needs q > 1 (finite mean spend): p="
              + p
              + ", q="
              + q
              + ", gamma="
              + params.gamma());
    }
    if (x == 0) {
      return p * params.gamma() / (q - 1);
    }
    return p * (params.gamma() + x * m) / (p * x + q - 1);
  }

  /**
   * Pearson correlation of frequency x and mean value m (the model assumes they are independent).
   */
  public static double pearson(int[] x, double[] m) {
    if (x == null || m == null || x.length != m.length || x.length < 2) {
      throw new IllegalArgumentException("pearson needs two arrays of the same length >= 2");
    }
    int n = x.length;
    double mx = 0;
    double mm = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      mm += m[i];
    }
    mx /= n;
    mm /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx;
      double dy = m[i] - mm;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) {
      return Double.NaN;
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  private static double[] theta(GammaGammaParams p) {
    return new double[] {Math.log(p.p()), Math.log(p.q()), Math.log(p.gamma())};
  }

  /** Total log-likelihood and gradient in θ; Γ and ψ terms once per distinct x. */
  static final class Likelihood implements LogParameterMle.Objective {
    private final GammaGammaData data;
    private final int[] distinctX;
    private final int[] xIndex;
    private final double[] logM;
    private final double[] logX;
    private final double weight;

    Likelihood(GammaGammaData data) {
      this.data = data;
      int n = data.size();
      int[] xs = new int[n];
      logM = new double[n];
      logX = new double[n];
      double w = 0;
      for (int i = 0; i < n; i++) {
        xs[i] = data.x(i);
        logM[i] = Math.log(data.m(i));
        logX[i] = Math.log(data.x(i));
        w += data.count(i);
      }
      weight = w;
      distinctX = Arrays.stream(xs).distinct().sorted().toArray();
      xIndex = new int[n];
      for (int i = 0; i < n; i++) {
        xIndex[i] = Arrays.binarySearch(distinctX, xs[i]);
      }
    }

    @Override
    public double weight() {
      return weight;
    }

    @Override
    public double value(double[] theta, double[] gradient) {
      double p = Math.exp(theta[0]);
      double q = Math.exp(theta[1]);
      double gamma = Math.exp(theta[2]);
      boolean grad = gradient != null;
      int k = distinctX.length;
      double[] gammaTerms = new double[k];
      double[] psiDiff = new double[k];
      double[] psiSum = new double[k];
      double lgQ = Gamma.logGamma(q);
      double dgQ = grad ? Gamma.digamma(q) : 0;
      for (int j = 0; j < k; j++) {
        double px = p * distinctX[j];
        gammaTerms[j] = Gamma.logGamma(px + q) - Gamma.logGamma(px) - lgQ;
        if (grad) {
          psiSum[j] = Gamma.digamma(px + q);
          psiDiff[j] = psiSum[j] - Gamma.digamma(px);
        }
      }
      double logGamma = Math.log(gamma);
      double[] sums =
          ChunkedSums.over(
              data.size(),
              4,
              (from, to) ->
                  sum(from, to, p, q, gamma, logGamma, gammaTerms, psiDiff, psiSum, dgQ, grad));
      double total = sums[0];
      double gp = sums[1];
      double gq = sums[2];
      double gg = sums[3];
      if (grad) {
        gradient[0] = p * gp;
        gradient[1] = q * gq;
        gradient[2] = gamma * gg;
      }
      return total;
    }

    /** Σ count·LL and its gradient terms over repeat customers [from, to). */
    private double[] sum(
        int from,
        int to,
        double p,
        double q,
        double gamma,
        double logGamma,
        double[] gammaTerms,
        double[] psiDiff,
        double[] psiSum,
        double dgQ,
        boolean grad) {
      double total = 0;
      double gp = 0;
      double gq = 0;
      double gg = 0;
      for (int i = from; i < to; i++) {
        int x = data.x(i);
        int j = xIndex[i];
        double c = data.count(i);
        double px = p * x;
        double denominator = gamma + x * data.m(i);
        double logDen = Math.log(denominator);
        total +=
            c
                * (gammaTerms[j]
                    + q * logGamma
                    + (px - 1) * logM[i]
                    + px * logX[i]
                    - (px + q) * logDen);
        if (grad) {
          gp += c * x * (psiDiff[j] + logM[i] + logX[i] - logDen);
          gq += c * (psiSum[j] - dgQ + logGamma - logDen);
          gg += c * (q / gamma - (px + q) / denominator);
        }
      }
      return new double[] {total, gp, gq, gg};
    }
  }
}

package io.segpipe.jobs.evaluate;

import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Gamma;

/**
 * Treated-versus-control campaign statistics from per-group sufficient statistics (n, Σx, Σx²): the
 * difference of proportions or of means with its interval and p-value, the relative uplift, the
 * minimum detectable effect, and the sample-ratio-mismatch check. Pure Java; the sums come from
 * Spark.
 */
public final class UpliftStatistics {

  /** The standard normal; no random generator, as nothing here samples. */
  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

  private UpliftStatistics() {}

  /** Per-group sufficient statistics of a per-customer value. */
  public record Group(long n, double sum, double sumSquares) {

    /** Checks n ≥ 0 and that both sums are finite. */
    public Group {
      if (n < 0) {
        throw new IllegalArgumentException("n must be >= 0, was " + n);
      }
      if (!Double.isFinite(sum)) {
        throw new IllegalArgumentException("sum must be finite, was " + sum);
      }
      if (!Double.isFinite(sumSquares) || sumSquares < 0) {
        throw new IllegalArgumentException("sumSquares must be finite and >= 0, was " + sumSquares);
      }
    }

    /** The mean Σx / n (NaN when n = 0). */
    public double mean() {
      return sum / n;
    }

    /**
     * The unbiased sample variance (Σx² − (Σx)²/n) / (n − 1); 0 when n &lt; 2, and rounding below 0
     * is 0.
     */
    public double variance() {
      if (n < 2) {
        return 0;
      }
      return Math.max(0, (sumSquares - sum * (sum / n)) / (n - 1));
    }
  }

  /**
   * An estimate with its two-sided interval at the given confidence; low/high/pValue NaN when not
   * defined.
   */
  public record Estimate(double value, double low, double high, double pValue) {}

  /**
   * Treated minus control, absolute and relative (treated/control − 1), and the minimum detectable
   * absolute effect computed from the control's variance.
   */
  public record Comparison(
      double treatedMean,
      double controlMean,
      Estimate absolute,
      Estimate relative,
      double minimumDetectableEffect) {}

  /**
   * Conversion (0/1 values): pt − pc with the unpooled Wald interval ± z·√(pt(1−pt)/nt +
   * pc(1−pc)/nc) and the two-sided pooled two-proportion z-test p-value; relative pt/pc − 1 with
   * the interval exp(log(pt/pc) ± z·√((1−pt)/(nt·pt) + (1−pc)/(nc·pc))) − 1 and the same p-value;
   * MDE (z₁₋α/₂ + z_power)·√(pc(1−pc)(1/nt + 1/nc)).
   */
  public static Comparison proportions(
      long treatedBuyers,
      long treatedN,
      long controlBuyers,
      long controlN,
      double confidence,
      double power) {
    requireCount("treatedN", treatedN, 1);
    requireCount("controlN", controlN, 1);
    requireBuyers("treatedBuyers", treatedBuyers, "treatedN", treatedN);
    requireBuyers("controlBuyers", controlBuyers, "controlN", controlN);
    requireProbability("confidence", confidence);
    requireProbability("power", power);
    double z = twoSidedZ(confidence);
    double pt = (double) treatedBuyers / treatedN;
    double pc = (double) controlBuyers / controlN;
    double diff = pt - pc;
    double inverseNs = 1.0 / treatedN + 1.0 / controlN;

    double se = Math.sqrt(pt * (1 - pt) / treatedN + pc * (1 - pc) / controlN);
    double pooled = (double) (treatedBuyers + controlBuyers) / (treatedN + controlN);
    double pooledSe = Math.sqrt(pooled * (1 - pooled) * inverseNs);
    double pValue = pooledSe > 0 ? twoSidedNormalP(diff / pooledSe) : diff == 0 ? 1.0 : Double.NaN;
    Estimate absolute = new Estimate(diff, diff - z * se, diff + z * se, pValue);

    Estimate relative;
    if (pt > 0 && pc > 0) {
      double logRatio = Math.log(pt / pc);
      double logSe = Math.sqrt((1 - pt) / (treatedN * pt) + (1 - pc) / (controlN * pc));
      relative =
          new Estimate(
              pt / pc - 1,
              Math.expm1(logRatio - z * logSe),
              Math.expm1(logRatio + z * logSe),
              pValue);
    } else {
      relative = new Estimate(pc > 0 ? pt / pc - 1 : Double.NaN, Double.NaN, Double.NaN, pValue);
    }
    double mde =
        (z + STANDARD_NORMAL.inverseCumulativeProbability(power))
            * Math.sqrt(pc * (1 - pc) * inverseNs);
    return new Comparison(pt, pc, absolute, relative, mde);
  }

  /**
   * Means (revenue or orders per customer), Welch's t: se = √(vt/nt + vc/nc), Welch–Satterthwaite
   * df, interval diff ± t_df·se and the two-sided t p-value; relative mt/mc − 1 with the interval
   * exp(log(mt/mc) ± z·√(vt/(nt·mt²) + vc/(nc·mc²))) − 1 (NaN unless both means &gt; 0) and the
   * same p-value; MDE (z₁₋α/₂ + z_power)·√(vc(1/nt + 1/nc)). Both groups need n ≥ 2.
   */
  public static Comparison means(Group treated, Group control, double confidence, double power) {
    requireGroup("treated", treated);
    requireGroup("control", control);
    requireProbability("confidence", confidence);
    requireProbability("power", power);
    double z = twoSidedZ(confidence);
    double nt = treated.n();
    double nc = control.n();
    double mt = treated.mean();
    double mc = control.mean();
    double vt = treated.variance();
    double vc = control.variance();
    double diff = mt - mc;

    double at = vt / nt;
    double ac = vc / nc;
    double se = Math.sqrt(at + ac);
    Estimate absolute;
    if (se == 0) {
      absolute = new Estimate(diff, diff, diff, diff == 0 ? 1.0 : 0.0);
    } else {
      double df = (at + ac) * (at + ac) / (at * at / (nt - 1) + ac * ac / (nc - 1));
      TDistribution t = new TDistribution(null, df);
      double q = t.inverseCumulativeProbability((1 + confidence) / 2);
      double p = 2 * t.cumulativeProbability(-Math.abs(diff / se));
      absolute = new Estimate(diff, diff - q * se, diff + q * se, p);
    }

    Estimate relative;
    if (mt > 0 && mc > 0) {
      double logRatio = Math.log(mt / mc);
      double logSe = Math.sqrt(vt / (nt * mt * mt) + vc / (nc * mc * mc));
      relative =
          new Estimate(
              mt / mc - 1,
              Math.expm1(logRatio - z * logSe),
              Math.expm1(logRatio + z * logSe),
              absolute.pValue());
    } else {
      relative =
          new Estimate(
              mc != 0 ? mt / mc - 1 : Double.NaN, Double.NaN, Double.NaN, absolute.pValue());
    }
    double mde =
        (z + STANDARD_NORMAL.inverseCumulativeProbability(power))
            * Math.sqrt(vc * (1 / nt + 1 / nc));
    return new Comparison(mt, mc, absolute, relative, mde);
  }

  /**
   * Sample-ratio mismatch: the p-value of the 1-df chi-square goodness-of-fit statistic of control
   * against total·share and treated (total − control) against total·(1 − share).
   */
  public static double sampleRatioPValue(long control, long total, double controlShare) {
    requireCount("total", total, 1);
    if (control < 0 || control > total) {
      throw new IllegalArgumentException(
          "control must be between 0 and total = " + total + ", was " + control);
    }
    if (!(controlShare > 0 && controlShare < 1)) {
      throw new IllegalArgumentException("controlShare must be in (0, 1), was " + controlShare);
    }
    double expectedControl = total * controlShare;
    double expectedTreated = total * (1 - controlShare);
    double dc = control - expectedControl;
    double dt = (total - control) - expectedTreated;
    double chiSquare = dc * dc / expectedControl + dt * dt / expectedTreated;
    return chiSquareUpperTail(chiSquare);
  }

  /**
   * P(χ²₁ &gt; x). {@link ChiSquaredDistribution} only offers the CDF, and 1 − CDF loses every
   * digit below 1e-16, so this takes the upper regularized gamma function Q(1/2, x/2), the
   * complement the CDF is built on.
   */
  private static double chiSquareUpperTail(double x) {
    return Gamma.regularizedGammaQ(0.5, x / 2);
  }

  /** z₁₋α/₂ for α = 1 − confidence. */
  private static double twoSidedZ(double confidence) {
    return STANDARD_NORMAL.inverseCumulativeProbability((1 + confidence) / 2);
  }

  /** 2·Φ(−|z|), accurate in the far tail. */
  private static double twoSidedNormalP(double z) {
    return 2 * STANDARD_NORMAL.cumulativeProbability(-Math.abs(z));
  }

  private static void requireProbability(String name, double value) {
    if (!(value > 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), was " + value);
    }
  }

  private static void requireCount(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
    }
  }

  private static void requireBuyers(String name, long buyers, String nName, long n) {
    if (buyers < 0 || buyers > n) {
      throw new IllegalArgumentException(
          name + " must be between 0 and " + nName + " = " + n + ", was " + buyers);
    }
  }

  private static void requireGroup(String name, Group group) {
    if (group == null) {
      throw new IllegalArgumentException(name + " group must not be null");
    }
    if (group.n() < 2) {
      throw new IllegalArgumentException(
          name + " group needs n >= 2 for a variance, was n = " + group.n());
    }
  }
}

package io.segpipe.btyd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Hypergeometric#hyp2f1} against closed forms and against the plain series summed in
 * 50-digit {@link BigDecimal} arithmetic over the range BG/NBD data produce: a = r + x, b = b0 + x,
 * c = a0 + b0 + x − 1 for r ∈ {0.05, 0.25, 2}, a0 ∈ {0.3, 0.8, 3}, b0 ∈ {0.5, 2.5, 10}, x ∈ {0, 1,
 * 5, 30, 150, 400} and z ∈ {0, 0.1, 0.5, 0.9, 0.97, 0.99} (points with c &lt;= 0 skipped); the
 * value reaches e^1900, so the comparison is on ln 2F1 with the relative error of 2F1 itself (|Δ
 * ln| &lt;= 1e-8).
 */
class HypergeometricTest {

  private static final double[] Z = {0.0, 0.1, 0.5, 0.9, 0.97, 0.99};

  @Test
  void closedForms() {
    for (double z : new double[] {1e-6, 0.1, 0.5, 0.9, 0.99, 0.999}) {
      assertRelative(
          -Math.log1p(-z) / z, Hypergeometric.hyp2f1(1, 1, 2, z), 1e-12, "2F1(1,1;2;" + z + ")");
      for (double a : new double[] {0.05, 1.5, 7}) {
        for (double b : new double[] {0.3, 2, 40}) {
          assertRelative(
              Math.pow(1 - z, -a),
              Hypergeometric.hyp2f1(a, b, b, z),
              1e-11,
              "2F1(" + a + "," + b + ";" + b + ";" + z + ")");
        }
      }
      double w = Math.sqrt(z);
      double atanh = 0.5 * Math.log((1 + w) / (1 - w));
      assertRelative(
          atanh / w, Hypergeometric.hyp2f1(0.5, 1, 1.5, z), 1e-11, "2F1(1/2,1;3/2;" + z + ")");
    }
    // (1-z)^-a far beyond the double range: only the logarithm is representable.
    assertRelative(
        -400.25 * Math.log1p(-0.99),
        Hypergeometric.logHyp2f1(400.25, 410.5, 410.5, 0.99),
        1e-12,
        "ln 2F1(400.25,410.5;410.5;0.99)");
    assertEquals(1.0, Hypergeometric.hyp2f1(3, 4, 5, 0.0));
  }

  @Test
  void agreesWithBigDecimalSeriesOverTheBgNbdRange() {
    List<double[]> points = new ArrayList<>();
    for (double r : new double[] {0.05, 0.25, 2}) {
      for (double b0 : new double[] {0.5, 2.5, 10}) {
        for (int x : new int[] {0, 1, 5, 30, 150, 400}) {
          for (double a0 : new double[] {0.3, 0.8, 3}) {
            double c = a0 + b0 + x - 1;
            if (c <= 0) {
              continue;
            }
            for (double z : Z) {
              points.add(new double[] {r + x, b0 + x, c, z});
            }
          }
        }
      }
    }
    // Independent points: parallel only to spread the BigDecimal work over the cores.
    List<String> failures =
        points.parallelStream()
            .map(
                p -> {
                  double expected = logSeriesBigDecimal(p[0], p[1], p[2], p[3]);
                  double actual = Hypergeometric.logHyp2f1(p[0], p[1], p[2], p[3]);
                  return Math.abs(actual - expected) <= 1e-8
                      ? null
                      : "a="
                          + p[0]
                          + " b="
                          + p[1]
                          + " c="
                          + p[2]
                          + " z="
                          + p[3]
                          + ": ln expected "
                          + expected
                          + ", got "
                          + actual;
                })
            .filter(s -> s != null)
            .toList();
    assertTrue(points.size() > 800, "grid has " + points.size() + " points");
    assertTrue(failures.isEmpty(), failures.size() + " points off by more than 1e-8: " + failures);
    // Where 2F1 is representable, the double result itself has the relative error.
    assertRelative(
        Math.exp(logSeriesBigDecimal(5.25, 7.5, 10.8, 0.97)),
        Hypergeometric.hyp2f1(5.25, 7.5, 10.8, 0.97),
        1e-8,
        "2F1(5.25,7.5;10.8;0.97)");
  }

  @Test
  void rejectsArgumentsOutsideItsDomain() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(1, 2, -0.5, 0.5));
    assertTrue(e.getMessage().contains("c=-0.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(1, 2, 3, 1.0));
    assertThrows(IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(1, 2, 3, -0.1));
    assertThrows(IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(0, 2, 3, 0.1));
    assertThrows(
        IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(Double.NaN, 2, 3, 0.1));
  }

  @Test
  void namesTheArgumentsWhenTheSeriesDoesNotConverge() {
    // 2F1(1,1;1;z) = Σ z^k needs ~4e10 terms at z = 1 - 1e-9, far beyond the cap.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Hypergeometric.hyp2f1(1, 1, 1, 1 - 1e-9));
    assertTrue(
        e.getMessage().contains("did not converge")
            && e.getMessage().contains("a=1.0, b=1.0, c=1.0"),
        e.getMessage());
  }

  /**
   * ln of Σ (a)_k (b)_k/((c)_k k!) z^k in 50-digit decimals, summed until a term is below 1e-30 of
   * the sum.
   */
  static double logSeriesBigDecimal(double a, double b, double c, double z) {
    MathContext mc = new MathContext(50);
    BigDecimal ba = new BigDecimal(a);
    BigDecimal bb = new BigDecimal(b);
    BigDecimal bc = new BigDecimal(c);
    BigDecimal bz = new BigDecimal(z);
    BigDecimal term = BigDecimal.ONE;
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal tiny = new BigDecimal("1e-30");
    for (int k = 0; ; k++) {
      BigDecimal bk = BigDecimal.valueOf(k);
      BigDecimal numerator = ba.add(bk).multiply(bb.add(bk), mc).multiply(bz, mc);
      BigDecimal denominator = bc.add(bk).multiply(bk.add(BigDecimal.ONE), mc);
      boolean shrinking = numerator.compareTo(denominator) < 0;
      term = term.multiply(numerator, mc).divide(denominator, mc);
      sum = sum.add(term, mc);
      if (term.signum() == 0 || (shrinking && term.compareTo(sum.multiply(tiny, mc)) < 0)) {
        break;
      }
    }
    // ln(sum) = ln(mantissa) + exponent·ln 10, so values past the double range work too.
    int exponent = sum.precision() - sum.scale() - 1;
    BigDecimal mantissa = sum.movePointLeft(exponent);
    return Math.log(mantissa.doubleValue()) + exponent * Math.log(10);
  }

  static void assertRelative(double expected, double actual, double tolerance, String what) {
    double error = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        error <= tolerance,
        what + ": expected " + expected + ", got " + actual + " (relative error " + error + ")");
  }
}

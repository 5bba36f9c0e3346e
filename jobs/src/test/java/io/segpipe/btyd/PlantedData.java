package io.segpipe.btyd;

import java.util.List;

/**
 * The planted-truth data set the tests share (computed once per JVM): 50,000 customers simulated
 * under BG/NBD r = 0.25, α = 4, a = 0.8, b = 2.5 (weeks) and Gamma-Gamma p = 6, q = 4, γ = 15,
 * everyone starting at week 0, calibration 52 weeks, and the two fits.
 */
final class PlantedData {
  static final BgNbdParams TRANSACTIONS = new BgNbdParams(0.25, 4, 0.8, 2.5);
  static final GammaGammaParams SPEND = new GammaGammaParams(6, 4, 15);
  static final double CALIBRATION = 52;
  static final int CUSTOMERS = 50_000;
  static final long SEED = 20_050_101L;

  static final List<BtydSimulator.Customer> CUSTOMER_LIST =
      new BtydSimulator(TRANSACTIONS, SPEND, CALIBRATION, 0, 0).simulate(CUSTOMERS, SEED);

  /** One row per customer, in simulation order. */
  static final BtydData RAW = BtydSimulator.toBtydData(CUSTOMER_LIST, CALIBRATION);

  static final BtydData AGGREGATED = RAW.aggregate();
  static final GammaGammaData REPEAT = BtydSimulator.toGammaGammaData(CUSTOMER_LIST, CALIBRATION);
  static final FitResult BG_NBD_FIT = BgNbd.fit(AGGREGATED);
  static final FitResult GAMMA_GAMMA_FIT = GammaGamma.fit(REPEAT);

  private PlantedData() {}

  /** "name fitted se planted z" lines for quoting. */
  static String table(String title, FitResult fit, double[] planted) {
    StringBuilder s =
        new StringBuilder(title)
            .append('\n')
            .append(
                String.format(
                    "%-6s %12s %12s %10s %7s%n", "param", "fitted", "se", "planted", "z"));
    for (int i = 0; i < planted.length; i++) {
      String name = fit.names().get(i);
      s.append(
          String.format(
              "%-6s %12.6f %12.6f %10.4f %7.2f%n",
              name,
              fit.value(name),
              fit.se(name),
              planted[i],
              (fit.value(name) - planted[i]) / fit.se(name)));
    }
    return s.toString();
  }
}

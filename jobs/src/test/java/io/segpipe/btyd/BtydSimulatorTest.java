package io.segpipe.btyd;

import static io.segpipe.btyd.HypergeometricTest.assertRelative;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator: deterministic per seed, reduces to the model's summaries, and follows the model's
 * laws.
 */
class BtydSimulatorTest {

  private static final BtydSimulator SIMULATOR =
      new BtydSimulator(PlantedData.TRANSACTIONS, PlantedData.SPEND, 52, 26, 30);

  @Test
  void sameSeedSameCustomers() {
    List<BtydSimulator.Customer> first = SIMULATOR.simulate(500, 42);
    List<BtydSimulator.Customer> second = SIMULATOR.simulate(500, 42);
    for (int i = 0; i < first.size(); i++) {
      assertArrayEquals(first.get(i).purchaseTimes(), second.get(i).purchaseTimes());
      assertArrayEquals(first.get(i).values(), second.get(i).values());
      assertEquals(first.get(i).lambda(), second.get(i).lambda());
    }
    assertNotEquals(first.get(0).lambda(), SIMULATOR.simulate(500, 43).get(0).lambda());
  }

  @Test
  void reducesToCalibrationSummaries() {
    BtydSimulator.Customer c =
        new BtydSimulator.Customer(
            10, new double[] {10, 15, 30, 60}, new double[] {1, 2, 3, 4}, 0.1, 0.2, 0.3);
    BtydData data = BtydSimulator.toBtydData(List.of(c), 40);
    assertEquals(2, data.x(0));
    assertEquals(20.0, data.tx(0));
    assertEquals(30.0, data.tCal(0));
    GammaGammaData spend = BtydSimulator.toGammaGammaData(List.of(c), 40);
    assertEquals(2, spend.x(0));
    assertEquals(2.5, spend.m(0));
    assertEquals(1, c.purchasesBetween(40, 66));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BtydSimulator.toGammaGammaData(
                List.of(new BtydSimulator.Customer(0, new double[] {0}, new double[] {5}, 1, 1, 1)),
                40));
  }

  /**
   * Under BG/NBD nobody drops out before the first repeat purchase, so P(X(t) = 0) = (α/(α+t))^r;
   * and a transaction's value has mean E[p/ν] = p·γ/(q−1). The 50,000 planted customers must match
   * both within four standard errors.
   */
  @Test
  void followsTheModelsLaws() {
    List<BtydSimulator.Customer> customers = PlantedData.CUSTOMER_LIST;
    BgNbdParams t = PlantedData.TRANSACTIONS;
    int n = customers.size();
    int none = 0;
    double sum = 0;
    double sumSquares = 0;
    for (BtydSimulator.Customer c : customers) {
      none += c.purchasesUpTo(52) == 1 ? 1 : 0;
      double first = c.values()[0];
      sum += first;
      sumSquares += first * first;
      assertEquals(0.0, c.start());
    }
    double p0 = Math.pow(t.alpha() / (t.alpha() + 52), t.r());
    double fraction = (double) none / n;
    assertTrue(
        Math.abs(fraction - p0) < 4 * Math.sqrt(p0 * (1 - p0) / n),
        "P(X(52)=0) " + fraction + " vs " + p0);
    double mean = sum / n;
    double se = Math.sqrt((sumSquares / n - mean * mean) / n);
    GammaGammaParams g = PlantedData.SPEND;
    double expected = g.p() * g.gamma() / (g.q() - 1);
    assertTrue(
        Math.abs(mean - expected) < 4 * se,
        "mean value " + mean + " vs " + expected + " (se " + se + ")");
    assertRelative(expected, GammaGamma.expectedValue(g, 0, 0), 1e-15, "population mean");
  }

  @Test
  void spreadsFirstPurchasesOverTheCohortWindow() {
    for (BtydSimulator.Customer c : SIMULATOR.simulate(2_000, 9)) {
      assertTrue(c.start() >= 0 && c.start() <= 30);
      double[] times = c.purchaseTimes();
      assertEquals(c.start(), times[0]);
      for (int i = 1; i < times.length; i++) {
        assertTrue(times[i] > times[i - 1] && times[i] <= 78);
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new BtydSimulator(PlantedData.TRANSACTIONS, PlantedData.SPEND, 52, -1, 0));
  }
}

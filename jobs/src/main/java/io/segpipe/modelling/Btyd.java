package io.segpipe.modelling;

import io.segpipe.btyd.BgNbd;
import io.segpipe.btyd.BgNbdParams;
import io.segpipe.btyd.BtydData;
import io.segpipe.btyd.FitNotConverged;
import io.segpipe.btyd.FitOptions;
import io.segpipe.btyd.FitResult;
import io.segpipe.btyd.GammaGamma;
import io.segpipe.btyd.GammaGammaData;
import io.segpipe.common.UserError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job's door to the statistics in {@code io.segpipe.jobs.clv.model}: one fitted BG/NBD model's
 * scores, and the two fits turned into {@link ParameterFit}s (or a {@link UserError} that says what
 * went wrong).
 */
public final class Btyd {
  private final BgNbdParams params;

  public Btyd(double r, double alpha, double a, double b) {
    this.params = new BgNbdParams(r, alpha, a, b);
  }

  /** P(alive | x, t_x, T). */
  public double pAlive(int x, double tx, double tCal) {
    return BgNbd.probabilityAlive(params, x, tx, tCal);
  }

  /** E[Y(t) | x, t_x, T]: expected transactions in the next t. */
  public double expectedPurchases(double t, int x, double tx, double tCal) {
    return BgNbd.expectedTransactions(params, x, tx, tCal, t);
  }

  /**
   * Σ over the horizon's months of the expected transactions in month m, discounted by (1 +
   * rate)^m.
   */
  public double discountedPurchases(
      int x, double tx, double tCal, double horizon, double month, double monthlyRate) {
    return BgNbd.clv(params, x, tx, tCal, 1.0, horizon, month, monthlyRate);
  }

  /** E[X(t)]: expected repeat transactions of a new customer in the t after the first purchase. */
  public double expectedSinceFirstPurchase(double t) {
    return BgNbd.expectedTransactionsNew(params, t);
  }

  static ParameterFit fitBgNbd(ClvData data, int maxIterations) {
    double[] tx = new double[data.triples()];
    double[] tCal = new double[data.triples()];
    for (int i = 0; i < tx.length; i++) {
      tx[i] = data.tx(i);
      tCal[i] = data.tCal(i);
    }
    try {
      return of(BgNbd.fit(new BtydData(data.x(), tx, tCal, data.count()), options(maxIterations)));
    } catch (FitNotConverged e) {
      throw new UserError(
          "The BG/NBD fit did not converge: "
              + e.getMessage()
              + ". Raise segpipe.clv.max-iterations,"
              + " or check the data (a very short history or very few repeat customers can leave the likelihood flat).",
          e);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new UserError("The BG/NBD fit failed: " + e.getMessage(), e);
    }
  }

  static ParameterFit fitGammaGamma(int[] x, double[] m, int maxIterations) {
    try {
      return of(GammaGamma.fit(GammaGammaData.of(x, m), options(maxIterations)));
    } catch (FitNotConverged e) {
      throw new UserError(
          "The Gamma-Gamma fit did not converge: "
              + e.getMessage()
              + ". Raise"
              + " segpipe.clv.max-iterations, or check the purchase amounts.",
          e);
    } catch (IllegalStateException e) {
      throw new UserError(
          "The Gamma-Gamma fit failed: "
              + e.getMessage()
              + ". The repeat customers' mean transaction"
              + " values vary too much (a very heavy right tail) for the model to have an average. Look at the customers with"
              + " the largest mean_repeat_value (wholesale buyers, data errors); more customers or a longer history"
              + " (segpipe.clv.history-days = 0) usually give q > 1.",
          e);
    } catch (IllegalArgumentException e) {
      throw new UserError("The Gamma-Gamma fit failed: " + e.getMessage(), e);
    }
  }

  static double pearson(int[] x, double[] m) {
    return GammaGamma.pearson(x, m);
  }

  private static FitOptions options(int maxIterations) {
    FitOptions d = FitOptions.DEFAULTS;
    return new FitOptions(maxIterations, d.maxEvaluations(), d.tolerance(), d.decrementTolerance());
  }

  private static ParameterFit of(FitResult fit) {
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, Double> se = new LinkedHashMap<>();
    Map<String, Double> low = new LinkedHashMap<>();
    Map<String, Double> high = new LinkedHashMap<>();
    values.putAll(fit.values());
    if (fit.converged()) { // at the boundary there is no interior maximum and no standard error
      fit.standardErrors().forEach((k, v) -> se.put(k, ParameterFit.reported(v)));
      for (String name : fit.names()) {
        low.put(name, ParameterFit.reported(fit.lower95(name)));
        high.put(name, ParameterFit.reported(fit.upper95(name)));
      }
    }
    return new ParameterFit(
        values, se, low, high, fit.logLikelihood(), fit.iterations(), !fit.converged());
  }
}

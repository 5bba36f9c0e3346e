package io.segpipe.jobs.evaluate;

import io.segpipe.common.config.ConfigReader;
import java.time.LocalDate;

/**
 * What one evaluate run needs: the as-of date, whether running campaigns are looked at,
 * segpipe.evaluate.
 */
public record EvaluateSettings(
    LocalDate asOf,
    boolean includeRunning,
    double confidence,
    double power,
    double sampleRatioAlpha) {
  private static final String PREFIX = "segpipe.evaluate.";

  public static EvaluateSettings read(ConfigReader r, LocalDate asOf, boolean includeRunning) {
    double confidence =
        r.number(PREFIX + "confidence", c -> c > 0.5 && c < 1, "a level in (0.5, 1), e.g. 0.95");
    double power =
        r.number(PREFIX + "power", p -> p > 0 && p < 1, "a probability in (0, 1), e.g. 0.8");
    double alpha =
        r.number(
            PREFIX + "sample-ratio-alpha",
            a -> a > 0 && a < 0.5,
            "a significance level in (0, 0.5), e.g. 0.001");
    return new EvaluateSettings(asOf, includeRunning, confidence, power, alpha);
  }
}

package io.segpipe.common.test;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a tool, a data set). Missing on a developer's machine, the
 * test is skipped with the reason; under CI=true it fails instead, so CI never passes by skipping.
 */
public final class Required {
  private Required() {}

  /** Skips (or under CI=true fails) with {@code why} unless {@code present}. */
  public static void that(boolean present, String why) {
    if (present) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      Assertions.fail(why + " (CI=true: a missing requirement fails the test)");
    }
    Assumptions.abort(why);
  }
}

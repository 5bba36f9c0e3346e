package io.segpipe.common.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time each phase of a run took, logged when the next phase starts ("train: churn: label 4
 * cut-offs took 12.3 s"), so a slow run shows where its time went without the Spark UI.
 */
public final class PhaseTimer {
  private static final Logger LOG = LoggerFactory.getLogger(PhaseTimer.class);
  private final String job;
  private String current;
  private long startedNanos;

  public PhaseTimer(String job) {
    this.job = job;
  }

  /** Ends the current phase (logging its time) and starts {@code description}. */
  public synchronized void next(String description) {
    long now = System.nanoTime();
    if (current != null) {
      LOG.info("{}: {} took {} s", job, current, String.format("%.1f", (now - startedNanos) / 1e9));
    }
    current = description;
    startedNanos = now;
  }

  /** Ends the current phase, logging its time. */
  public synchronized void finish() {
    next(null);
  }
}

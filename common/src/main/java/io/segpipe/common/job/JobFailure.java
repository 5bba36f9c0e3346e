package io.segpipe.common.job;

import io.segpipe.common.UserError;

/**
 * A user-fixable failure that still has counts worth recording in run_metrics (e.g. too many bad
 * rows).
 */
public final class JobFailure extends UserError {
  private final JobOutcome outcome;

  public JobFailure(String message, JobOutcome outcome) {
    super(message);
    this.outcome = outcome;
  }

  public JobOutcome outcome() {
    return outcome;
  }
}

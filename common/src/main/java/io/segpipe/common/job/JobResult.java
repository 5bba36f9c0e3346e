package io.segpipe.common.job;

import java.util.Optional;

/**
 * How one run of a job ended, for a caller in the same JVM (the pipeline): the exit code a user
 * would see, the outcome when it succeeded, and the message (secrets masked) when it failed.
 */
public record JobResult(int exitCode, Optional<JobOutcome> outcome, Optional<String> failure) {
  static JobResult succeeded(JobOutcome outcome) {
    return new JobResult(0, Optional.of(outcome), Optional.empty());
  }

  static JobResult failed(int exitCode, String message) {
    return new JobResult(exitCode, Optional.empty(), Optional.ofNullable(message));
  }

  public boolean ok() {
    return exitCode == 0;
  }
}

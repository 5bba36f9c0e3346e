package io.segpipe.common.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a finished job reports: its counts, extra details for run_metrics, and the summary line. */
public record JobOutcome(
    long rowsIn,
    long rowsOut,
    long rowsRejected,
    long rowsDuplicate,
    String summary,
    Map<String, String> details) {

  public JobOutcome {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  public static JobOutcome of(long rowsIn, long rowsOut, String summary) {
    return new JobOutcome(rowsIn, rowsOut, 0, 0, summary, Map.of());
  }
}

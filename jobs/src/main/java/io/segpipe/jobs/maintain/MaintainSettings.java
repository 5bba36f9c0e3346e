package io.segpipe.jobs.maintain;

import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import java.time.LocalDate;

/**
 * segpipe.retention: how many days of snapshots to keep (0: all) counted back from the as-of date,
 * and how long Delta keeps replaced files for time travel and for readers still on an older
 * version.
 */
record MaintainSettings(
    LocalDate asOf,
    int snapshotDays,
    int vacuumHours,
    boolean shortRetention,
    boolean rebuildDaily) {
  static final String PREFIX = "segpipe.retention.";

  /** Delta's own floor (7 days): below it a reader still on an older version can lose its files. */
  static final int DELTA_MINIMUM_HOURS = 168;

  static MaintainSettings read(
      ConfigReader r, LocalDate asOf, boolean shortRetention, boolean rebuildDaily) {
    int days =
        r.integer(
            PREFIX + "snapshot-days", d -> d >= 0, "a number of days, 0 to keep every snapshot");
    int hours = r.integer(PREFIX + "vacuum-hours", h -> h >= 0, "a number of hours, 0 or more");
    if (r.problems().isEmpty() && hours < DELTA_MINIMUM_HOURS && !shortRetention) {
      throw new UserError(
          PREFIX
              + "vacuum-hours = "
              + hours
              + " is below Delta's safety floor of "
              + DELTA_MINIMUM_HOURS
              + " hours: files replaced less than that long ago would be deleted, so time travel to"
              + " those versions ends and a query or job still reading one of them (a long report, a BI extract) can fail"
              + " half-way. If no reader can be on an older version, pass --allow-short-retention; otherwise raise it.");
    }
    return new MaintainSettings(asOf, days, hours, shortRetention, rebuildDaily);
  }

  /** The first as_of_date kept, or null when every snapshot is kept. */
  LocalDate keepFrom() {
    return snapshotDays == 0 ? null : asOf.minusDays(snapshotDays - 1L);
  }
}

package io.segpipe.jobs.forget;

import io.segpipe.audience.ExportSettings;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.privacy.Erasures;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What one forget run needs: the file of ids, how soon replaced files are vacuumed, the erasure
 * key, and where export wrote (audience folder, PostgreSQL table, the salt of pseudonymised ids),
 * and the models folder (the churn model keeps its validation customers' predictions there).
 */
record ForgetSettings(
    String customersFile,
    boolean vacuumNow,
    int vacuumHours,
    Erasures.Key key,
    ExportSettings export,
    String models) {
  /** Delta's own floor (7 days), as maintain applies it. */
  static final int DELTA_MINIMUM_HOURS = 168;

  static ForgetSettings read(
      ConfigReader r,
      String customersFile,
      boolean vacuumNow,
      UnaryOperator<String> environment,
      Messages messages) {
    Erasures.Key key = Erasures.key(r, environment);
    int hours =
        r.integer("segpipe.retention.vacuum-hours", h -> h >= 0, "a number of hours, 0 or more");
    ExportSettings export = ExportSettings.read(r, null, environment, Optional.empty(), messages);
    String models = r.string("segpipe.train.models");
    if (r.problems().isEmpty() && !vacuumNow && hours < DELTA_MINIMUM_HOURS) {
      throw new UserError(
          "segpipe.retention.vacuum-hours = "
              + hours
              + " is below Delta's safety floor of "
              + DELTA_MINIMUM_HOURS
              + " hours. To remove the forgotten customers' old files at once, pass --vacuum-now"
              + " (which says what it costs); otherwise raise it.");
    }
    key.require("forget");
    return new ForgetSettings(customersFile, vacuumNow, vacuumNow ? 0 : hours, key, export, models);
  }
}

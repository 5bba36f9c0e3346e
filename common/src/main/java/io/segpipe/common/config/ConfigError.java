package io.segpipe.common.config;

import io.segpipe.common.UserError;
import java.util.List;

/** A config that cannot be used; the message lists every problem with its key and file. */
public final class ConfigError extends UserError {
  public ConfigError(List<String> problems) {
    super(
        "The configuration has "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + ":\n  - "
            + String.join("\n  - ", problems));
  }
}

package io.segpipe.identity;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.config.SegpipeConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Identity stitching's settings ({@value IdentityTypes#KEY}): whether it is on, the identifier
 * types and blocked values, and the guardrails. Off by default: then mappings' identifiers are not
 * read, no identity job runs and every job works per source customer_id as before.
 *
 * @param maxLinks the most other identifiers one identifier may be seen with and still link
 * @param maxRounds the bound on connected-component rounds (each doubles how far labels reach)
 * @param driverMaxEdges the most edges whose connected components are found on the driver by
 *     union-find rather than in rounds of Spark jobs (0: always in rounds)
 */
public record IdentitySettings(IdentityTypes types, int maxLinks, int maxRounds, int driverMaxEdges)
    implements Serializable {

  /** The largest {@code driver-max-edges} accepted: the driver holds up to 70 bytes per edge. */
  public static final int DRIVER_MAX_EDGES_LIMIT = 50_000_000;

  public static final String ENABLED = IdentityTypes.KEY + ".enabled";

  /** Whether {@value #ENABLED} is true (false when the key is absent). */
  public static boolean enabled(SegpipeConfig config) {
    return config.raw().hasPath(ENABLED) && config.raw().getBoolean(ENABLED);
  }

  /**
   * The settings when {@value #ENABLED} is true; problems are reported on {@code reader}, and a
   * personal type without {@value IdentityTypes#KEY_ENV} in {@code environment} fails at once.
   */
  public static Optional<IdentitySettings> read(
      ConfigReader reader, Function<String, String> environment) {
    if (!reader.config().hasPath(ENABLED) || !reader.bool(ENABLED)) {
      return Optional.empty();
    }
    int maxLinks =
        reader.integer(
            IdentityTypes.KEY + ".max-links",
            v -> v >= 1,
            "at least 1: the most other identifiers one identifier may be seen with, e.g. 50");
    int maxRounds =
        reader.integer(
            IdentityTypes.KEY + ".max-rounds",
            v -> v >= 1,
            "at least 1: the bound on connected-component rounds, e.g. 60");
    int driverMaxEdges =
        reader.integer(
            IdentityTypes.KEY + ".driver-max-edges",
            v -> v >= 0 && v <= DRIVER_MAX_EDGES_LIMIT,
            "between 0 (always in rounds of Spark jobs) and "
                + DRIVER_MAX_EDGES_LIMIT
                + ": the most edges whose connected components the driver finds, e.g. 2000000");
    IdentityTypes types = IdentityTypes.read(reader, environment);
    return Optional.of(new IdentitySettings(types, maxLinks, maxRounds, driverMaxEdges));
  }

  /** Per type, the most identifiers of it one profile may hold. */
  public Map<String, Integer> caps() {
    Map<String, Integer> caps = new LinkedHashMap<>();
    types.types().values().forEach(t -> caps.put(t.name(), t.maxPerProfile()));
    return caps;
  }

  /** The settings {@link IdentityResolution} works with. */
  public IdentityResolution.Settings resolution() {
    return new IdentityResolution.Settings(maxLinks, caps(), maxRounds, driverMaxEdges);
  }
}

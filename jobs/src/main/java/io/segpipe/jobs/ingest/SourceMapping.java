package io.segpipe.jobs.ingest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.schema.Events;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one source shape maps onto the canonical event: one Spark SQL expression per canonical
 * column, the reader format and options, and source-specific rejection rules. Loaded from a HOCON
 * file: a name resolves to {@code sources/<name>.conf} on the class path (conf/sources/ in the
 * repository), anything with a slash or ending in .conf is read as a file.
 *
 * <p>Every canonical column needs an expression ({@code null} where the source has none), except
 * the columns added to the events contract later ({@link Events#optionalColumns()}: {@code
 * discount_amount}): a mapping without one maps it to NULL, so mappings written before it still
 * load.
 *
 * <p>An optional {@code identifiers} section gives, per identifier type (declared in
 * segpipe.identity.types), a Spark SQL expression for the row's identifier of that type: {@code
 * identifiers { email = "lower(mail)", device_id = "cookie" }}. It is read only when identity
 * stitching is on (segpipe.identity.enabled).
 */
public record SourceMapping(
    String name,
    String origin,
    String format,
    Map<String, String> readerOptions,
    String eventIdExpression,
    IdenticalRows identicalRows,
    Map<String, String> columns,
    List<RejectRule> rejectRules,
    Map<String, String> identifiers) {

  public static final Set<String> FORMATS = Set.of("parquet", "delta", "csv", "json");

  /**
   * What to do with source rows that are identical in every column when the source has no event id.
   */
  public enum IdenticalRows {
    /**
     * Keep each as its own event (the id carries the occurrence number): the source repeats lines
     * on purpose.
     */
    KEEP,
    /** Treat repeats as duplicates of the first: same id, dropped by de-duplication and counted. */
    DROP
  }

  /**
   * A source-specific rule: rows where {@code when} (SQL over the source columns) holds are
   * quarantined.
   */
  public record RejectRule(String when, String reason) {}

  public static SourceMapping load(String nameOrFile) {
    boolean isFile = nameOrFile.contains("/") || nameOrFile.endsWith(".conf");
    Config config;
    String origin;
    try {
      if (isFile) {
        File f = new File(nameOrFile);
        if (!f.isFile()) {
          throw new UserError(
              "Source mapping file "
                  + nameOrFile
                  + " does not exist. Give a mapping name ("
                  + "generator, uci-online-retail) or the path of a mapping file like conf/sources/generator.conf.");
        }
        config =
            ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false))
                .resolve();
        origin = f.getPath();
      } else {
        String resource = "sources/" + nameOrFile + ".conf";
        if (SourceMapping.class.getClassLoader().getResource(resource) == null) {
          throw new UserError(
              "Unknown source mapping '"
                  + nameOrFile
                  + "'. Built-in mappings: generator, "
                  + "uci-online-retail; or give the path of your own mapping file (see conf/sources/).");
        }
        config =
            ConfigFactory.parseResources(SourceMapping.class.getClassLoader(), resource).resolve();
        origin = resource;
      }
    } catch (ConfigException e) {
      throw new UserError("Source mapping " + nameOrFile + " cannot be parsed: " + e.getMessage());
    }
    return from(config, origin);
  }

  static SourceMapping from(Config config, String origin) {
    ConfigReader r = new ConfigReader(config);
    String name = r.string("name");
    String format = r.string("format");
    if (!format.isEmpty() && !FORMATS.contains(format)) {
      r.problem("format", "'" + format + "' is not one of " + FORMATS);
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (config.hasPath("options")) {
      config
          .getConfig("options")
          .entrySet()
          .forEach(e -> options.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    }
    String eventId = r.optionalString("event-id");
    IdenticalRows identical = IdenticalRows.DROP;
    String identicalText = r.optionalString("identical-rows");
    if (identicalText != null) {
      try {
        identical = IdenticalRows.valueOf(identicalText.toUpperCase());
      } catch (IllegalArgumentException e) {
        r.problem("identical-rows", "'" + identicalText + "' is not keep or drop");
      }
    }
    Map<String, String> columns = new LinkedHashMap<>();
    List<String> expected = new ArrayList<>();
    for (var field : Events.MAPPED.fields()) {
      if (!field.name().equals("event_id")) {
        expected.add(field.name());
      }
    }
    for (String column : expected) {
      String key = "columns." + column;
      if (!config.hasPathOrNull(key)) {
        if (Events.optionalColumns().contains(column)) {
          columns.put(column, "NULL");
        } else {
          r.problem(
              key,
              "missing; every canonical column but "
                  + String.join(", ", Events.optionalColumns())
                  + " needs an expression (write null if the source has none)");
        }
      } else if (config.getIsNull(key)) {
        columns.put(column, "NULL");
      } else {
        columns.put(column, r.string(key));
      }
    }
    if (config.hasPath("columns")) {
      for (String key : config.getConfig("columns").root().keySet()) {
        if (!expected.contains(key)) {
          r.problem(
              "columns." + key,
              "is not a canonical column; expected one of "
                  + expected
                  + (key.equals("event_id")
                      ? " (the event id goes in the top-level key event-id)"
                      : ""));
        }
      }
    }
    List<RejectRule> rules = new ArrayList<>();
    if (config.hasPath("reject")) {
      for (Config rule : config.getConfigList("reject")) {
        rules.add(new RejectRule(rule.getString("when"), rule.getString("reason")));
      }
    }
    Map<String, String> identifiers = new LinkedHashMap<>();
    if (config.hasPath("identifiers")) {
      try {
        config
            .getConfig("identifiers")
            .root()
            .keySet()
            .forEach(type -> identifiers.put(type, r.string("identifiers." + type)));
      } catch (ConfigException.WrongType e) {
        r.problem("identifiers", "must be an object: identifier type = SQL expression");
      }
    }
    if (!r.problems().isEmpty()) {
      List<String> located =
          r.problems().stream().map(p -> "mapping " + origin + ": " + p).toList();
      throw new ConfigError(located);
    }
    return new SourceMapping(
        name,
        origin,
        format,
        Map.copyOf(options),
        eventId,
        identical,
        columns,
        List.copyOf(rules),
        identifiers);
  }
}

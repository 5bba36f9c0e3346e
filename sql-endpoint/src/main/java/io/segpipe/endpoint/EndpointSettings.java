package io.segpipe.endpoint;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.ConfigReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The segpipe.sql-endpoint section, checked before Spark starts: where to listen and who may connect.
 * A server bound to anything but a loopback address needs authentication.
 */
record EndpointSettings(String host, int port, String database, Optional<String> user, String passwordVariable,
    List<String> tables) {
  private static final String PREFIX = "segpipe.sql-endpoint.";
  /** HiveServer2 takes its address from this variable before its configuration. */
  static final String BIND_HOST_VARIABLE = "HIVE_SERVER2_THRIFT_BIND_HOST";

  static EndpointSettings read(ConfigReader r, JobArguments arguments, UnaryOperator<String> environment) {
    String host = arguments.option("host").orElse(r.string(PREFIX + "host"));
    int port = arguments.option("port").map(p -> parsePort(p)).orElse(
        r.integer(PREFIX + "port", p -> p >= 1 && p <= 65535, "a TCP port between 1 and 65535"));
    String database = arguments.option("database").orElse(r.string(PREFIX + "database"));
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      r.problem(PREFIX + "database", "'" + database + "' is not a database name (letters, digits, _)");
    }
    String authentication = r.string(PREFIX + "authentication");
    String user = r.string(PREFIX + "user");
    String variable = r.string(PREFIX + "password-env");
    List<String> tables = r.nonEmptyStrings(PREFIX + "tables");
    tables.stream().filter(t -> !t.matches("[A-Za-z_][A-Za-z0-9_]*")).findFirst().ifPresent(t ->
        r.problem(PREFIX + "tables", "'" + t + "' is not a table name (letters, digits, _)"));
    if (!authentication.equals("none") && !authentication.equals("password")) {
      r.problem(PREFIX + "authentication", "'" + authentication + "' is not one of none, password");
    }
    if (!r.problems().isEmpty()) {
      return null;
    }
    boolean password = authentication.equals("password");
    // Hive binds every interface for an empty host (Java resolves "" to loopback, so the check below
    // would pass), and its environment variable wins over the host segpipe checked.
    String fromEnvironment = environment.apply(BIND_HOST_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.equals(host)) {
      throw new UserError("The environment variable " + BIND_HOST_VARIABLE + " is set to '" + fromEnvironment
          + "', and HiveServer2 would listen there instead of on " + PREFIX + "host '" + host + "', which segpipe"
          + " checked. Unset it (unset " + BIND_HOST_VARIABLE + ") and choose the address with --host or "
          + PREFIX + "host.");
    }
    if (host.isBlank()) {
      throw new UserError("The address to listen on (" + PREFIX + "host or --host) is empty, which makes HiveServer2"
          + " listen on every interface. Give an address: 127.0.0.1 (the default) for this machine only.");
    }
    if (!password && !loopback(host)) {
      throw new UserError("Refusing to listen on " + host + " without authentication: anyone who can reach it"
          + " could read every table. Listen on 127.0.0.1 (the default), or set " + PREFIX + "authentication ="
          + " password and put the password in the environment variable named by " + PREFIX + "password-env.");
    }
    if (password) {
      if (user.isBlank()) {
        throw new UserError(PREFIX + "user is empty; name the user BI tools connect as.");
      }
      String value = variable.isBlank() ? null : environment.apply(variable);
      if (value == null || value.isEmpty()) {
        throw new UserError("Password authentication is on but the environment variable "
            + (variable.isBlank() ? "(" + PREFIX + "password-env is empty)" : variable)
            + " holding the password is not set. Set it before starting the endpoint.");
      }
    }
    return new EndpointSettings(host, port, database, password ? Optional.of(user) : Optional.empty(), variable,
        tables);
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UserError("--port must be a TCP port between 1 and 65535, got '" + value + "'.");
  }

  static boolean loopback(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      for (InetAddress a : addresses) {
        if (!a.isLoopbackAddress() || a.isAnyLocalAddress()) {
          return false;
        }
      }
      return addresses.length > 0;
    } catch (UnknownHostException e) {
      throw new UserError("Cannot resolve the address to listen on, '" + host + "': " + e.getMessage());
    }
  }
}

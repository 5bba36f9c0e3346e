package io.segpipe.endpoint;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.secret.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The segpipe.sql-endpoint section, checked before Spark starts: where to listen, who may connect
 * and whether over TLS. A server bound to anything but a loopback address needs both password
 * authentication and TLS.
 */
record EndpointSettings(
    String host,
    int port,
    String database,
    Optional<String> user,
    String passwordVariable,
    Optional<Tls> tls,
    List<String> tables) {
  private static final String PREFIX = "segpipe.sql-endpoint.";

  /** HiveServer2 takes its address from this variable before its configuration. */
  static final String BIND_HOST_VARIABLE = "HIVE_SERVER2_THRIFT_BIND_HOST";

  /**
   * TLS on: the keystore (an absolute path; it was opened with its password while reading the
   * settings) and the names of the environment variables it came from. The password itself is not
   * kept here, so that no toString can print it: {@link #password} reads it from the environment
   * again.
   */
  record Tls(String keystore, String keystoreVariable, String passwordVariable) {
    String password(UnaryOperator<String> environment) {
      return environment.apply(passwordVariable);
    }
  }

  static EndpointSettings read(
      ConfigReader r, JobArguments arguments, UnaryOperator<String> environment) {
    String host = arguments.option("host").orElse(r.string(PREFIX + "host"));
    int port =
        arguments
            .option("port")
            .map(p -> parsePort(p))
            .orElse(
                r.integer(
                    PREFIX + "port", p -> p >= 1 && p <= 65535, "a TCP port between 1 and 65535"));
    String database = arguments.option("database").orElse(r.string(PREFIX + "database"));
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      r.problem(
          PREFIX + "database", "'" + database + "' is not a database name (letters, digits, _)");
    }
    String authentication = r.string(PREFIX + "authentication");
    String user = r.string(PREFIX + "user");
    String variable = r.string(PREFIX + "password-env");
    boolean tls = r.bool(PREFIX + "tls");
    String keystoreVariable = r.string(PREFIX + "keystore-env");
    String keystorePasswordVariable = r.string(PREFIX + "keystore-password-env");
    List<String> tables = r.nonEmptyStrings(PREFIX + "tables");
    tables.stream()
        .filter(t -> !t.matches("[A-Za-z_][A-Za-z0-9_]*"))
        .findFirst()
        .ifPresent(
            t ->
                r.problem(
                    PREFIX + "tables", "'" + t + "' is not a table name (letters, digits, _)"));
    if (!authentication.equals("none") && !authentication.equals("password")) {
      r.problem(PREFIX + "authentication", "'" + authentication + "' is not one of none, password");
    }
    if (!r.problems().isEmpty()) {
      return null;
    }
    boolean password = authentication.equals("password");
    // Hive binds every interface for an empty host (Java resolves "" to loopback, so the check
    // below
    // would pass), and its environment variable wins over the host segpipe checked.
    String fromEnvironment = environment.apply(BIND_HOST_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.equals(host)) {
      throw new UserError(
          "The environment variable "
              + BIND_HOST_VARIABLE
              + " is set to '"
              + fromEnvironment
              + "', and HiveServer2 would listen there instead of on "
              + PREFIX
              + "host '"
              + host
              + "', which segpipe"
              + " checked. Unset it (unset "
              + BIND_HOST_VARIABLE
              + ") and choose the address with --host or "
              + PREFIX
              + "host.");
    }
    if (host.isBlank()) {
      throw new UserError(
          "The address to listen on ("
              + PREFIX
              + "host or --host) is empty, which makes HiveServer2"
              + " listen on every interface. Give an address: 127.0.0.1 (the default) for this machine only.");
    }
    if ((!password || !tls) && !loopback(host)) {
      List<String> missing = new ArrayList<>();
      List<String> why = new ArrayList<>();
      List<String> set = new ArrayList<>();
      if (!password) {
        missing.add("authentication");
        why.add("anyone who can reach it could read every table");
        set.add(
            PREFIX
                + "authentication = password (the password in the environment variable named by "
                + PREFIX
                + "password-env, "
                + orNone(variable)
                + ")");
      }
      if (!tls) {
        missing.add("TLS");
        why.add(
            (password ? "the password and every result" : "every result")
                + " would cross the network in clear text");
        set.add(
            PREFIX
                + "tls = true (the keystore's path and password in the environment variables named by "
                + PREFIX
                + "keystore-env and "
                + PREFIX
                + "keystore-password-env, "
                + orNone(keystoreVariable)
                + " and "
                + orNone(keystorePasswordVariable)
                + ")");
      }
      throw new UserError(
          "Refusing to listen on "
              + host
              + " without "
              + String.join(" and ", missing)
              + ": "
              + String.join(", and ", why)
              + ". Listen on 127.0.0.1 (the default), or set "
              + String.join(" and ", set)
              + ".");
    }
    if (password) {
      if (user.isBlank()) {
        throw new UserError(PREFIX + "user is empty; name the user BI tools connect as.");
      }
      Secrets.register(
          required(
              environment,
              variable,
              PREFIX + "password-env",
              "Password authentication is on",
              "the password"));
    }
    Optional<Tls> keystore =
        tls
            ? Optional.of(openKeystore(environment, keystoreVariable, keystorePasswordVariable))
            : Optional.empty();
    return new EndpointSettings(
        host,
        port,
        database,
        password ? Optional.of(user) : Optional.empty(),
        variable,
        keystore,
        tables);
  }

  /**
   * The keystore named by the environment, opened as HiveServer2 will open it: Thrift loads it as a
   * "JKS" keystore (which on Java 9 and later reads PKCS12 files too) and opens every key in it
   * with the keystore's password.
   */
  private static Tls openKeystore(
      UnaryOperator<String> environment, String pathVariable, String passwordVariable) {
    String path =
        required(
            environment,
            pathVariable,
            PREFIX + "keystore-env",
            "TLS is on",
            "the path of the keystore (JKS or PKCS12) with the endpoint's key and certificate");
    String password =
        required(
            environment,
            passwordVariable,
            PREFIX + "keystore-password-env",
            "TLS is on",
            "the keystore's password");
    Secrets.register(password);
    Path file;
    try {
      file = Path.of(path).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new UserError(
          "The keystore path in "
              + pathVariable
              + ", '"
              + path
              + "', is not a path: "
              + e.getMessage());
    }
    String named = "The keystore " + file + " (from the environment variable " + pathVariable + ")";
    if (!Files.isRegularFile(file)) {
      throw new UserError(
          named
              + " does not exist or is not a file. Set "
              + pathVariable
              + " to the keystore"
              + " holding the endpoint's key and certificate (see README, \"BI tools over JDBC\").");
    }
    if (!Files.isReadable(file)) {
      throw new UserError(
          named + " is not readable by this user. Let the user the endpoint runs as read it.");
    }
    char[] secret = password.toCharArray();
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("JKS");
      store.load(in, secret);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new UserError(
            named
                + " does not open with the password in "
                + passwordVariable
                + ": the password is wrong (or the file is damaged). Set "
                + passwordVariable
                + " to the keystore's password.");
      }
      throw new UserError(
          named
              + " is not a JKS or PKCS12 keystore, or is damaged: "
              + Secrets.redact(String.valueOf(e.getMessage()))
              + ". Make one with keytool -genkeypair (see README).");
    } catch (GeneralSecurityException e) {
      throw new UserError(
          named
              + " cannot be read as a keystore: "
              + Secrets.redact(String.valueOf(e.getMessage())));
    }
    try {
      List<String> keys = new ArrayList<>();
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          keys.add(alias);
          try {
            store.getKey(alias, secret);
          } catch (UnrecoverableKeyException e) {
            throw new UserError(
                named
                    + " opens with the password in "
                    + passwordVariable
                    + ", but its key '"
                    + alias
                    + "' has another password. HiveServer2 opens keys with the keystore's password: give the key"
                    + " the same one (keytool -keypasswd -alias "
                    + alias
                    + " -keystore "
                    + file
                    + ").");
          }
        }
      }
      if (keys.isEmpty()) {
        throw new UserError(
            named
                + " holds no private key, only certificates (is it a trust store?). The endpoint"
                + " needs its own key and certificate: make them with keytool -genkeypair (see README).");
      }
    } catch (GeneralSecurityException e) {
      throw new UserError(
          named
              + " cannot be read as a keystore: "
              + Secrets.redact(String.valueOf(e.getMessage())));
    }
    return new Tls(file.toString(), pathVariable, passwordVariable);
  }

  /**
   * The non-empty value of the environment variable named by {@code key}, or a UserError saying
   * what to set.
   */
  private static String required(
      UnaryOperator<String> environment,
      String variable,
      String key,
      String because,
      String holding) {
    String value = variable.isBlank() ? null : environment.apply(variable);
    if (value == null || value.isEmpty()) {
      throw new UserError(
          because
              + " but the environment variable "
              + (variable.isBlank() ? "(" + key + " is empty)" : variable)
              + " holding "
              + holding
              + " is not set. Set it before starting the endpoint.");
    }
    return value;
  }

  private static String orNone(String variable) {
    return variable.isBlank() ? "(not named)" : variable;
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
      throw new UserError(
          "Cannot resolve the address to listen on, '" + host + "': " + e.getMessage());
    }
  }
}

package io.segpipe.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.secret.Secrets;
import io.segpipe.common.test.TestFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The address, authentication and TLS checks, without starting anything: what would be bound is
 * what was checked, and a keystore that HiveServer2 could not open is refused before Spark starts.
 * The keystores are made with keytool.
 */
class EndpointSettingsTest {
  private static final String TLS = "segpipe.sql-endpoint.tls=true";
  private static final String PASSWORD_AUTHENTICATION =
      "segpipe.sql-endpoint.authentication=password";
  private static final String KEYSTORE_PASSWORD = "keystore-secret-4711";
  private static final String SQL_PASSWORD = "sql-secret-0815";
  private static Path folder;
  private static Path keystore;

  @BeforeAll
  static void keystores() throws Exception {
    folder = TestFolders.folder("segpipe-endpoint-keystores");
    keystore = TestKeystores.keystore(folder, KEYSTORE_PASSWORD);
  }

  /**
   * The environment of an endpoint with the keystore and both passwords, plus {@code more} (a null
   * value unsets).
   */
  private static Map<String, String> environment(String... more) {
    Map<String, String> environment =
        new HashMap<>(
            Map.of(
                "SEGPIPE_SQL_KEYSTORE",
                keystore.toString(),
                "SEGPIPE_SQL_KEYSTORE_PASSWORD",
                KEYSTORE_PASSWORD,
                "SEGPIPE_SQL_PASSWORD",
                SQL_PASSWORD));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] == null) {
        environment.remove(more[i]);
      } else {
        environment.put(more[i], more[i + 1]);
      }
    }
    return environment;
  }

  private static EndpointSettings read(Map<String, String> environment, String... argv) {
    JobArguments arguments = JobArguments.parse("sql-endpoint", argv, SqlEndpoint.OPTIONS);
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), arguments.overrides());
    return config.section(r -> EndpointSettings.read(r, arguments, environment::get));
  }

  private static String refusal(Map<String, String> environment, String... argv) {
    return assertThrows(UserError.class, () -> read(environment, argv)).getMessage();
  }

  @Test
  void loopbackWithoutAuthenticationIsAllowed() {
    assertEquals("127.0.0.1", read(Map.of()).host());
    assertEquals("localhost", read(Map.of(), "--host", "localhost").host());
    assertEquals(
        "127.0.0.1",
        read(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", "127.0.0.1")).host(),
        "the variable may name the same address");
  }

  @Test
  void anEmptyHostIsRefusedThoughJavaResolvesItToLoopback() {
    String m = refusal(Map.of(), "--conf", "segpipe.sql-endpoint.host=\"\"");
    assertTrue(m.contains("is empty") && m.contains("every interface"), m);
    m = refusal(Map.of(), "--host", "");
    assertTrue(m.contains("is empty"), m);
  }

  /**
   * Beyond loopback (a wildcard, or another machine's address) both a password and TLS are needed.
   */
  @Test
  void beyondLoopbackBothAuthenticationAndTlsAreRequired() {
    for (String host : new String[] {"0.0.0.0", "::", "0:0:0:0:0:0:0:0", "192.0.2.10"}) {
      String m = refusal(Map.of(), "--host", host);
      assertTrue(
          m.startsWith("Refusing to listen on " + host + " without authentication and TLS:"), m);
      assertTrue(
          m.contains("segpipe.sql-endpoint.authentication = password")
              && m.contains("SEGPIPE_SQL_PASSWORD")
              && m.contains("segpipe.sql-endpoint.tls = true")
              && m.contains("SEGPIPE_SQL_KEYSTORE and" + " SEGPIPE_SQL_KEYSTORE_PASSWORD")
              && m.contains("Listen on 127.0.0.1"),
          m);

      m = refusal(environment(), "--host", host, "--conf", PASSWORD_AUTHENTICATION);
      assertTrue(
          m.startsWith(
              "Refusing to listen on "
                  + host
                  + " without TLS: the password and every result would"
                  + " cross the network in clear text."),
          m);
      assertTrue(
          m.contains("set segpipe.sql-endpoint.tls = true")
              && m.contains("SEGPIPE_SQL_KEYSTORE_PASSWORD"),
          m);
      assertFalse(m.contains("authentication = password"), "only what is missing: " + m);

      m = refusal(environment(), "--host", host, "--conf", TLS);
      assertTrue(
          m.startsWith(
              "Refusing to listen on "
                  + host
                  + " without authentication: anyone who can reach it"
                  + " could read every table."),
          m);
      assertTrue(m.contains("set segpipe.sql-endpoint.authentication = password"), m);
      assertFalse(m.contains("tls = true"), "only what is missing: " + m);

      EndpointSettings both =
          read(environment(), "--host", host, "--conf", PASSWORD_AUTHENTICATION, "--conf", TLS);
      assertEquals(host, both.host());
      assertEquals(Optional.of("segpipe"), both.user());
      assertEquals(keystore.toString(), both.tls().orElseThrow().keystore());
    }
  }

  @Test
  void tlsIsOffByDefaultAndOnLoopbackNeedsNoPassword() {
    assertEquals(Optional.empty(), read(Map.of()).tls());
    EndpointSettings tls = read(environment(), "--conf", TLS);
    assertEquals(Optional.empty(), tls.user());
    assertEquals(
        new EndpointSettings.Tls(
            keystore.toString(), "SEGPIPE_SQL_KEYSTORE", "SEGPIPE_SQL_KEYSTORE_PASSWORD"),
        tls.tls().orElseThrow());
    assertEquals(KEYSTORE_PASSWORD, tls.tls().orElseThrow().password(environment()::get));
    assertFalse(
        tls.toString().contains(KEYSTORE_PASSWORD),
        "the settings do not hold the password: " + tls);
  }

  /**
   * A relative keystore path is resolved against the working directory, and the server is given it
   * absolute.
   */
  @Test
  void aRelativeKeystorePathIsMadeAbsolute() {
    Path relative = Path.of("").toAbsolutePath().relativize(keystore);
    EndpointSettings tls =
        read(environment("SEGPIPE_SQL_KEYSTORE", relative.toString()), "--conf", TLS);
    assertEquals(keystore.toString(), tls.tls().orElseThrow().keystore());
  }

  @Test
  void tlsNeedsBothVariables() {
    String m = refusal(environment("SEGPIPE_SQL_KEYSTORE", null), "--conf", TLS);
    assertEquals(
        "TLS is on but the environment variable SEGPIPE_SQL_KEYSTORE holding the path of the keystore (JKS or"
            + " PKCS12) with the endpoint's key and certificate is not set. Set it before starting the endpoint.",
        m);
    m = refusal(environment("SEGPIPE_SQL_KEYSTORE_PASSWORD", null), "--conf", TLS);
    assertEquals(
        "TLS is on but the environment variable SEGPIPE_SQL_KEYSTORE_PASSWORD holding the keystore's"
            + " password is not set. Set it before starting the endpoint.",
        m);
    m = refusal(environment("SEGPIPE_SQL_KEYSTORE_PASSWORD", ""), "--conf", TLS);
    assertTrue(
        m.contains("SEGPIPE_SQL_KEYSTORE_PASSWORD holding the keystore's password is not set"), m);
    m = refusal(environment(), "--conf", TLS, "--conf", "segpipe.sql-endpoint.keystore-env=\"\"");
    assertTrue(m.contains("(segpipe.sql-endpoint.keystore-env is empty)"), m);
    m =
        refusal(
            environment("MY_STORE", keystore.toString()),
            "--conf",
            TLS,
            "--conf",
            "segpipe.sql-endpoint.keystore-env=MY_STORE",
            "--conf",
            "segpipe.sql-endpoint.keystore-password-env=MY_PASS");
    assertTrue(
        m.contains("environment variable MY_PASS holding the keystore's password is not set"), m);
  }

  @Test
  void aMissingKeystoreIsRefused() {
    Path missing = folder.resolve("no-such-keystore.p12");
    String m = refusal(environment("SEGPIPE_SQL_KEYSTORE", missing.toString()), "--conf", TLS);
    assertEquals(
        "The keystore "
            + missing
            + " (from the environment variable SEGPIPE_SQL_KEYSTORE) does not exist or"
            + " is not a file. Set SEGPIPE_SQL_KEYSTORE to the keystore holding the endpoint's key and certificate (see"
            + " README, \"BI tools over JDBC\").",
        m);
    m = refusal(environment("SEGPIPE_SQL_KEYSTORE", folder.toString()), "--conf", TLS);
    assertTrue(
        m.contains(
            folder
                + " (from the environment variable SEGPIPE_SQL_KEYSTORE) does not exist or is not a"
                + " file"),
        "a folder is not a keystore: " + m);
  }

  /**
   * The message names the variable, never the password (neither the wrong one nor the right one).
   */
  @Test
  void aWrongKeystorePasswordIsRefused() {
    String wrong = "not-the-keystore-password";
    String m = refusal(environment("SEGPIPE_SQL_KEYSTORE_PASSWORD", wrong), "--conf", TLS);
    assertEquals(
        "The keystore "
            + keystore
            + " (from the environment variable SEGPIPE_SQL_KEYSTORE) does not open with"
            + " the password in SEGPIPE_SQL_KEYSTORE_PASSWORD: the password is wrong (or the file is damaged). Set"
            + " SEGPIPE_SQL_KEYSTORE_PASSWORD to the keystore's password.",
        m);
    assertFalse(m.contains(wrong) || m.contains(KEYSTORE_PASSWORD), m);
  }

  @Test
  void aFileThatIsNotAKeystoreIsRefused() throws Exception {
    Path text =
        Files.writeString(
            folder.resolve("not-a-keystore.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n");
    String m = refusal(environment("SEGPIPE_SQL_KEYSTORE", text.toString()), "--conf", TLS);
    assertTrue(
        m.startsWith(
            "The keystore "
                + text
                + " (from the environment variable SEGPIPE_SQL_KEYSTORE) is not a"
                + " JKS or PKCS12 keystore, or is damaged:"),
        m);
    assertFalse(m.contains(KEYSTORE_PASSWORD), m);
  }

  /**
   * A trust store (certificates only) or a key under another password would fail only at the first
   * connection.
   */
  @Test
  void aKeystoreHiveServer2CannotServeFromIsRefused() throws Exception {
    Path trust = TestKeystores.trustStore(keystore, KEYSTORE_PASSWORD, "trust-store-password");
    String m =
        refusal(
            environment(
                "SEGPIPE_SQL_KEYSTORE",
                trust.toString(),
                "SEGPIPE_SQL_KEYSTORE_PASSWORD",
                "trust-store-password"),
            "--conf",
            TLS);
    assertTrue(
        m.contains(
            trust
                + " (from the environment variable SEGPIPE_SQL_KEYSTORE) holds no private key, only"
                + " certificates (is it a trust store?)"),
        m);

    Path jks =
        TestKeystores.jksWithOtherKeyPassword(folder, "jks-store-password", "jks-key-password");
    m =
        refusal(
            environment(
                "SEGPIPE_SQL_KEYSTORE",
                jks.toString(),
                "SEGPIPE_SQL_KEYSTORE_PASSWORD",
                "jks-store-password"),
            "--conf",
            TLS);
    assertTrue(
        m.contains(
            jks
                + " (from the environment variable SEGPIPE_SQL_KEYSTORE) opens with the password in"
                + " SEGPIPE_SQL_KEYSTORE_PASSWORD, but its key 'segpipe' has another password."),
        m);
    assertFalse(m.contains("jks-store-password") || m.contains("jks-key-password"), m);
  }

  /** Both passwords read from the environment are masked wherever segpipe prints a message. */
  @Test
  void thePasswordsAreRegisteredAsSecrets() {
    read(environment(), "--conf", TLS, "--conf", PASSWORD_AUTHENTICATION);
    assertEquals(
        "keystore " + Secrets.MASK + ", user " + Secrets.MASK,
        Secrets.redact("keystore " + KEYSTORE_PASSWORD + ", user " + SQL_PASSWORD));
  }

  @Test
  void theBindHostVariableMustAgreeWithTheCheckedHost() {
    String m = refusal(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", "0.0.0.0"));
    assertTrue(
        m.contains("HIVE_SERVER2_THRIFT_BIND_HOST") && m.contains("0.0.0.0") && m.contains("unset"),
        m);
    m = refusal(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", ""));
    assertTrue(m.contains("HIVE_SERVER2_THRIFT_BIND_HOST"), m);
  }
}

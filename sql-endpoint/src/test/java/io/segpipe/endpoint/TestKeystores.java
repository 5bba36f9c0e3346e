package io.segpipe.endpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keystores made at test time with the JDK's keytool, the way the README tells an operator to make
 * them. There is no fallback: without keytool (every JDK has it) the tests that need it fail.
 */
final class TestKeystores {
  static final String ALIAS = "segpipe";

  private TestKeystores() {}

  /**
   * A PKCS12 keystore with a new self-signed RSA key pair for 127.0.0.1, key and store under one
   * password.
   */
  static Path keystore(Path folder, String password) throws Exception {
    Path file = folder.resolve("endpoint-keystore.p12");
    keytool(
        "-genkeypair",
        "-alias",
        ALIAS,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        file.toString(),
        "-storepass",
        password,
        "-keypass",
        password);
    return file;
  }

  /**
   * A JKS keystore whose key has a password other than the store's (which HiveServer2 cannot use).
   */
  static Path jksWithOtherKeyPassword(Path folder, String storePassword, String keyPassword)
      throws Exception {
    Path file = folder.resolve("endpoint-keystore.jks");
    keytool(
        "-genkeypair",
        "-alias",
        ALIAS,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "JKS",
        "-keystore",
        file.toString(),
        "-storepass",
        storePassword,
        "-keypass",
        keyPassword);
    return file;
  }

  /**
   * What a client is given: a PKCS12 trust store holding only the keystore's certificate (exported,
   * then imported), no private key.
   */
  static Path trustStore(Path keystore, String keystorePassword, String password) throws Exception {
    Path certificate = keystore.resolveSibling("endpoint-certificate.pem");
    Path file = keystore.resolveSibling("endpoint-truststore.p12");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        ALIAS,
        "-keystore",
        keystore.toString(),
        "-storepass",
        keystorePassword,
        "-file",
        certificate.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        ALIAS,
        "-file",
        certificate.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        file.toString(),
        "-storepass",
        password);
    return file;
  }

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(keytool)) {
      throw new IllegalStateException(
          "The JDK's keytool is not at "
              + keytool
              + "; these tests need it to make"
              + " a keystore.");
    }
    List<String> command = new ArrayList<>(List.of(keytool.toString()));
    command.addAll(List.of(arguments));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "keytool " + arguments[0] + " did not finish in 120 s: " + output);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "keytool " + arguments[0] + " failed (exit " + p.exitValue() + "): " + output);
    }
  }
}

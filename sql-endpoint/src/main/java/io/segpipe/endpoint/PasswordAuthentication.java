package io.segpipe.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2's CUSTOM authentication for segpipe.sql-endpoint.authentication = password: one user,
 * its password read from the environment variable the endpoint names, compared in constant time.
 * The server creates it by class name; the user and variable name come as system properties.
 */
public final class PasswordAuthentication implements PasswdAuthenticationProvider {
  static final String USER_PROPERTY = "segpipe.sql-endpoint.user";
  static final String VARIABLE_PROPERTY = "segpipe.sql-endpoint.password-env";

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    String expectedUser = System.getProperty(USER_PROPERTY);
    String variable = System.getProperty(VARIABLE_PROPERTY);
    String expectedPassword = variable == null ? null : System.getenv(variable);
    if (expectedUser == null || expectedPassword == null || expectedPassword.isEmpty()) {
      throw new AuthenticationException("the endpoint has no password configured");
    }
    boolean userMatches = MessageDigest.isEqual(bytes(expectedUser), bytes(user));
    boolean passwordMatches = MessageDigest.isEqual(bytes(expectedPassword), bytes(password));
    if (!userMatches || !passwordMatches) {
      throw new AuthenticationException("wrong user name or password");
    }
  }

  private static byte[] bytes(String s) {
    return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
  }
}

package io.segpipe.jobs.export;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.spark.sql.api.java.UDF1;

/**
 * customer_id to pseudonym: the lower-case hex SHA-256 of salt + customer_id (UTF-8). The same salt
 * gives the same pseudonym in every export, so a marketing tool can follow a customer without the id.
 * As a UDF the salt travels in the task closure and never appears in a query plan or the Spark UI.
 */
final class Pseudonyms implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  private final String salt;

  Pseudonyms(String salt) {
    this.salt = salt;
  }

  static String of(String salt, String customerId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest((salt + customerId).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public String call(String customerId) {
    return customerId == null ? null : of(salt, customerId);
  }

  @Override
  public String toString() {
    return "Pseudonyms[salt hidden]";
  }
}

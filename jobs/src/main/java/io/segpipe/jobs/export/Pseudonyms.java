package io.segpipe.jobs.export;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * customer_id to pseudonym: the lower-case hex HMAC-SHA256 of the customer_id (UTF-8) keyed with the
 * salt (UTF-8). The same salt gives the same pseudonym in every export, so a marketing tool can follow a
 * customer without the id; unlike a plain hash of salt + id, a keyed MAC gives nothing away about the
 * key from known pairs. As a UDF the salt travels in the task closure and never appears in a query plan
 * or the Spark UI.
 */
final class Pseudonyms implements UDF1<String, String> {
  /** The scheme, as manifests record it: pseudonyms of another scheme or salt never match these. */
  static final String SCHEME = "hmac-sha256";
  private static final long serialVersionUID = 2L;
  private final String salt;
  private transient Mac mac;

  Pseudonyms(String salt) {
    this.salt = salt;
  }

  static String of(String salt, String customerId) {
    return HexFormat.of().formatHex(mac(salt).doFinal(customerId.getBytes(StandardCharsets.UTF_8)));
  }

  private static Mac mac(String salt) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no HmacSHA256", e);
    }
  }

  @Override
  public String call(String customerId) {
    if (customerId == null) {
      return null;
    }
    if (mac == null) {
      mac = mac(salt);
    }
    return HexFormat.of().formatHex(mac.doFinal(customerId.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String toString() {
    return "Pseudonyms[salt hidden]";
  }
}

package io.segpipe.common.secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * A value to the lower-case hex HMAC-SHA256 of its UTF-8 bytes, keyed with a secret (UTF-8). The
 * same key gives the same hash in every run; unlike a plain hash of key + value, a keyed MAC gives
 * nothing away about the key from known pairs. As a UDF the key travels in the task closure and
 * never appears in a query plan, a log or the Spark UI.
 */
public final class KeyedHash implements UDF1<String, String> {
  private static final long serialVersionUID = 1L;
  private final String key;
  private transient Mac mac;

  public KeyedHash(String key) {
    this.key = key;
  }

  /** The hash of one value, on the driver. */
  public static String of(String key, String value) {
    return new KeyedHash(key).call(value);
  }

  @Override
  public String call(String value) {
    if (value == null) {
      return null;
    }
    if (mac == null) {
      try {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("this JVM has no HmacSHA256", e);
      }
    }
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String toString() {
    return "KeyedHash[key hidden]";
  }
}

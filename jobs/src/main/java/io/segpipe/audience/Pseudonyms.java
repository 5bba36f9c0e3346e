package io.segpipe.audience;

import io.segpipe.common.secret.KeyedHash;

/**
 * customer_id to pseudonym: the lower-case hex HMAC-SHA256 of the customer_id keyed with the salt
 * ({@link KeyedHash}). The same salt gives the same pseudonym in every export, so a marketing tool
 * can follow a customer without the id.
 */
final class Pseudonyms {
  /** The scheme, as manifests record it: pseudonyms of another scheme or salt never match these. */
  static final String SCHEME = "hmac-sha256";

  private Pseudonyms() {}

  static String of(String salt, String customerId) {
    return KeyedHash.of(salt, customerId);
  }
}

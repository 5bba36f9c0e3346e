package io.segpipe.common.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Sha256Test {
  /** FIPS 180-2's examples: "abc" and the empty message. */
  @Test
  void publishedVectors() {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.hex("abc"));
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Sha256.hex(""));
  }

  /**
   * The text is hashed as UTF-8: a Chinese segment name has the digest of its UTF-8 bytes (the
   * expected value from Python's hashlib).
   */
  @Test
  void hashesUtf8() {
    String text = "重要价值客户";
    assertEquals(
        "32347dac8a14450b7bce9ca58aed38b6f8ad695353c82d6e21ab383fc4ed2dd2", Sha256.hex(text));
    assertArrayEquals(
        Sha256.digest().digest(text.getBytes(StandardCharsets.UTF_8)), Sha256.of(text));
  }
}

package io.segpipe.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.identity.Normaliser.Normalised;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Identifier types from config: normal forms, refusals with reasons, keyed hashes, bad config. */
class IdentityTypesTest {
  private static final String KEY = "k".repeat(IdentityTypes.MIN_KEY_LENGTH);

  private static final String TYPES =
      """
      segpipe.identity {
        types {
          email     { normalise = email, personal = true,  max-per-profile = 3 }
          phone     { normalise = phone, personal = true,  max-per-profile = 3, default-country-code = "44" }
          device_id { normalise = trim,  personal = false, max-per-profile = 10 }
          loyalty_id { normalise = upper, personal = false, max-per-profile = 2 }
        }
        blocked = [ "email: NoReply@Example.com ", "device_id:store-tablet-1" ]
      }
      """;

  private static IdentityTypes read(String hocon, String key) {
    ConfigReader reader = new ConfigReader(ConfigFactory.parseString(hocon));
    IdentityTypes types = IdentityTypes.read(reader, Map.of(IdentityTypes.KEY_ENV, key)::get);
    assertEquals(List.of(), reader.problems());
    return types;
  }

  private static List<String> problems(String hocon) {
    ConfigReader reader = new ConfigReader(ConfigFactory.parseString(hocon));
    IdentityTypes.read(reader, Map.of(IdentityTypes.KEY_ENV, KEY)::get);
    return reader.problems();
  }

  private static String value(Normaliser n, String raw, String country) {
    Normalised out = n.apply(raw, country);
    assertTrue(out.ok(), raw + ": " + out.reason());
    return out.value();
  }

  private static String reason(Normaliser n, String raw, String country) {
    Normalised out = n.apply(raw, country);
    assertFalse(out.ok(), raw + " gave " + out.value());
    assertNull(out.value());
    return out.reason();
  }

  @Test
  void emailsAreTrimmedAndLowerCased() {
    assertEquals(
        "ann.lee@example.co.uk", value(Normaliser.EMAIL, "  Ann.Lee@Example.CO.uk ", null));
    assertTrue(reason(Normaliser.EMAIL, "ann.example.com", null).contains("not an email"));
    assertTrue(reason(Normaliser.EMAIL, "ann@localhost", null).contains("not an email"));
    assertTrue(reason(Normaliser.EMAIL, "ann lee@example.com", null).contains("not an email"));
    assertTrue(reason(Normaliser.EMAIL, "a@b@example.com", null).contains("not an email"));
  }

  @Test
  void phoneNumbersBecomeDigitsWithTheirCountryCode() {
    for (String raw :
        List.of("+44 20 7946 0958", "0044 20 7946 0958", "020 7946 0958", "(020) 7946-0958")) {
      assertEquals("+442079460958", value(Normaliser.PHONE, raw, "44"), raw);
    }
    assertEquals("+8613812345678", value(Normaliser.PHONE, "+86 138 1234 5678", "44"));
    assertTrue(reason(Normaliser.PHONE, "020 7946 0958", null).contains("no default-country-code"));
    assertTrue(reason(Normaliser.PHONE, "7946 0958", "44").contains("neither a country code"));
    assertTrue(reason(Normaliser.PHONE, "+44 12", "44").contains("8 to 15"));
    assertTrue(reason(Normaliser.PHONE, "+44 20 7946 0958 0000 00", "44").contains("8 to 15"));
    assertTrue(reason(Normaliser.PHONE, "call 020 7946", "44").contains("not a phone number"));
  }

  @Test
  void otherIdentifiersAreTrimmedOrUpperCased() {
    assertEquals("dev-AbC", value(Normaliser.TRIM, " dev-AbC\t", null));
    assertEquals("LC-0042", value(Normaliser.UPPER, " lc-0042 ", null));
    assertEquals("the value is empty", reason(Normaliser.TRIM, "   ", null));
  }

  /** RFC 4231, test case 2: the HMAC-SHA256 of "what do ya want for nothing?" under "Jefe". */
  @Test
  void theHashIsHmacSha256() {
    assertEquals(
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        IdentityTypes.hmac(
            "Jefe".getBytes(StandardCharsets.UTF_8), "what do ya want for nothing?"));
  }

  @Test
  void personalIdentifiersAreStoredOnlyAsKeyedHashes() {
    IdentityTypes types = read(TYPES, KEY);
    String email = types.identifier("email", " Ann@Example.com").value();
    assertEquals(
        IdentityTypes.hmac(KEY.getBytes(StandardCharsets.UTF_8), "email:ann@example.com"), email);
    assertTrue(email.matches("[0-9a-f]{64}"), email);
    assertEquals(email, types.identifier("email", "ANN@example.COM ").value(), "one identifier");
    assertNotEquals(
        email,
        read(TYPES, "z".repeat(IdentityTypes.MIN_KEY_LENGTH))
            .identifier("email", "ann@example.com")
            .value(),
        "another key gives another hash");
    assertEquals(
        types.identifier("phone", "020 7946 0958").value(),
        types.identifier("phone", "+44 20 7946 0958").value());
    // not personal: the normal form itself
    assertEquals("dev-1", types.identifier("device_id", " dev-1 ").value());
    assertEquals("LC-7", types.identifier("loyalty_id", "lc-7").value());
  }

  @Test
  void undeclaredTypesAndBadValuesAreRefusedWithTheReasonAndBlockedValuesListedStored() {
    IdentityTypes types = read(TYPES, KEY);
    assertEquals(
        "identifier type 'cookie' is not declared in segpipe.identity.types [device_id, email,"
            + " loyalty_id, phone]",
        types.identifier("cookie", "c1").reason());
    assertTrue(
        types.identifier("email", "not-an-email").reason().startsWith("email: 'not-an-email'"));
    // blocked values are stored like any other (events keep them); linking leaves them out
    assertEquals(
        Set.of(
            "email:" + types.identifier("email", "noreply@example.com").value(),
            "device_id:store-tablet-1"),
        types.blockedIdentifiers());
    assertEquals(
        IdentityTypes.hmac(KEY.getBytes(StandardCharsets.UTF_8), "email:noreply@example.com"),
        types.identifier("email", " NoReply@example.com").value());
    assertEquals("email is null", types.identifier("email", null).reason());
  }

  @Test
  void badConfigSaysWhatToWrite() {
    List<String> problems =
        problems(
            """
            segpipe.identity {
              types {
                email { normalise = mail, personal = true, max-per-profile = 3 }
                device_id { normalise = trim, personal = false, max-per-profile = 0 }
                phone { normalise = phone, personal = true, max-per-profile = 2, default-country-code = "+44" }
                card { normalise = upper, max-per-profile = 1, colour = red }
                Cookie { normalise = trim, personal = false, max-per-profile = 1 }
              }
              blocked = [ "fax:123", "phone:12" ]
            }
            """);
    String all = String.join("\n", problems);
    for (String expected :
        List.of(
            "segpipe.identity.types.email.normalise",
            "must be one of email, phone, trim, upper",
            "segpipe.identity.types.device_id.max-per-profile",
            "must be at least 1",
            "default-country-code",
            "1 to 3 digits without +",
            "segpipe.identity.types.card.personal",
            "segpipe.identity.types.card.colour",
            "segpipe.identity.types.Cookie",
            "'fax:123' must be TYPE:VALUE with a declared type",
            "'phone:12'")) {
      assertTrue(all.contains(expected), expected + " in:\n" + all);
    }
    assertTrue(
        problems("segpipe.identity { }").get(0).contains("declare at least one identifier type"));
  }

  @Test
  void personalTypesNeedAKeyFromTheEnvironment() {
    ConfigReader reader = new ConfigReader(ConfigFactory.parseString(TYPES));
    UserError missing =
        assertThrows(UserError.class, () -> IdentityTypes.read(reader, name -> null));
    assertTrue(
        missing.getMessage().contains("SEGPIPE_IDENTITY_KEY is not set"), missing.getMessage());
    assertTrue(missing.getMessage().contains("never change it"), missing.getMessage());
    UserError shortKey =
        assertThrows(
            UserError.class,
            () ->
                IdentityTypes.read(
                    new ConfigReader(ConfigFactory.parseString(TYPES)), name -> "short"));
    assertTrue(shortKey.getMessage().contains("shorter than 32"), shortKey.getMessage());
    // no personal type: no key needed
    ConfigReader plain =
        new ConfigReader(
            ConfigFactory.parseString(
                "segpipe.identity.types.device_id { normalise = trim, personal = false,"
                    + " max-per-profile = 5 }"));
    assertEquals("d", IdentityTypes.read(plain, name -> null).identifier("device_id", "d").value());
  }
}

package io.segpipe.identity;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How an identifier's raw value becomes the one form it is compared in, so that "Ann@Example.com "
 * and "ann@example.com" are one identifier. A value that cannot be normalised is refused with the
 * reason (the row is then quarantined with it), never guessed at.
 */
public enum Normaliser {
  /** Trimmed and lower-cased; one @, a dot in the domain, no spaces. */
  EMAIL("email") {
    @Override
    Normalised apply(String raw, String countryCode) {
      String v = raw.trim().toLowerCase(Locale.ROOT);
      if (!EMAIL_SHAPE.matcher(v).matches()) {
        return Normalised.refused(
            "'" + raw.trim() + "' is not an email address (one @, a domain with a dot, no spaces)");
      }
      return Normalised.of(v);
    }
  },
  /**
   * Digits with their country code, as "+CC…" (E.164: at most 15 digits). "+CC…" and "00CC…" keep
   * theirs; a national number ("0…") gets the type's default country code in place of the 0.
   * Spaces, dots, dashes and brackets are dropped; any other character is refused.
   */
  PHONE("phone") {
    @Override
    Normalised apply(String raw, String countryCode) {
      String v = raw.trim();
      if (!PHONE_CHARACTERS.matcher(v).matches()) {
        return Normalised.refused(
            "'" + v + "' is not a phone number (digits, spaces, . - ( ) and a leading +)");
      }
      boolean plus = v.startsWith("+");
      String digits = v.replaceAll("[^0-9]", "");
      String international;
      if (plus) {
        international = digits;
      } else if (digits.startsWith("00")) {
        international = digits.substring(2);
      } else if (digits.startsWith("0") && countryCode != null) {
        international = countryCode + digits.substring(1);
      } else if (digits.startsWith("0")) {
        return Normalised.refused(
            "'" + v + "' is a national number and the phone type has no default-country-code");
      } else {
        return Normalised.refused(
            "'" + v + "' has neither a country code (+CC or 00CC) nor a national 0");
      }
      if (international.length() < 8 || international.length() > 15) {
        return Normalised.refused(
            "'"
                + v
                + "' has "
                + international.length()
                + " digits with its country code; a phone number has 8 to 15");
      }
      return Normalised.of("+" + international);
    }
  },
  /** Trimmed; case kept (device ids, cookies). */
  TRIM("trim") {
    @Override
    Normalised apply(String raw, String countryCode) {
      return nonEmpty(raw.trim());
    }
  },
  /** Trimmed and upper-cased (loyalty card numbers printed in capitals). */
  UPPER("upper") {
    @Override
    Normalised apply(String raw, String countryCode) {
      return nonEmpty(raw.trim().toUpperCase(Locale.ROOT));
    }
  };

  private static final Pattern EMAIL_SHAPE = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");
  private static final Pattern PHONE_CHARACTERS = Pattern.compile("\\+?[0-9 .()\\-]+");

  private final String code;

  Normaliser(String code) {
    this.code = code;
  }

  /** The name config uses: email, phone, trim, upper. */
  public String code() {
    return code;
  }

  /**
   * The normal form of {@code raw}, or why there is none.
   *
   * @param countryCode digits put in place of a national number's leading 0 (phone only; null when
   *     the type has none)
   */
  abstract Normalised apply(String raw, String countryCode);

  private static Normalised nonEmpty(String v) {
    return v.isEmpty() ? Normalised.refused("the value is empty") : Normalised.of(v);
  }

  /** The normaliser named {@code code}, or null. */
  static Normaliser named(String code) {
    for (Normaliser n : values()) {
      if (n.code.equals(code)) {
        return n;
      }
    }
    return null;
  }

  /** A normal form, or the reason there is none (exactly one of the two is set). */
  public record Normalised(String value, String reason) {
    static Normalised of(String value) {
      return new Normalised(value, null);
    }

    static Normalised refused(String reason) {
      return new Normalised(null, reason);
    }

    public boolean ok() {
      return value != null;
    }
  }
}

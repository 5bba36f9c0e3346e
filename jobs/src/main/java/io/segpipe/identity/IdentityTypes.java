package io.segpipe.identity;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.identity.Normaliser.Normalised;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The identifier types a source may give (config section {@value #KEY}): each with its normaliser,
 * whether it is personal data, and the most one profile may hold; and the blocked values. An
 * identifier is what a row says after normalisation: personal ones are kept only as an HMAC-SHA256
 * of "type:value" under a key from the environment variable {@value #KEY_ENV}, which must never
 * change (every stored identifier, and so every profile key, derives from it); others as the normal
 * form.
 *
 * <p>Config shape, e.g.:
 *
 * <pre>
 * types {
 *   email     { normalise = email, personal = true,  max-per-profile = 3 }
 *   phone     { normalise = phone, personal = true,  max-per-profile = 3, default-country-code = "44" }
 *   device_id { normalise = trim,  personal = false, max-per-profile = 10 }
 * }
 * blocked = [ "email:noreply@example.com" ]
 * </pre>
 */
public final class IdentityTypes implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The config section. */
  public static final String KEY = "segpipe.identity";

  /** The environment variable holding the HMAC key for personal identifiers. */
  public static final String KEY_ENV = "SEGPIPE_IDENTITY_KEY";

  /** The shortest HMAC key accepted, in characters. */
  static final int MIN_KEY_LENGTH = 32;

  private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
  private static final Pattern COUNTRY_CODE = Pattern.compile("[1-9][0-9]{0,2}");
  private static final Set<String> TYPE_KEYS =
      Set.of("normalise", "personal", "max-per-profile", "default-country-code");

  /** One declared type. */
  public record Type(
      String name, Normaliser normaliser, boolean personal, int maxPerProfile, String countryCode)
      implements Serializable {}

  private final Map<String, Type> types;
  private final Set<String> blocked;
  private final byte[] key;
  // one Mac per thread (a Mac is not thread-safe), made on first use in each JVM
  private transient ThreadLocal<Mac> mac;

  private IdentityTypes(Map<String, Type> types, Set<String> blocked, byte[] key) {
    this.types = types;
    this.blocked = blocked;
    this.key = key;
  }

  /**
   * Reads {@value #KEY}.types and .blocked; a problem is reported on {@code reader} with the key
   * and what to write. The HMAC key is read from {@code environment} when a type is personal.
   */
  public static IdentityTypes read(ConfigReader reader, Function<String, String> environment) {
    Config config = reader.config();
    Map<String, Type> types = new LinkedHashMap<>();
    String typesKey = KEY + ".types";
    if (!config.hasPath(typesKey)) {
      reader.problem(typesKey, "missing; declare at least one identifier type");
      return new IdentityTypes(types, Set.of(), null);
    }
    Config section;
    try {
      section = config.getConfig(typesKey);
    } catch (ConfigException.WrongType e) {
      reader.problem(typesKey, "must be an object of types, e.g. email { normalise = email, ... }");
      return new IdentityTypes(types, Set.of(), null);
    }
    for (String name : new TreeSet<>(section.root().keySet())) {
      String at = typesKey + "." + name;
      if (!TYPE_NAME.matcher(name).matches()) {
        reader.problem(at, "a type's name is lower-case letters, digits and _ (e.g. device_id)");
        continue;
      }
      Config t;
      try {
        t = section.getConfig(name);
      } catch (ConfigException.WrongType e) {
        reader.problem(at, "must be an object { normalise, personal, max-per-profile }");
        continue;
      }
      for (String k : t.root().keySet()) {
        if (!TYPE_KEYS.contains(k)) {
          reader.problem(at + "." + k, "unknown; a type has " + new TreeSet<>(TYPE_KEYS));
        }
      }
      Normaliser normaliser =
          Normaliser.named(t.hasPath("normalise") ? t.getString("normalise") : "");
      if (normaliser == null) {
        reader.problem(at + ".normalise", "must be one of email, phone, trim, upper");
      }
      int cap = t.hasPath("max-per-profile") ? t.getInt("max-per-profile") : 0;
      if (cap < 1) {
        reader.problem(
            at + ".max-per-profile",
            "must be at least 1 (the most identifiers of this type one profile may hold)");
      }
      if (!t.hasPath("personal")) {
        reader.problem(at + ".personal", "missing; true stores only a keyed hash of the value");
      }
      String country =
          t.hasPath("default-country-code") ? t.getString("default-country-code") : null;
      if (country != null && !COUNTRY_CODE.matcher(country).matches()) {
        reader.problem(at + ".default-country-code", "1 to 3 digits without + (e.g. \"44\")");
      }
      if (normaliser != null && cap >= 1 && t.hasPath("personal")) {
        types.put(name, new Type(name, normaliser, t.getBoolean("personal"), cap, country));
      }
    }
    if (types.isEmpty() && reader.problems().isEmpty()) {
      reader.problem(typesKey, "declares no identifier type");
    }
    Set<String> blocked = new TreeSet<>();
    String blockedKey = KEY + ".blocked";
    List<String> listed = config.hasPath(blockedKey) ? config.getStringList(blockedKey) : List.of();
    for (String entry : listed) {
      int colon = entry.indexOf(':');
      Type type = colon < 0 ? null : types.get(entry.substring(0, colon));
      if (type == null) {
        reader.problem(
            blockedKey,
            "'" + entry + "' must be TYPE:VALUE with a declared type " + types.keySet());
        continue;
      }
      Normalised n = type.normaliser().apply(entry.substring(colon + 1), type.countryCode());
      if (!n.ok()) {
        reader.problem(blockedKey, "'" + entry + "': " + n.reason());
        continue;
      }
      blocked.add(type.name() + ":" + n.value());
    }
    byte[] key = null;
    if (types.values().stream().anyMatch(Type::personal)) {
      String secret = environment.apply(KEY_ENV);
      if (secret == null || secret.length() < MIN_KEY_LENGTH) {
        throw new UserError(
            "personal identifier types are declared ("
                + String.join(
                    ", ", types.values().stream().filter(Type::personal).map(Type::name).toList())
                + ") but "
                + KEY_ENV
                + (secret == null
                    ? " is not set"
                    : " is shorter than " + MIN_KEY_LENGTH + " characters")
                + ". Set it to a random secret of at least "
                + MIN_KEY_LENGTH
                + " characters (e.g. openssl rand -hex 32), keep it, and never change it: every"
                + " stored identifier and profile key derives from it.");
      }
      key = secret.getBytes(StandardCharsets.UTF_8);
    }
    return new IdentityTypes(types, Set.copyOf(blocked), key);
  }

  public Map<String, Type> types() {
    return types;
  }

  /**
   * The stored form of a raw identifier of {@code type}: the normal form, hashed where the type is
   * personal; or the reason there is none (an undeclared type, a value that does not normalise).
   */
  public Normalised identifier(String type, String raw) {
    Type t = types.get(type);
    if (t == null) {
      return Normalised.refused(
          "identifier type '" + type + "' is not declared in " + KEY + ".types " + types.keySet());
    }
    if (raw == null) {
      return Normalised.refused(type + " is null");
    }
    Normalised n = t.normaliser().apply(raw, t.countryCode());
    if (!n.ok()) {
      return Normalised.refused(type + ": " + n.reason());
    }
    return Normalised.of(stored(t, n.value()));
  }

  /** The stored form of a normal form: a keyed hash where the type is personal. */
  private String stored(Type t, String normal) {
    return t.personal() ? hmac(t.name() + ":" + normal) : normal;
  }

  /**
   * The blocked values ({@value #KEY}.blocked) in their stored form, as "type:identifier": they are
   * kept on events (a value blocked later is not lost) and left out of linking.
   */
  public Set<String> blockedIdentifiers() {
    Set<String> stored = new TreeSet<>();
    for (String entry : blocked) {
      int colon = entry.indexOf(':');
      Type t = types.get(entry.substring(0, colon));
      stored.add(t.name() + ":" + stored(t, entry.substring(colon + 1)));
    }
    return stored;
  }

  private String hmac(String text) {
    if (mac == null) {
      mac = ThreadLocal.withInitial(() -> newMac(key));
    }
    return HexFormat.of().formatHex(mac.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Hex HMAC-SHA256 of {@code text} (UTF-8) under {@code key}. */
  static String hmac(byte[] key, String text) {
    return HexFormat.of().formatHex(newMac(key).doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}

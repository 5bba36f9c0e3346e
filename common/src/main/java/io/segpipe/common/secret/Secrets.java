package io.segpipe.common.secret;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what segpipe prints and stores: messages, run_metrics and the commands it
 * prints for resuming. Three things are masked: the password in a URL's user info ({@code
 * jdbc:postgresql://user:pw@host/db}), the value of any key=value pair whose key looks secret
 * ({@code password=}, {@code ...salt=}, {@code token=}, ...), and every value a job read as a
 * secret from the environment (registered with {@link #register}) wherever it appears.
 */
public final class Secrets {
  /** What a secret is replaced with. */
  public static final String MASK = "*****";

  /**
   * Names that hold secrets: in configuration keys, URL parameters and environment variable names.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i).*(secret|password|passwd|pwd|token|salt|credential|access[._-]?key|private[._-]?key|api[._-]?key).*");

  private static final Pattern USER_INFO =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^/@\\s:]*):([^/@\\s]+)@");
  private static final Pattern PAIR = Pattern.compile("([A-Za-z0-9_.\\-]+)=([^&;,\\s'\"]*)");
  private static final Set<String> REGISTERED = ConcurrentHashMap.newKeySet();

  private Secrets() {}

  /**
   * Whether a key (a config key, URL parameter or variable name) names a secret. A key ending in
   * -env or _env names the variable that holds a secret, not the secret, and is not one.
   */
  public static boolean isSecretName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return SECRET_NAME.matcher(name).matches()
        && !lower.endsWith("-env")
        && !lower.endsWith("_env");
  }

  /**
   * Remembers {@code value} (read from the environment as a secret) so that {@link #redact} masks
   * it anywhere.
   */
  public static void register(String value) {
    if (value != null && value.length() >= 4) { // shorter values would mask ordinary words
      REGISTERED.add(value);
    }
  }

  /** {@code text} with every secret it holds masked; null stays null. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String out =
        USER_INFO
            .matcher(text)
            .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    out =
        PAIR.matcher(out)
            .replaceAll(
                m ->
                    Matcher.quoteReplacement(
                        isSecretName(m.group(1)) ? m.group(1) + "=" + MASK : m.group()));
    for (String value : REGISTERED) {
      out = out.replace(value, MASK);
    }
    return out;
  }
}

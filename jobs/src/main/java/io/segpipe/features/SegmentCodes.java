package io.segpipe.features;

import io.segpipe.common.config.ConfigReader;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The codes of configured segments (the RFM map, the needs map): what a code may look like and that
 * each is given once, checked and reported the same way for every segmentation.
 */
public final class SegmentCodes {
  /** A segment's code: what the segment column holds, the same in every locale. */
  public static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]*");

  private SegmentCodes() {}

  /**
   * Reports {@code code} (read from {@code key}) unless it is empty (already reported as missing)
   * or a code; {@code column} names the label keys, {@code example} is a code of that column.
   */
  public static void check(
      ConfigReader reader, String key, String code, String column, String example) {
    if (!code.isEmpty() && !CODE.matcher(code).matches()) {
      reader.problem(
          key,
          "'"
              + code
              + "' is not a code: use lower-case ASCII letters, digits and _ (e.g. "
              + example
              + "); the display name goes in the message file as label."
              + column
              + ".<code>");
    }
  }

  /** Reports at {@code key} the codes given more than once; false if there were any. */
  public static boolean unique(ConfigReader reader, String key, List<String> codes) {
    List<String> repeated =
        codes.stream()
            .collect(Collectors.groupingBy(c -> c, Collectors.counting()))
            .entrySet()
            .stream()
            .filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    if (!repeated.isEmpty()) {
      reader.problem(key, "segment codes must be unique; repeated: " + String.join(", ", repeated));
    }
    return repeated.isEmpty();
  }
}

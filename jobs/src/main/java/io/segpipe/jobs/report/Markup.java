package io.segpipe.jobs.report;

import java.util.Locale;

/** Escaping for text from data placed in HTML or SVG, as content or as a quoted attribute value. */
final class Markup {
  private Markup() {}

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // Control characters other than tab and line breaks are not allowed in HTML text.
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A number for an SVG coordinate: at most two decimals, never in exponent form. */
  static String coordinate(double x) {
    if (!Double.isFinite(x)) {
      return "0";
    }
    long hundredths = Math.round(x * 100);
    String sign = hundredths < 0 ? "-" : "";
    long abs = Math.abs(hundredths);
    long units = abs / 100;
    long rest = abs % 100;
    return sign
        + units
        + (rest == 0 ? "" : rest % 10 == 0 ? "." + rest / 10 : "." + (rest < 10 ? "0" : "") + rest);
  }

  /**
   * An identifier fragment for element ids made from data: letters and digits kept, the rest '-'.
   */
  static String slug(String text) {
    String slug =
        text == null
            ? ""
            : text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return slug.isEmpty() ? "x" : slug;
  }
}

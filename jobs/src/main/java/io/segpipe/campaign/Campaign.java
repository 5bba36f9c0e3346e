package io.segpipe.campaign;

import io.segpipe.common.text.Sha256;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One campaign: who it is for (an audience of the customer_segments snapshot of {@code
 * snapshotDate}), when it runs ({@code windowDays} days from {@code startDate}), the share of the
 * eligible customers held out as a control group, and the metric it aims at.
 */
public record Campaign(
    String id,
    String name,
    LocalDate snapshotDate,
    Audience audience,
    LocalDate startDate,
    int windowDays,
    double controlShare,
    String metric) {

  /** A segment of one segmentation, or a SQL predicate over customer_segments. */
  public record Audience(
      Optional<String> segmentation, Optional<String> segment, Optional<String> where) {
    public static Audience segment(String segmentation, String segment) {
      return new Audience(Optional.of(segmentation), Optional.of(segment), Optional.empty());
    }

    public static Audience where(String predicate) {
      return new Audience(Optional.empty(), Optional.empty(), Optional.of(predicate));
    }

    /** The audience as a Spark SQL predicate over customer_segments. */
    public String predicate() {
      return where.orElseGet(
          () ->
              "`"
                  + segmentation.orElseThrow()
                  + "` = '"
                  + segment.orElseThrow().replace("\\", "\\\\").replace("'", "\\'")
                  + "'");
    }

    /** As stored in the campaigns table: "rfm_segment = at_risk" or "where: <predicate>". */
    public String describe() {
      return where
          .map(w -> "where: " + w)
          .orElseGet(() -> segmentation.orElseThrow() + " = " + segment.orElseThrow());
    }
  }

  /** The last day of the measurement window, included. */
  public LocalDate endDate() {
    return startDate.plusDays(windowDays - 1L);
  }

  /**
   * SHA-256 of what decides who is in which group and what is measured (not the display name): the
   * same id with another definition is a different campaign and is refused once the first was
   * exported.
   */
  public String definitionSha256() {
    return definitionSha256(
        id, snapshotDate, audience.describe(), startDate, windowDays, controlShare, metric);
  }

  /**
   * The definition hash from the fields as the campaigns table keeps them (audience as described).
   */
  public static String definitionSha256(
      String id,
      LocalDate snapshotDate,
      String audience,
      LocalDate startDate,
      int windowDays,
      double controlShare,
      String metric) {
    String text =
        String.join(
            "\n",
            id,
            snapshotDate.toString(),
            audience,
            startDate.toString(),
            String.valueOf(windowDays),
            Double.toString(controlShare),
            metric);
    return Sha256.hex(text);
  }
}

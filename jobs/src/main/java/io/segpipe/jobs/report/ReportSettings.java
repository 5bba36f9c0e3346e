package io.segpipe.jobs.report;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.i18n.Messages;
import io.segpipe.features.NeedsSegmentMap;
import io.segpipe.features.RfmSchemes;
import io.segpipe.features.RfmSegmentMap;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one report run needs: the as-of date and the segpipe.report section, checked before Spark
 * starts. The page's words are {@code messages} (segpipe.locale's message file); {@code locale}
 * writes its numbers and is the messages' locale in a run.
 */
public record ReportSettings(
    LocalDate asOf,
    String folder,
    Locale locale,
    String currency,
    List<String> activeStages,
    List<String> lifecycleStages,
    List<String> needsSegments,
    List<String> transitionSegmentations,
    List<String> trendSegmentations,
    int affinityRules,
    int churnBins,
    int topQuarantineReasons,
    int ingestRuns,
    List<SegmentAdvice> segments,
    Messages messages) {

  /**
   * What an RFM segment means and what to do with it, in the order of
   * segpipe.features.rfm.segments.
   */
  public record SegmentAdvice(String code, String name, String description, String action) {}

  static final Set<String> SEGMENTATIONS =
      Set.of("rfm_segment", "lifecycle_stage", "cluster", "value_tier", "needs_segment");

  public static ReportSettings read(
      ConfigReader r, LocalDate asOf, String currency, Messages messages) {
    String folder = r.string("segpipe.report.folder");
    if (folder.isBlank()) {
      r.problem(
          "segpipe.report.folder",
          "is empty; expected a folder such as reports (under the lake root) or an absolute path");
    }
    Locale locale = messages.locale();
    List<String> lifecycle = r.nonEmptyStrings("segpipe.report.lifecycle-stages");
    List<String> active = r.nonEmptyStrings("segpipe.report.active-stages");
    active.stream()
        .filter(s -> !lifecycle.contains(s))
        .forEach(
            s ->
                r.problem(
                    "segpipe.report.active-stages",
                    "'" + s + "' is not one of segpipe.report.lifecycle-stages " + lifecycle));
    List<String> transitions = r.nonEmptyStrings("segpipe.report.transition-segmentations");
    transitions.stream()
        .filter(s -> !SEGMENTATIONS.contains(s))
        .forEach(
            s ->
                r.problem(
                    "segpipe.report.transition-segmentations",
                    "'" + s + "' is not a segmentation; choose from " + SEGMENTATIONS));
    List<String> trends = r.nonEmptyStrings("segpipe.report.trend-segmentations");
    trends.stream()
        .filter(s -> !SEGMENTATIONS.contains(s))
        .forEach(
            s ->
                r.problem(
                    "segpipe.report.trend-segmentations",
                    "'" + s + "' is not a segmentation; choose from " + SEGMENTATIONS));
    int affinityRules =
        r.integer(
            "segpipe.report.affinity-rules",
            n -> n >= 1 && n <= 20,
            "a number of rules between 1 and 20");
    int bins =
        r.integer(
            "segpipe.report.churn-bins",
            n -> n >= 2 && n <= 50,
            "a number of bars between 2 and 50");
    int reasons =
        r.integer(
            "segpipe.report.top-quarantine-reasons", n -> n >= 1 && n <= 50, "between 1 and 50");
    int runs =
        r.integer("segpipe.report.ingest-runs", n -> n >= 1 && n <= 100, "between 1 and 100");
    List<SegmentAdvice> advice =
        advice(r, RfmSegmentMap.read(r, "segpipe.features.rfm.segments"), messages);
    // the needs-based segments in the order config lists them (the segment job checks the map)
    NeedsSegmentMap needs = NeedsSegmentMap.read(r, NeedsSegmentMap.KEY);
    return new ReportSettings(
        asOf,
        folder,
        locale,
        currency,
        active,
        lifecycle,
        needs == null ? List.of() : needs.codes(),
        transitions,
        trends,
        affinityRules,
        bins,
        reasons,
        runs,
        advice,
        messages);
  }

  /**
   * The texts of every RFM segment of the map, in its order; names each code the message file
   * lacks.
   */
  private static List<SegmentAdvice> advice(ConfigReader r, RfmSegmentMap map, Messages messages) {
    if (map == null) {
      return List.of();
    }
    List<String> codes = RfmSchemes.codes(r);
    List<String> keys = new ArrayList<>();
    codes.forEach(
        c ->
            keys.addAll(
                List.of(
                    "label.rfm_segment." + c,
                    "rfm." + c + ".description",
                    "rfm." + c + ".action")));
    List<String> missing =
        messages.missing(
            keys,
            "every RFM segment of segpipe.features.rfm.segments needs a label,"
                + " a description and an action");
    if (!missing.isEmpty()) {
      missing.forEach(m -> r.problem("segpipe.features.rfm.segments", m));
      return List.of();
    }
    return codes.stream()
        .map(
            c ->
                new SegmentAdvice(
                    c,
                    messages.label("rfm_segment", c),
                    messages.text("rfm." + c + ".description"),
                    messages.text("rfm." + c + ".action")))
        .toList();
  }
}

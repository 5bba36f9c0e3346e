package io.segpipe.jobs.report;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.jobs.features.RfmSegmentMap;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What one report run needs: the as-of date and the segpipe.report section, checked before Spark starts. */
public record ReportSettings(LocalDate asOf, String folder, Locale locale, String currency, List<String> activeStages,
    List<String> lifecycleStages, List<String> transitionSegmentations, int churnBins, int topQuarantineReasons,
    int ingestRuns, List<SegmentAdvice> segments) {

  /** What an RFM segment means and what to do with it, in the order of segpipe.features.rfm.segments. */
  public record SegmentAdvice(String name, String description, String action) {}

  static final Set<String> SEGMENTATIONS = Set.of("rfm_segment", "lifecycle_stage", "cluster", "value_tier");

  public static ReportSettings read(ConfigReader r, LocalDate asOf, String currency) {
    String folder = r.string("segpipe.report.folder");
    if (folder.isBlank()) {
      r.problem("segpipe.report.folder", "is empty; expected a folder such as reports (under the lake root) or an absolute path");
    }
    Locale locale = locale(r, r.string("segpipe.report.locale"));
    List<String> lifecycle = r.nonEmptyStrings("segpipe.report.lifecycle-stages");
    List<String> active = r.nonEmptyStrings("segpipe.report.active-stages");
    active.stream().filter(s -> !lifecycle.contains(s)).forEach(s -> r.problem("segpipe.report.active-stages",
        "'" + s + "' is not one of segpipe.report.lifecycle-stages " + lifecycle));
    List<String> transitions = r.nonEmptyStrings("segpipe.report.transition-segmentations");
    transitions.stream().filter(s -> !SEGMENTATIONS.contains(s)).forEach(s -> r.problem(
        "segpipe.report.transition-segmentations", "'" + s + "' is not a segmentation; choose from " + SEGMENTATIONS));
    int bins = r.integer("segpipe.report.churn-bins", n -> n >= 2 && n <= 50, "a number of bars between 2 and 50");
    int reasons = r.integer("segpipe.report.top-quarantine-reasons", n -> n >= 1 && n <= 50, "between 1 and 50");
    int runs = r.integer("segpipe.report.ingest-runs", n -> n >= 1 && n <= 100, "between 1 and 100");
    List<SegmentAdvice> advice = advice(r, RfmSegmentMap.read(r, "segpipe.features.rfm.segments"));
    return new ReportSettings(asOf, folder, locale, currency, active, lifecycle, transitions, bins, reasons, runs, advice);
  }

  private static Locale locale(ConfigReader r, String tag) {
    try {
      Locale locale = new Locale.Builder().setLanguageTag(tag).build();
      if (!locale.getLanguage().isEmpty()) {
        return locale;
      }
    } catch (IllformedLocaleException e) {
      // reported below
    }
    r.problem("segpipe.report.locale", "'" + tag + "' is not a language tag such as en-GB or de-DE");
    return Locale.UK;
  }

  /** The advice for every RFM segment, in the segment map's order; names each segment without one. */
  private static List<SegmentAdvice> advice(ConfigReader r, RfmSegmentMap map) {
    String key = "segpipe.report.segments";
    List<? extends Config> entries;
    try {
      entries = r.config().getConfigList(key);
    } catch (ConfigException e) {
      r.problem(key, "expected a list like { name = \"Champions\", description = \"...\", action = \"...\" }");
      return List.of();
    }
    List<SegmentAdvice> given = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      ConfigReader one = new ConfigReader(entries.get(i));
      SegmentAdvice a = new SegmentAdvice(one.string("name"), one.string("description"), one.string("action"));
      String where = key + "[" + i + "]";
      one.problems().forEach(p -> r.problems().add(where + ": " + p));
      given.add(a);
    }
    if (map == null) {
      return given;
    }
    List<String> names = map.segments().stream().map(RfmSegmentMap.Segment::name).toList();
    List<String> missing = names.stream().filter(n -> given.stream().noneMatch(a -> a.name().equals(n))).toList();
    if (!missing.isEmpty()) {
      r.problem(key, "has no description and action for the RFM segment(s) " + missing
          + " of segpipe.features.rfm.segments; add { name = \"...\", description = \"...\", action = \"...\" } for each");
    }
    List<String> unknown = given.stream().map(SegmentAdvice::name).filter(n -> !names.contains(n)).toList();
    if (!unknown.isEmpty()) {
      r.problem(key, "names " + unknown + ", which are not segments of segpipe.features.rfm.segments " + names);
    }
    return names.stream().flatMap(n -> given.stream().filter(a -> a.name().equals(n)).limit(1)).toList();
  }
}

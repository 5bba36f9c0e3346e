package io.segpipe.jobs.segment;

import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.i18n.Messages;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.features.NeedsSegmentMap;
import io.segpipe.modelling.TrainSettings;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * What one segment run needs: the as-of date, the segpipe.segment section, and the parts of the
 * features and train sections it depends on (the features window for top categories, the feature
 * lists the models must have been trained on, the models folder), all checked before Spark starts.
 *
 * @param clustersVersion pinned clusters (and cluster-rules) version; empty: the latest
 * @param churnVersion pinned churn version; empty: the latest
 * @param trendMonths calendar months segment_trends covers, ending with the as-of date's
 */
public record SegmentSettings(
    LocalDate asOf,
    Optional<String> clustersVersion,
    Optional<String> churnVersion,
    ChurnRisk churnRisk,
    int topCategories,
    int trendMonths,
    AgeBands ageBands,
    NeedsSegmentMap needs,
    FeaturesSettings features,
    TrainSettings train,
    Messages messages) {
  static final String PREFIX = "segpipe.segment.";

  /** churn_risk bands: low below mediumFrom, medium below highFrom, high from highFrom. */
  public record ChurnRisk(double mediumFrom, double highFrom) {}

  public static SegmentSettings read(
      ConfigReader r, LocalDate asOf, List<String> channels, Messages messages) {
    Optional<String> clusters = version(r, PREFIX + "clusters-version");
    Optional<String> churn = version(r, PREFIX + "churn-version");
    String probability = "a probability between 0 and 1";
    double medium = r.number(PREFIX + "churn-risk.medium-from", p -> p > 0 && p < 1, probability);
    double high = r.number(PREFIX + "churn-risk.high-from", p -> p > 0 && p < 1, probability);
    if (medium >= high) {
      r.problem(
          PREFIX + "churn-risk.high-from",
          "high-from " + high + " must be above medium-from " + medium);
    }
    int top =
        r.integer(
            PREFIX + "top-categories",
            n -> n >= 1 && n <= 50,
            "a number of categories between 1 and 50");
    int trendMonths =
        r.integer(
            PREFIX + "trend-months",
            n -> n >= 1 && n <= 120,
            "a number of months between 1 and 120");
    AgeBands ages = new AgeBands(ageEdges(r, PREFIX + "age-band-edges"));
    NeedsSegmentMap needs = NeedsSegmentMap.read(r, NeedsSegmentMap.KEY);
    if (needs != null && needs.enabled()) {
      messages
          .missing(
              needs.codes().stream().map(c -> "label.needs_segment." + c).toList(),
              "every needs-based segment needs a display label")
          .forEach(m -> r.problem(NeedsSegmentMap.KEY + ".segments", m));
    }
    FeaturesSettings features = FeaturesSettings.read(r, asOf, channels);
    TrainSettings train = TrainSettings.read(r, asOf, channels);
    return new SegmentSettings(
        asOf,
        clusters,
        churn,
        new ChurnRisk(medium, high),
        top,
        trendMonths,
        ages,
        needs,
        features,
        train,
        messages);
  }

  private static Optional<String> version(ConfigReader r, String key) {
    String version = r.string(key).trim();
    if (!version.isEmpty() && !version.matches("[A-Za-z0-9._-]+")) {
      r.problem(
          key,
          "'"
              + version
              + "' is not a model version (e.g. 2024-12-31_ab12cd34, see model_runs.version);"
              + " use \"\" for the latest");
    }
    return version.isEmpty() ? Optional.empty() : Optional.of(version);
  }

  private static List<Integer> ageEdges(ConfigReader r, String key) {
    List<Integer> edges;
    try {
      edges = List.copyOf(r.config().getIntList(key));
    } catch (ConfigException.Missing e) {
      r.problem(key, "missing; expected increasing ages such as [25, 35, 45, 55, 65]");
      return List.of(1);
    } catch (ConfigException.WrongType e) {
      r.problem(key, "expected a list of whole numbers (ages) such as [25, 35, 45, 55, 65]");
      return List.of(1);
    }
    String problem = AgeBands.problem(edges);
    if (problem != null) {
      r.problem(key, problem);
      return List.of(1);
    }
    return edges;
  }
}

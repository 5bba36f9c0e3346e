package io.segpipe.modelling;

import io.segpipe.common.config.ConfigReader;
import io.segpipe.features.FeaturesSettings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * How the churn model learns: the cut-offs (the validation cut-off as-of − horizon, and earlier
 * training cut-offs whose label windows end by it), the candidates, and the features logic at each
 * cut-off (segpipe.train.churn, with segpipe.clv for the BG/NBD baseline).
 */
public record ChurnSettings(
    LocalDate validationCutOff,
    List<LocalDate> trainingCutOffs,
    int stepDays,
    List<String> candidates,
    boolean bgnbdFeature,
    int forestTrees,
    int forestDepth,
    int gbtIterations,
    int gbtDepth,
    int minClassRows,
    List<FeaturesSettings> featuresAt,
    ClvSettings clv) {

  public static final String TREE = "tree";
  public static final String FOREST = "forest";
  public static final String GBT = "gbt";
  public static final String BGNBD = "bgnbd";
  public static final List<String> KNOWN = List.of(TREE, FOREST, GBT, BGNBD);
  private static final String KEY = "segpipe.train.churn.";

  static ChurnSettings read(ConfigReader r, LocalDate asOf, int horizon, List<String> channels) {
    int cutOffs =
        r.integer(
            KEY + "training-cut-offs",
            n -> n >= 1 && n <= 60,
            "a number of cut-offs between 1 and 60");
    int step =
        r.integer(
            KEY + "cut-off-step-days",
            d -> d >= 1 && d <= 366,
            "a number of days between 1 and 366");
    List<String> candidates = r.nonEmptyStrings(KEY + "candidates");
    candidates.stream()
        .filter(c -> !KNOWN.contains(c))
        .forEach(
            c ->
                r.problem(
                    KEY + "candidates", "'" + c + "' is not a candidate; choose from " + KNOWN));
    if (candidates.stream().distinct().count() < candidates.size()) {
      r.problem(KEY + "candidates", "lists a candidate twice");
    }
    boolean feature = r.bool(KEY + "bgnbd-feature");
    int trees =
        r.integer(
            KEY + "forest-trees", n -> n >= 1 && n <= 1000, "a number of trees between 1 and 1000");
    int forestDepth =
        r.integer(KEY + "forest-depth", d -> d >= 1 && d <= 20, "a tree depth between 1 and 20");
    int iterations =
        r.integer(
            KEY + "gbt-iterations",
            n -> n >= 1 && n <= 1000,
            "a number of rounds between 1 and 1000");
    int gbtDepth =
        r.integer(KEY + "gbt-depth", d -> d >= 1 && d <= 15, "a tree depth between 1 and 15");
    int minRows =
        r.integer(KEY + "min-class-rows", n -> n >= 1, "a number of customers, at least 1");
    LocalDate validation = asOf.minusDays(horizon);
    List<LocalDate> training = new ArrayList<>();
    for (int k = 0; k < cutOffs; k++) {
      training.add(validation.minusDays(horizon + (long) step * k));
    }
    List<FeaturesSettings> featuresAt = new ArrayList<>();
    featuresAt.add(FeaturesSettings.read(r, validation, channels));
    training.forEach(t -> featuresAt.add(FeaturesSettings.read(r, t, channels)));
    return new ChurnSettings(
        validation,
        List.copyOf(training),
        step,
        List.copyOf(candidates),
        feature,
        trees,
        forestDepth,
        iterations,
        gbtDepth,
        minRows,
        List.copyOf(featuresAt),
        ClvSettings.read(r, asOf));
  }

  /** Whether the BG/NBD probability is needed at every cut-off: as a candidate or as a feature. */
  public boolean needsBgNbd() {
    return bgnbdFeature || candidates.contains(BGNBD);
  }

  /** Every cut-off, the validation cut-off first. */
  public List<LocalDate> cutOffs() {
    List<LocalDate> all = new ArrayList<>();
    all.add(validationCutOff);
    all.addAll(trainingCutOffs);
    return all;
  }

  public LocalDate earliestCutOff() {
    return trainingCutOffs.get(trainingCutOffs.size() - 1);
  }
}

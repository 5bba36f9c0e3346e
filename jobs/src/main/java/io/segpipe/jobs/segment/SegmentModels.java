package io.segpipe.jobs.segment;

import io.segpipe.common.UserError;
import io.segpipe.common.i18n.Messages;
import io.segpipe.modelling.ClusterLabels;
import io.segpipe.modelling.ModelMetadata;
import io.segpipe.modelling.ModelRegistry;
import io.segpipe.modelling.ModelRegistry.LoadedModel;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The three models a segment run applies: clusters, the cluster rules of the same version (shown in
 * the configured locale), and churn. Loaded through the registry, which refuses a model trained on
 * other features than the configured ones and tells the user to train when there is none.
 */
public record SegmentModels(LoadedModel clusters, SegmentRules.Model rules, LoadedModel churn) {

  public static SegmentModels load(ModelRegistry registry, SegmentSettings settings) {
    List<String> clusterFeatures = settings.train().clusterFeatures().features();
    LoadedModel clusters =
        registry.load(
            ModelRegistry.CLUSTERS,
            settings
                .clustersVersion()
                .or(() -> latestAtOrBefore(registry, ModelRegistry.CLUSTERS, settings.asOf())),
            clusterFeatures);
    SegmentRules.Model rules =
        new SegmentRules.Model(
            registry.load(
                ModelRegistry.CLUSTER_RULES,
                Optional.of(clusters.metadata().version()),
                clusterFeatures),
            settings.messages());
    LoadedModel churn =
        registry.load(
            ModelRegistry.CHURN,
            settings
                .churnVersion()
                .or(() -> latestAtOrBefore(registry, ModelRegistry.CHURN, settings.asOf())),
            settings.train().churnFeatures().features());
    return new SegmentModels(clusters, rules, churn);
  }

  /**
   * The latest version trained on a snapshot at or before {@code asOf}: a snapshot is never scored
   * with a model that learnt from a later one (as in a backfill of dates before the latest model).
   * Empty when there is no version at all, for the registry to say how to train one.
   */
  static Optional<String> latestAtOrBefore(ModelRegistry registry, String name, LocalDate asOf) {
    List<ModelMetadata> versions = registry.versions(name);
    if (versions.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        registry
            .latestAtOrBefore(name, asOf)
            .orElseThrow(
                () ->
                    new UserError(
                        "Every "
                            + name
                            + " model in "
                            + registry.root()
                            + "/"
                            + name
                            + " was trained on a snapshot after "
                            + asOf
                            + " (the earliest as of "
                            + versions.get(0).asOfDate()
                            + "), and scoring "
                            + asOf
                            + " with one would use what happened after it."
                            + " Train one with `scripts/segpipe train --as-of "
                            + asOf
                            + "`, or pin a version with"
                            + " segpipe.segment.clusters-version and churn-version."))
            .version());
  }

  public String clustersVersion() {
    return clusters.metadata().version();
  }

  public String churnVersion() {
    return churn.metadata().version();
  }

  /**
   * Whether the churn model's output is a calibrated probability (models trained since churn
   * calibration).
   */
  public boolean churnCalibrated() {
    return Boolean.TRUE.equals(churn.metadata().parameters().get("calibrated"));
  }

  /**
   * Whether the churn model reads the BG/NBD probability of no purchase (as its score or as a
   * feature).
   */
  public boolean churnUsesBgNbd() {
    return Boolean.TRUE.equals(churn.metadata().parameters().get("uses_bgnbd"));
  }

  /** The churn model's horizon in days. */
  public int churnHorizonDays() {
    return ((Number) churn.metadata().parameters().get("horizon_days")).intValue();
  }

  /**
   * Cluster id to label code, as the train job named them from the centroids
   * (parameters.label_codes). A model trained before label codes has only the English labels
   * (parameters.labels): their codes.
   */
  public Map<Integer, String> labels() {
    Map<?, ?> codes = stored("label_codes");
    boolean legacy = codes == null;
    Map<?, ?> labels = legacy ? stored("labels") : codes;
    if (labels == null) {
      throw new UserError(
          "The clusters model at "
              + clusters.path()
              + " has no cluster labels in its metadata.json;"
              + " it was written by an older segpipe. Retrain with `scripts/segpipe train --as-of YYYY-MM-DD`.");
    }
    Map<Integer, String> out = new TreeMap<>();
    labels.forEach(
        (k, v) ->
            out.put(
                Integer.valueOf(String.valueOf(k)),
                legacy ? ClusterLabels.fromLegacy(String.valueOf(v)) : String.valueOf(v)));
    return out;
  }

  private Map<?, ?> stored(String parameter) {
    return clusters.metadata().parameters().get(parameter) instanceof Map<?, ?> map
            && !map.isEmpty()
        ? map
        : null;
  }

  /**
   * The label code of the cluster id in {@code cluster} (null for an id the model did not label):
   * an expression over the model's few clusters rather than a join.
   */
  public Column clusterLabel(Column cluster) {
    Column label = null;
    for (Map.Entry<Integer, String> e : labels().entrySet()) {
      Column matches = cluster.equalTo(e.getKey());
      label =
          label == null ? functions.when(matches, e.getValue()) : label.when(matches, e.getValue());
    }
    return label == null ? functions.lit(null).cast(DataTypes.StringType) : label;
  }

  /**
   * The name, in the locale of {@code messages}, of the cluster code in {@code code} (null for
   * null): a lookup in a literal map of this model's codes.
   */
  public Column clusterName(Messages messages, Column code) {
    List<Column> entries = new ArrayList<>();
    new TreeSet<>(labels().values())
        .forEach(
            c -> {
              entries.add(functions.lit(c));
              entries.add(functions.lit(ClusterLabels.name(messages, c)));
            });
    return functions.element_at(functions.map(entries.toArray(Column[]::new)), code);
  }

  /** Fails, naming them, when the snapshot lacks a column a model reads. */
  public void checkColumns(String[] snapshotColumns, String snapshot) {
    List<String> present = Arrays.asList(snapshotColumns);
    for (LoadedModel model : List.of(clusters, churn)) {
      List<String> missing =
          model.metadata().features().stream().filter(f -> !present.contains(f)).toList();
      if (!missing.isEmpty()) {
        throw new UserError(
            "The "
                + model.metadata().name()
                + " model "
                + model.metadata().version()
                + " reads "
                + missing
                + ", which "
                + snapshot
                + " does not have (it has "
                + present
                + "). Recompute the snapshot with"
                + " `scripts/segpipe features --as-of ...` under the current segpipe, or retrain on features it has.");
      }
    }
  }
}

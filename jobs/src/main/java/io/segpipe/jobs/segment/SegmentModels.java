package io.segpipe.jobs.segment;

import io.segpipe.common.UserError;
import io.segpipe.jobs.train.ModelRegistry;
import io.segpipe.jobs.train.ModelRegistry.LoadedModel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The three models a segment run applies: clusters, the cluster rules of the same version, and churn.
 * Loaded through the registry, which refuses a model trained on other features than the configured
 * ones and tells the user to train when there is none.
 */
public record SegmentModels(LoadedModel clusters, LoadedModel rules, LoadedModel churn) {

  public static SegmentModels load(ModelRegistry registry, SegmentSettings settings) {
    List<String> clusterFeatures = settings.train().clusterFeatures().features();
    LoadedModel clusters = registry.load(ModelRegistry.CLUSTERS, settings.clustersVersion(), clusterFeatures);
    LoadedModel rules = registry.load(ModelRegistry.CLUSTER_RULES, Optional.of(clusters.metadata().version()),
        clusterFeatures);
    LoadedModel churn = registry.load(ModelRegistry.CHURN, settings.churnVersion(),
        settings.train().churnFeatures().features());
    return new SegmentModels(clusters, rules, churn);
  }

  public String clustersVersion() {
    return clusters.metadata().version();
  }

  public String churnVersion() {
    return churn.metadata().version();
  }

  /** Cluster id to label, as the train job named them from the centroids. */
  public Map<Integer, String> labels() {
    Object labels = clusters.metadata().parameters().get("labels");
    if (!(labels instanceof Map<?, ?> map) || map.isEmpty()) {
      throw new UserError("The clusters model at " + clusters.path() + " has no cluster labels in its metadata.json;"
          + " it was written by an older segpipe. Retrain with `scripts/segpipe train --as-of YYYY-MM-DD`.");
    }
    Map<Integer, String> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(Integer.valueOf(String.valueOf(k)), String.valueOf(v)));
    return out;
  }

  /** Fails, naming them, when the snapshot lacks a column a model reads. */
  public void checkColumns(String[] snapshotColumns, String snapshot) {
    List<String> present = Arrays.asList(snapshotColumns);
    for (LoadedModel model : List.of(clusters, churn)) {
      List<String> missing = model.metadata().features().stream().filter(f -> !present.contains(f)).toList();
      if (!missing.isEmpty()) {
        throw new UserError("The " + model.metadata().name() + " model " + model.metadata().version() + " reads "
            + missing + ", which " + snapshot + " does not have (it has " + present + "). Recompute the snapshot with"
            + " `scripts/segpipe features --as-of ...` under the current segpipe, or retrain on features it has.");
      }
    }
  }
}

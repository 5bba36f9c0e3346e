package io.segpipe.jobs.train;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.tables.Tables;
import io.segpipe.features.FeatureSnapshot;
import io.segpipe.modelling.ChurnModel;
import io.segpipe.modelling.ClusterLabels;
import io.segpipe.modelling.ClusterRule;
import io.segpipe.modelling.ClusterTrainer;
import io.segpipe.modelling.KSearch;
import io.segpipe.modelling.ModelMetadata;
import io.segpipe.modelling.ModelRegistry;
import io.segpipe.modelling.TrainSettings;
import io.segpipe.modelling.TrainingInput;
import io.segpipe.modelling.TreeRules;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train job: on the customer_features snapshot of --as-of, KMeans clusters with k chosen by
 * silhouette, a decision tree that turns them into readable rules, and a calibrated churn model
 * chosen among several candidates with a time split over several cut-offs (see {@link
 * ChurnTraining}); all three saved as one version in the models folder and listed in model_runs.
 * Customer rows stay on the executors but for the churn test customers' (probability, label) pairs,
 * which the figures are exact over.
 */
public final class TrainJob extends SegpipeJob<TrainSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  public static void main(String[] args) {
    SegpipeJob.main(new TrainJob(), args);
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  protected String summary() {
    return "Trains, on the customer_features snapshot of --as-of, KMeans clusters (k chosen by silhouette) with"
        + " readable labels, decision-tree rules that reproduce them (text and SQL), and a churn model: a decision"
        + " tree, a random forest, gradient-boosted trees and the BG/NBD probability of no purchase compared on"
        + " customers of a later cut-off than they learnt from (segpipe.train.churn), the best calibrated by isotonic"
        + " regression. Saves them as one version (as-of date + run id) in the models folder and lists them in"
        + " model_runs, each churn candidate's figures included.";
  }

  @Override
  protected TrainSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(reader -> TrainSettings.read(reader, asOf, config.events().channels()));
  }

  @Override
  protected JobOutcome run(JobContext context, TrainSettings s) {
    LocalDate asOf = s.asOf();
    String version = asOf + "_" + context.runId();
    context.phase("read customer_features " + asOf);
    Dataset<Row> snapshot =
        context
            .lake()
            .read(
                Tables.CUSTOMER_FEATURES,
                "Run `scripts/segpipe features --as-of " + asOf + "` first.")
            .where(functions.col(FeatureSnapshot.PARTITION).equalTo(functions.lit(asOf)));
    List<String> features = s.clusterFeatures().features();
    Dataset<Row> purchasers = TrainingInput.purchasers(snapshot);
    long customers = purchasers.count();
    int partitions = s.partitionsFor(customers);
    LOG.info(
        "training rows in {} partitions (segpipe.train.partitions = {}, one per {} customers)",
        partitions,
        s.partitions(),
        TrainSettings.ROWS_PER_PARTITION);
    Dataset<Row> rows =
        TrainingInput.arranged(purchasers, features, partitions)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (customers <= s.kMin()) {
        throw new UserError(
            "customer_features as of "
                + asOf
                + " has "
                + customers
                + " customers with a purchase;"
                + " clustering needs more than segpipe.train.k-min = "
                + s.kMin()
                + ". Run `scripts/segpipe features --as-of "
                + asOf
                + "` on events that cover that date, or check --as-of.");
      }
      // Churn first: its checks of the history and of the churners at each cut-off fail fast.
      context.phase("churn");
      Instant trainedAt = Instant.now();
      ChurnTraining.Trained churn = ChurnTraining.run(context, s, partitions, version, trainedAt);
      try {
        return clustersAndSave(
            context, s, version, trainedAt, snapshot, rows, customers, partitions, churn);
      } finally {
        churn.release();
      }
    } finally {
      rows.unpersist();
    }
  }

  private JobOutcome clustersAndSave(
      JobContext context,
      TrainSettings s,
      String version,
      Instant trainedAt,
      Dataset<Row> snapshot,
      Dataset<Row> rows,
      long customers,
      int partitions,
      ChurnTraining.Trained churn) {
    LocalDate asOf = s.asOf();
    List<String> features = s.clusterFeatures().features();
    ClusterTrainer trainer = new ClusterTrainer(s.clusterFeatures(), s.seed(), s.maxIterations());
    context.phase("k search");
    KSearch.Result search =
        KSearch.run(trainer, rows, customers, s.kMin(), s.kMax(), s.searchSample());
    search
        .scores()
        .forEach(
            score ->
                LOG.info(
                    "k={} silhouette {} cost {}",
                    score.k(),
                    String.format("%.4f", score.silhouette()),
                    String.format("%.1f", score.cost())));

    context.phase("clusters with k=" + search.chosenK());
    PipelineModel clusters = trainer.pipeline(search.chosenK()).fit(rows);
    Dataset<Row> clustered = clusters.transform(rows).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      double silhouette = ModelMetadata.reported(ClusterTrainer.silhouette(clustered));
      KMeansModel kmeans = ClusterTrainer.kmeansOf(clusters);
      Map<Integer, String> codes = ClusterLabels.of(kmeans.clusterCenters(), features);
      // What the model keeps in words is British English; the segment job renders codes in the
      // configured locale.
      Messages english = Messages.builtIn(Messages.REFERENCE);
      Map<Integer, String> labels = new TreeMap<>();
      codes.forEach((c, code) -> labels.put(c, ClusterLabels.name(english, code)));
      Map<Integer, Long> sizes = new TreeMap<>();
      clustered
          .groupBy(ClusterTrainer.CLUSTER)
          .count()
          .collectAsList()
          .forEach(r -> sizes.put(r.getInt(0), r.getLong(1)));

      context.phase("rules");
      PipelineModel rulesModel =
          TreeRules.pipeline(s.clusterFeatures(), s.rulesDepth(), s.seed()).fit(clustered);
      List<ClusterRule> rules =
          RuleCounts.fill(
              TreeRules.rules(
                  TreeRules.treeOf(rulesModel),
                  features,
                  TreeRules.wholeNumbers(snapshot.schema()),
                  codes,
                  version,
                  english),
              clustered);
      double fidelity = ModelMetadata.reported(RuleCounts.fidelity(rules));

      String windowStart = asOf.minusDays(s.featuresAtCutOff().windowDays() - 1L).toString();
      Map<String, Object> clusterParameters = new LinkedHashMap<>();
      clusterParameters.put("k", search.chosenK());
      clusterParameters.put("k_min", s.kMin());
      clusterParameters.put("k_max", s.kMax());
      clusterParameters.put("seed", s.seed());
      clusterParameters.put("log_features", s.clusterFeatures().logFeatures());
      clusterParameters.put("max_iterations", s.maxIterations());
      clusterParameters.put("partitions", partitions);
      clusterParameters.put("k_search_rows", search.sampleRows());
      // labels: in English, as models before label codes had them (what an older segment job reads)
      clusterParameters.put("labels", stringKeys(labels));
      clusterParameters.put("label_codes", stringKeys(codes));
      Map<String, Object> clusterMetrics = new LinkedHashMap<>();
      clusterMetrics.put("silhouette", silhouette);
      clusterMetrics.put("cost", ModelMetadata.reported(kmeans.summary().trainingCost()));
      clusterMetrics.put("k_search", search.scores());
      sizes.forEach((c, n) -> clusterMetrics.put("size_cluster_" + c, n));
      String trainingSnapshot =
          Tables.CUSTOMER_FEATURES + " " + FeatureSnapshot.PARTITION + "=" + asOf;
      ModelMetadata clusterMeta =
          new ModelMetadata(
              ModelRegistry.CLUSTERS,
              version,
              asOf.toString(),
              context.runId(),
              trainedAt.toString(),
              features,
              clusterParameters,
              clusterMetrics,
              customers,
              trainingSnapshot,
              windowStart,
              asOf.toString(),
              ModelMetadata.currentLibraries());
      ModelMetadata rulesMeta =
          new ModelMetadata(
              ModelRegistry.CLUSTER_RULES,
              version,
              asOf.toString(),
              context.runId(),
              trainedAt.toString(),
              features,
              Map.of("max_depth", s.rulesDepth(), "seed", s.seed(), "rules", rules.size()),
              Map.of("fidelity", fidelity),
              customers,
              trainingSnapshot,
              windowStart,
              asOf.toString(),
              ModelMetadata.currentLibraries());

      context.phase("save models " + version);
      ModelRegistry registry = new ModelRegistry(context.spark(), context.lake(), s.models());
      registry.save(clusters, clusterMeta, List.of());
      registry.save(rulesModel, rulesMeta, rules);
      // Before the churn model's metadata.json, which makes the version visible.
      churn
          .predictions()
          .orderBy("candidate", ChurnTraining.PART, "customer_id")
          .coalesce(1)
          .write()
          .mode("overwrite")
          .parquet(ChurnModel.predictionsPath(registry, version));
      registry.save(churn.model(), churn.metadata(), List.of());
      List<ModelMetadata> saved = List.of(clusterMeta, rulesMeta, churn.metadata());
      registry.record(saved);
      return outcome(
          s,
          version,
          customers,
          search,
          silhouette,
          fidelity,
          labels,
          sizes,
          rules,
          churn,
          saved,
          registry);
    } finally {
      clustered.unpersist();
    }
  }

  private static JobOutcome outcome(
      TrainSettings s,
      String version,
      long customers,
      KSearch.Result search,
      double silhouette,
      double fidelity,
      Map<Integer, String> labels,
      Map<Integer, Long> sizes,
      List<ClusterRule> rules,
      ChurnTraining.Trained churn,
      List<ModelMetadata> saved,
      ModelRegistry registry) {
    rules.forEach(
        r ->
            LOG.info(
                "{} ({} customers, {}% in their cluster): {}",
                r.ruleId(), r.customers(), percent(r.fidelity()), r.ruleText()));
    String summary =
        String.format(
            "k=%d (silhouette %.2f), rules fidelity %s%%, churn: %s chosen (test AUC %.3f,"
                + " calibration error %.3f), %d customers, models %s at %s",
            search.chosenK(),
            silhouette,
            percent(fidelity),
            churn.chosen(),
            churn.calibrated().auc(),
            churn.calibrated().ece(),
            customers,
            version,
            registry.root());
    Map<String, String> details = new LinkedHashMap<>();
    details.put("version", version);
    details.put("k", String.valueOf(search.chosenK()));
    search
        .scores()
        .forEach(
            score -> details.put("silhouette.k" + score.k(), String.valueOf(score.silhouette())));
    details.put("silhouette", String.valueOf(silhouette));
    details.put("rules.fidelity", String.valueOf(fidelity));
    labels.forEach(
        (c, l) -> details.put("cluster." + c, l + " (" + sizes.getOrDefault(c, 0L) + ")"));
    details.put("churn.model", churn.chosen());
    details.put("churn.auc", String.valueOf(churn.calibrated().auc()));
    details.put("churn.ece", String.valueOf(churn.calibrated().ece()));
    churn
        .candidates()
        .forEach(
            (name, m) -> details.put("churn.candidate." + name + ".auc", String.valueOf(m.auc())));
    return new JobOutcome(customers, saved.size(), 0, 0, summary, details);
  }

  private static Map<String, String> stringKeys(Map<Integer, String> labels) {
    Map<String, String> out = new TreeMap<>();
    labels.forEach((c, l) -> out.put(String.valueOf(c), l));
    return out;
  }

  static String percent(double share) {
    return String.format("%.1f", share * 100);
  }
}

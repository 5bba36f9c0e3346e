package io.segpipe.jobs.train;

import io.segpipe.common.job.JobContext;
import io.segpipe.common.schema.Events;
import io.segpipe.jobs.features.FeatureSnapshot;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The churn part of a train run: label, split, fit, evaluate, describe. */
final class ChurnTraining {
  private static final Logger LOG = LoggerFactory.getLogger(ChurnTraining.class);

  /** A trained churn model, its held-out evaluation and its metadata. */
  record Trained(PipelineModel model, ChurnModel.Evaluation evaluation, ModelMetadata metadata) {}

  private ChurnTraining() {}

  /** Empty (with a warning) when the events before the cut-off cannot give both churners and stayers. */
  static Optional<Trained> run(JobContext context, TrainSettings s, String version, Instant trainedAt) {
    LocalDate cutOff = s.cutOff();
    Dataset<Row> events = context.lake().read(Events.TABLE,
        "Run `scripts/segpipe ingest` first: the churn model learns from the events before and after " + cutOff + ".");
    Dataset<Row> noProspects = context.spark().createDataFrame(List.of(), Events.CUSTOMERS)
        .select("customer_id", "signup_date");
    ChurnModel churn = new ChurnModel(s.churnFeatures(), s.churnDepth(), s.seed(), s.testShare(), s.churnThreshold());
    List<String> columns = new ArrayList<>(s.churnFeatures().features());
    columns.add(ChurnModel.LABEL);
    Dataset<Row> labelled = TrainingInput.arranged(
            ChurnModel.labelled(events, noProspects, s.featuresAtCutOff().activity(), s.asOf()), columns, s.partitions())
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Row counts = labelled.agg(functions.count("*"), functions.count_if(functions.col(ChurnModel.LABEL).equalTo(1.0)),
          functions.count_if(churn.heldOut())).first();
      long total = counts.getLong(0);
      long churners = counts.getLong(1);
      long test = counts.getLong(2);
      if (churners == 0 || churners == total || test == 0 || test == total) {
        LOG.warn("churn model not trained: of the {} customers who bought in the {} days before {}, {} churned in the"
                + " {} days after it ({} held out); it needs both churners and customers who stayed, in both parts."
                + " Do the events cover {} to {}?", total, s.featuresAtCutOff().windowDays(), cutOff, churners,
            s.horizonDays(), test, s.featuresAtCutOff().activity().windowStart(), s.asOf());
        return Optional.empty();
      }
      Dataset<Row> training = labelled.where(functions.not(churn.heldOut()));
      PipelineModel model = churn.pipeline().fit(training);
      ChurnModel.Evaluation evaluation = churn.evaluate(model, labelled.where(churn.heldOut()), total - test);
      LOG.info("churn: {} of {} customers churned in the {} days after {}; held out {}: AUC {}, precision {}, recall {}",
          churners, total, s.horizonDays(), cutOff, test, evaluation.auc(), evaluation.precision(), evaluation.recall());
      Map<String, Object> parameters = new LinkedHashMap<>();
      parameters.put("horizon_days", s.horizonDays());
      parameters.put("cut_off", cutOff.toString());
      parameters.put("max_depth", s.churnDepth());
      parameters.put("test_share", s.testShare());
      parameters.put("threshold", s.churnThreshold());
      parameters.put("seed", s.seed());
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("auc", evaluation.auc());
      metrics.put("precision", evaluation.precision());
      metrics.put("recall", evaluation.recall());
      metrics.put("churn_rate", (double) churners / total);
      metrics.put("test_rows", evaluation.testRows());
      metrics.put("test_churners", evaluation.testChurners());
      ModelMetadata metadata = new ModelMetadata(ModelRegistry.CHURN, version, s.asOf().toString(), context.runId(),
          trainedAt.toString(), s.churnFeatures().features(), parameters, metrics, evaluation.trainRows(),
          "features as of " + cutOff + " computed from " + Events.TABLE + ", churn label from purchases in ("
              + cutOff + ", " + s.asOf() + "]; applies to " + FeatureSnapshot.TABLE,
          s.featuresAtCutOff().activity().windowStart().toString(), s.asOf().toString(),
          ModelMetadata.currentLibraries());
      return Optional.of(new Trained(model, evaluation, metadata));
    } finally {
      labelled.unpersist();
    }
  }
}

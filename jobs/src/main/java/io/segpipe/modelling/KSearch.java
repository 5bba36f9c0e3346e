package io.segpipe.modelling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Chooses k: fits KMeans for every k in the range on a seeded sample and keeps the k with the best
 * silhouette (the smaller k on a tie). Every k's silhouette and within-cluster cost is kept, so the
 * choice can be checked; the final model is then trained on all customers.
 */
public final class KSearch {
  /** One candidate: its silhouette and within-cluster sum of squared distances on the sample. */
  public record Score(int k, double silhouette, double cost) {}

  /** Every k's score, the chosen k and how many customers the search ran on. */
  public record Result(List<Score> scores, int chosenK, long sampleRows) {
    public Score chosen() {
      return scores.stream().filter(s -> s.k() == chosenK).findFirst().orElseThrow();
    }
  }

  private KSearch() {}

  /**
   * @param rows the arranged training rows (see {@link TrainingInput})
   * @param total how many rows there are
   */
  public static Result run(
      ClusterTrainer trainer, Dataset<Row> rows, long total, int kMin, int kMax, int sampleSize) {
    Dataset<Row> sample =
        total > sampleSize
            ? rows.where(TrainingInput.inSample((double) sampleSize / total, trainer.seed()))
            : rows;
    // Scaling is fitted once on the sample; only KMeans changes from one k to the next.
    PipelineModel scaling =
        new Pipeline()
            .setStages(trainer.space().scaledStages().toArray(PipelineStage[]::new))
            .fit(sample);
    Dataset<Row> scaled = scaling.transform(sample).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long sampleRows = scaled.count();
      List<Score> scores = new ArrayList<>();
      for (int k = kMin; k <= Math.min(kMax, sampleRows - 1); k++) {
        KMeansModel model = trainer.kmeans(k).fit(scaled);
        double silhouette = ClusterTrainer.silhouette(model.transform(scaled));
        scores.add(
            new Score(
                k,
                ModelMetadata.reported(silhouette),
                ModelMetadata.reported(model.summary().trainingCost())));
      }
      if (scores.isEmpty()) {
        throw new IllegalArgumentException(
            "no k between " + kMin + " and " + kMax + " fits " + sampleRows + " customers");
      }
      int chosen =
          scores.stream()
              .max(
                  Comparator.comparingDouble(Score::silhouette)
                      .thenComparing(Comparator.comparingInt(Score::k).reversed()))
              .orElseThrow()
              .k();
      return new Result(List.copyOf(scores), chosen, sampleRows);
    } finally {
      scaled.unpersist();
    }
  }
}

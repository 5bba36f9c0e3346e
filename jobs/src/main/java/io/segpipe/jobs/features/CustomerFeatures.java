package io.segpipe.jobs.features;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * One snapshot's computation, without I/O: events and customers in, the customer_features rows out.
 * The window's events are cached so events are scanned once; the per-customer features are cached
 * while the one aggregate of score boundaries, value tier thresholds and counts is collected, then
 * scored row by row.
 */
public record CustomerFeatures(FeaturesSettings settings) {

  /** A computed snapshot; close it to release the cached intermediate data. */
  public record Snapshot(Dataset<Row> rows, Row stats, List<RfmScores.Boundaries> boundaries,
      Dataset<Row> cachedFeatures) implements AutoCloseable {

    public long customers() {
      return stats.getAs("customers");
    }

    public long eventsInWindow() {
      return stats.getAs("events_in_window");
    }

    public long purchasers() {
      return stats.getAs("purchasers");
    }

    @Override
    public void close() {
      cachedFeatures.unpersist();
    }
  }

  /** {@code customers} needs customer_id and signup_date. Runs one Spark action (the boundaries). */
  public Snapshot compute(Dataset<Row> events, Dataset<Row> customers) {
    CustomerActivity activity = settings.activity();
    Dataset<Row> windowEvents = activity.windowEvents(events).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> features = activity.features(windowEvents, customers).persist(StorageLevel.MEMORY_AND_DISK());
    Row stats;
    try {
      stats = RfmScores.boundaries(features)
          .crossJoin(settings.valueTiers().thresholds(features))
          .crossJoin(features.agg(functions.count("*").as("customers"),
              functions.coalesce(functions.sum("events_in_window"), functions.lit(0L)).as("events_in_window")))
          .first();
    } catch (RuntimeException e) {
      features.unpersist();
      throw e;
    } finally {
      windowEvents.unpersist();
    }
    List<RfmScores.Boundaries> boundaries = RfmScores.from(stats);
    Dataset<Row> scored = RfmScores.apply(features, boundaries, settings.segmentMap());
    scored = settings.lifecycle().apply(scored);
    scored = settings.valueTiers().apply(scored, stats);
    return new Snapshot(FeatureSnapshot.of(scored, settings.asOf(), settings.channels()), stats, boundaries, features);
  }
}

package io.segpipe.common.lake;

import org.apache.spark.sql.SparkSession;

/**
 * The session settings VACUUM runs with, set for the scope and put back after it:
 *
 * <ul>
 *   <li>with {@code shortRetention}, Delta's check that refuses a retention below 168 hours is off;
 *   <li>VACUUM lists a table's files in spark.sql.sources.parallelPartitionDiscovery.parallelism
 *       tasks, 10,000 unless set: a minute per table of empty tasks on a small cluster. A few per
 *       core, unless the user chose.
 * </ul>
 */
public final class VacuumScope implements AutoCloseable {
  private static final String RETENTION_CHECK =
      "spark.databricks.delta.retentionDurationCheck.enabled";
  private static final String LISTING_PARALLELISM =
      "spark.sql.sources.parallelPartitionDiscovery.parallelism";
  private final SparkSession spark;
  private final boolean shortRetention;
  private final boolean listingSet;

  public VacuumScope(SparkSession spark, boolean shortRetention) {
    this.spark = spark;
    this.shortRetention = shortRetention;
    this.listingSet = spark.conf().contains(LISTING_PARALLELISM);
    if (shortRetention) {
      spark.conf().set(RETENTION_CHECK, "false");
    }
    if (!listingSet) {
      spark
          .conf()
          .set(
              LISTING_PARALLELISM,
              String.valueOf(Math.max(4, spark.sparkContext().defaultParallelism() * 4)));
    }
  }

  @Override
  public void close() {
    if (shortRetention) {
      spark.conf().unset(RETENTION_CHECK);
    }
    if (!listingSet) {
      spark.conf().unset(LISTING_PARALLELISM);
    }
  }
}

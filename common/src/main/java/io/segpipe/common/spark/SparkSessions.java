package io.segpipe.common.spark;

import io.segpipe.common.config.SegpipeConfig;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Opens (or joins) the session a job runs in. No master is set here: spark-submit, the local runner
 * or the test extension chooses it. Delta is enabled and the session clock is UTC, so event
 * timestamps and as-of dates mean the same on every machine.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** The settings every segpipe session carries; the test extension uses the same ones. */
  public static final Map<String, String> REQUIRED = Map.of(
      "spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension",
      "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "spark.sql.session.timeZone", "UTC",
      "spark.sql.legacy.timeParserPolicy", "CORRECTED");

  public static SparkSession open(String appName, SegpipeConfig config) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    REQUIRED.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // A session that already existed (tests, notebooks) keeps its own settings; the ones segpipe's
    // semantics depend on are runtime settings and are set again here.
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    return spark;
  }
}

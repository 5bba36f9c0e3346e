package io.segpipe.common.spark;

import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.lake.NioLocalFileSystem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Opens (or joins) the session a job runs in. No master is set here: spark-submit, the local runner
 * or the test extension chooses it. What segpipe needs is added to the platform's settings (its
 * spark-defaults.conf and spark-submit --conf), never in place of them: Delta's SQL extension joins
 * the platform's list of extensions, and the rest is set only where the platform has not chosen.
 */
public final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);
  static final String EXTENSIONS = "spark.sql.extensions";
  static final String CATALOG = "spark.sql.catalog.spark_catalog";
  static final String DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  /**
   * Spark's own pattern and segpipe's secrets: the audience salt and anything passed as SEGPIPE_*.
   */
  static final String REDACTION =
      "(?i)secret|password|passwd|token|salt|credential|access[.]key|SEGPIPE_";

  /** Spark's setting naming the catalog; "hive" is the persistent one (a Hive metastore). */
  public static final String CATALOG_IMPLEMENTATION = "spark.sql.catalogImplementation";

  /** The environment variable that may hold the Hive metastore database's password. */
  public static final String METASTORE_PASSWORD_ENV = "SEGPIPE_METASTORE_PASSWORD";

  private static final String METASTORE_PASSWORD =
      "spark.hadoop.javax.jdo.option.ConnectionPassword";

  private SparkSessions() {}

  /**
   * Whether Spark compresses the columns of a cached result. segpipe caches what it computes once
   * and reads again in the same run (a batch being ingested, the scored customers), then releases
   * it: compressing cost more time than it saved. Ingest of the 10M benchmark spent 12 s of its 35
   * s validation pass choosing and building column encodings, and took 142.3 s without them against
   * 155.1 s with them, its peak memory 4.7 GB against 4.2 GB (docs/benchmark-notes.md).
   */
  static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";

  /**
   * Hadoop's file systems for file:// in a local session ({@link NioLocalFileSystem}): the same
   * files, without a {@code chmod} process per file written. The test sessions use them too.
   */
  public static final Map<String, String> LOCAL_FILE_SYSTEM =
      Map.of(
          "spark.hadoop.fs.file.impl",
          NioLocalFileSystem.class.getName(),
          "spark.hadoop.fs.AbstractFileSystem.file.impl",
          NioLocalFileSystem.Fs.class.getName());

  /**
   * How many compiled query classes Spark keeps (its default: 100). One date of the pipeline
   * compiles more than that, so a backfill's next date compiled most of them again: the quick
   * start's second date took 41.4 and 43.1 s with 2,000, against 50.3 and 46.6 s with 100.
   */
  static final String CODEGEN_CACHE = "spark.sql.codegen.cache.maxEntries";

  /** {@link #CODEGEN_CACHE} as segpipe sets it (the test sessions too). */
  public static final Map<String, String> CODE_CACHE = Map.of(CODEGEN_CACHE, "2000");

  /** The settings every segpipe session carries; the test extension uses the same ones. */
  public static final Map<String, String> REQUIRED =
      Map.of(
          EXTENSIONS,
          DELTA_EXTENSION,
          CATALOG,
          DELTA_CATALOG,
          "spark.sql.session.timeZone",
          "UTC",
          "spark.sql.legacy.timeParserPolicy",
          "CORRECTED");

  public static SparkSession open(String appName, SegpipeConfig config) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    // What spark-submit gathered: the platform's spark-defaults.conf (or --properties-file) and
    // --conf.
    SparkConf platform = new SparkConf();
    Map<String, String> settings = new LinkedHashMap<>(settingsFor(platform));
    settings.putAll(config.sparkConf());
    settings.forEach(builder::config);
    catalogSettings(asked(platform, settings), System::getenv).forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // A session that already existed (tests, notebooks) keeps its own settings; the ones segpipe's
    // semantics depend on are runtime settings and are set again here.
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    return spark;
  }

  /** The settings a session will have: the platform's, then {@code added} over them. */
  public static Map<String, String> asked(SparkConf platform, Map<String, String> added) {
    Map<String, String> all = new LinkedHashMap<>();
    for (Tuple2<String, String> kv : platform.getAll()) {
      all.put(kv._1(), kv._2());
    }
    all.putAll(added);
    return all;
  }

  /** Whether {@code settings} ask for Hive's (persistent) catalog. */
  public static boolean persistentCatalog(Map<String, String> settings) {
    return "hive".equalsIgnoreCase(settings.getOrDefault(CATALOG_IMPLEMENTATION, ""));
  }

  /**
   * For a persistent catalog ({@value #CATALOG_IMPLEMENTATION} = hive in {@code settings}, the
   * session's settings as the builder will have them): the metastore database's password from
   * {@value #METASTORE_PASSWORD_ENV} where set and none is configured, returned as a setting to
   * add; and, before the session starts, the metastore's tables created in a database the session
   * opens itself, where it has none ({@link HiveMetastore}). Nothing for Spark's in-memory catalog.
   */
  public static Map<String, String> catalogSettings(
      Map<String, String> settings, Function<String, String> environment) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!persistentCatalog(settings)) {
      return out;
    }
    String password = environment.apply(METASTORE_PASSWORD_ENV);
    if (password != null && !password.isEmpty() && !settings.containsKey(METASTORE_PASSWORD)) {
      out.put(METASTORE_PASSWORD, password);
    }
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.putAll(out);
    HiveMetastore.prepare(all);
    return out;
  }

  /**
   * The settings segpipe gives the session builder on top of {@code platform}, which the builder
   * keeps for everything else:
   *
   * <ul>
   *   <li>spark.sql.extensions: the platform's list with Delta's added (once);
   *   <li>spark_catalog: Delta's, unless the platform set another one (Iceberg's, Unity's, ...):
   *       that one is kept, with a warning. segpipe reads and writes its tables by path, which
   *       needs only Delta's extension; registering them in a catalog database
   *       (segpipe.lake.database) then goes through the platform's catalog, which must accept Delta
   *       tables;
   *   <li>UTC session time zone and the CORRECTED date parser: segpipe's semantics depend on them;
   *   <li>Kryo serialisation, cached results kept uncompressed ({@link #CACHE_COMPRESSED}), 2,000
   *       compiled query classes kept ({@link #CODEGEN_CACHE}) and a redaction pattern covering
   *       segpipe's secrets, where the platform has not chosen; a platform's own redaction pattern
   *       gets segpipe's added as an alternative;
   *   <li>in local mode, {@link #LOCAL_FILE_SYSTEM} for file:// paths, unless the platform set
   *       either key.
   * </ul>
   */
  public static Map<String, String> settingsFor(SparkConf platform) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> extensions = new ArrayList<>();
    Arrays.stream(platform.get(EXTENSIONS, "").split(","))
        .map(String::trim)
        .filter(e -> !e.isEmpty())
        .forEach(extensions::add);
    if (!extensions.contains(DELTA_EXTENSION)) {
      extensions.add(DELTA_EXTENSION);
    }
    out.put(EXTENSIONS, String.join(",", extensions));
    String catalog = platform.get(CATALOG, "");
    if (catalog.isEmpty() || catalog.equals(DELTA_CATALOG)) {
      out.put(CATALOG, DELTA_CATALOG);
    } else {
      LOG.warn(
          "{} is {} on this platform, not Delta's catalog: kept. segpipe reads and writes its tables by path,"
              + " which Delta's extension alone supports; registering them in a catalog database"
              + " (segpipe.lake.database) goes through that catalog, which must accept Delta tables.",
          CATALOG,
          catalog);
    }
    out.put("spark.sql.session.timeZone", "UTC");
    out.put("spark.sql.legacy.timeParserPolicy", "CORRECTED");
    if (!platform.contains("spark.serializer")) {
      out.put("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    }
    if (!platform.contains(CACHE_COMPRESSED)) {
      out.put(CACHE_COMPRESSED, "false");
    }
    if (!platform.contains(CODEGEN_CACHE)) {
      out.putAll(CODE_CACHE);
    }
    // Local mode only: a cluster's executors would need the class on their own class path.
    if (platform.get("spark.master", "").startsWith("local")
        && LOCAL_FILE_SYSTEM.keySet().stream().noneMatch(platform::contains)) {
      out.putAll(LOCAL_FILE_SYSTEM);
    }
    String redaction = platform.get("spark.redaction.regex", "");
    if (redaction.isEmpty()) {
      out.put("spark.redaction.regex", REDACTION);
    } else if (!redaction.contains("SEGPIPE_")) {
      out.put("spark.redaction.regex", "(?:" + redaction + ")|" + REDACTION);
    }
    return out;
  }
}

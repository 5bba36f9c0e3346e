package io.segpipe.common.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** segpipe's settings are added to a platform's, never in place of them. */
class SparkSessionsTest {
  private static SparkConf platform(String... pairs) {
    SparkConf conf = new SparkConf(false);
    for (int i = 0; i < pairs.length; i += 2) {
      conf.set(pairs[i], pairs[i + 1]);
    }
    return conf;
  }

  @Test
  void onABarePlatformSegpipeSetsWhatItNeeds() {
    Map<String, String> s = SparkSessions.settingsFor(platform());
    assertEquals(SparkSessions.DELTA_EXTENSION, s.get(SparkSessions.EXTENSIONS));
    assertEquals(SparkSessions.DELTA_CATALOG, s.get(SparkSessions.CATALOG));
    assertEquals("UTC", s.get("spark.sql.session.timeZone"));
    assertEquals("org.apache.spark.serializer.KryoSerializer", s.get("spark.serializer"));
    assertEquals("false", s.get(SparkSessions.CACHE_COMPRESSED));
    assertEquals("2000", s.get(SparkSessions.CODEGEN_CACHE));
    assertTrue(
        Pattern.compile(s.get("spark.redaction.regex"))
            .matcher("spark.executorEnv.SEGPIPE_AUDIENCE_SALT")
            .find());
  }

  @Test
  void thePlatformsExtensionsCatalogSerializerAndRedactionAreKept() {
    Map<String, String> s =
        SparkSessions.settingsFor(
            platform(
                SparkSessions.EXTENSIONS,
                "org.example.AuditExtension, org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
                SparkSessions.CATALOG,
                "org.apache.iceberg.spark.SparkSessionCatalog",
                "spark.serializer",
                "org.apache.spark.serializer.JavaSerializer",
                "spark.redaction.regex",
                "(?i)internal_key",
                SparkSessions.CACHE_COMPRESSED,
                "true",
                SparkSessions.CODEGEN_CACHE,
                "50"));
    assertEquals(
        "org.example.AuditExtension,org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
            + SparkSessions.DELTA_EXTENSION,
        s.get(SparkSessions.EXTENSIONS));
    assertFalse(
        s.containsKey(SparkSessions.CATALOG), "the platform's own spark_catalog is not replaced");
    assertFalse(s.containsKey("spark.serializer"), "the platform chose its serializer");
    assertFalse(
        s.containsKey(SparkSessions.CACHE_COMPRESSED), "the platform chose to compress caches");
    assertFalse(s.containsKey(SparkSessions.CODEGEN_CACHE), "the platform sized its code cache");
    Pattern redaction = Pattern.compile(s.get("spark.redaction.regex"));
    assertTrue(
        redaction.matcher("my.internal_key").find()
            && redaction.matcher("SEGPIPE_ERASURE_KEY").find());
    assertEquals(
        SparkSessions.DELTA_EXTENSION,
        SparkSessions.settingsFor(platform(SparkSessions.EXTENSIONS, SparkSessions.DELTA_EXTENSION))
            .get(SparkSessions.EXTENSIONS),
        "Delta's extension once");
  }

  @Test
  void localSessionsWriteFilesWithoutAProcessPerFile() {
    String fs = "spark.hadoop.fs.file.impl";
    String fileContext = "spark.hadoop.fs.AbstractFileSystem.file.impl";
    Map<String, String> local = SparkSessions.settingsFor(platform("spark.master", "local[2]"));
    assertEquals("io.segpipe.common.lake.NioLocalFileSystem", local.get(fs));
    assertEquals("io.segpipe.common.lake.NioLocalFileSystem$Fs", local.get(fileContext));
    assertFalse(
        SparkSessions.settingsFor(platform("spark.master", "spark://127.0.0.1:7077"))
            .containsKey(fs),
        "a cluster's executors load Hadoop's own");
    Map<String, String> chosen =
        SparkSessions.settingsFor(
            platform("spark.master", "local[*]", fs, "org.apache.hadoop.fs.RawLocalFileSystem"));
    assertFalse(chosen.containsKey(fs) || chosen.containsKey(fileContext), "the platform chose");
  }
}

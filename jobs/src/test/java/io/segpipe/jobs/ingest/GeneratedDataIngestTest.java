package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.DataFrames;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.generate.GenerateJob;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generator to ingest, end to end: every row the generator deliberately broke is quarantined with
 * the reason for its kind of damage, every duplicate it re-emitted is dropped, the rest is written,
 * and a second ingest of the same files changes nothing.
 */
@ExtendWith(SharedSpark.class)
class GeneratedDataIngestTest {
  @TempDir Path dir;

  private static long detail(Row metrics, String key) {
    Map<String, String> details = metrics.getJavaMap(metrics.fieldIndex("details"));
    return Long.parseLong(details.get(key));
  }

  @Test
  void brokenRowsAreQuarantinedByKindDuplicatesDroppedAndReingestIsANoOp(SparkSession spark) {
    String lake = dir.resolve("lake").toString();
    String data = dir.resolve("generated").toString();
    assertEquals(
        0,
        new GenerateJob()
            .execute(
                "--output",
                data,
                "--customers",
                "200",
                "--from",
                "2024-01-01",
                "--to",
                "2024-06-30",
                "--seed",
                "7",
                "--dirty-share",
                "0.02",
                "--conf",
                "segpipe.lake.root=" + lake));
    Row generated =
        spark.read().format("delta").load(lake + "/run_metrics").filter("job = 'generate'").first();
    long rows = spark.read().parquet(data + "/events").count();
    long broken = detail(generated, "broken_rows");
    long duplicates = detail(generated, "duplicate_rows");
    assertTrue(
        broken > 10 && duplicates > 10,
        "the generator broke " + broken + " rows and repeated " + duplicates);

    assertEquals(
        0,
        new IngestJob()
            .execute(
                "--source",
                data + "/events",
                "--mapping",
                "generator",
                "--customers",
                data + "/customers",
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""));
    Row ingested =
        spark.read().format("delta").load(lake + "/run_metrics").filter("job = 'ingest'").first();
    assertEquals(rows, (long) ingested.getAs("rows_in"));
    assertEquals(broken, (long) ingested.getAs("rows_rejected"));
    assertEquals(duplicates, (long) ingested.getAs("rows_duplicate"));
    assertEquals(rows - broken - duplicates, (long) ingested.getAs("rows_out"));
    Dataset<Row> events = spark.read().format("delta").load(lake + "/events");
    assertEquals(rows - broken - duplicates, events.count());
    assertEquals(events.count(), events.select("event_id").distinct().count());
    assertEquals(200, spark.read().format("delta").load(lake + "/customers").count());

    // Each kind of damage is quarantined under the reason that names it.
    Dataset<Row> quarantine =
        spark
            .read()
            .format("delta")
            .load(lake + "/events_quarantine")
            .selectExpr("array_join(reasons, ' | ') AS reasons");
    Map<String, String> reasonByKind =
        Map.of(
            "broken.unknown_channel", "channel 'fax' is not one of the configured channels",
            "broken.unknown_event_type",
                "event_type 'ping' is not one of the configured event types",
            "broken.negative_amount", "is negative; amounts are >= 0",
            "broken.missing_event_time", "event_ts is missing",
            "broken.rating_out_of_range", "rating 9 is outside 1-5");
    for (Map.Entry<String, String> kind : reasonByKind.entrySet()) {
      assertEquals(
          detail(generated, kind.getKey()),
          quarantine.filter(col("reasons").contains(kind.getValue())).count(),
          kind.getKey());
    }

    Dataset<Row> before = events.localCheckpoint();
    assertEquals(
        0,
        new IngestJob()
            .execute(
                "--source",
                data + "/events",
                "--mapping",
                "generator",
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""));
    DataFrames.assertSameRows(before, spark.read().format("delta").load(lake + "/events"));
  }
}

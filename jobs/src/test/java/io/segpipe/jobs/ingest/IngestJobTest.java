package io.segpipe.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.DataFrames;
import io.segpipe.common.test.SharedSpark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The ingest job as a user runs it: arguments in, tables and exit code out. */
@ExtendWith(SharedSpark.class)
class IngestJobTest {
  @TempDir Path dir;

  private String lake() {
    return dir.resolve("lake").toString();
  }

  private int ingest(String source, String... extra) {
    String[] base = {
      "--source",
      source,
      "--mapping",
      "generator",
      "--conf",
      "segpipe.lake.root=" + lake(),
      "--conf",
      "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return new IngestJob().execute(args);
  }

  private Dataset<Row> table(SparkSession spark, String name) {
    return spark.read().format("delta").load(lake() + "/" + name);
  }

  private static ExportRows goodRows(int n) {
    ExportRows rows = new ExportRows();
    for (int i = 0; i < n; i++) {
      rows.purchase(
          "e" + i,
          "2024-0" + (1 + i % 9) + "-1" + (i % 10) + " 12:00:00",
          "c" + (i % 7),
          "o" + (i / 2),
          (i % 13) + ".50");
    }
    return rows;
  }

  @Test
  void ingestsValidRowsQuarantinesBadOnesAndIsIdempotent(SparkSession spark) {
    ExportRows rows =
        goodRows(100)
            .purchase(
                "e5", "2024-05-15 12:00:00", "c5", "o2", "5.50") // duplicate id within the batch
            .row("bad1", "2024-03-01 09:00:00", "c1", "pigeon", "purchase", "o900", "1.00", null);
    String source = dir.resolve("source").toString();
    rows.frame(spark).repartition(3).write().parquet(source);

    assertEquals(0, ingest(source));
    Dataset<Row> events = table(spark, "events");
    assertEquals(100, events.count());
    assertEquals(1, events.filter("event_id = 'e5'").count());
    // Of the two e5 rows (2024-06-15 and 2024-05-15) the earlier won.
    assertEquals(
        "2024-05-15",
        events.filter("event_id = 'e5'").select("event_date").first().get(0).toString());
    assertEquals(
        new java.math.BigDecimal("5.50"), events.filter("event_id = 'e5'").first().getAs("amount"));
    Row q = table(spark, "events_quarantine").first();
    assertEquals("bad1", q.getAs("event_id"));
    assertTrue(q.<String>getAs("raw_row").contains("\"channel\":\"pigeon\""), q.toString());
    assertTrue(q.<String>getAs("source_file").contains("source"), q.toString());

    Row metrics = table(spark, "run_metrics").first();
    assertEquals("succeeded", metrics.getAs("status"));
    assertEquals(102L, (long) metrics.getAs("rows_in"));
    assertEquals(100L, (long) metrics.getAs("rows_out"));
    assertEquals(1L, (long) metrics.getAs("rows_rejected"));
    assertEquals(1L, (long) metrics.getAs("rows_duplicate"));

    // The same source again: nothing new, events unchanged in content.
    Dataset<Row> before = events.localCheckpoint();
    assertEquals(0, ingest(source));
    DataFrames.assertSameRows(before, table(spark, "events"));
    Row second =
        table(spark, "run_metrics")
            .orderBy(org.apache.spark.sql.functions.desc("started_at"))
            .first();
    assertEquals(0L, (long) second.getAs("rows_out"));
    assertEquals(101L, (long) second.getAs("rows_duplicate"));

    // An overlapping batch adds only the new ids.
    String more = dir.resolve("more").toString();
    goodRows(120).frame(spark).write().parquet(more);
    assertEquals(0, ingest(more));
    assertEquals(120, table(spark, "events").count());
  }

  @Test
  void jsonLinesAndDeltaSourcesGiveTheSameEventsAsParquet(SparkSession spark) {
    // JSON lines leave out null fields: a feedback event and a store purchase with its discount
    // make every column appear.
    Dataset<Row> rows =
        goodRows(38)
            .row("f1", "2024-03-03 10:00:00", "c1", "app", "feedback", null, null, 4)
            .frame(spark)
            .union(
                new ExportRows()
                    .row(
                        "s1",
                        "2024-03-04 10:00:00",
                        "c2",
                        "store",
                        "purchase",
                        "o-s1",
                        "9.99",
                        null)
                    .frame(spark)
                    .withColumn("store_id", org.apache.spark.sql.functions.lit("store-7"))
                    .withColumn(
                        "line_discount",
                        org.apache.spark.sql.functions.lit("2.50").cast("decimal(18,2)")));
    String parquet = dir.resolve("as-parquet").toString();
    String json = dir.resolve("as-json").toString();
    String delta = dir.resolve("as-delta").toString();
    rows.write().parquet(parquet);
    rows.write().json(json);
    rows.write().format("delta").save(delta);
    assertEquals(0, ingest(parquet));
    Dataset<Row> fromParquet = table(spark, "events").localCheckpoint();
    assertEquals(40, fromParquet.count());
    for (String[] source : new String[][] {{json, "json"}, {delta, "delta"}}) {
      String otherLake = dir.resolve("lake-" + source[1]).toString();
      assertEquals(
          0,
          new IngestJob()
              .execute(
                  "--source",
                  source[0],
                  "--format",
                  source[1],
                  "--mapping",
                  "generator",
                  "--conf",
                  "segpipe.lake.root=" + otherLake,
                  "--conf",
                  "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""));
      DataFrames.assertSameRows(
          fromParquet, spark.read().format("delta").load(otherLake + "/events"));
    }
  }

  @Test
  void tooManyBadRowsFailsAndLeavesEventsUnchanged(SparkSession spark) {
    String good = dir.resolve("good").toString();
    goodRows(50).frame(spark).write().parquet(good);
    assertEquals(0, ingest(good));
    long version =
        io.delta.tables.DeltaTable.forPath(spark, lake() + "/events").history(1).first().getLong(0);

    ExportRows bad = goodRows(0);
    for (int i = 0; i < 10; i++) {
      bad.purchase("n" + i, "2024-02-02 10:00:00", "c1", "o" + i, "2.00");
    }
    bad.row("b1", "2024-02-02 10:00:00", "c1", "web", "purchase", "x1", "-1.00", null);
    String source = dir.resolve("bad").toString();
    bad.frame(spark).write().parquet(source);

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err));
    int code;
    try {
      code = ingest(source);
    } finally {
      System.setErr(old);
    }
    assertEquals(2, code);
    String message = err.toString();
    assertTrue(message.contains("1 of 11 rows (9.09%)"), message);
    assertTrue(message.contains("more than the allowed 5.00%"), message);
    assertTrue(message.contains("amount -1.00 is negative"), message);
    assertTrue(message.contains("events was not changed"), message);
    assertEquals(
        version,
        io.delta.tables.DeltaTable.forPath(spark, lake() + "/events")
            .history(1)
            .first()
            .getLong(0));
    assertEquals(50, table(spark, "events").count());
    assertEquals(1, table(spark, "events_quarantine").count());
    Row failed = table(spark, "run_metrics").filter("status = 'failed'").first();
    assertEquals(11L, (long) failed.getAs("rows_in"));
    assertEquals(1L, (long) failed.getAs("rows_rejected"));

    // With a higher limit the same source goes in.
    assertEquals(0, ingest(source, "--conf", "segpipe.ingest.max-quarantine-share=0.2"));
    assertEquals(60, table(spark, "events").count());
  }

  @Test
  void missingSourceAndBadArgumentsGiveClearMessagesAndExitCode2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err));
    try {
      assertEquals(2, ingest(dir.resolve("nowhere").toString()));
      assertEquals(2, new IngestJob().execute("--mapping", "generator"));
      assertEquals(2, ingest(dir.toString(), "--mapping", "no-such-mapping"));
      assertEquals(2, ingest(dir.toString(), "--conf", "segpipe.ingest.max-quarantine-share=2"));
    } finally {
      System.setErr(old);
    }
    String out = err.toString();
    assertTrue(out.contains("nowhere does not exist"), out);
    assertTrue(out.contains("No source to ingest: pass --source PATH"), out);
    assertTrue(out.contains("Unknown source mapping 'no-such-mapping'"), out);
    assertTrue(out.contains("segpipe.ingest.max-quarantine-share"), out);
    assertTrue(out.contains("expected a share between 0 and 1"), out);
    assertFalse(out.contains("\tat "), "no stack traces for user errors:\n" + out);
  }

  @Test
  void helpListsTheOptions() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out));
    try {
      assertEquals(0, new IngestJob().execute("--help"));
    } finally {
      System.setOut(old);
    }
    for (String option :
        List.of(
            "--source PATH",
            "--mapping",
            "--customers PATH",
            "--config FILE",
            "--conf KEY=VALUE")) {
      assertTrue(out.toString().contains(option), out.toString());
    }
  }
}

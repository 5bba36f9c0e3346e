package io.segpipe.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.schema.Events;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.features.FeatureSnapshot;
import io.segpipe.jobs.segment.SegmentJob;
import io.segpipe.jobs.train.GeneratedLake;
import io.segpipe.jobs.train.TrainJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ingest → features → train → segment → export on generated data for two as-of dates, as a scheduler
 * runs them when training is monthly: the model trained on the first date scores both. The tables and
 * files that reach people are checked against the tables they come from: profiles against a direct
 * aggregation, transitions against both snapshots' customers, audience files against the consenting
 * members of their segments, and the PostgreSQL rows against the consenting customers of each date.
 */
@ExtendWith(SharedSpark.class)
class SegmentToAudienceEndToEndTest {
  private static final String BEFORE = "2024-11-30";
  private static final String AS_OF = "2024-12-31";
  private static final String TABLE = "customer_segments";

  private static SparkSession spark;
  private static PostgresServer server;
  private static Path lake;

  @BeforeAll
  static void runThePipeline(SparkSession session) throws Exception {
    spark = session;
    server = PostgresServer.start();
    Path built = GeneratedLake.build(400, 5, List.of(BEFORE, AS_OF));
    Path dir = TestFolders.folder("segpipe-e2e");
    lake = GeneratedLake.copyLake(built, dir.resolve("lake"),
        List.of(Events.TABLE, Events.CUSTOMERS_TABLE, FeatureSnapshot.TABLE, "run_metrics"));
    String models = "--conf segpipe.train.models=\"" + dir.resolve("models") + "\"";
    assertEquals(0, new TrainJob().execute(args(BEFORE, models, "--conf segpipe.train.k-max=4",
        "--conf segpipe.train.partitions=2", "--conf segpipe.train.churn.candidates=[tree]",
        "--conf segpipe.train.churn.bgnbd-feature=false", "--conf segpipe.train.churn.training-cut-offs=1")),
        "train as of " + BEFORE);
    for (String asOf : List.of(BEFORE, AS_OF)) {
      assertEquals(0, new SegmentJob().execute(args(asOf, models)), "segment as of " + asOf);
      assertEquals(0, new ExportJob(Map.of("E2E_PG_PASSWORD", server.password())::get).execute(args(asOf,
          "--conf segpipe.export.postgres.enabled=true",
          "--conf segpipe.export.postgres.url=\"" + server.url() + "\"",
          "--conf segpipe.export.postgres.user=" + PostgresServer.USER,
          "--conf segpipe.export.postgres.password-env=E2E_PG_PASSWORD",
          "--conf segpipe.export.audiences.segments.value_tier=[high,mid,low]")), "export as of " + asOf);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** "--conf k=v" pairs given as one string each, after --as-of and the lake root. */
  private static String[] args(String asOf, String... confs) {
    List<String> argv = new ArrayList<>(List.of("--as-of", asOf, "--conf", "segpipe.lake.root=" + lake));
    for (String conf : confs) {
      argv.addAll(List.of(conf.split(" ", 2)));
    }
    return argv.toArray(String[]::new);
  }

  private static Dataset<Row> table(String name, String asOf) {
    return spark.read().format("delta").load(lake.resolve(name).toString())
        .where("as_of_date = DATE'" + asOf + "'");
  }

  @Test
  void profilesAreWhatADirectAggregationOfTheSegmentsGives() {
    for (String asOf : List.of(BEFORE, AS_OF)) {
      table(TABLE, asOf).createOrReplaceTempView("e2e_segments");
      List<Row> direct = spark.sql("""
          SELECT rfm_segment, count(*) AS customers, avg(CAST(monetary AS DOUBLE)) AS monetary_mean,
            avg(CAST(recency_days AS DOUBLE)) AS recency_mean
          FROM e2e_segments WHERE rfm_segment IS NOT NULL GROUP BY rfm_segment ORDER BY rfm_segment""").collectAsList();
      List<Row> profiles = table("segment_profiles", asOf).where("segmentation = 'rfm_segment'")
          .selectExpr("segment", "customers", "monetary_mean", "recency_mean").orderBy("segment").collectAsList();
      assertEquals(direct.size(), profiles.size(), "RFM segments of " + asOf);
      assertTrue(direct.size() >= 5, "a 400-customer snapshot spans several RFM segments: " + direct);
      for (int i = 0; i < direct.size(); i++) {
        assertEquals(direct.get(i).getString(0), profiles.get(i).getString(0));
        assertEquals(direct.get(i).getLong(1), profiles.get(i).getLong(1), "size of " + direct.get(i).getString(0));
        assertEquals(direct.get(i).getDouble(2), profiles.get(i).getDouble(2), 1e-6, "monetary mean " + direct.get(i));
        assertEquals(direct.get(i).getDouble(3), profiles.get(i).getDouble(3), 1e-6, "recency mean " + direct.get(i));
      }
    }
  }

  private static long sum(Dataset<Row> transitions, String where) {
    Row r = transitions.where(where).agg(functions.sum("customers")).first();
    return r.isNullAt(0) ? 0 : r.getLong(0);
  }

  /**
   * Per segmentation, the customers leaving segments of the previous snapshot are those that had one
   * there, the customers arriving in segments are those that have one now, and "(new)"/"(gone)" cover
   * the rest, so the matrix counts every customer with a segment in either snapshot exactly once
   * (a prospect in both has no cluster, RFM segment or value tier and is in none of those matrices).
   */
  @Test
  void transitionsAccountForEveryCustomerOfBothSnapshots() {
    Map<String, String> columns = Map.of("rfm_segment", "rfm_segment", "lifecycle_stage", "lifecycle_stage",
        "cluster", "cluster_label", "value_tier", "value_tier");
    for (Map.Entry<String, String> e : columns.entrySet()) {
      Dataset<Row> t = table("segment_transitions", AS_OF).where("segmentation = '" + e.getKey() + "'");
      assertEquals(BEFORE, t.selectExpr("CAST(max(previous_as_of_date) AS STRING)").first().getString(0));
      long either = table(TABLE, BEFORE).where(e.getValue() + " IS NOT NULL").select("customer_id")
          .union(table(TABLE, AS_OF).where(e.getValue() + " IS NOT NULL").select("customer_id")).distinct().count();
      long hadOne = table(TABLE, BEFORE).where(e.getValue() + " IS NOT NULL").count();
      long hasOne = table(TABLE, AS_OF).where(e.getValue() + " IS NOT NULL").count();
      assertTrue(hadOne > 0 && hasOne > 0, e.getKey());
      assertEquals(hadOne, sum(t, "from_segment <> '(new)'"), e.getKey() + ": customers leaving a previous segment");
      assertEquals(hasOne, sum(t, "to_segment <> '(gone)'"), e.getKey() + ": customers arriving in a segment now");
      assertEquals(either, sum(t, "true"), e.getKey() + ": every customer with a segment in either snapshot once");
    }
  }

  @Test
  void audienceFilesHoldTheConsentingMembersOfTheirSegment() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Set<String> optedOut = new HashSet<>();
    table(TABLE, AS_OF).where("NOT marketing_opt_in").select("customer_id").collectAsList()
        .forEach(r -> optedOut.add(r.getString(0)));
    assertFalse(optedOut.isEmpty(), "the generated customers include some without consent");
    List<Path> manifests;
    try (Stream<Path> files = Files.walk(lake.resolve("audiences").resolve(AS_OF))) {
      manifests = files.filter(p -> p.getFileName().toString().equals("manifest.json")).sorted().toList();
    }
    // Defaults (3 RFM segments, 2 lifecycle stages) and the 3 value tiers asked for.
    assertEquals(8, manifests.size(), "audience sets: " + manifests);
    long exported = 0;
    for (Path manifest : manifests) {
      JsonNode m = json.readTree(manifest.toFile());
      String segmentation = m.get("segmentation").asText();
      String segment = m.get("segment").asText();
      TreeSet<String> expected = new TreeSet<>();
      table(TABLE, AS_OF).where(functions.col(segmentation).equalTo(segment).and(functions.col("marketing_opt_in")))
          .select("customer_id")
          .collectAsList().forEach(r -> expected.add(r.getString(0)));
      assertEquals(expected.size(), m.get("rows").asLong(), "rows of " + manifest);
      Path folder = manifest.getParent();
      String slug = folder.getFileName().toString();
      List<String> csv = Files.readAllLines(folder.resolve(slug + ".csv"));
      List<String> jsonLines = Files.readAllLines(folder.resolve(slug + ".jsonl"));
      assertEquals(expected.size() + 1, csv.size(), "header and rows of " + slug + ".csv");
      assertEquals(expected.size(), jsonLines.size(), "lines of " + slug + ".jsonl");
      List<String> ids = new ArrayList<>();
      for (String line : jsonLines) {
        ids.add(json.readTree(line).get("customer_id").asText());
      }
      assertEquals(new ArrayList<>(expected), ids, "the consenting members of " + segmentation + " " + segment + ", in order");
      ids.forEach(id -> assertFalse(optedOut.contains(id), id + " has no consent and must not be exported"));
      exported += ids.size();
    }
    assertTrue(exported > 0, "some customers were exported");
  }

  @Test
  void postgresHoldsTheConsentingCustomersOfEachDate() throws Exception {
    for (String asOf : List.of(BEFORE, AS_OF)) {
      Set<String> expected = new TreeSet<>();
      table(TABLE, asOf).where("marketing_opt_in").select("customer_id").collectAsList()
          .forEach(r -> expected.add(r.getString(0)));
      Set<String> actual = new TreeSet<>();
      try (Connection c = server.connect(); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT customer_id FROM customer_segments WHERE as_of_date = DATE '" + asOf + "'")) {
        while (rs.next()) {
          assertTrue(actual.add(rs.getString(1)), "one row per customer and date");
        }
      }
      assertEquals(expected, actual, "PostgreSQL rows as of " + asOf);
    }
  }
}

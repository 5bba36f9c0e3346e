package io.segpipe.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.PostgresServer;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ingest → features → train → segment → export on generated data for two as-of dates, as a
 * scheduler runs them when training is monthly: the model trained on the first date scores both.
 * The tables and files that reach people are checked against the tables they come from: profiles
 * against a direct aggregation, transitions against both snapshots' customers, audience files
 * against the consenting members of their segments, and the PostgreSQL rows against the consenting
 * customers of each date.
 */
@ExtendWith(SharedSpark.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SegmentToAudienceEndToEndTest {
  private static final String BEFORE = "2024-11-30";
  private static final String AS_OF = "2024-12-31";
  private static final String TABLE = "customer_segments";

  private static SparkSession spark;
  private static PostgresServer server;
  private static Path lake;
  private static Path generated;
  private static Path models;

  @BeforeAll
  static void runThePipeline(SparkSession session) throws Exception {
    spark = session;
    server = PostgresServer.start();
    Path built = GeneratedLake.build(400, 5, List.of(BEFORE, AS_OF));
    Path dir = TestFolders.folder("segpipe-e2e");
    generated = built.resolve("generated");
    lake =
        GeneratedLake.copyLake(
            built,
            dir.resolve("lake"),
            List.of(
                Tables.EVENTS.name(),
                Tables.CUSTOMER_DAILY.name(),
                Tables.EVENTS_QUARANTINE.name(),
                Tables.CUSTOMERS.name(),
                Tables.CUSTOMER_FEATURES.name(),
                "run_metrics"));
    models = dir.resolve("models");
    String modelsConf = "--conf segpipe.train.models=\"" + models + "\"";
    assertEquals(
        0,
        new TrainJob()
            .execute(
                args(
                    BEFORE,
                    modelsConf,
                    "--conf segpipe.train.k-max=4",
                    "--conf segpipe.train.partitions=2",
                    "--conf segpipe.train.churn.candidates=[tree]",
                    "--conf segpipe.train.churn.bgnbd-feature=false",
                    "--conf segpipe.train.churn.training-cut-offs=1")),
        "train as of " + BEFORE);
    for (String asOf : List.of(BEFORE, AS_OF)) {
      assertEquals(0, new SegmentJob().execute(args(asOf, modelsConf)), "segment as of " + asOf);
      assertEquals(
          0,
          new ExportJob(Map.of("E2E_PG_PASSWORD", server.password())::get)
              .execute(
                  args(
                      asOf,
                      "--conf segpipe.export.postgres.enabled=true",
                      "--conf segpipe.export.postgres.url=\"" + server.url() + "\"",
                      "--conf segpipe.export.postgres.user=" + PostgresServer.USER,
                      "--conf segpipe.export.postgres.password-env=E2E_PG_PASSWORD",
                      "--conf segpipe.export.audiences.segments.value_tier=[high,mid,low]")),
          "export as of " + asOf);
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
    List<String> argv =
        new ArrayList<>(List.of("--as-of", asOf, "--conf", "segpipe.lake.root=" + lake));
    for (String conf : confs) {
      argv.addAll(List.of(conf.split(" ", 2)));
    }
    return argv.toArray(String[]::new);
  }

  private static Dataset<Row> table(String name, String asOf) {
    return spark
        .read()
        .format("delta")
        .load(lake.resolve(name).toString())
        .where("as_of_date = DATE'" + asOf + "'");
  }

  @Test
  void profilesAreWhatADirectAggregationOfTheSegmentsGives() {
    for (String asOf : List.of(BEFORE, AS_OF)) {
      table(TABLE, asOf).createOrReplaceTempView("e2e_segments");
      List<Row> direct =
          spark
              .sql(
                  """
          SELECT rfm_segment, count(*) AS customers, avg(CAST(monetary AS DOUBLE)) AS monetary_mean,
            avg(CAST(recency_days AS DOUBLE)) AS recency_mean
          FROM e2e_segments WHERE rfm_segment IS NOT NULL GROUP BY rfm_segment ORDER BY rfm_segment""")
              .collectAsList();
      List<Row> profiles =
          table("segment_profiles", asOf)
              .where("segmentation = 'rfm_segment'")
              .selectExpr("segment", "customers", "monetary_mean", "recency_mean")
              .orderBy("segment")
              .collectAsList();
      assertEquals(direct.size(), profiles.size(), "RFM segments of " + asOf);
      assertTrue(
          direct.size() >= 5, "a 400-customer snapshot spans several RFM segments: " + direct);
      for (int i = 0; i < direct.size(); i++) {
        assertEquals(direct.get(i).getString(0), profiles.get(i).getString(0));
        assertEquals(
            direct.get(i).getLong(1),
            profiles.get(i).getLong(1),
            "size of " + direct.get(i).getString(0));
        assertEquals(
            direct.get(i).getDouble(2),
            profiles.get(i).getDouble(2),
            1e-6,
            "monetary mean " + direct.get(i));
        assertEquals(
            direct.get(i).getDouble(3),
            profiles.get(i).getDouble(3),
            1e-6,
            "recency mean " + direct.get(i));
      }
    }
  }

  private static long sum(Dataset<Row> transitions, String where) {
    Row r = transitions.where(where).agg(functions.sum("customers")).first();
    return r.isNullAt(0) ? 0 : r.getLong(0);
  }

  /**
   * Per segmentation, the customers leaving segments of the previous snapshot are those that had
   * one there, the customers arriving in segments are those that have one now, and "(new)"/"(gone)"
   * cover the rest, so the matrix counts every customer with a segment in either snapshot exactly
   * once (a prospect in both has no cluster, RFM segment or value tier and is in none of those
   * matrices).
   */
  @Test
  void transitionsAccountForEveryCustomerOfBothSnapshots() {
    Map<String, String> columns =
        Map.of(
            "rfm_segment",
            "rfm_segment",
            "lifecycle_stage",
            "lifecycle_stage",
            "cluster",
            "cluster_label",
            "value_tier",
            "value_tier");
    for (Map.Entry<String, String> e : columns.entrySet()) {
      Dataset<Row> t =
          table("segment_transitions", AS_OF).where("segmentation = '" + e.getKey() + "'");
      assertEquals(
          BEFORE, t.selectExpr("CAST(max(previous_as_of_date) AS STRING)").first().getString(0));
      long either =
          table(TABLE, BEFORE)
              .where(e.getValue() + " IS NOT NULL")
              .select("customer_id")
              .union(table(TABLE, AS_OF).where(e.getValue() + " IS NOT NULL").select("customer_id"))
              .distinct()
              .count();
      long hadOne = table(TABLE, BEFORE).where(e.getValue() + " IS NOT NULL").count();
      long hasOne = table(TABLE, AS_OF).where(e.getValue() + " IS NOT NULL").count();
      assertTrue(hadOne > 0 && hasOne > 0, e.getKey());
      assertEquals(
          hadOne,
          sum(t, "from_segment <> '(new)'"),
          e.getKey() + ": customers leaving a previous segment");
      assertEquals(
          hasOne,
          sum(t, "to_segment <> '(gone)'"),
          e.getKey() + ": customers arriving in a segment now");
      assertEquals(
          either,
          sum(t, "true"),
          e.getKey() + ": every customer with a segment in either snapshot once");
    }
  }

  @Test
  void audienceFilesHoldTheConsentingMembersOfTheirSegment() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Set<String> optedOut = new HashSet<>();
    table(TABLE, AS_OF)
        .where("NOT marketing_opt_in")
        .select("customer_id")
        .collectAsList()
        .forEach(r -> optedOut.add(r.getString(0)));
    assertFalse(optedOut.isEmpty(), "the generated customers include some without consent");
    List<Path> manifests;
    try (Stream<Path> files = Files.walk(lake.resolve("audiences").resolve(AS_OF))) {
      manifests =
          files.filter(p -> p.getFileName().toString().equals("manifest.json")).sorted().toList();
    }
    // Defaults (3 RFM segments, 2 lifecycle stages, 1 needs-based segment) and the 3 value tiers
    // asked for.
    assertEquals(9, manifests.size(), "audience sets: " + manifests);
    long exported = 0;
    for (Path manifest : manifests) {
      JsonNode m = json.readTree(manifest.toFile());
      String segmentation = m.get("segmentation").asText();
      String segment = m.get("segment").asText();
      TreeSet<String> expected = new TreeSet<>();
      table(TABLE, AS_OF)
          .where(
              functions.col(segmentation).equalTo(segment).and(functions.col("marketing_opt_in")))
          .select("customer_id")
          .collectAsList()
          .forEach(r -> expected.add(r.getString(0)));
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
      assertEquals(
          new ArrayList<>(expected),
          ids,
          "the consenting members of " + segmentation + " " + segment + ", in order");
      ids.forEach(
          id ->
              assertFalse(optedOut.contains(id), id + " has no consent and must not be exported"));
      exported += ids.size();
    }
    assertTrue(exported > 0, "some customers were exported");
  }

  @Test
  void postgresHoldsTheConsentingCustomersOfEachDate() throws Exception {
    for (String asOf : List.of(BEFORE, AS_OF)) {
      Set<String> expected = new TreeSet<>();
      table(TABLE, asOf)
          .where("marketing_opt_in")
          .select("customer_id")
          .collectAsList()
          .forEach(r -> expected.add(r.getString(0)));
      Set<String> actual = new TreeSet<>();
      try (Connection c = server.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT customer_id FROM customer_segments WHERE as_of_date = DATE '"
                      + asOf
                      + "'")) {
        while (rs.next()) {
          assertTrue(actual.add(rs.getString(1)), "one row per customer and date");
        }
      }
      assertEquals(expected, actual, "PostgreSQL rows as of " + asOf);
    }
  }

  /**
   * Last, since it changes the lake: forget three customers (one in the audiences and PostgreSQL,
   * one with quarantined rows, one more) and an unknown id, vacuuming at once. Afterwards no file
   * under the lake or the models folder (every Parquet file read directly, old versions and Delta
   * checkpoints included; every commit, checksum and audience file as text) holds their ids; every
   * other row of every table is unchanged (count and checksum, computed before by a rule of the
   * test's own); the audience manifests match their rewritten files; PostgreSQL lost exactly their
   * rows; erasures holds the HMAC of each id (recomputed here with javax.crypto) and the rows
   * removed; re-ingesting the original source brings none back.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void forgetErasesCustomersFromEveryFileAndIngestKeepsThemOut() throws Exception {
    String key = "erasure-key-for-the-test";
    String inAudience =
        spark
            .read()
            .json(
                Files.walk(lake.resolve("audiences").resolve(AS_OF))
                    .filter(p -> p.toString().endsWith(".jsonl"))
                    .findFirst()
                    .orElseThrow()
                    .toString())
            .select("customer_id")
            .first()
            .getString(0);
    List<String> others =
        table(TABLE, AS_OF)
            .where(functions.col("customer_id").notEqual(inAudience))
            .orderBy(functions.desc("customer_id"))
            .select("customer_id")
            .limit(2)
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    String quarantined = others.get(0);
    String another = others.get(1);
    // A late batch with a row of one of them on an unknown channel: quarantined, its raw row naming
    // the customer.
    Path late = TestFolders.folder("segpipe-forget-late");
    spark
        .read()
        .parquet(generated.resolve("events").toString())
        .where(functions.col("customer_id").equalTo(quarantined))
        .limit(1)
        .withColumn("channel", functions.lit("carrier-pigeon"))
        .withColumn("event_id", functions.lit("late-event-1"))
        .write()
        .mode("overwrite")
        .parquet(late.toString());
    assertEquals(
        0,
        new io.segpipe.jobs.ingest.IngestJob()
            .execute(
                "--source",
                late.toString(),
                "--mapping",
                "generator",
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.ingest.max-quarantine-share=1",
                "--conf",
                "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""),
        "a late batch with a bad row");
    List<String> forgotten = List.of(inAudience, quarantined, another);
    Path request = TestFolders.file("segpipe-forget", ".txt");
    Files.writeString(
        request,
        "# erasure requests\n"
            + inAudience
            + "\n  "
            + quarantined
            + "  \n\n"
            + another
            + "\n"
            + inAudience
            + "\nnobody-at-all\n");
    String pattern =
        "(?<![A-Za-z0-9])("
            + String.join("|", forgotten.stream().map(java.util.regex.Pattern::quote).toList())
            + ")(?![A-Za-z0-9])";
    // and the secrets of the run: the erasure key and the PostgreSQL password, in no table, log or
    // manifest
    String scanned =
        pattern
            + "|"
            + java.util.regex.Pattern.quote(key)
            + "|"
            + java.util.regex.Pattern.quote(server.password());
    List<String> tables =
        List.of(
            Tables.EVENTS.name(),
            Tables.EVENTS_QUARANTINE.name(),
            Tables.CUSTOMERS.name(),
            Tables.CUSTOMER_FEATURES.name(),
            TABLE);
    Map<String, Row> before = new java.util.HashMap<>();
    Map<String, Long> holding = new java.util.HashMap<>();
    for (String t : tables) {
      Dataset<Row> rows = whole(t);
      before.put(
          t, fingerprint(rows.where(functions.col("row_json").rlike(pattern).unary_$bang())));
      holding.put(t, rows.where(functions.col("row_json").rlike(pattern)).count());
      assertTrue(
          holding.get(t) > 0
              || t.equals(Tables.EVENTS_QUARANTINE.name())
              || t.equals(Tables.CUSTOMERS.name()),
          t + " holds rows of the customers to forget");
    }
    assertTrue(
        holding.get(Tables.EVENTS_QUARANTINE.name()) > 0, "a quarantined row names " + quarantined);
    long pgBefore = postgresRows("true");
    long pgTheirs = postgresRows("customer_id IN ('" + String.join("','", forgotten) + "')");
    assertTrue(pgTheirs > 0, inAudience + " was exported to PostgreSQL");

    Map<String, String> environment =
        Map.of("E2E_PG_PASSWORD", server.password(), "SEGPIPE_ERASURE_KEY", key);
    assertEquals(
        0,
        new io.segpipe.jobs.forget.ForgetJob(environment::get)
            .execute(
                args(
                    AS_OF,
                    "--customers " + request,
                    "--vacuum-now",
                    "--conf segpipe.train.models=\"" + models + "\"",
                    "--conf segpipe.export.postgres.enabled=true",
                    "--conf segpipe.export.postgres.url=\"" + server.url() + "\"",
                    "--conf segpipe.export.postgres.user=" + PostgresServer.USER,
                    "--conf segpipe.export.postgres.password-env=E2E_PG_PASSWORD")),
        "forget");

    // No file of the lake holds an id: Parquet read directly (column values, not compressed bytes),
    // the rest as text.
    List<Path> files;
    try (Stream<Path> walk = Stream.concat(Files.walk(lake), Files.walk(models))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    List<String> holders = new ArrayList<>();
    Map<Path, List<String>> parquetByFolder = new java.util.TreeMap<>();
    for (Path file : files) {
      if (file.toString().endsWith(".parquet")) {
        // one read per table (data files, and its checkpoints apart), schemas merged across
        // versions
        Path top = (file.startsWith(lake) ? lake : models).relativize(file);
        Path group =
            top.getName(0).resolve(file.toString().contains("_delta_log") ? "_delta_log" : "data");
        parquetByFolder.computeIfAbsent(group, g -> new ArrayList<>()).add(file.toString());
      } else if (java.util.regex.Pattern.compile(scanned)
          .matcher(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8))
          .find()) {
        holders.add(file.toString());
      }
    }
    long parquetFiles = 0;
    for (Map.Entry<Path, List<String>> group : parquetByFolder.entrySet()) {
      parquetFiles += group.getValue().size();
      Dataset<Row> rows =
          spark
              .read()
              .option("mergeSchema", "true")
              .parquet(group.getValue().toArray(String[]::new));
      List<String> found =
          rows.select(
                  functions.input_file_name().as("file"),
                  functions.to_json(functions.struct(functions.col("*"))).as("j"))
              .where(functions.col("j").rlike(scanned))
              .select("file")
              .distinct()
              .as(org.apache.spark.sql.Encoders.STRING())
              .collectAsList();
      holders.addAll(found);
    }
    assertTrue(parquetFiles > 20, "the lake's Parquet files were read: " + parquetFiles);
    assertEquals(
        List.of(), holders, "files that still hold a forgotten id (or a secret of the run)");

    for (String t : tables) {
      assertEquals(
          before.get(t), fingerprint(whole(t)), t + ": every other customer's rows unchanged");
    }
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> walk = Files.walk(lake.resolve("audiences"))) {
      for (Path manifest :
          walk.filter(p -> p.getFileName().toString().equals("manifest.json")).toList()) {
        JsonNode m = json.readTree(manifest.toFile());
        String slug = manifest.getParent().getFileName().toString();
        assertEquals(
            m.get("rows").asLong(),
            Files.readAllLines(manifest.resolveSibling(slug + ".jsonl")).size(),
            slug);
        assertEquals(
            m.get("rows").asLong() + 1,
            Files.readAllLines(manifest.resolveSibling(slug + ".csv")).size(),
            slug);
        for (String file : List.of(slug + ".csv", slug + ".jsonl")) {
          assertEquals(
              m.get("files").get(file).get("sha256").asText(),
              java.util.HexFormat.of()
                  .formatHex(
                      java.security.MessageDigest.getInstance("SHA-256")
                          .digest(Files.readAllBytes(manifest.resolveSibling(file)))),
              "checksum of " + file + " in " + manifest);
        }
      }
    }
    assertEquals(
        0,
        postgresRows("customer_id IN ('" + String.join("','", forgotten) + "')"),
        "PostgreSQL rows left");
    assertEquals(pgBefore - pgTheirs, postgresRows("true"), "every other PostgreSQL row kept");

    Map<String, Map<String, Long>> recorded = new java.util.TreeMap<>();
    spark
        .read()
        .format("delta")
        .load(lake.resolve("erasures").toString())
        .collectAsList()
        .forEach(r -> recorded.put(r.getString(0), r.getJavaMap(3)));
    Map<String, String> hashes = new java.util.TreeMap<>();
    for (String id : List.of(inAudience, quarantined, another, "nobody-at-all")) {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
      hashes.put(
          id,
          java.util.HexFormat.of()
              .formatHex(mac.doFinal(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    assertEquals(
        new TreeSet<>(hashes.values()),
        recorded.keySet(),
        "one erasure per distinct id, by its HMAC");
    assertEquals(Map.of(), recorded.get(hashes.get("nobody-at-all")), "an unknown id had no rows");
    for (String t : tables) {
      long removed =
          forgotten.stream()
              .mapToLong(id -> recorded.get(hashes.get(id)).getOrDefault(t, 0L))
              .sum();
      assertEquals(
          (long) holding.get(t), removed, "rows removed from " + t + " as erasures records them");
    }
    assertEquals(
        pgTheirs,
        forgotten.stream()
            .mapToLong(
                id -> recorded.get(hashes.get(id)).getOrDefault("postgres:customer_segments", 0L))
            .sum(),
        "PostgreSQL rows recorded");
    assertTrue(recorded.get(hashes.get(inAudience)).get("audiences") > 0, "audience rows recorded");

    // The original source again: the erased customers stay out; without the key, ingest refuses to
    // guess.
    String[] ingest = {
      "--source",
      generated.resolve("events").toString(),
      "--mapping",
      "generator",
      "--customers",
      generated.resolve("customers").toString(),
      "--conf",
      "segpipe.lake.root=" + lake,
      "--conf",
      "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""
    };
    assertEquals(
        2,
        new io.segpipe.jobs.ingest.IngestJob(name -> null).execute(ingest),
        "ingest without the key");
    assertEquals(
        0, new io.segpipe.jobs.ingest.IngestJob(environment::get).execute(ingest), "ingest again");
    for (String t :
        List.of(Tables.EVENTS.name(), Tables.EVENTS_QUARANTINE.name(), Tables.CUSTOMERS.name())) {
      assertEquals(
          0,
          whole(t).where(functions.col("row_json").rlike(pattern)).count(),
          t + " after re-ingest");
    }
    Row metrics =
        spark
            .read()
            .format("delta")
            .load(lake.resolve("run_metrics").toString())
            .where("job = 'ingest'")
            .orderBy(functions.desc("started_at"))
            .first();
    assertTrue(
        Long.parseLong(
                metrics
                    .<String, String>getJavaMap(metrics.fieldIndex("details"))
                    .get("erased_customer_rows_dropped"))
            >= holding.get(Tables.EVENTS.name()),
        "the erased customers' rows were counted");
  }

  /** Every row of a table with its JSON text. */
  private static Dataset<Row> whole(String name) {
    Dataset<Row> rows = spark.read().format("delta").load(lake.resolve(name).toString());
    return rows.withColumn(
        "row_json",
        functions.to_json(
            functions.struct(
                java.util.Arrays.stream(rows.columns())
                    .map(functions::col)
                    .toArray(org.apache.spark.sql.Column[]::new))));
  }

  /** Row count and an order-free checksum of the rows' JSON. */
  private static Row fingerprint(Dataset<Row> rows) {
    return rows.agg(
            functions.count(functions.lit(1)),
            functions.sum(functions.xxhash64(functions.col("row_json")).cast("decimal(38,0)")))
        .first();
  }

  private static long postgresRows(String where) throws Exception {
    try (Connection c = server.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM customer_segments WHERE " + where)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}

package io.segpipe.jobs.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.audience.AudienceFiles;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The export job's audience files on a small customer_segments fixture ({@link SegmentRows}). */
@ExtendWith(SharedSpark.class)
class ExportJobTest {
  static final LocalDate AS_OF = LocalDate.parse("2024-03-31");
  private static final int CUSTOMERS = 60;
  private static final List<String> COLUMNS =
      List.of(
          "customer_id",
          "rfm_segment",
          "rfm_segment_name",
          "lifecycle_stage",
          "cluster_label",
          "cluster_name",
          "churn_probability",
          "frequency",
          "monetary",
          "marketing_opt_in");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SparkSession spark;
  private static String lake;

  /**
   * The audiences folder of the run with the default config, made once for the tests that read it.
   */
  private static String folder;

  private static Map<Path, String> firstChecksums;

  @BeforeAll
  static void exportWithDefaults(SparkSession session) throws Exception {
    spark = session;
    lake = SegmentRows.lake(spark, CUSTOMERS, AS_OF);
    assertEquals(0, run(lake, Map.of()));
    folder = lake + "/audiences";
    firstChecksums = checksums(Path.of(folder));
  }

  /** The fixture is the contract: the segment job's columns, in its order. */
  @Test
  void fixtureHasExactlyTheContractColumns() {
    assertEquals(
        io.segpipe.jobs.segment.CustomerSegments.COLUMNS, List.of(SegmentRows.SCHEMA.fieldNames()));
  }

  static int run(String lake, Map<String, String> environment, String... extra) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "--as-of",
                AS_OF.toString(),
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.export.columns=[" + String.join(",", COLUMNS) + "]"));
    Stream.of(extra).forEach(argv::add);
    return new ExportJob(environment::get).execute(argv.toArray(String[]::new));
  }

  private static Path set(String folder, String segmentation, String slug) {
    return Path.of(folder, AS_OF.toString(), segmentation, slug);
  }

  /**
   * The fixture's customers in a segment who said yes, by the fixture's own rule (not the job's
   * code).
   */
  private static List<String> consentingIn(String segmentation, String segment) {
    Dataset<Row> all = SegmentRows.snapshot(spark, CUSTOMERS, AS_OF, 0);
    return all.where(functions.col(segmentation).equalTo(segment)).collectAsList().stream()
        .filter(
            r ->
                Boolean.TRUE.equals(
                    SegmentRows.optIn(Integer.parseInt(r.getString(0).substring(1)))))
        .map(r -> r.getString(0))
        .sorted()
        .toList();
  }

  private static Dataset<Row> csv(Path file) {
    return spark
        .read()
        .option("header", "true")
        .option("escape", "\"")
        .option("multiLine", "true")
        .csv(file.toString());
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /**
   * Default segments (rfm_segment champions, at_risk, cant_lose_them; lifecycle_stage at_risk,
   * lapsed; needs_segment price_sensitive): each set holds exactly the consenting customers of its
   * segment, sorted, with the fixture's values; CSV, JSON lines and manifest agree on the count,
   * and the manifest's checksums are the files'.
   */
  @Test
  void eachAudienceHoldsTheConsentingCustomersOfItsSegmentWithMatchingManifest() throws Exception {
    Map<String, List<String>> expectedSegments =
        Map.of(
            "rfm_segment",
            List.of("champions", "at_risk", "cant_lose_them"),
            "lifecycle_stage",
            List.of("at_risk", "lapsed"),
            "needs_segment",
            List.of("price_sensitive"));
    int sets = 0;
    for (Map.Entry<String, List<String>> e : expectedSegments.entrySet()) {
      for (String segment : e.getValue()) {
        Path dir = set(folder, e.getKey(), segment);
        String slug = segment;
        List<String> expected = consentingIn(e.getKey(), segment);
        assertTrue(
            expected.size() >= 3, "the fixture puts several consenting customers in " + segment);

        Dataset<Row> csv = csv(dir.resolve(slug + ".csv"));
        assertEquals(COLUMNS, List.of(csv.columns()));
        List<String> csvIds = csv.collectAsList().stream().map(r -> r.getString(0)).toList();
        assertEquals(expected, csvIds, segment + ": the consenting members, sorted by customer_id");
        // Values as the fixture has them (decimals in full, the label with a comma and quotes
        // intact).
        Column[] asText =
            COLUMNS.stream().map(c -> functions.col(c).cast("string").as(c)).toArray(Column[]::new);
        List<Row> expectedRows =
            SegmentRows.snapshot(spark, CUSTOMERS, AS_OF, 0)
                .where(functions.col("customer_id").isin(expected.toArray()))
                .select(asText)
                .orderBy("customer_id")
                .collectAsList();
        assertEquals(expectedRows, csv.collectAsList());

        List<String> jsonLines = Files.readAllLines(dir.resolve(slug + ".jsonl"));
        List<String> jsonIds = new ArrayList<>();
        for (String line : jsonLines) {
          JsonNode node = JSON.readTree(line);
          assertEquals(COLUMNS, iterable(node.fieldNames()));
          assertTrue(node.get("marketing_opt_in").asBoolean());
          jsonIds.add(node.get("customer_id").asText());
        }
        assertEquals(expected, jsonIds);

        JsonNode manifest = JSON.readTree(dir.resolve(AudienceFiles.MANIFEST).toFile());
        assertEquals(segment, manifest.get("segment").asText());
        assertEquals(
            ENGLISH.get(e.getKey() + "." + segment),
            manifest.get("segment_name").asText(),
            "the code's label in en-GB");
        assertEquals("en-GB", manifest.get("locale").asText());
        assertFalse(manifest.get("csv_byte_order_mark").asBoolean());
        assertEquals(
            'c',
            Files.readAllBytes(dir.resolve(slug + ".csv"))[0],
            "no byte-order mark under en-GB");
        assertEquals(e.getKey(), manifest.get("segmentation").asText());
        assertEquals(AS_OF.toString(), manifest.get("as_of_date").asText());
        assertEquals(expected.size(), manifest.get("rows").asLong());
        assertEquals(
            COLUMNS,
            iterable(manifest.get("columns").elements()).stream().map(JsonNode::asText).toList());
        assertEquals(
            sha256(dir.resolve(slug + ".csv")),
            manifest.get("files").get(slug + ".csv").get("sha256").asText());
        assertEquals(
            sha256(dir.resolve(slug + ".jsonl")),
            manifest.get("files").get(slug + ".jsonl").get("sha256").asText());
        assertEquals(
            expected.size() + 1,
            Files.readAllLines(dir.resolve(slug + ".csv")).size(),
            "header + rows");
        sets++;
      }
    }
    assertEquals(6, sets);
    assertNoNonConsentingCustomer(Path.of(folder));
  }

  /** The en-GB labels of the default sets' codes, as conf/messages/en-GB.conf says. */
  private static final Map<String, String> ENGLISH =
      Map.of(
          "rfm_segment.champions",
          "Champions",
          "rfm_segment.at_risk",
          "At Risk",
          "rfm_segment.cant_lose_them",
          "Can't Lose Them",
          "lifecycle_stage.at_risk",
          "At risk",
          "lifecycle_stage.lapsed",
          "Lapsed",
          "needs_segment.price_sensitive",
          "Price-sensitive");

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /** Every customer whose opt-in is false or unknown is absent from every file under the folder. */
  static void assertNoNonConsentingCustomer(Path folder) throws IOException {
    List<String> excluded =
        IntStream.rangeClosed(1, CUSTOMERS)
            .filter(n -> !Boolean.TRUE.equals(SegmentRows.optIn(n)))
            .mapToObj(SegmentRows::id)
            .toList();
    assertEquals(CUSTOMERS / 4 + 6, excluded.size(), "15 said no, 6 unknown");
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file);
        for (String id : excluded) {
          assertFalse(text.contains(id), id + " has no marketing opt-in but is in " + file);
        }
      }
    }
  }

  /**
   * A second run, on one shuffle partition instead of four and with each audience streamed in range
   * partitions of two rows instead of one partition, gives byte-identical files and leaves no
   * temporary folder behind; the previous set is replaced, not added to.
   */
  @Test
  void reRunOnOtherPartitioningGivesIdenticalFiles() throws Exception {
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    spark.conf().set("spark.sql.shuffle.partitions", "1");
    try {
      assertEquals(
          0, run(lake, Map.of(), "--conf", "segpipe.export.audiences.rows-per-partition=2"));
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
    assertEquals(firstChecksums, checksums(Path.of(folder)));
    assertEquals(
        18, firstChecksums.size(), "6 sets of 3 files, nothing else (no temporary or old folders)");
  }

  private static Map<Path, String> checksums(Path folder) throws Exception {
    Map<Path, String> out = new java.util.TreeMap<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(folder.relativize(f), sha256(f));
      }
    }
    try (Stream<Path> all = Files.walk(folder)) {
      assertEquals(
          List.of(),
          all.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
          "no hidden files or temporary folders");
    }
    return out;
  }

  /**
   * Pseudonymised: every id is the hex HMAC-SHA256 of customer_id keyed with the salt (computed
   * here with javax.crypto, not the job's code), sorted; the manifest names the scheme.
   */
  @Test
  void pseudonymisedIdsAreHmacSha256OfTheIdKeyedWithTheSalt() throws Exception {
    String pseudonymised = TestFolders.folder("segpipe-audiences").toString();
    String salt = "s4lt-for-tests";
    assertEquals(
        0,
        run(
            lake,
            Map.of("TEST_AUDIENCE_SALT", salt),
            "--conf",
            "segpipe.export.audiences.folder=\"" + pseudonymised + "\"",
            "--conf",
            "segpipe.export.pseudonymise.enabled=true",
            "--conf",
            "segpipe.export.pseudonymise.salt-env=TEST_AUDIENCE_SALT",
            "--conf",
            "segpipe.export.audiences.segments.lifecycle_stage=[]"));
    List<String> champions = consentingIn("rfm_segment", "champions");
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(
            salt.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    List<String> expected =
        champions.stream()
            .map(
                id ->
                    java.util.HexFormat.of()
                        .formatHex(
                            mac.doFinal(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
            .sorted()
            .toList();
    assertEquals(64, expected.get(0).length());
    Path dir = set(pseudonymised, "rfm_segment", "champions");
    assertEquals(
        expected,
        csv(dir.resolve("champions.csv")).collectAsList().stream()
            .map(r -> r.getString(0))
            .toList());
    assertTrue(
        JSON.readTree(dir.resolve(AudienceFiles.MANIFEST).toFile())
            .get("pseudonymised")
            .asBoolean());
    assertEquals(
        "hmac-sha256",
        JSON.readTree(dir.resolve(AudienceFiles.MANIFEST).toFile())
            .get("pseudonym_scheme")
            .asText());
    String text = Files.readString(dir.resolve("champions.jsonl"));
    champions.forEach(id -> assertFalse(text.contains("\"" + id + "\""), id + " appears in clear"));
    assertFalse(
        Files.readString(dir.resolve(AudienceFiles.MANIFEST)).contains(salt),
        "the salt is not in the manifest");
    assertTrue(
        spark.read().format("delta").load(lake + "/run_metrics").where("job = 'export'").count()
            > 0);
    assertEquals(
        0,
        spark
            .read()
            .format("delta")
            .load(lake + "/run_metrics")
            .select(functions.to_json(functions.struct(functions.col("*"))).as("row"))
            .where(functions.col("row").contains(salt))
            .count(),
        "nor in run_metrics");
    assertFalse(
        Files.exists(Path.of(pseudonymised, AS_OF.toString(), "lifecycle_stage")),
        "[] exports none of lifecycle_stage");
  }

  /**
   * Consent is read when the export runs, from the customers dimension, not copied from the
   * snapshot: with everybody consenting, every member of a configured set is exported; then two of
   * them opt out, one who said no when the snapshot was taken opts in, one leaves the dimension,
   * and exporting the same snapshot again gives exactly the members who consent now. Without a
   * dimension nobody is exported.
   */
  @Test
  void consentIsTheCustomersDimensionsAtExportTimeNotTheSnapshots() throws Exception {
    String ownLake = SegmentRows.lake(spark, CUSTOMERS, AS_OF);
    String audiences = TestFolders.folder("segpipe-audiences-consent").toString();
    String toFolder = "segpipe.export.audiences.folder=\"" + audiences + "\"";
    SegmentRows.consent(spark, ownLake, CUSTOMERS, n -> Boolean.TRUE);
    assertEquals(0, run(ownLake, Map.of(), "--conf", toFolder));
    List<String> members = allExported(audiences);
    List<String> saidYes = members.stream().filter(id -> Boolean.TRUE.equals(optIn(id))).toList();
    List<String> saidNo = members.stream().filter(id -> Boolean.FALSE.equals(optIn(id))).toList();
    assertTrue(saidYes.size() >= 3 && !saidNo.isEmpty(), members.toString());
    Set<String> optedOut = Set.of(saidYes.get(0), saidYes.get(1));
    String optedIn = saidNo.get(0);
    String left = saidYes.get(2);

    SegmentRows.consent(
        spark,
        ownLake,
        CUSTOMERS,
        n ->
            optedOut.contains(SegmentRows.id(n))
                ? Boolean.FALSE
                : SegmentRows.id(n).equals(optedIn) ? Boolean.TRUE : SegmentRows.optIn(n));
    spark
        .read()
        .format("delta")
        .load(ownLake + "/customers")
        .where(functions.col("customer_id").notEqual(left))
        .localCheckpoint()
        .write()
        .format("delta")
        .mode("overwrite")
        .save(ownLake + "/customers");
    assertEquals(0, run(ownLake, Map.of(), "--conf", toFolder));
    List<String> expected =
        members.stream()
            .filter(
                id ->
                    id.equals(optedIn)
                        || Boolean.TRUE.equals(optIn(id))
                            && !optedOut.contains(id)
                            && !id.equals(left))
            .toList();
    assertEquals(expected, allExported(audiences));

    new org.apache.hadoop.fs.Path(ownLake)
        .getFileSystem(spark.sparkContext().hadoopConfiguration())
        .delete(new org.apache.hadoop.fs.Path(ownLake + "/customers"), true);
    assertEquals(0, run(ownLake, Map.of(), "--conf", toFolder));
    assertEquals(List.of(), allExported(audiences), "no customers dimension: no consent known");
  }

  private static Boolean optIn(String id) {
    return SegmentRows.optIn(Integer.parseInt(id.substring(1)));
  }

  /** Every customer id in any CSV of an audience folder, sorted and distinct. */
  private static List<String> allExported(String audiences) throws IOException {
    List<String> ids = new ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.walk(Path.of(audiences))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).toList()) {
        List<String> lines = Files.readAllLines(f);
        lines.subList(1, lines.size()).forEach(l -> ids.add(l.split(",", 2)[0]));
      }
    }
    return ids.stream().sorted().distinct().toList();
  }

  /**
   * Exporting a date again with fewer segments configured removes the sets the earlier export wrote
   * for the ones dropped (and a segmentation folder left empty), keeps the sets still configured
   * byte for byte, leaves files segpipe did not write alone, and records what it removed in
   * run_metrics.
   */
  @Test
  void reExportWithFewerSegmentsRemovesTheDroppedSetsOnly() throws Exception {
    String audiences = TestFolders.folder("segpipe-audiences-pruned").toString();
    String toFolder = "segpipe.export.audiences.folder=\"" + audiences + "\"";
    assertEquals(0, run(lake, Map.of(), "--conf", toFolder));
    Path date = Path.of(audiences, AS_OF.toString());
    Map<Path, String> before = checksums(date);
    assertEquals(18, before.size(), "the 6 default sets");
    Path notes = Files.writeString(date.resolve("README.txt"), "kept by hand");
    Path handmade = Files.createDirectories(date.resolve("rfm_segment").resolve("handmade"));
    Files.writeString(handmade.resolve("list.csv"), "customer_id\n");

    assertEquals(
        0,
        run(
            lake,
            Map.of(),
            "--conf",
            toFolder,
            "--conf",
            "segpipe.export.audiences.segments.rfm_segment=[champions]",
            "--conf",
            "segpipe.export.audiences.segments.lifecycle_stage=[]"));
    try (Stream<Path> left = Files.list(date.resolve("rfm_segment"))) {
      assertEquals(
          List.of("champions", "handmade"),
          left.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertFalse(
        Files.exists(date.resolve("lifecycle_stage")), "lifecycle_stage is no longer exported");
    assertEquals("kept by hand", Files.readString(notes));
    assertTrue(
        Files.exists(handmade.resolve("list.csv")), "a folder without a manifest is not segpipe's");
    Map<Path, String> champions = new java.util.TreeMap<>(before);
    champions.keySet().removeIf(p -> !p.startsWith(Path.of("rfm_segment", "champions")));
    Map<Path, String> after = checksums(date);
    after.keySet().removeIf(p -> !p.startsWith(Path.of("rfm_segment", "champions")));
    assertEquals(champions, after);

    Row last =
        spark
            .read()
            .format("delta")
            .load(lake + "/run_metrics")
            .where("job = 'export'")
            .orderBy(functions.col("finished_at").desc())
            .first();
    assertEquals(
        "lifecycle_stage/at_risk,lifecycle_stage/lapsed,rfm_segment/at_risk,rfm_segment/cant_lose_them",
        last.<scala.collection.Map<String, String>>getAs("details").apply("audiences.removed"));
    assertTrue(
        last.<String>getAs("message").contains("removed sets no longer configured"),
        last.toString());
  }

  /**
   * Under zh-CN the CSV starts with the UTF-8 byte-order mark. Read as Excel does (a byte-order
   * mark means UTF-8; without one, the ANSI code page, GBK on a Chinese Windows) the Chinese labels
   * come back intact; the same file without the mark comes back as garbage, which is why the mark
   * is there.
   */
  @Test
  void underZhCnTheCsvHasAByteOrderMarkAndExcelReadsTheChineseLabels() throws Exception {
    String chinese = TestFolders.folder("segpipe-audiences-zh").toString();
    String plain = TestFolders.folder("segpipe-audiences-nobom").toString();
    String[] onlyChampions = {
      "--conf",
      "segpipe.export.audiences.segments.rfm_segment=[champions]",
      "--conf",
      "segpipe.export.audiences.segments.lifecycle_stage=[]",
      "--conf",
      "segpipe.locale=zh-CN"
    };
    assertEquals(
        0,
        run(
            lake,
            Map.of(),
            concat(onlyChampions, "segpipe.export.audiences.folder=\"" + chinese + "\"")));
    assertEquals(
        0,
        run(
            lake,
            Map.of(),
            concat(
                concat(onlyChampions, "segpipe.export.audiences.folder=\"" + plain + "\""),
                "segpipe.export.csv.bom=false")));
    Path dir = set(chinese, "rfm_segment", "champions");
    byte[] bytes = Files.readAllBytes(dir.resolve("champions.csv"));
    assertEquals(
        List.of(0xEF, 0xBB, 0xBF), List.of(bytes[0] & 0xFF, bytes[1] & 0xFF, bytes[2] & 0xFF));
    List<List<String>> excel = excelRead(bytes);
    assertEquals(COLUMNS, excel.get(0), "the header's first field is customer_id, not the mark");
    int name = COLUMNS.indexOf("rfm_segment_name");
    List<String> expected = consentingIn("rfm_segment", "champions");
    assertEquals(expected.size() + 1, excel.size());
    excel
        .subList(1, excel.size())
        .forEach(row -> assertEquals("冠军客户", row.get(name), row.toString()));
    assertEquals(
        SegmentRows.LABELS.get(1),
        excel.stream()
            .skip(1)
            .map(r -> r.get(COLUMNS.indexOf("cluster_name")))
            .filter(n -> n.contains(","))
            .findFirst()
            .orElseThrow(),
        "quoted fields survive the mark");
    JsonNode manifest = JSON.readTree(dir.resolve(AudienceFiles.MANIFEST).toFile());
    assertEquals("冠军客户", manifest.get("segment_name").asText());
    assertEquals("zh-CN", manifest.get("locale").asText());
    assertTrue(manifest.get("csv_byte_order_mark").asBoolean());
    assertEquals(
        sha256(dir.resolve("champions.csv")),
        manifest.get("files").get("champions.csv").get("sha256").asText());
    assertEquals(
        '{', Files.readAllBytes(dir.resolve("champions.jsonl"))[0], "JSON lines carry no mark");
    assertTrue(
        Files.readString(dir.resolve("champions.jsonl"))
            .contains("\"rfm_segment\":\"champions\",\"rfm_segment_name\":\"冠军客户\""));

    byte[] unmarked =
        Files.readAllBytes(set(plain, "rfm_segment", "champions").resolve("champions.csv"));
    assertEquals('c', unmarked[0]);
    assertEquals(bytes.length - 3, unmarked.length, "the same file but for the mark");
    List<List<String>> garbled = excelRead(unmarked);
    assertFalse(
        garbled.get(1).get(name).equals("冠军客户"),
        "without the mark Excel decodes GBK: " + garbled.get(1));
  }

  private static String[] concat(String[] args, String conf) {
    return Stream.concat(Stream.of(args), Stream.of("--conf", conf)).toArray(String[]::new);
  }

  /**
   * Excel's rule: UTF-8 after a byte-order mark, the ANSI code page (GBK in China) without; then
   * RFC 4180.
   */
  private static List<List<String>> excelRead(byte[] bytes) {
    boolean bom =
        bytes.length >= 3
            && (bytes[0] & 0xFF) == 0xEF
            && (bytes[1] & 0xFF) == 0xBB
            && (bytes[2] & 0xFF) == 0xBF;
    String text =
        bom
            ? new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8)
            : new String(bytes, java.nio.charset.Charset.forName("GBK"));
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        row.add(field.toString());
        field.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    return rows;
  }

  @Test
  void missingSaltVariableIsAUserErrorNamingIt() {
    String err =
        stderrOf(
            () ->
                assertEquals(
                    2,
                    run(
                        lake,
                        Map.of(),
                        "--conf",
                        "segpipe.export.pseudonymise.enabled=true",
                        "--conf",
                        "segpipe.export.pseudonymise.salt-env=TEST_AUDIENCE_SALT")));
    assertTrue(err.contains("TEST_AUDIENCE_SALT") && err.contains("not set"), err);
  }

  @Test
  void unknownSegmentOrSegmentationIsAUserError() {
    String err =
        stderrOf(
            () ->
                assertEquals(
                    2,
                    run(
                        lake,
                        Map.of(),
                        "--conf",
                        "segpipe.export.audiences.segments.rfm_segment=[Champion, \"At Risk\"]",
                        "--conf",
                        "segpipe.export.audiences.segments.colour=[red]")));
    assertTrue(
        err.contains("'Champion' is not a rfm_segment code; choose from [about_to_sleep, at_risk"),
        err);
    assertTrue(err.contains("'At Risk' is the label of the code at_risk: write at_risk"), err);
    assertTrue(err.contains("'colour' is not a segmentation"), err);
  }

  /**
   * next_best_item, asked for in the columns, is refused until the affinities job has written
   * customer_next_best for the date; then each exported row carries its customer's item (empty for
   * a customer without one).
   */
  @Test
  void nextBestItemComesFromCustomerNextBestAndIsRefusedWithoutIt() throws IOException {
    String own = SegmentRows.lake(spark, CUSTOMERS, AS_OF);
    String columns = "segpipe.export.columns=[" + String.join(",", COLUMNS) + ",next_best_item]";
    String err = stderrOf(() -> assertEquals(2, run(own, Map.of(), "--conf", columns)));
    assertTrue(
        err.contains(
            "segpipe.export.columns asks for next_best_item: run `scripts/segpipe affinities"
                + " --as-of 2024-03-31` first"),
        err);
    List<Row> next = new ArrayList<>();
    for (int n = 1; n <= CUSTOMERS; n += 2) {
      next.add(
          RowFactory.create(
              SegmentRows.id(n),
              "rfm_segment",
              "s",
              "category",
              n % 4 == 1 ? "garden" : "home",
              1,
              1.5,
              0.3,
              java.sql.Date.valueOf(AS_OF)));
    }
    new Lake(spark, new LakeSettings(own, ""))
        .replacePartition(
            spark.createDataFrame(next, Tables.CUSTOMER_NEXT_BEST.columns()),
            Tables.CUSTOMER_NEXT_BEST,
            AS_OF);
    assertEquals(0, run(own, Map.of(), "--conf", columns));
    List<Row> rows =
        csv(set(own + "/audiences", "rfm_segment", "champions").resolve("champions.csv"))
            .collectAsList();
    assertFalse(rows.isEmpty());
    for (Row r : rows) {
      int n = Integer.parseInt(r.<String>getAs("customer_id").substring(1));
      String expected = n % 2 == 0 ? null : n % 4 == 1 ? "garden" : "home";
      assertEquals(expected, r.getAs("next_best_item"), r.toString());
    }
  }

  static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /**
   * A write that fails half-way (the rows' iterator throws after some rows were written) leaves the
   * previous set exactly as it was and no temporary folder.
   */
  @Test
  void failedWriteLeavesThePreviousSet() throws Exception {
    Map<Path, String> before = checksums(Path.of(folder));
    Dataset<Row> failing =
        SegmentRows.snapshot(spark, CUSTOMERS, AS_OF, 0)
            .where("rfm_segment = 'champions'")
            .select(
                functions.col("customer_id"),
                functions.assert_true(functions.col("customer_id").lt("C040")).as("x"))
            .orderBy("customer_id")
            .repartition(1)
            .sortWithinPartitions("customer_id");
    RuntimeException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            RuntimeException.class,
            () ->
                AudienceFiles.write(
                    spark.sparkContext().hadoopConfiguration(),
                    folder,
                    AS_OF,
                    "rfm_segment",
                    "champions",
                    failing,
                    List.of("customer_id", "x"),
                    false,
                    "failtest"));
    assertTrue(
        String.valueOf(failure.getMessage()).contains("C040")
            || failure.toString().contains("assert"),
        failure.toString());
    assertEquals(before, checksums(Path.of(folder)));
  }
}

package io.segpipe.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.i18n.Labels;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.segment.SegmentModels;
import io.segpipe.jobs.segment.SegmentSettings;
import io.segpipe.modelling.ChurnBaseline;
import io.segpipe.modelling.ChurnModel;
import io.segpipe.modelling.ClusterTrainer;
import io.segpipe.modelling.ModelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pipeline end to end on a small generated data set (300 customers, six months): a weekly
 * backfill of three dates across a month boundary with train-every = month, which fails for real in
 * the middle (the export of the second date cannot create its folder), is resumed with the command
 * it prints; then one date runs its last job again on its own. Every figure is checked against the
 * tables it came from. Arguments and settings the pipeline refuses are checked without Spark.
 */
@ExtendWith(SharedSpark.class)
class PipelineJobTest {
  private static final List<String> DATES = List.of("2024-11-24", "2024-12-01", "2024-12-08");
  private static final String FAILING = DATES.get(1);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The audiences the default config exports: segmentation -> segments. */
  private static final Map<String, List<String>> AUDIENCES =
      Map.of(
          "rfm_segment", List.of("champions", "at_risk", "cant_lose_them"),
          "lifecycle_stage", List.of("at_risk", "lapsed"),
          "needs_segment", List.of("price_sensitive"));

  private static SparkSession spark;
  private static Path lake;
  private static JobRun failed;
  private static List<String> resumeCommand;
  private static JobRun resumed;
  private static JobRun reportAgain;

  @BeforeAll
  static void backfillFailResumeAndRerun(SparkSession session) throws Exception {
    spark = session;
    Path generated = generated();
    lake = TestFolders.folder("segpipe-pipeline").resolve("lake");
    // A file where the export of the second date puts its folder: that export fails for real.
    Path blocker = lake.resolve("audiences").resolve(FAILING);
    Files.createDirectories(blocker.getParent());
    Files.writeString(blocker, "not a folder");

    List<String> args =
        new ArrayList<>(
            List.of(
                "--source",
                generated.resolve("events").toString(),
                "--mapping",
                "generator",
                "--customers",
                generated.resolve("customers").toString(),
                "--from",
                DATES.get(0),
                "--to",
                DATES.get(2),
                "--every",
                "week"));
    args.addAll(conf());
    failed = pipeline(args);

    resumeCommand = resumeCommandOf(failed.err());
    Files.delete(blocker);
    resumed = pipeline(resumeCommand.subList(2, resumeCommand.size()));

    List<String> again = new ArrayList<>(List.of("--as-of", DATES.get(2), "--from-job", "report"));
    again.addAll(conf());
    reportAgain = pipeline(again);
  }

  /**
   * 300 customers' events from December 2023 to mid-December 2024, generated once and kept under
   * target/ for later runs; mvn clean makes it again. A year of history: with half a year, these
   * few customers' mean order values vary too much for the Gamma-Gamma spend model (q <= 1, which
   * clv refuses).
   */
  private static Path generated() throws IOException {
    Path dir = Path.of("target", "pipeline-test-generated-300-23-from-2023-12").toAbsolutePath();
    Path complete = dir.resolve("complete");
    if (!Files.exists(complete)) {
      assertEquals(
          0,
          new GenerateJob()
              .execute(
                  "--output",
                  dir.toString(),
                  "--customers",
                  "300",
                  "--seed",
                  "23",
                  "--from",
                  "2023-12-01",
                  "--to",
                  "2024-12-15",
                  "--conf",
                  "segpipe.lake.root=" + dir.resolve("lake")),
          "generate");
      Files.createFile(complete);
    }
    return dir;
  }

  /**
   * The lake, monthly training and small, fast models (their quality is TrainJobTest's business).
   */
  private static List<String> conf() {
    List<String> out = new ArrayList<>();
    for (String c :
        List.of(
            "segpipe.lake.root=" + lake,
            "segpipe.pipeline.train-every=month",
            "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"",
            "segpipe.train.k-min=3",
            "segpipe.train.k-max=3",
            "segpipe.train.partitions=2",
            "segpipe.train.churn.candidates=[tree,bgnbd]",
            "segpipe.train.churn.training-cut-offs=1")) {
      out.add("--conf");
      out.add(c);
    }
    return out;
  }

  private static JobRun pipeline(List<String> args) {
    return JobRun.of(() -> PipelineJob.execute(args.toArray(String[]::new)));
  }

  /**
   * The printed resume command, split into words by bash itself (it is meant to be pasted into a
   * shell).
   */
  private static List<String> resumeCommandOf(String err) throws IOException, InterruptedException {
    Matcher m =
        Pattern.compile("resume from there[^\n]*\n  (scripts/segpipe pipeline [^\n]+)")
            .matcher(err);
    assertTrue(m.find(), "a resume command in:\n" + err);
    Process bash = new ProcessBuilder("bash", "-c", "printf '%s\\0' " + m.group(1)).start();
    String words = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, bash.waitFor(), "bash reads the command " + m.group(1));
    return Arrays.asList(words.substring(0, words.length() - 1).split("\0"));
  }

  private static Dataset<Row> table(String name) {
    return spark.read().format("delta").load(lake.resolve(name).toString());
  }

  /** The as_of_date of each succeeded (or failed) run of a job, in the order they ran. */
  private static List<String> runs(String job, String status) {
    return table("run_metrics")
        .where(functions.col("job").equalTo(job).and(functions.col("status").equalTo(status)))
        .orderBy("started_at")
        .select("as_of_date")
        .collectAsList()
        .stream()
        .map(r -> r.getDate(0).toString())
        .toList();
  }

  /** The rows of the summary table a run printed: date -> the status of each job. */
  private static Map<String, List<String>> summary(JobRun run) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (String line : run.out().split("\n")) {
      String[] cells = line.trim().split(" {2,}");
      if (cells[0].matches("\\d{4}-\\d{2}-\\d{2}")) {
        rows.put(cells[0], List.of(cells).subList(1, Math.min(cells.length, 9)));
      }
    }
    return rows;
  }

  // ---- the same lake in Chinese ----------------------------------------------------------------

  /**
   * A copy of the lake run again from features for the last date under zh-CN: every code column of
   * customer_segments equals the en-GB run's, row for row; every label column holds the zh-CN label
   * of its code; the audience files carry the byte-order mark and Chinese labels; the report is
   * Chinese.
   */
  @Test
  void underZhCnTheLabelsAudiencesAndReportAreChineseAndTheCodesThoseOfEnGb() throws Exception {
    Path chinese = TestFolders.folder("segpipe-pipeline-zh").resolve("lake");
    try (Stream<Path> files = Files.walk(lake)) {
      for (Path from : files.toList()) {
        Path to = chinese.resolve(lake.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to);
        }
      }
    }
    String date = DATES.get(2);
    List<String> args = new ArrayList<>(List.of("--as-of", date, "--from-job", "features"));
    conf()
        .forEach(
            c -> args.add(c.startsWith("segpipe.lake.root=") ? "segpipe.lake.root=" + chinese : c));
    args.addAll(List.of("--conf", "segpipe.locale=zh-CN"));
    JobRun run = pipeline(args);
    assertEquals(0, run.code(), run.err());

    List<String> codes =
        List.of(
            "customer_id",
            "rfm_segment",
            "lifecycle_stage",
            "value_tier",
            "cluster_id",
            "cluster_label",
            "churn_risk",
            "clv_tier",
            "churn_probability",
            "rfm_cell");
    Dataset<Row> english =
        table("customer_segments").where(functions.col("as_of_date").equalTo(Date.valueOf(date)));
    Dataset<Row> zh =
        spark
            .read()
            .format("delta")
            .load(chinese.resolve("customer_segments").toString())
            .where(functions.col("as_of_date").equalTo(Date.valueOf(date)));
    Column[] codeColumns = codes.stream().map(functions::col).toArray(Column[]::new);
    List<Row> englishCodes = english.select(codeColumns).orderBy("customer_id").collectAsList();
    assertEquals(englishCodes, zh.select(codeColumns).orderBy("customer_id").collectAsList());
    assertTrue(englishCodes.size() > 100, "customers: " + englishCodes.size());

    Messages messages = Messages.builtIn("zh-CN");
    Messages en = Messages.builtIn("en-GB");
    long labelled = 0;
    for (Row r : zh.collectAsList()) {
      for (String column : Labels.CODED) {
        String code = r.getAs(column);
        String name = r.getAs(Labels.nameColumn(column));
        assertEquals(
            code == null ? null : messages.label(column, code),
            name,
            column + " of " + r.getAs("customer_id"));
        labelled += code == null ? 0 : 1;
      }
      String cluster = r.getAs("cluster_name");
      assertTrue(
          cluster == null
              || cluster
                  .codePoints()
                  .anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN),
          "cluster_name in Chinese: " + cluster);
    }
    assertTrue(labelled > 500, "labels checked: " + labelled);
    Row first = english.where("rfm_segment IS NOT NULL").orderBy("customer_id").first();
    assertEquals(
        en.label("rfm_segment", first.getAs("rfm_segment")),
        first.getAs("rfm_segment_name"),
        "the en-GB run labels in English");

    Path set =
        chinese.resolve("audiences").resolve(date).resolve("lifecycle_stage").resolve("at_risk");
    byte[] csv = Files.readAllBytes(set.resolve("at_risk.csv"));
    assertEquals(List.of(0xEF, 0xBB, 0xBF), List.of(csv[0] & 0xFF, csv[1] & 0xFF, csv[2] & 0xFF));
    String text = new String(csv, 3, csv.length - 3, StandardCharsets.UTF_8);
    assertTrue(
        text.contains(",有流失风险,"),
        "the lifecycle label in each row:\n" + text.lines().limit(3).toList());
    assertEquals(
        "有流失风险", JSON.readTree(set.resolve("manifest.json").toFile()).get("segment_name").asText());
    byte[] englishCsv =
        Files.readAllBytes(
            lake.resolve("audiences")
                .resolve(date)
                .resolve("lifecycle_stage")
                .resolve("at_risk")
                .resolve("at_risk.csv"));
    assertEquals('c', englishCsv[0], "no byte-order mark under en-GB");

    String page =
        Files.readString(chinese.resolve("reports").resolve(date).resolve("segment-report.html"));
    assertTrue(page.contains("<html lang=\"zh-CN\">"), page.substring(0, 200));
    for (String code :
        zh
            .where("rfm_segment IS NOT NULL")
            .select("rfm_segment")
            .distinct()
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList()) {
      assertTrue(
          page.contains(messages.label("rfm_segment", code)),
          "the report names " + code + " in Chinese");
    }
  }

  // ---- a failure in the middle, and the resume
  // ---------------------------------------------------

  @Test
  void theFailureStopsTheRunNamingDateAndJobAndSayingHowToResume() {
    assertEquals(
        2,
        failed.code(),
        "the export's own exit code (storage refused the write: the user can fix it)");
    assertTrue(
        failed
            .err()
            .contains("stopped: the export job failed for as-of " + FAILING + " (exit code 2): "),
        failed.err());
    assertTrue(
        failed
                .err()
                .contains("The storage refused a read or write: Parent path is not a directory: ")
            && failed.err().contains("audiences/" + FAILING),
        "the export's message is repeated: " + failed.err());
    assertEquals(
        List.of(
            "scripts/segpipe",
            "pipeline",
            "--from",
            FAILING,
            "--to",
            DATES.get(2),
            "--every",
            "week",
            "--from-job",
            "export"),
        resumeCommand.subList(0, 10));
    assertFalse(
        resumeCommand.contains("--source"),
        "ingest ran; the resume does not ingest again: " + resumeCommand);
    assertTrue(
        resumeCommand.contains("segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""),
        "config overrides kept, " + "quotes intact: " + resumeCommand);
    assertEquals(
        Map.of(
            DATES.get(0), List.of("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"),
            DATES.get(1), List.of("ok", "ok", "ok", "ok", "ok", "FAILED", "-", "-"),
            DATES.get(2), List.of("-", "-", "-", "-", "-", "-", "-", "-")),
        summary(failed));
    assertTrue(failed.out().contains("ingest: ok"), failed.out());
  }

  @Test
  void theResumeCommandRunsTheRestAndNothingTwice() {
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(
        Map.of(
            FAILING,
            List.of("skipped", "skipped", "skipped", "skipped", "skipped", "ok", "ok", "ok"),
            DATES.get(2),
            List.of("ok", "not due", "ok", "ok", "ok", "ok", "ok", "ok")),
        summary(resumed));
    assertEquals(
        List.of(DATES.get(2)), runs("ingest", "succeeded"), "ingest ran once, as of the last date");
    assertEquals(
        DATES, runs("features", "succeeded"), "features once per date, not again on resume");
    assertEquals(List.of(FAILING), runs("export", "failed"));
    assertEquals(DATES, runs("export", "succeeded"));
    assertEquals(DATES, runs("segment", "succeeded"));
    assertEquals(DATES, runs("affinities", "succeeded"), "affinities once per date, after segment");
    assertEquals(DATES, runs("report", "succeeded").subList(0, 3));
    assertTrue(runs("segment", "failed").isEmpty() && runs("features", "failed").isEmpty());
  }

  // ---- training only when due, scoring every date
  // -------------------------------------------------

  /** model_runs' clusters version of each training as-of date. */
  private static Map<String, String> clusterVersions() {
    Map<String, String> out = new TreeMap<>();
    table("model_runs")
        .where("model = 'clusters'")
        .select("as_of_date", "version")
        .collectAsList()
        .forEach(r -> out.put(r.getDate(0).toString(), r.getString(1)));
    return out;
  }

  @Test
  void trainRunsOnTheFirstDateAndTheFirstDateOfEachMonthOnly() {
    assertEquals(
        List.of(DATES.get(0), FAILING),
        runs("train", "succeeded"),
        "the backfill's first date, then the first date in December; not " + DATES.get(2));
    assertEquals(Set.of(DATES.get(0), FAILING), clusterVersions().keySet());
    assertTrue(
        failed.out().contains(FAILING + " train is due: the first date of a new month"),
        failed.out());
    assertTrue(
        resumed
            .out()
            .contains(
                DATES.get(2)
                    + " train is not due (segpipe.pipeline.train-every = month):"
                    + " segment uses the model of "
                    + FAILING),
        resumed.out());
  }

  /**
   * clv fits when training is due and otherwise scores with the latest fit (--score-only); segment
   * takes each date's lifetime value columns from customer_clv of that date.
   */
  @Test
  void clvRefitsWithTrainingAndSegmentsCarryItsScores() {
    assertEquals(DATES, runs("clv", "succeeded"));
    Map<String, String> fits = new TreeMap<>();
    table("model_runs")
        .where("model = 'clv-bgnbd'")
        .select("as_of_date", "version")
        .collectAsList()
        .forEach(r -> fits.put(r.getDate(0).toString(), r.getString(1)));
    assertEquals(
        Set.of(DATES.get(0), FAILING),
        fits.keySet(),
        "fitted when train was due, not on " + DATES.get(2));
    Map<String, Set<String>> used = new TreeMap<>();
    table("customer_clv")
        .select("as_of_date", "clv_model_version")
        .distinct()
        .collectAsList()
        .forEach(
            r ->
                used.computeIfAbsent(r.getDate(0).toString(), d -> new TreeSet<>())
                    .add(r.getString(1)));
    assertEquals(
        Map.of(
            DATES.get(0),
            Set.of(fits.get(DATES.get(0))),
            FAILING,
            Set.of(fits.get(FAILING)),
            DATES.get(2),
            Set.of(fits.get(FAILING))),
        used);
    Dataset<Row> segments =
        table("customer_segments")
            .select(
                "customer_id", "as_of_date", "p_alive", "expected_purchases", "clv", "clv_tier");
    Dataset<Row> clv =
        table("customer_clv")
            .select(
                "customer_id", "as_of_date", "p_alive", "expected_purchases", "clv", "clv_tier");
    assertTrue(clv.count() > 0);
    assertEquals(0, clv.except(segments).count(), "every customer_clv row is in customer_segments");
    assertEquals(
        0, segments.where("clv IS NOT NULL").except(clv).count(), "and nothing else carries a clv");
  }

  /** Every date is scored with the latest model trained at or before it. */
  @Test
  void eachDateIsScoredWithTheLatestModelTrainedAtOrBeforeIt() {
    Map<String, String> versions = clusterVersions();
    String november = versions.get(DATES.get(0));
    String december = versions.get(FAILING);
    assertNotEquals(november, december);
    Map<String, String> expected =
        Map.of(DATES.get(0), november, FAILING, december, DATES.get(2), december);
    Map<String, Set<String>> used = new TreeMap<>();
    table("customer_segments")
        .select("as_of_date", "clusters_model_version", "churn_model_version")
        .distinct()
        .collectAsList()
        .forEach(
            r -> {
              used.computeIfAbsent(r.getDate(0).toString(), d -> new TreeSet<>())
                  .add(r.getString(1));
              used.get(r.getDate(0).toString()).add(r.getString(2));
            });
    expected.forEach(
        (date, version) ->
            assertEquals(Set.of(version), used.get(date), "models applied on " + date));
    List<Row> segmentRuns =
        table("run_metrics")
            .where("job = 'segment' AND status = 'succeeded'")
            .orderBy("started_at")
            .select("as_of_date", "details")
            .collectAsList();
    for (Row run : segmentRuns) {
      assertEquals(
          expected.get(run.getDate(0).toString()),
          run.getJavaMap(1).get("clusters_model_version"),
          "segment run of " + run.getDate(0));
    }
  }

  /**
   * The last date's clusters and churn probabilities are those of the models applied here to its
   * customer_features snapshot, the churn model reading the BG/NBD probability of no purchase
   * joined from customer_clv as a table of its own, where the segment job computes it on the clv
   * rows it joins once; prospects get neither.
   */
  @Test
  void clustersAndChurnAreTheModelsAppliedToTheBuyersOfTheSnapshot() {
    String date = DATES.get(2);
    SegpipeConfig config =
        SegpipeConfig.load(Optional.empty(), Map.of("segpipe.lake.root", lake.toString()));
    ModelRegistry registry = ModelRegistry.open(spark, new Lake(spark, config.lake()), config);
    SegmentModels models = segmentModels(config, registry, date);
    assertTrue(models.churnUsesBgNbd(), "the pipeline's churn model reads the BG/NBD probability");
    Column onDate = functions.col("as_of_date").equalTo(Date.valueOf(date));
    Dataset<Row> clv = table("customer_clv").where(onDate);
    List<Row> versions = clv.select("clv_model_version").distinct().collectAsList();
    assertEquals(1, versions.size(), "one clv fit scored " + date);
    Dataset<Row> p =
        clv.select(
            functions.col("customer_id").as("p_customer_id"),
            ChurnBaseline.clvScore(
                    ChurnBaseline.load(registry, versions.get(0).getString(0)),
                    models.churnHorizonDays())
                .as(ChurnBaseline.COLUMN));
    Dataset<Row> buyers = table("customer_features").where(onDate).where("frequency > 0");
    Dataset<Row> features =
        buyers
            .join(p, buyers.col("customer_id").equalTo(p.col("p_customer_id")), "left")
            .drop("p_customer_id")
            .na()
            .fill(1.0, new String[] {ChurnBaseline.COLUMN});
    Map<String, Row> expected = new TreeMap<>();
    models
        .churn()
        .model()
        .transform(models.clusters().model().transform(features))
        .select(
            functions.col("customer_id"),
            functions.col(ClusterTrainer.CLUSTER),
            ChurnModel.churnProbability(models.churnCalibrated()))
        .collectAsList()
        .forEach(r -> expected.put(r.getString(0), r));
    List<Row> segments =
        table("customer_segments")
            .where(onDate)
            .select("customer_id", "frequency", "cluster_id", "churn_probability")
            .collectAsList();
    long buyersSeen = 0;
    for (Row s : segments) {
      Row e = expected.get(s.getString(0));
      if (s.getLong(1) == 0) {
        assertTrue(s.isNullAt(2) && s.isNullAt(3), "a prospect has no scores: " + s);
        continue;
      }
      buyersSeen++;
      assertEquals(e.getInt(1), s.getInt(2), "cluster of " + s);
      assertEquals(e.getDouble(2), s.getDouble(3), 1e-12, "churn probability of " + s);
    }
    assertEquals(expected.size(), buyersSeen, "every buyer scored");
    assertTrue(buyersSeen > 100 && buyersSeen < segments.size(), buyersSeen + " buyers");
  }

  /**
   * Segmenting the first date again, now that December's model exists, still picks November's: a
   * backfilled or re-run date never uses a model that learnt from a later snapshot. (The models the
   * segment job would apply, chosen and loaded as it does, without running it.)
   */
  @Test
  void aDateIsNeverScoredWithAModelOfALaterSnapshot() {
    SegpipeConfig config =
        SegpipeConfig.load(Optional.empty(), Map.of("segpipe.lake.root", lake.toString()));
    ModelRegistry registry = ModelRegistry.open(spark, new Lake(spark, config.lake()), config);
    Map<String, String> versions = clusterVersions();
    for (String date : List.of(DATES.get(0), "2024-11-30")) {
      SegmentModels models = segmentModels(config, registry, date);
      assertEquals(
          versions.get(DATES.get(0)), models.clustersVersion(), "clusters applied on " + date);
      assertEquals(versions.get(DATES.get(0)), models.churnVersion(), "churn applied on " + date);
    }
    UserError before =
        assertThrows(UserError.class, () -> segmentModels(config, registry, "2024-11-17"));
    assertTrue(
        before
                .getMessage()
                .contains(
                    "was trained on a snapshot after 2024-11-17 (the earliest as of "
                        + DATES.get(0)
                        + ")")
            && before.getMessage().contains("scripts/segpipe train --as-of 2024-11-17"),
        before.getMessage());
  }

  /** The models the segment job would apply on {@code date}, chosen and loaded as it does. */
  private static SegmentModels segmentModels(
      SegpipeConfig config, ModelRegistry registry, String date) {
    return SegmentModels.load(
        registry,
        config.section(
            r ->
                SegmentSettings.read(
                    r, LocalDate.parse(date), config.events().channels(), config.messages())));
  }

  // ---- the tables, audiences and reports of every date
  // ---------------------------------------------

  /**
   * The customers of a snapshot, computed here from events and customers: everyone with an event in
   * the 365-day window up to the end of the date, and everyone signed up by then.
   */
  private static Set<String> expectedCustomers(String asOf) {
    LocalDate date = LocalDate.parse(asOf);
    Dataset<Row> active =
        table("events")
            .where(
                functions
                    .col("customer_id")
                    .isNotNull()
                    .and(functions.col("event_ts").geq(functions.lit(startOf(date.minusDays(364)))))
                    .and(functions.col("event_ts").lt(functions.lit(startOf(date.plusDays(1))))))
            .select("customer_id");
    Dataset<Row> signedUp =
        table("customers")
            .where(
                functions
                    .col("signup_date")
                    .isNull()
                    .or(functions.col("signup_date").leq(functions.lit(Date.valueOf(date)))))
            .select("customer_id");
    return active.union(signedUp).distinct().collectAsList().stream()
        .map(r -> r.getString(0))
        .collect(Collectors.toSet());
  }

  private static Timestamp startOf(LocalDate day) {
    return Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  private static Set<String> customersOf(String table, String asOf) {
    List<String> ids =
        table(table)
            .where(functions.col("as_of_date").equalTo(functions.lit(Date.valueOf(asOf))))
            .select("customer_id")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .toList();
    assertEquals(
        ids.size(), Set.copyOf(ids).size(), "one row per customer in " + table + " " + asOf);
    return Set.copyOf(ids);
  }

  private static Set<String> partitions(String table) {
    return table(table).select("as_of_date").distinct().collectAsList().stream()
        .map(r -> r.getDate(0).toString())
        .collect(Collectors.toSet());
  }

  @Test
  void featuresAndSegmentsHaveExactlyTheBackfilledDatesAndEveryCustomer() {
    assertEquals(Set.copyOf(DATES), partitions("customer_features"));
    assertEquals(Set.copyOf(DATES), partitions("customer_segments"));
    for (String date : DATES) {
      Set<String> expected = expectedCustomers(date);
      assertTrue(expected.size() > 200, expected.size() + " customers as of " + date);
      assertEquals(expected, customersOf("customer_features", date), "customer_features " + date);
      assertEquals(expected, customersOf("customer_segments", date), "customer_segments " + date);
    }
  }

  @Test
  void everyDateHasItsAudienceFilesWithTheConsentingMembersOfEachSegment() throws IOException {
    for (String date : DATES) {
      Dataset<Row> segments =
          table("customer_segments")
              .where(
                  functions
                      .col("as_of_date")
                      .equalTo(functions.lit(Date.valueOf(date)))
                      .and(functions.col("marketing_opt_in").equalTo(true)));
      long members = 0;
      for (Map.Entry<String, List<String>> audience : AUDIENCES.entrySet()) {
        for (String segment : audience.getValue()) {
          List<String> expected =
              segments
                  .where(functions.col(audience.getKey()).equalTo(segment))
                  .select("customer_id")
                  .collectAsList()
                  .stream()
                  .map(r -> r.getString(0))
                  .sorted()
                  .toList();
          String slug = segment;
          Path folder =
              lake.resolve("audiences").resolve(date).resolve(audience.getKey()).resolve(slug);
          JsonNode manifest = JSON.readTree(folder.resolve("manifest.json").toFile());
          assertEquals(date, manifest.get("as_of_date").asText());
          assertEquals(expected.size(), manifest.get("rows").asLong(), folder.toString());
          List<String> csv = Files.readAllLines(folder.resolve(slug + ".csv"));
          assertEquals(
              expected,
              csv.subList(1, csv.size()).stream().map(l -> l.substring(0, l.indexOf(','))).toList(),
              folder + " lists the segment's consenting customers, in order");
          members += expected.size();
        }
      }
      assertTrue(members > 0, "someone to market to on " + date);
    }
  }

  @Test
  void everyDateHasItsReportOfItsOwnSnapshotComparedWithThePreviousOne() throws IOException {
    Map<String, String> versions = clusterVersions();
    for (int i = 0; i < DATES.size(); i++) {
      String date = DATES.get(i);
      Path folder = lake.resolve("reports").resolve(date);
      String page = Files.readString(folder.resolve("segment-report.html"));
      assertTrue(page.startsWith("<!DOCTYPE html>"), folder.toString());
      assertTrue(
          page.contains("<title>Customer segments as of " + date + "</title>"),
          "the page of " + date);
      JsonNode data = JSON.readTree(folder.resolve("report-data.json").toFile());
      assertEquals(date, data.get("asOfDate").asText());
      assertEquals(
          customersOf("customer_segments", date).size(),
          data.get("headline").get("current").get("customers").asLong());
      assertEquals(
          i == 0 ? "null" : DATES.get(i - 1),
          data.get("previousAsOfDate").asText(),
          "previous of " + date);
      assertEquals(
          versions.get(i == 0 ? DATES.get(0) : FAILING),
          data.get("models").get("clustersVersion").asText());
    }
  }

  // ---- one date on its own
  // ---------------------------------------------------------------------------

  /** --as-of alone, starting at the last job: only that job runs, for that date. */
  @Test
  void oneDateFromALaterJobRunsOnlyThatJob() {
    assertEquals(0, reportAgain.code(), reportAgain.err());
    assertEquals(
        Map.of(
            DATES.get(2),
            List.of(
                "skipped", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped", "ok")),
        summary(reportAgain));
    assertTrue(reportAgain.out().contains("ingest: skipped"), reportAgain.out());
    assertEquals(
        List.of(DATES.get(0), FAILING, DATES.get(2), DATES.get(2)), runs("report", "succeeded"));
  }

  // ---- arguments and config refused before Spark starts
  // ----------------------------------------------

  /**
   * A run refused with exit code 2, saying {@code expected} (fragments separated by "|"), before
   * anything ran.
   */
  private static void refused(String expected, String... args) {
    Path nowhere = lake.getParent().resolve("refused-" + Math.abs(Arrays.hashCode(args)));
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--conf", "segpipe.lake.root=" + nowhere));
    JobRun run = pipeline(argv);
    assertEquals(2, run.code(), String.join(" ", args));
    for (String fragment : expected.split("\\|")) {
      assertTrue(run.err().contains(fragment), "'" + fragment + "' in: " + run.err());
    }
    assertFalse(Files.exists(nowhere), "nothing ran for " + String.join(" ", args));
  }

  @Test
  void badCombinationsOfDatesAreRefusedWithExitCode2() {
    refused(
        "give one or the other",
        "--as-of",
        "2024-12-31",
        "--from",
        "2024-12-01",
        "--to",
        "2024-12-31");
    refused(
        "--to 2024-12-01 is before --from 2024-12-31",
        "--from",
        "2024-12-31",
        "--to",
        "2024-12-01");
    refused(
        "--every must be one of day, week, month, month-end; got 'fortnight'",
        "--from",
        "2024-12-01",
        "--to",
        "2024-12-31",
        "--every",
        "fortnight");
    refused("--from without --to", "--from", "2024-12-01");
    refused("--every steps a range", "--every", "week");
    refused("The pipeline needs the snapshot date(s)");
    refused(
        "Use --every month-end", "--from", "2024-10-31", "--to", "2024-12-31", "--every", "month");
    refused(
        "--from 2024-10-30 is not the last day of its month",
        "--from",
        "2024-10-30",
        "--to",
        "2024-12-31",
        "--every",
        "month-end");
    refused(
        "--from-job score is not a job of the pipeline",
        "--as-of",
        "2024-12-31",
        "--from-job",
        "score");
    refused(
        "--from must be a date as YYYY-MM-DD, got '2024-13-01'",
        "--from",
        "2024-13-01",
        "--to",
        "2024-12-31");
  }

  @Test
  void badSettingsAreRefusedBeforeAnyJobRuns() {
    refused(
        "segpipe.pipeline.train-every (|'fortnight' is not one of always, week, month, quarter",
        "--as-of",
        "2024-12-31",
        "--conf",
        "segpipe.pipeline.train-every=fortnight");
    refused(
        "did you mean segpipe.pipeline.train-every?",
        "--as-of",
        "2024-12-31",
        "--conf",
        "segpipe.pipeline.train-evry=week");
    refused(
        "the export job would fail (nothing has run)|segpipe.export.columns|'shoe_size'",
        "--from",
        "2024-11-30",
        "--to",
        "2024-12-31",
        "--every",
        "month-end",
        "--conf",
        "segpipe.export.columns=[customer_id, shoe_size]");
  }
}

package io.segpipe.jobs.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.features.NeedsSegmentMap;
import io.segpipe.jobs.train.GeneratedLake;
import io.segpipe.jobs.train.TrainJob;
import io.segpipe.modelling.ClusterLabels;
import io.segpipe.modelling.ClusterTrainer;
import io.segpipe.modelling.ModelRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.collection.JavaConverters;

/**
 * The segment job end to end on a small generated lake (400 customers, features as of two dates,
 * see {@link GeneratedLake}) copied to a temporary folder, with two model versions trained on it:
 * the figures of every output table are checked against aggregates computed here, in plain Java,
 * from the rows of customer_segments, customer_features, customers and events.
 */
@ExtendWith(SharedSpark.class)
class SegmentJobTest {
  private static final String BEFORE = "2024-11-30";
  private static final String AS_OF = "2024-12-31";
  private static final List<String> CHANNELS =
      List.of("web", "app", "store", "social", "marketplace", "call_center");
  private static final List<String> TABLES =
      List.of(
          Tables.CUSTOMER_SEGMENTS.name(),
          Tables.SEGMENT_PROFILES.name(),
          Tables.SEGMENT_RULES.name(),
          Tables.SEGMENT_TRANSITIONS.name(),
          Tables.SEGMENT_TRENDS.name());
  private static final double EPS = 1e-9;

  private static SparkSession spark;
  private static Path built;
  private static Path lake;
  private static Path models;
  private static String olderVersion;
  private static String latestVersion;

  /**
   * Two snapshots segmented in one lake, as a user would over two months, with a twist that saves a
   * run of the job: the first is segmented before the customers table is loaded and with the older
   * models pinned, the second with the customers table and the latest models.
   */
  @BeforeAll
  static void segmentTwoSnapshots(SparkSession session) throws IOException {
    spark = session;
    built = GeneratedLake.build(400, 5, List.of(BEFORE, AS_OF));
    Path dir = TestFolders.folder("segpipe-segment");
    lake =
        GeneratedLake.copyLake(
            built,
            dir.resolve("lake"),
            List.of(
                Tables.EVENTS.name(),
                Tables.CUSTOMER_DAILY.name(),
                Tables.CUSTOMER_FEATURES.name()));
    models = trainedModels(built, lake);
    ModelRegistry registry = new ModelRegistry(spark, lakeOf(lake), models.toString());
    olderVersion = registry.versions(ModelRegistry.CLUSTERS).get(0).version();
    latestVersion = registry.versions(ModelRegistry.CLUSTERS).get(1).version();
    assertEquals(
        0,
        segment(
            lake,
            BEFORE,
            "segpipe.segment.clusters-version=\"" + olderVersion + "\"",
            "segpipe.segment.churn-version=\"" + olderVersion + "\""));
    GeneratedLake.copyLake(built, lake, List.of(Tables.CUSTOMERS.name()));
    assertEquals(0, segment(lake, AS_OF));
  }

  /**
   * Two model versions trained on the generated lake, as of each date: the older one is pinned for
   * the first snapshot, the latest is what the other runs apply. Training takes minutes on a loaded
   * two-core machine, so, like the lake, the models are kept beside it and reused (they are the
   * same for the same lake and seed); model_runs goes to the copy. Few k and two partitions: the
   * models' quality is TrainJobTest's business, not this one's.
   */
  private static Path trainedModels(Path built, Path lake) throws IOException {
    Path folder = built.resolve("segment-test-models");
    Path complete = built.resolve("segment-test-models-complete");
    if (!Files.exists(complete)) {
      for (String asOf : List.of(BEFORE, AS_OF)) {
        assertEquals(
            0,
            new TrainJob()
                .execute(
                    "--as-of",
                    asOf,
                    "--conf",
                    "segpipe.lake.root=" + lake,
                    "--conf",
                    "segpipe.train.models=\"" + folder + "\"",
                    "--conf",
                    "segpipe.train.k-min=3",
                    "--conf",
                    "segpipe.train.k-max=4",
                    "--conf",
                    "segpipe.train.partitions=2",
                    // no clv run here: a churn tree without the BG/NBD feature (the candidates are
                    // TrainJobTest's)
                    "--conf",
                    "segpipe.train.churn.candidates=[tree]",
                    "--conf",
                    "segpipe.train.churn.bgnbd-feature=false",
                    "--conf",
                    "segpipe.train.churn.training-cut-offs=1"),
            "train as of " + asOf);
      }
      Files.createFile(complete);
    }
    return folder;
  }

  private static int segment(Path root, String asOf, String... conf) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--as-of",
                asOf,
                "--conf",
                "segpipe.lake.root=" + root,
                "--conf",
                "segpipe.train.models=\"" + models + "\""));
    for (String c : conf) {
      args.add("--conf");
      args.add(c);
    }
    return new SegmentJob().execute(args.toArray(String[]::new));
  }

  /** The ids of the RDDs the session holds in memory or on disk. */
  private static Set<Object> persisted() {
    return new HashSet<>(
        JavaConverters.asJavaCollection(spark.sparkContext().getPersistentRDDs().keys()));
  }

  private static Lake lakeOf(Path root) {
    return new Lake(spark, new LakeSettings(root.toString(), ""));
  }

  private static Dataset<Row> partition(Path root, String table, String asOf) {
    return spark
        .read()
        .format("delta")
        .load(root.resolve(table).toString())
        .where(functions.col("as_of_date").equalTo(functions.lit(Date.valueOf(asOf))));
  }

  private static List<Row> rows(Path root, String table, String asOf) {
    return partition(root, table, asOf).collectAsList();
  }

  /** The partition as sorted JSON lines: equal lists mean the same rows, bit for bit. */
  private static List<String> json(Path root, String table, String asOf) {
    return partition(root, table, asOf).toJSON().collectAsList().stream().sorted().toList();
  }

  private static Map<String, Row> byCustomer(List<Row> rows) {
    return rows.stream().collect(Collectors.toMap(r -> r.<String>getAs("customer_id"), r -> r));
  }

  private static Row lastRun(Path root) {
    return spark
        .read()
        .format("delta")
        .load(root.resolve("run_metrics").toString())
        .where("job = 'segment'")
        .orderBy(functions.col("started_at").desc())
        .first();
  }

  // ---- customer_segments
  // -------------------------------------------------------------------------

  /**
   * needs_segment: every customer of the snapshot in exactly the segment the config's conditions
   * give when evaluated here in Java on the snapshot's own feature values (an independent reading
   * of the same thresholds), with its English label; the segmentation is profiled like the others.
   */
  @Test
  void needsSegmentsFollowTheConfiguredThresholds() {
    NeedsSegmentMap map =
        SegpipeConfig.load(Optional.empty(), Map.of())
            .section(r -> NeedsSegmentMap.read(r, NeedsSegmentMap.KEY));
    Messages english = Messages.builtIn("en-GB");
    Map<String, Row> snapshot = byCustomer(rows(lake, Tables.CUSTOMER_FEATURES.name(), AS_OF));
    Map<String, Long> sizes = new TreeMap<>();
    for (Row s : rows(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF)) {
      Row f = snapshot.get(s.<String>getAs("customer_id"));
      Map<String, Double> values = new HashMap<>();
      for (String feature : map.features()) {
        Object v = f.getAs(feature);
        values.put(feature, v == null ? null : ((Number) v).doubleValue());
      }
      String expected = map.segmentOf(values);
      assertNotNull(expected, "the default map covers every customer: " + values);
      assertEquals(expected, s.getAs("needs_segment"), s.getAs("customer_id") + " " + values);
      assertEquals(
          english.label("needs_segment", expected), s.getAs("needs_segment_name"), expected);
      sizes.merge(expected, 1L, Long::sum);
    }
    assertTrue(sizes.size() >= 4, "most needs segments occur in the sample: " + sizes);
    Map<String, Long> profiled = new TreeMap<>();
    for (Row p : rows(lake, Tables.SEGMENT_PROFILES.name(), AS_OF)) {
      if ("needs_segment".equals(p.getAs("segmentation"))) {
        profiled.put(p.getAs("segment"), p.getAs("customers"));
      }
    }
    assertEquals(sizes, profiled, "segment_profiles of needs_segment");
    System.out.println("needs-based segments as of " + AS_OF + ": " + sizes);
  }

  @Test
  void everyCustomerOfTheSnapshotIsScoredWithTheLatestModelsAndProspectsAreNot() {
    ModelRegistry registry = new ModelRegistry(spark, lakeOf(lake), models.toString());
    ModelRegistry.LoadedModel clusters =
        registry.load(
            ModelRegistry.CLUSTERS,
            Optional.empty(),
            List.of(
                "recency_days",
                "frequency",
                "monetary",
                "avg_order_value",
                "channel_breadth",
                "tenure_days"));
    assertEquals(latestVersion, clusters.metadata().version());
    Dataset<Row> features = partition(lake, Tables.CUSTOMER_FEATURES.name(), AS_OF);
    Map<String, Integer> expectedCluster = new HashMap<>();
    clusters
        .model()
        .transform(features.where("frequency > 0"))
        .select("customer_id", ClusterTrainer.CLUSTER)
        .collectAsList()
        .forEach(r -> expectedCluster.put(r.getString(0), r.getInt(1)));
    // codes from label_codes, or from the English labels of models trained before codes (kept
    // beside the lake)
    Map<Integer, String> codes = new SegmentModels(clusters, null, null).labels();
    Messages english = Messages.builtIn("en-GB");

    Map<String, Row> segments = byCustomer(rows(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF));
    Map<String, Row> snapshot = byCustomer(features.collectAsList());
    assertEquals(snapshot.keySet(), segments.keySet(), "one row per customer of the snapshot");
    assertEquals(
        CustomerSegments.COLUMNS,
        List.of(partition(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF).columns()));
    long prospects = 0;
    Set<String> risks = new HashSet<>();
    for (Row s : segments.values()) {
      Row f = snapshot.get(s.<String>getAs("customer_id"));
      for (String same :
          List.of(
              "recency_days",
              "frequency",
              "monetary",
              "rfm_segment",
              "lifecycle_stage",
              "value_tier")) {
        assertEquals(f.<Object>getAs(same), s.<Object>getAs(same), same);
      }
      assertEquals(latestVersion, s.getAs("clusters_model_version"));
      assertEquals(latestVersion, s.getAs("churn_model_version"));
      if (s.<Long>getAs("frequency") == 0) {
        prospects++;
        for (String none :
            List.of(
                "cluster_id", "cluster_label", "cluster_name", "churn_probability", "churn_risk")) {
          assertNull(s.getAs(none), none + " of prospect " + s);
        }
      } else {
        int cluster = s.getAs("cluster_id");
        assertEquals(expectedCluster.get(s.<String>getAs("customer_id")), cluster);
        assertEquals(codes.get(cluster), s.getAs("cluster_label"));
        assertEquals(ClusterLabels.name(english, codes.get(cluster)), s.getAs("cluster_name"));
        double p = s.getAs("churn_probability");
        String risk = p < 0.3 ? "low" : p < 0.6 ? "medium" : "high";
        assertEquals(risk, s.getAs("churn_risk"), "risk of probability " + p);
        risks.add(risk);
      }
    }
    assertTrue(
        prospects > 0 && prospects < segments.size(),
        prospects + " prospects of " + segments.size());
    assertTrue(risks.size() >= 2, "the fixture spreads over risk bands: " + risks);
    assertEquals(
        segments.size() - prospects, Long.parseLong(detailsOfRun(AS_OF).get("customers_scored")));
  }

  private static Map<String, String> detailsOfRun(String asOf) {
    Row run =
        spark
            .read()
            .format("delta")
            .load(lake.resolve("run_metrics").toString())
            .where(
                functions
                    .col("job")
                    .equalTo("segment")
                    .and(functions.col("status").equalTo("succeeded"))
                    .and(functions.col("as_of_date").equalTo(functions.lit(Date.valueOf(asOf)))))
            .orderBy(functions.col("started_at").desc())
            .first();
    return run.getJavaMap(run.fieldIndex("details"));
  }

  @Test
  void onlyCustomersWhoOptedInAreMarketable() {
    Map<String, Boolean> consent = new HashMap<>();
    partition(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF)
        .join(
            spark
                .read()
                .format("delta")
                .load(lake.resolve(Tables.CUSTOMERS.name()).toString())
                .select(
                    functions.col("customer_id"), functions.col("marketing_opt_in").as("given")),
            "customer_id",
            "left")
        .select("customer_id", "given")
        .collectAsList()
        .forEach(r -> consent.put(r.getString(0), r.isNullAt(1) ? null : r.getBoolean(1)));
    Map<String, Row> segments = byCustomer(rows(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF));
    long optedIn = 0;
    long without = 0;
    for (Map.Entry<String, Boolean> c : consent.entrySet()) {
      boolean marketable = segments.get(c.getKey()).getAs("marketing_opt_in");
      assertEquals(
          Boolean.TRUE.equals(c.getValue()), marketable, c.getKey() + " consent " + c.getValue());
      if (marketable) {
        optedIn++;
      } else {
        without++;
      }
    }
    assertTrue(optedIn > 0 && without > 0, optedIn + " opted in, " + without + " not");
  }

  // ---- segment_profiles
  // --------------------------------------------------------------------------

  /**
   * A customer's segment in each segmentation (null: not a member), as segment_members.sql puts it.
   */
  private static final Map<String, Function<Row, String>> SEGMENT_OF =
      Map.of(
          "rfm_segment", r -> r.getAs("rfm_segment"),
          "lifecycle_stage", r -> r.getAs("lifecycle_stage"),
          "cluster", r -> r.getAs("cluster_label"),
          "value_tier", r -> r.getAs("value_tier"),
          "needs_segment", r -> r.getAs("needs_segment"));

  private static Double mean(List<Double> values) {
    return values.isEmpty()
        ? null
        : values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
  }

  /** The textbook median: the middle value, or the mean of the two middle values. */
  private static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static List<Double> values(List<Row> rows, String column) {
    return rows.stream()
        .filter(r -> !r.isNullAt(r.fieldIndex(column)))
        .map(r -> ((Number) r.getAs(column)).doubleValue())
        .toList();
  }

  private static void assertClose(Double expected, Object actual, String what) {
    if (expected == null) {
      assertNull(actual, what);
    } else {
      assertNotNull(actual, what);
      assertEquals(expected, (Double) actual, EPS * Math.max(1, Math.abs(expected)), what);
    }
  }

  @Test
  void profilesAreTheSizesSharesMeansAndMediansOfTheSegments() {
    List<Row> segments = rows(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF);
    Map<String, Row> features = byCustomer(rows(lake, Tables.CUSTOMER_FEATURES.name(), AS_OF));
    Map<String, Row> customers =
        byCustomer(
            spark
                .read()
                .format("delta")
                .load(lake.resolve(Tables.CUSTOMERS.name()).toString())
                .collectAsList());
    Map<String, Row> profiles =
        rows(lake, Tables.SEGMENT_PROFILES.name(), AS_OF).stream()
            .collect(
                Collectors.toMap(r -> r.getAs("segmentation") + "/" + r.getAs("segment"), r -> r));
    int checked = 0;
    for (String segmentation : SegmentMembers.SEGMENTATIONS) {
      Map<String, List<Row>> groups =
          segments.stream()
              .filter(r -> SEGMENT_OF.get(segmentation).apply(r) != null)
              .collect(Collectors.groupingBy(SEGMENT_OF.get(segmentation)));
      long members = groups.values().stream().mapToLong(List::size).sum();
      BigDecimal revenue =
          groups.values().stream()
              .flatMap(List::stream)
              .map(r -> r.<BigDecimal>getAs("monetary"))
              .reduce(BigDecimal.ZERO, BigDecimal::add);
      double shares = 0;
      double revenueShares = 0;
      for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
        String what = segmentation + "/" + g.getKey();
        Row p = profiles.get(what);
        assertNotNull(p, "a profile for " + what + " among " + profiles.keySet());
        List<Row> rows = g.getValue();
        assertEquals((long) rows.size(), p.<Long>getAs("customers"), what);
        assertClose((double) rows.size() / members, p.getAs("share"), what + " share");
        for (String measure : List.of("recency", "frequency", "monetary")) {
          String column = measure.equals("recency") ? "recency_days" : measure;
          assertClose(
              mean(values(rows, column)),
              p.getAs(measure + "_mean"),
              what + " " + measure + " mean");
          assertClose(
              median(values(rows, column)),
              p.getAs(measure + "_median"),
              what + " " + measure + " median");
        }
        BigDecimal spend =
            rows.stream()
                .map(r -> r.<BigDecimal>getAs("monetary"))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertClose(
            spend.doubleValue() / revenue.doubleValue(),
            p.getAs("revenue_share"),
            what + " revenue share");
        long orders = rows.stream().mapToLong(r -> r.<Long>getAs("frequency")).sum();
        assertClose(
            orders == 0 ? null : spend.doubleValue() / orders,
            p.getAs("avg_order_value"),
            what + " order value");
        assertClose(
            mean(values(rows, "churn_probability")),
            p.getAs("churn_probability_mean"),
            what + " churn mean");
        List<Row> featureRows =
            rows.stream().map(r -> features.get(r.<String>getAs("customer_id"))).toList();
        assertClose(
            mean(values(featureRows, "avg_rating")), p.getAs("avg_rating"), what + " rating");
        for (String feature :
            List.of(
                "coupon_order_share",
                "view_to_purchase",
                "social_events",
                "evening_order_share",
                "weekend_order_share",
                "discount_spend_share")) {
          assertClose(
              mean(values(featureRows, feature)), p.getAs(feature + "_mean"), what + " " + feature);
        }
        Map<String, Double> mix = p.getJavaMap(p.fieldIndex("channel_mix"));
        double channelOrders =
            CHANNELS.stream()
                .mapToDouble(
                    c ->
                        values(featureRows, "orders_" + c).stream()
                            .mapToDouble(Double::doubleValue)
                            .sum())
                .sum();
        if (channelOrders == 0) {
          assertTrue(mix.isEmpty(), what + " has no orders: " + mix);
        } else {
          for (String c : CHANNELS) {
            double expected =
                values(featureRows, "orders_" + c).stream().mapToDouble(Double::doubleValue).sum()
                    / channelOrders;
            assertClose(expected, mix.get(c), what + " channel " + c);
          }
        }
        assertShares(
            rows,
            r -> ageBand(customers.get(r.<String>getAs("customer_id"))),
            p,
            "age_bands",
            what);
        assertShares(
            rows,
            r -> dimension(customers.get(r.<String>getAs("customer_id")), "gender"),
            p,
            "gender",
            what);
        assertShares(
            rows,
            r -> dimension(customers.get(r.<String>getAs("customer_id")), "region"),
            p,
            "region",
            what);
        for (String dimension : List.of("income_band", "city")) {
          assertShares(
              rows,
              r -> dimension(customers.get(r.<String>getAs("customer_id")), dimension),
              p,
              dimension,
              what);
        }
        shares += p.<Double>getAs("share");
        revenueShares += p.<Double>getAs("revenue_share");
        checked++;
      }
      assertEquals(1.0, shares, EPS, segmentation + " shares");
      assertEquals(1.0, revenueShares, EPS, segmentation + " revenue shares");
    }
    assertEquals(profiles.size(), checked, "no profile of a segment nobody is in");
    assertTrue(checked > 12, checked + " profiles");
  }

  /** The default bands (edges 25, 35, 45, 55, 65) of the age in the as-of year. */
  private static String ageBand(Row customer) {
    if (customer == null || customer.isNullAt(customer.fieldIndex("birth_year"))) {
      return "unknown";
    }
    int age = 2024 - customer.<Integer>getAs("birth_year");
    return age < 25
        ? "under 25"
        : age < 35 ? "25-34" : age < 45 ? "35-44" : age < 55 ? "45-54" : age < 65 ? "55-64" : "65+";
  }

  private static String dimension(Row customer, String column) {
    return customer == null || customer.isNullAt(customer.fieldIndex(column))
        ? "unknown"
        : customer.getAs(column);
  }

  /**
   * The profile's map {@code column} holds the share of the segment's customers with each value.
   */
  private static void assertShares(
      List<Row> members, Function<Row, String> value, Row profile, String column, String what) {
    Map<String, Long> counts =
        members.stream().collect(Collectors.groupingBy(value, Collectors.counting()));
    Map<String, Double> shares = profile.getJavaMap(profile.fieldIndex(column));
    assertEquals(counts.keySet(), shares.keySet(), what + " " + column);
    counts.forEach(
        (k, n) ->
            assertClose((double) n / members.size(), shares.get(k), what + " " + column + " " + k));
  }

  /** Top categories recomputed with the DataFrame API from the events of the features window. */
  @Test
  void topCategoriesAreWhatTheSegmentSpentMostOnInTheWindow() {
    LocalDate asOf = LocalDate.parse(AS_OF);
    Dataset<Row> purchases =
        spark
            .read()
            .format("delta")
            .load(lake.resolve(Tables.EVENTS.name()).toString())
            .where(
                functions
                    .col("event_type")
                    .equalTo("purchase")
                    .and(functions.col("category").isNotNull())
                    .and(functions.col("event_date").geq(functions.lit(asOf.minusDays(364))))
                    .and(functions.col("event_date").leq(functions.lit(asOf))));
    List<Row> spend =
        partition(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF)
            .select("customer_id", "lifecycle_stage")
            .join(purchases, "customer_id")
            .groupBy("lifecycle_stage", "category")
            .agg(functions.sum("amount"))
            .collectAsList();
    Map<String, List<Row>> byStage =
        spend.stream().collect(Collectors.groupingBy(r -> r.getString(0)));
    Map<String, Row> profiles =
        rows(lake, Tables.SEGMENT_PROFILES.name(), AS_OF).stream()
            .filter(r -> r.getAs("segmentation").equals("lifecycle_stage"))
            .collect(Collectors.toMap(r -> r.getAs("segment"), r -> r));
    for (Map.Entry<String, Row> p : profiles.entrySet()) {
      List<String> expected =
          byStage.getOrDefault(p.getKey(), List.of()).stream()
              .sorted(
                  Comparator.comparing((Row r) -> r.getDecimal(2))
                      .reversed()
                      .thenComparing(r -> r.getString(1)))
              .limit(5)
              .map(r -> r.getString(1))
              .toList();
      assertEquals(
          expected, p.getValue().getList(p.getValue().fieldIndex("top_categories")), p.getKey());
    }
    assertEquals(
        5,
        profiles.get("active").getList(profiles.get("active").fieldIndex("top_categories")).size());
  }

  // ---- segment_rules
  // -----------------------------------------------------------------------------

  /**
   * Each rule counts what its predicate selects; its cluster code is the clusters model's, and in
   * the default locale (en-GB) its name and text read as the model stored them in English.
   */
  @Test
  void rulesCountTheCustomersTheirPredicatesSelect() {
    List<Row> rules = rows(lake, Tables.SEGMENT_RULES.name(), AS_OF);
    ModelRegistry registry = new ModelRegistry(spark, lakeOf(lake), models.toString());
    List<String> features =
        List.of(
            "recency_days",
            "frequency",
            "monetary",
            "avg_order_value",
            "channel_breadth",
            "tenure_days");
    Map<Integer, String> codes =
        new SegmentModels(
                registry.load(ModelRegistry.CLUSTERS, Optional.of(latestVersion), features),
                null,
                null)
            .labels();
    Map<Integer, String> stored = new HashMap<>();
    registry
        .load(ModelRegistry.CLUSTER_RULES, Optional.of(latestVersion), features)
        .rules()
        .forEach(r -> stored.put(SegmentRules.number(r), r.ruleText()));
    assertEquals(
        stored.keySet(),
        rules.stream().map(r -> r.<Integer>getAs("rule_id")).collect(Collectors.toSet()));
    Messages english = Messages.builtIn("en-GB");
    for (Row rule : rules) {
      String code = codes.get(rule.<Integer>getAs("cluster_id"));
      assertEquals(code, rule.getAs("cluster_label"));
      assertEquals(ClusterLabels.name(english, code), rule.getAs("cluster_name"));
      assertEquals(stored.get(rule.<Integer>getAs("rule_id")), rule.getAs("rule_text"));
    }
    Dataset<Row> purchasers =
        partition(lake, Tables.CUSTOMER_FEATURES.name(), AS_OF).where("frequency > 0");
    long total = 0;
    for (Row rule : rules) {
      assertEquals(latestVersion, rule.getAs("model_version"));
      long expected = purchasers.where(rule.<String>getAs("sql_predicate")).count();
      assertEquals(expected, rule.<Long>getAs("customers"), rule.<String>getAs("rule_text"));
      total += rule.<Long>getAs("customers");
    }
    assertEquals(purchasers.count(), total, "the rules cover every purchaser once");
    assertEquals(
        rules.size(), rules.stream().map(r -> r.<Integer>getAs("rule_id")).distinct().count());
    assertTrue(rules.size() >= 2, rules.size() + " rules");
  }

  // ---- segment_transitions
  // -----------------------------------------------------------------------

  /** (segmentation, from, to) → customers, computed from the two snapshots' rows. */
  private static Map<List<String>, Long> expectedTransitions(
      List<Row> previous, List<Row> current) {
    Map<String, Row> before = byCustomer(previous);
    Map<String, Row> now = byCustomer(current);
    Set<String> everyone = new HashSet<>(before.keySet());
    everyone.addAll(now.keySet());
    Map<List<String>, Long> counts = new TreeMap<>(Comparator.comparing(Object::toString));
    for (String segmentation : SegmentMembers.SEGMENTATIONS) {
      for (String customer : everyone) {
        String from =
            before.containsKey(customer)
                ? SEGMENT_OF.get(segmentation).apply(before.get(customer))
                : null;
        String to =
            now.containsKey(customer)
                ? SEGMENT_OF.get(segmentation).apply(now.get(customer))
                : null;
        if (from != null || to != null) {
          counts.merge(
              List.of(segmentation, from == null ? "(new)" : from, to == null ? "(gone)" : to),
              1L,
              Long::sum);
        }
      }
    }
    return counts;
  }

  private static Map<List<String>, Long> transitions(List<Row> rows) {
    Map<List<String>, Long> counts = new TreeMap<>(Comparator.comparing(Object::toString));
    rows.forEach(
        r ->
            counts.put(
                List.of(r.getAs("segmentation"), r.getAs("from_segment"), r.getAs("to_segment")),
                r.getAs("customers")));
    return counts;
  }

  @Test
  void transitionsCountEveryCustomerOfBothSnapshotsOnce() {
    List<Row> previous = rows(lake, Tables.CUSTOMER_SEGMENTS.name(), BEFORE);
    List<Row> current = rows(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF);
    List<Row> rows = rows(lake, Tables.SEGMENT_TRANSITIONS.name(), AS_OF);
    assertEquals(expectedTransitions(previous, current), transitions(rows));
    for (String segmentation : SegmentMembers.SEGMENTATIONS) {
      List<Row> of =
          rows.stream().filter(r -> r.getAs("segmentation").equals(segmentation)).toList();
      long previousMembers =
          previous.stream().filter(r -> SEGMENT_OF.get(segmentation).apply(r) != null).count();
      long currentMembers =
          current.stream().filter(r -> SEGMENT_OF.get(segmentation).apply(r) != null).count();
      long fromNew = sum(of, r -> r.getAs("from_segment").equals("(new)"));
      long toGone = sum(of, r -> r.getAs("to_segment").equals("(gone)"));
      assertEquals(
          previousMembers + fromNew,
          sum(of, r -> true),
          segmentation + ": from side = previous + new");
      assertEquals(
          currentMembers + toGone, sum(of, r -> true), segmentation + ": to side = current + gone");
      assertEquals(
          previousMembers, sum(of, r -> !r.getAs("from_segment").equals("(new)")), segmentation);
      assertEquals(
          currentMembers, sum(of, r -> !r.getAs("to_segment").equals("(gone)")), segmentation);
      Map<String, Double> shareOfFrom = new HashMap<>();
      of.forEach(
          r ->
              shareOfFrom.merge(
                  r.getAs("from_segment"), r.<Double>getAs("share_of_from"), Double::sum));
      shareOfFrom.forEach(
          (from, share) -> assertEquals(1.0, share, EPS, segmentation + " from " + from));
    }
    assertTrue(
        rows.stream().allMatch(r -> r.getAs("previous_as_of_date").equals(Date.valueOf(BEFORE))));
    long stayed =
        rows.stream()
            .filter(
                r ->
                    r.getAs("segmentation").equals("lifecycle_stage")
                        && r.getAs("from_segment").equals(r.getAs("to_segment")))
            .mapToLong(r -> r.<Long>getAs("customers"))
            .sum();
    assertTrue(stayed > 0, "some customers keep their lifecycle stage over a month");
  }

  private static long sum(List<Row> rows, java.util.function.Predicate<Row> which) {
    return rows.stream().filter(which).mapToLong(r -> r.<Long>getAs("customers")).sum();
  }

  @Test
  void theFirstSnapshotHasEveryCustomerComingFromNew() {
    List<Row> rows = rows(lake, Tables.SEGMENT_TRANSITIONS.name(), BEFORE);
    assertEquals(
        expectedTransitions(List.of(), rows(lake, Tables.CUSTOMER_SEGMENTS.name(), BEFORE)),
        transitions(rows));
    assertTrue(
        rows.stream()
            .allMatch(
                r ->
                    r.getAs("from_segment").equals("(new)")
                        && r.isNullAt(r.fieldIndex("previous_as_of_date"))));
  }

  // ---- re-runs, pinning, failures
  // ----------------------------------------------------------------

  /**
   * A re-run of a date, with Spark shuffling into another number of partitions, gives the same rows
   * bit for bit, in place of the old ones, and leaves the other date alone; what it kept in memory
   * is released when it ends.
   */
  @Test
  void aRerunReplacesItsDateWithTheSameRows() {
    Map<String, List<String>> before = new HashMap<>();
    Map<String, List<String>> other = new HashMap<>();
    for (String table : TABLES) {
      before.put(table, json(lake, table, AS_OF));
      other.put(table, json(lake, table, BEFORE));
    }
    String partitions = spark.conf().get("spark.sql.shuffle.partitions");
    Set<Object> persisted = persisted();
    try {
      spark.conf().set("spark.sql.shuffle.partitions", "7");
      assertEquals(0, segment(lake, AS_OF));
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", partitions);
    }
    Set<Object> left = persisted();
    left.removeAll(persisted);
    assertEquals(Set.of(), left, "what the run kept in memory is released when it ends");
    for (String table : TABLES) {
      assertEquals(before.get(table), json(lake, table, AS_OF), table + " as of " + AS_OF);
      assertEquals(
          other.get(table), json(lake, table, BEFORE), table + " as of " + BEFORE + " untouched");
    }
  }

  /**
   * The first snapshot was segmented with the older models pinned, and without a customers table.
   */
  @Test
  void pinnedVersionsAreAppliedAndRecorded() {
    assertNotEquals(olderVersion, latestVersion);
    List<Row> segments = rows(lake, Tables.CUSTOMER_SEGMENTS.name(), BEFORE);
    assertFalse(segments.isEmpty());
    assertTrue(
        segments.stream()
            .allMatch(
                r ->
                    r.getAs("clusters_model_version").equals(olderVersion)
                        && r.getAs("churn_model_version").equals(olderVersion)));
    assertTrue(
        rows(lake, Tables.SEGMENT_RULES.name(), BEFORE).stream()
            .allMatch(r -> r.getAs("model_version").equals(olderVersion)));
    assertEquals(olderVersion, detailsOfRun(BEFORE).get("clusters_model_version"));
  }

  @Test
  void withoutACustomersTableNobodyIsMarketableAndProfilesHaveNoDemographics() {
    assertTrue(
        rows(lake, Tables.CUSTOMER_SEGMENTS.name(), BEFORE).stream()
            .noneMatch(r -> r.<Boolean>getAs("marketing_opt_in")));
    for (Row p : rows(lake, Tables.SEGMENT_PROFILES.name(), BEFORE)) {
      for (String map :
          List.of("age_bands", "gender", "region", "city", "income_band", "member_tier")) {
        assertTrue(p.getJavaMap(p.fieldIndex(map)).isEmpty(), map + " without a customers table");
      }
    }
  }

  @Test
  void withoutModelsTheJobSaysToTrainAndLeavesTheTablesAlone() throws IOException {
    List<String> before = json(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF);
    Path empty = TestFolders.folder("segpipe-no-models");
    assertEquals(
        2,
        new SegmentJob()
            .execute(
                "--as-of",
                AS_OF,
                "--conf",
                "segpipe.lake.root=" + lake,
                "--conf",
                "segpipe.train.models=\"" + empty + "\""));
    Row run = lastRun(lake);
    assertEquals("failed", run.getAs("status"));
    assertTrue(
        run.<String>getAs("message").contains("There is no clusters model")
            && run.<String>getAs("message").contains("scripts/segpipe train --as-of"),
        run.<String>getAs("message"));
    assertEquals(before, json(lake, Tables.CUSTOMER_SEGMENTS.name(), AS_OF));
  }

  @Test
  void modelsTrainedOnOtherFeaturesAreRefused() {
    assertEquals(
        2,
        segment(
            lake,
            AS_OF,
            "segpipe.train.features=[recency_days, frequency, monetary]",
            "segpipe.train.log-features=[recency_days]"));
    String message = lastRun(lake).getAs("message");
    assertTrue(message.contains("was trained on the features"), message);
  }

  @Test
  void aDateWithoutFeaturesIsRefused() {
    assertEquals(2, segment(lake, "2024-10-31"));
    String message = lastRun(lake).getAs("message");
    assertTrue(message.contains("scripts/segpipe features --as-of 2024-10-31"), message);
  }
}

package io.segpipe.jobs.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.UserError;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.sql.ExactMeans;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.IdentityResolution;
import io.segpipe.identity.IdentitySettings;
import io.segpipe.identity.Profiles;
import io.segpipe.jobs.report.ReportData.AffinityRule;
import io.segpipe.jobs.report.ReportData.CampaignEvaluation;
import io.segpipe.jobs.report.ReportData.CampaignMetric;
import io.segpipe.jobs.report.ReportData.CampaignSection;
import io.segpipe.jobs.report.ReportData.ChurnBin;
import io.segpipe.jobs.report.ReportData.ChurnCandidate;
import io.segpipe.jobs.report.ReportData.ChurnComparison;
import io.segpipe.jobs.report.ReportData.ChurnRisk;
import io.segpipe.jobs.report.ReportData.ClusterPortrait;
import io.segpipe.jobs.report.ReportData.ClusterRuleText;
import io.segpipe.jobs.report.ReportData.ClvBin;
import io.segpipe.jobs.report.ReportData.DataQuality;
import io.segpipe.jobs.report.ReportData.GridCell;
import io.segpipe.jobs.report.ReportData.Headline;
import io.segpipe.jobs.report.ReportData.IngestRun;
import io.segpipe.jobs.report.ReportData.KScore;
import io.segpipe.jobs.report.ReportData.LifetimeValue;
import io.segpipe.jobs.report.ReportData.ModelQuality;
import io.segpipe.jobs.report.ReportData.Population;
import io.segpipe.jobs.report.ReportData.ReasonCount;
import io.segpipe.jobs.report.ReportData.ReliabilityBin;
import io.segpipe.jobs.report.ReportData.SegmentClv;
import io.segpipe.jobs.report.ReportData.SegmentSize;
import io.segpipe.jobs.report.ReportData.Snapshot;
import io.segpipe.jobs.report.ReportData.StageCount;
import io.segpipe.jobs.report.ReportData.Transition;
import io.segpipe.jobs.report.ReportData.TransitionMatrix;
import io.segpipe.jobs.report.ReportData.TrendPoint;
import io.segpipe.jobs.report.ReportData.ValidationPoint;
import io.segpipe.modelling.ModelRegistry;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Aggregates, in Spark, every figure of the report from the output tables; only the aggregates (a
 * few hundred rows at most, whatever the number of customers) are collected to the driver.
 */
final class ReportFigures {
  static final String PARTITION = Tables.AS_OF;

  /** Profile means shown in the cluster portraits, in the order shown. */
  /** The doubles population.sql averages exactly (to 1e-9, ExactMeans), as segment profiles do. */
  private static final List<String> EXACT_MEANS =
      List.of(
          "s.churn_probability",
          "f.coupon_order_share",
          "f.view_to_purchase",
          "f.evening_order_share",
          "f.weekend_order_share",
          "f.discount_spend_share");

  static final List<String> PORTRAIT_MEANS =
      List.of(
          "recency_mean",
          "frequency_mean",
          "monetary_mean",
          "avg_order_value",
          "churn_probability_mean",
          "coupon_order_share_mean",
          "view_to_purchase_mean",
          "social_events_mean",
          "evening_order_share_mean",
          "weekend_order_share_mean",
          "discount_spend_share_mean");

  static final List<String> DEMOGRAPHICS =
      List.of("age_bands", "gender", "income_band", "region", "city", "member_tier");

  private final JobContext context;
  private final ReportSettings settings;
  private final SparkSession spark;
  private final Lake lake;

  ReportFigures(JobContext context, ReportSettings settings) {
    this.context = context;
    this.settings = settings;
    this.spark = context.spark();
    this.lake = context.lake();
  }

  ReportData collect() {
    LocalDate asOf = settings.asOf();
    String rerun = "Run `scripts/segpipe segment --as-of " + asOf + "` first.";
    Dataset<Row> segments = lake.read(Tables.CUSTOMER_SEGMENTS, rerun);
    context.phase("find the previous snapshot");
    Optional<LocalDate> previous = previousSnapshot(segments, asOf);
    Column dates =
        previous
            .map(p -> col(PARTITION).isin(Date.valueOf(asOf), Date.valueOf(p)))
            .orElse(col(PARTITION).equalTo(lit(Date.valueOf(asOf))));
    // customer_segments of the as-of date and of the previous snapshot: what the report compares
    Dataset<Row> compared = segments.where(dates);

    context.phase("headline");
    Map<LocalDate, Snapshot> snapshots = snapshots(compared);
    Snapshot current = snapshots.get(asOf);
    if (current == null) {
      throw new UserError(
          "customer_segments has no snapshot for "
              + asOf
              + " at "
              + lake.path(Tables.CUSTOMER_SEGMENTS)
              + ". "
              + rerun);
    }
    Headline headline = new Headline(current, previous.map(snapshots::get).orElse(null));

    context.phase("segment profiles");
    Dataset<Row> profiles = lake.read(Tables.SEGMENT_PROFILES, rerun).where(dates);
    List<Row> profileRows = profiles.collectAsList();
    List<SegmentSize> rfm = rfmSegments(profileRows, asOf);
    List<StageCount> lifecycle = lifecycle(profileRows, asOf, previous);
    List<ClusterPortrait> clusters = clusters(profileRows, asOf);

    context.phase("R x F grid");
    List<GridCell> grid =
        SqlResource.load("sql/report/rfm_grid.sql")
            .withView("segments", compared)
            .with("as_of", asOf)
            .run(spark)
            .collectAsList()
            .stream()
            .map(r -> new GridCell(r.getInt(0), r.getInt(1), r.getLong(2), r.getDouble(3)))
            .sorted(Comparator.comparingInt(GridCell::r).thenComparingInt(GridCell::f))
            .toList();

    context.phase("population");
    Population population = population(compared, asOf);

    context.phase("transitions");
    List<TransitionMatrix> transitions =
        previous.isPresent() ? transitions(asOf, rerun) : List.of();

    context.phase("rules");
    List<ClusterRuleText> rules =
        lake
            .read(Tables.SEGMENT_RULES, rerun)
            .where(col(PARTITION).equalTo(lit(Date.valueOf(asOf))))
            .select("rule_id", "cluster_id", "cluster_label", "rule_text", "customers")
            .collectAsList()
            .stream()
            .map(
                r ->
                    new ClusterRuleText(
                        r.getInt(0), r.getInt(1), r.getString(2), r.getString(3), r.getLong(4)))
            .sorted(
                Comparator.comparingInt(ClusterRuleText::clusterId)
                    .thenComparing(ClusterRuleText::customers, Comparator.reverseOrder())
                    .thenComparingInt(ClusterRuleText::ruleId))
            .toList();

    context.phase("churn risk");
    ChurnRisk churn = churn(compared, asOf);

    context.phase("model metrics");
    ModelQuality models = models(segments.where(col(PARTITION).equalTo(lit(Date.valueOf(asOf)))));

    context.phase("lifetime value");
    LifetimeValue clv = lifetimeValue(asOf, profileRows);

    context.phase("campaigns");
    CampaignSection campaigns = campaigns(asOf);

    context.phase("data quality");
    DataQuality quality = dataQuality(asOf);

    context.phase("trends");
    List<TrendPoint> trends = trends(asOf);

    context.phase("affinities");
    List<AffinityRule> affinities = affinities(asOf);

    return new ReportData(
        asOf.toString(),
        previous.map(LocalDate::toString).orElse(null),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        settings.currency(),
        context.config().lake().root(),
        headline,
        rfm,
        grid,
        lifecycle,
        transitions,
        population,
        clusters,
        rules,
        churn,
        models,
        clv,
        campaigns,
        quality,
        trends,
        affinities);
  }

  private static Optional<LocalDate> previousSnapshot(Dataset<Row> segments, LocalDate asOf) {
    Row row =
        segments
            .where(col(PARTITION).lt(lit(Date.valueOf(asOf))))
            .agg(functions.max(PARTITION))
            .first();
    return row.isNullAt(0) ? Optional.empty() : Optional.of(row.getDate(0).toLocalDate());
  }

  /** Headline figures of each snapshot in {@code compared}. */
  private Map<LocalDate, Snapshot> snapshots(Dataset<Row> compared) {
    String stages =
        settings.activeStages().stream()
            .map(s -> "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'")
            .collect(Collectors.joining(", "));
    Map<LocalDate, Snapshot> out = new TreeMap<>();
    SqlResource.load("sql/report/headline.sql")
        .withView("segments", compared)
        .withFragment("active_stages", stages)
        .run(spark)
        .collectAsList()
        .forEach(
            r -> {
              LocalDate date = r.getDate(0).toLocalDate();
              out.put(
                  date,
                  new Snapshot(
                      date.toString(),
                      r.getLong(1),
                      r.getLong(2),
                      r.getLong(3),
                      r.getDouble(4),
                      r.getLong(5)));
            });
    return out;
  }

  private static List<Row> profilesOf(List<Row> profiles, String segmentation, LocalDate date) {
    return profiles.stream()
        .filter(
            r ->
                segmentation.equals(r.getAs("segmentation"))
                    && date.equals(r.<Date>getAs(PARTITION).toLocalDate()))
        .toList();
  }

  private List<SegmentSize> rfmSegments(List<Row> profiles, LocalDate asOf) {
    Map<String, Row> bySegment = new LinkedHashMap<>();
    profilesOf(profiles, "rfm_segment", asOf).forEach(r -> bySegment.put(r.getAs("segment"), r));
    List<SegmentSize> out = new ArrayList<>();
    for (ReportSettings.SegmentAdvice advice : settings.segments()) {
      Row r = bySegment.remove(advice.code());
      out.add(
          r == null
              ? new SegmentSize(
                  advice.code(),
                  advice.name(),
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  advice.description(),
                  advice.action())
              : new SegmentSize(
                  advice.code(),
                  advice.name(),
                  r.getAs("customers"),
                  r.getAs("share"),
                  r.getAs("revenue_share"),
                  number(r, "monetary_mean"),
                  number(r, "recency_median"),
                  number(r, "frequency_mean"),
                  advice.description(),
                  advice.action()));
    }
    // Segments the table has but the config does not name (the map changed since the segments were
    // made):
    // their label where the message file still has one, else the code; no description.
    bySegment.forEach(
        (code, r) ->
            out.add(
                new SegmentSize(
                    code,
                    ReportWords.label(settings.messages(), "rfm_segment", code),
                    r.getAs("customers"),
                    r.getAs("share"),
                    r.getAs("revenue_share"),
                    number(r, "monetary_mean"),
                    number(r, "recency_median"),
                    number(r, "frequency_mean"),
                    null,
                    null)));
    return out;
  }

  private List<StageCount> lifecycle(
      List<Row> profiles, LocalDate asOf, Optional<LocalDate> previous) {
    Map<String, Row> now = new LinkedHashMap<>();
    profilesOf(profiles, "lifecycle_stage", asOf).forEach(r -> now.put(r.getAs("segment"), r));
    Map<String, Long> before = new LinkedHashMap<>();
    previous.ifPresent(
        p ->
            profilesOf(profiles, "lifecycle_stage", p)
                .forEach(r -> before.put(r.getAs("segment"), r.getAs("customers"))));
    List<String> stages = new ArrayList<>(settings.lifecycleStages());
    now.keySet().stream().filter(s -> !stages.contains(s)).sorted().forEach(stages::add);
    return stages.stream()
        .map(
            s -> {
              Row r = now.get(s);
              Long was = previous.isPresent() ? before.getOrDefault(s, 0L) : null;
              return r == null
                  ? new StageCount(s, 0, 0, was)
                  : new StageCount(s, r.getAs("customers"), r.getAs("share"), was);
            })
        .toList();
  }

  private List<ClusterPortrait> clusters(List<Row> profiles, LocalDate asOf) {
    return profilesOf(profiles, "cluster", asOf).stream()
        .map(
            r -> {
              Map<String, Double> means = new LinkedHashMap<>();
              PORTRAIT_MEANS.forEach(m -> means.put(m, number(r, m)));
              Map<String, Map<String, Double>> demographics = new LinkedHashMap<>();
              DEMOGRAPHICS.forEach(d -> demographics.put(d, shares(r, d)));
              List<String> categories =
                  r.isNullAt(r.fieldIndex("top_categories"))
                      ? List.of()
                      : r.getList(r.fieldIndex("top_categories"));
              return new ClusterPortrait(
                  r.getAs("segment"),
                  r.getAs("customers"),
                  r.getAs("share"),
                  r.getAs("revenue_share"),
                  means,
                  shares(r, "channel_mix"),
                  List.copyOf(categories),
                  demographics,
                  number(r, "churn_probability_mean"));
            })
        .sorted(
            Comparator.comparing(ClusterPortrait::customers, Comparator.reverseOrder())
                .thenComparing(ClusterPortrait::segment))
        .toList();
  }

  /**
   * The population the clusters are compared with: means over the customers with a purchase from
   * customer_segments, and the channel mix of all their orders from customer_features.
   */
  private Population population(Dataset<Row> compared, LocalDate asOf) {
    List<String> channels = context.config().events().channels();
    Dataset<Row> features =
        lake.read(
                Tables.CUSTOMER_FEATURES,
                "Run `scripts/segpipe features --as-of " + asOf + "` first.")
            .where(col(PARTITION).equalTo(lit(Date.valueOf(asOf))));
    Row r =
        SqlResource.load("sql/report/population.sql")
            .withView("segments", compared)
            .withView("features", features)
            .withFragment(
                "exact_means",
                EXACT_MEANS.stream()
                    .map(
                        c ->
                            ExactMeans.mean(c, ExactMeans.RATIO_DIGITS, "report population: " + c)
                                + " AS "
                                + c.substring(2)
                                + "_mean")
                    .collect(Collectors.joining(",\n  ")))
            .with("as_of", asOf)
            .run(spark)
            .first();
    Map<String, Double> means = new LinkedHashMap<>();
    for (String mean : PORTRAIT_MEANS) {
      int i = r.fieldIndex(mean);
      means.put(mean, r.isNullAt(i) ? Double.NaN : r.getDouble(i));
    }
    Row orders =
        SqlResource.load("sql/report/channel_orders.sql")
            .withView("features", features)
            .withFragment(
                "channel_order_sums",
                channels.stream()
                    .map(c -> "CAST(coalesce(sum(orders_" + c + "), 0) AS BIGINT)")
                    .collect(Collectors.joining(", ")))
            .run(spark)
            .first();
    double total = 0;
    for (int i = 0; i < channels.size(); i++) {
      total += orders.getLong(i);
    }
    Map<String, Double> mix = new LinkedHashMap<>();
    for (int i = 0; i < channels.size(); i++) {
      mix.put(channels.get(i), total == 0 ? 0 : orders.getLong(i) / total);
    }
    return new Population(r.getLong(0), means, mix);
  }

  /**
   * The migration since the previous snapshot; only called when there is one (else every row is
   * "(new)").
   */
  private List<TransitionMatrix> transitions(LocalDate asOf, String rerun) {
    if (!lake.exists(Tables.SEGMENT_TRANSITIONS)) {
      return List.of();
    }
    List<Row> rows =
        lake.read(Tables.SEGMENT_TRANSITIONS, rerun)
            .where(
                col(PARTITION)
                    .equalTo(lit(Date.valueOf(asOf)))
                    .and(col("segmentation").isin(settings.transitionSegmentations().toArray())))
            .select(
                "segmentation",
                "from_segment",
                "to_segment",
                "customers",
                "share_of_from",
                "previous_as_of_date")
            .collectAsList();
    List<TransitionMatrix> out = new ArrayList<>();
    for (String segmentation : settings.transitionSegmentations()) {
      List<Row> mine = rows.stream().filter(r -> segmentation.equals(r.getString(0))).toList();
      if (mine.isEmpty()) {
        continue;
      }
      List<String> order = segmentOrder(segmentation);
      List<Transition> cells =
          mine.stream()
              .map(
                  r -> new Transition(r.getString(1), r.getString(2), r.getLong(3), r.getDouble(4)))
              .toList();
      String previousDate =
          mine.stream()
              .filter(r -> !r.isNullAt(5))
              .map(r -> r.getDate(5).toString())
              .findFirst()
              .orElse(null);
      out.add(
          new TransitionMatrix(
              segmentation,
              previousDate,
              ordered(cells.stream().map(Transition::from).distinct().toList(), order, "(new)"),
              ordered(cells.stream().map(Transition::to).distinct().toList(), order, "(gone)"),
              cells));
    }
    return out;
  }

  /**
   * segment_trends of the date for the configured segmentations, in their order: per segmentation
   * the snapshots, then the months, each by date and segment (display order). Empty without the
   * table.
   */
  private List<TrendPoint> trends(LocalDate asOf) {
    if (!lake.exists(Tables.SEGMENT_TRENDS)) {
      return List.of();
    }
    List<String> segmentations = settings.trendSegmentations();
    List<TrendPoint> points =
        lake
            .read(Tables.SEGMENT_TRENDS, "")
            .where(
                col(PARTITION)
                    .equalTo(lit(Date.valueOf(asOf)))
                    .and(col("segmentation").isin(segmentations.toArray())))
            .withColumn("period_start", col("period_start").cast("string"))
            .collectAsList()
            .stream()
            .map(
                r ->
                    new TrendPoint(
                        r.getAs("segmentation"),
                        r.getAs("segment"),
                        r.getAs("period_type"),
                        r.getAs("period_start"),
                        r.getAs("customers"),
                        r.getAs("share"),
                        optionalLong(r, "active_customers"),
                        optionalLong(r, "orders"),
                        optional(r, "revenue"),
                        optional(r, "revenue_share"),
                        optional(r, "clv_mean")))
            .toList();
    List<TrendPoint> out = new ArrayList<>();
    for (String segmentation : segmentations) {
      List<TrendPoint> mine =
          points.stream().filter(p -> p.segmentation().equals(segmentation)).toList();
      List<String> order =
          ordered(
              mine.stream().map(TrendPoint::segment).distinct().toList(),
              segmentOrder(segmentation),
              null);
      mine.stream()
          .sorted(
              Comparator.comparing((TrendPoint p) -> !p.periodType().equals(Tables.TREND_SNAPSHOT))
                  .thenComparing(TrendPoint::periodStart)
                  .thenComparingInt(p -> order.indexOf(p.segment())))
          .forEach(out::add);
    }
    return out;
  }

  /**
   * The strongest rules of each segment (at most segpipe.report.affinity-rules) from
   * segment_affinities of the date, segments in display order. Empty without the table.
   */
  private List<AffinityRule> affinities(LocalDate asOf) {
    if (!lake.exists(Tables.SEGMENT_AFFINITIES)) {
      return List.of();
    }
    List<AffinityRule> rules =
        lake
            .read(Tables.SEGMENT_AFFINITIES, "")
            .where(
                col(PARTITION)
                    .equalTo(lit(Date.valueOf(asOf)))
                    .and(col("rule_rank").leq(settings.affinityRules())))
            .collectAsList()
            .stream()
            .map(
                r ->
                    new AffinityRule(
                        r.getAs("segmentation"),
                        r.getAs("segment"),
                        r.getAs("item_level"),
                        r.getAs("rule_rank"),
                        r.getList(r.fieldIndex("antecedent")).stream()
                            .map(String::valueOf)
                            .toList(),
                        r.getAs("consequent"),
                        r.getAs("baskets"),
                        r.getAs("support"),
                        r.getAs("confidence"),
                        r.getAs("lift")))
            .toList();
    if (rules.isEmpty()) {
      return rules;
    }
    String segmentation = rules.get(0).segmentation();
    List<String> order =
        ordered(
            rules.stream().map(AffinityRule::segment).distinct().toList(),
            segmentOrder(segmentation),
            null);
    return rules.stream()
        .sorted(
            Comparator.comparingInt((AffinityRule r) -> order.indexOf(r.segment()))
                .thenComparingInt(AffinityRule::rank))
        .toList();
  }

  private static Long optionalLong(Row r, String column) {
    return r.isNullAt(r.fieldIndex(column)) ? null : r.getAs(column);
  }

  /** The display order of a segmentation's segments where config gives one (else alphabetical). */
  private List<String> segmentOrder(String segmentation) {
    return switch (segmentation) {
      case "rfm_segment" ->
          settings.segments().stream().map(ReportSettings.SegmentAdvice::code).toList();
      case "lifecycle_stage" -> settings.lifecycleStages();
      case "needs_segment" -> settings.needsSegments();
      case "value_tier" -> List.of("high", "mid", "low");
      default -> List.of();
    };
  }

  /**
   * Known segments in their order, then others alphabetically, then the marker ((new) or (gone);
   * null: none) last.
   */
  static List<String> ordered(List<String> present, List<String> order, String marker) {
    List<String> out = new ArrayList<>(order.stream().filter(present::contains).toList());
    present.stream()
        .filter(s -> !order.contains(s) && !s.equals(marker))
        .sorted()
        .forEach(out::add);
    if (present.contains(marker)) {
      out.add(marker);
    }
    return out;
  }

  private ChurnRisk churn(Dataset<Row> compared, LocalDate asOf) {
    int bins = settings.churnBins();
    List<ChurnBin> histogram =
        SqlResource.load("sql/report/churn_histogram.sql")
            .withView("segments", compared)
            .with("as_of", asOf)
            .with("bins", bins)
            .run(spark)
            .collectAsList()
            .stream()
            .map(
                r ->
                    new ChurnBin(
                        (double) r.getInt(0) / bins,
                        (double) (r.getInt(0) + 1) / bins,
                        r.getLong(2),
                        r.isNullAt(1) ? "unknown" : r.getString(1)))
            .sorted(Comparator.comparingDouble(ChurnBin::from).thenComparing(ChurnBin::risk))
            .toList();
    Map<String, Long> bands = new LinkedHashMap<>();
    for (String band : List.of("low", "medium", "high")) {
      long n =
          histogram.stream()
              .filter(b -> b.risk().equals(band))
              .mapToLong(ChurnBin::customers)
              .sum();
      bands.put(band, n);
    }
    histogram.stream()
        .filter(b -> !bands.containsKey(b.risk()))
        .forEach(b -> bands.merge(b.risk(), b.customers(), Long::sum));
    Row stats =
        compared
            .where(col(PARTITION).equalTo(lit(Date.valueOf(asOf))))
            .agg(
                functions.count("churn_probability"),
                functions.avg(col("churn_probability").cast("decimal(38,18)")).cast("double"))
            .first();
    return new ChurnRisk(
        histogram, bands, stats.getLong(0), stats.isNullAt(1) ? Double.NaN : stats.getDouble(1));
  }

  private ModelQuality models(Dataset<Row> snapshot) {
    Row versions =
        snapshot
            .agg(functions.max("clusters_model_version"), functions.max("churn_model_version"))
            .first();
    String clustersVersion = versions.getString(0);
    String churnVersion = versions.getString(1);
    if (!lake.exists(Tables.MODEL_RUNS)) {
      return new ModelQuality(
          clustersVersion,
          churnVersion,
          null,
          null,
          List.of(),
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }
    List<Row> runs =
        lake.read(Tables.MODEL_RUNS, "")
            .where(col("version").isin(nonNull(clustersVersion), nonNull(churnVersion)))
            .select("model", "version", "parameters", "metrics")
            .collectAsList();
    Map<String, Double> clusters = metrics(runs, ModelRegistry.CLUSTERS, clustersVersion);
    Map<String, Double> rules = metrics(runs, ModelRegistry.CLUSTER_RULES, clustersVersion);
    Map<String, Double> churn = metrics(runs, ModelRegistry.CHURN, churnVersion);
    List<KScore> kSearch =
        clusters.entrySet().stream()
            .filter(e -> e.getKey().startsWith("silhouette_k"))
            .map(
                e ->
                    new KScore(
                        Integer.parseInt(e.getKey().substring("silhouette_k".length())),
                        e.getValue()))
            .sorted(Comparator.comparingInt(KScore::k))
            .toList();
    Integer k =
        runs.stream()
            .filter(
                r ->
                    ModelRegistry.CLUSTERS.equals(r.getString(0))
                        && r.getString(1).equals(clustersVersion))
            .map(r -> r.<String, String>getJavaMap(2).get("k"))
            .filter(v -> v != null)
            .map(Integer::valueOf)
            .findFirst()
            .orElse(null);
    Double testRows = churn.get("test_rows");
    return new ModelQuality(
        clustersVersion,
        churnVersion,
        k,
        clusters.get("silhouette"),
        kSearch,
        rules.get("fidelity"),
        churn.get("auc"),
        churn.get("precision"),
        churn.get("recall"),
        churn.get("churn_rate"),
        testRows == null ? null : Math.round(testRows),
        churnComparison(runs, churnVersion, churn));
  }

  /**
   * The churn candidates' figures from the model_runs row of the churn model (null when it has
   * none).
   */
  private static ChurnComparison churnComparison(
      List<Row> runs, String version, Map<String, Double> metrics) {
    String chosen =
        runs.stream()
            .filter(
                r -> ModelRegistry.CHURN.equals(r.getString(0)) && r.getString(1).equals(version))
            .map(r -> r.<String, String>getJavaMap(2).get("candidate"))
            .filter(v -> v != null)
            .findFirst()
            .orElse(null);
    if (chosen == null) {
      return null;
    }
    Map<String, Map<String, Double>> byCandidate = new LinkedHashMap<>();
    metrics.forEach(
        (k, v) -> {
          if (k.startsWith("candidate.")) {
            String rest = k.substring("candidate.".length());
            int dot = rest.indexOf('.');
            byCandidate
                .computeIfAbsent(rest.substring(0, dot), c -> new TreeMap<>())
                .put(rest.substring(dot + 1), v);
          }
        });
    List<ChurnCandidate> candidates = new ArrayList<>();
    Map<String, Map<String, Double>> importances = new LinkedHashMap<>();
    byCandidate.forEach(
        (name, m) -> {
          double[] gains = new double[11];
          for (int k = 1; k <= 10; k++) {
            gains[k] = m.getOrDefault("gains_" + (k * 10), Double.NaN);
          }
          candidates.add(
              new ChurnCandidate(
                  name,
                  m.getOrDefault("validation_auc", Double.NaN),
                  m.getOrDefault("auc", Double.NaN),
                  m.getOrDefault("log_loss", Double.NaN),
                  m.getOrDefault("brier", Double.NaN),
                  m.getOrDefault("lift_top_decile", Double.NaN),
                  gains));
          Map<String, Double> importance = new TreeMap<>();
          m.forEach(
              (k, v) -> {
                if (k.startsWith("importance.")) {
                  importance.put(k.substring("importance.".length()), v);
                }
              });
          if (!importance.isEmpty()) {
            importances.put(name, importance);
          }
        });
    List<ReliabilityBin> reliability = new ArrayList<>();
    for (int b = 1; metrics.containsKey("reliability_" + b + "_rows"); b++) {
      reliability.add(
          new ReliabilityBin(
              b,
              Math.round(metrics.get("reliability_" + b + "_rows")),
              metrics.get("reliability_" + b + "_predicted"),
              metrics.get("reliability_" + b + "_observed")));
    }
    return new ChurnComparison(
        chosen,
        candidates,
        reliability,
        metrics.getOrDefault("ece", Double.NaN),
        metrics.getOrDefault("uncalibrated_ece", Double.NaN),
        importances);
  }

  /**
   * Bars of the CLV distribution: equal widths up to the 99th percentile, the last one open-ended.
   */
  static final int CLV_BINS = 10;

  /** The lifetime value section, or null when customer_clv has no snapshot for the date. */
  private LifetimeValue lifetimeValue(LocalDate asOf, List<Row> profiles) {
    if (!lake.exists(Tables.CUSTOMER_CLV)) {
      return null;
    }
    Dataset<Row> clv =
        lake.read(Tables.CUSTOMER_CLV, "").where(col(PARTITION).equalTo(lit(Date.valueOf(asOf))));
    Row stats =
        clv.agg(
                functions.count("*"),
                functions.sum(col("clv").cast("decimal(38,18)")).cast("double"),
                functions.avg(col("p_alive").cast("decimal(38,18)")).cast("double"),
                functions.sum(col("expected_purchases").cast("decimal(38,18)")).cast("double"),
                functions.max("clv_model_version"),
                functions.expr("percentile(clv, 0.99)"))
            .first();
    long customers = stats.getLong(0);
    if (customers == 0) {
      return null;
    }
    String version = stats.getString(4);
    Map<String, Long> tiers = new LinkedHashMap<>();
    CustomerClv.TIERS.forEach(t -> tiers.put(t, 0L));
    clv.groupBy("clv_tier")
        .count()
        .collectAsList()
        .forEach(r -> tiers.put(r.getString(0), r.getLong(1)));
    // A round width at or above p99 / (bins - 1): the bars but the last cover the customers up to
    // the 99th percentile.
    double raw = Math.max(stats.getDouble(5), 1e-9) / (CLV_BINS - 1);
    double width = Charts.ticks(raw * 5).get(1);
    List<ClvBin> bins =
        clv
            .select(
                functions
                    .least(
                        functions.floor(functions.greatest(col("clv"), lit(0.0)).divide(width)),
                        lit(CLV_BINS - 1))
                    .cast("int")
                    .as("bin"),
                col("clv_tier"))
            .groupBy("bin", "clv_tier")
            .count()
            .collectAsList()
            .stream()
            .map(
                r ->
                    new ClvBin(
                        r.getInt(0) * width,
                        r.getInt(0) == CLV_BINS - 1 ? null : (r.getInt(0) + 1) * width,
                        r.getString(1),
                        r.getLong(2)))
            .sorted(Comparator.comparingDouble(ClvBin::from).thenComparing(ClvBin::tier))
            .toList();
    List<SegmentClv> bySegment =
        profilesOf(profiles, "rfm_segment", asOf).stream()
            .filter(r -> r.getAs("clv_mean") != null)
            .map(
                r ->
                    new SegmentClv(
                        r.getAs("segment"),
                        r.getAs("customers"),
                        r.<Double>getAs("clv_mean"),
                        r.<Double>getAs("clv_total")))
            .sorted(
                Comparator.comparingDouble(SegmentClv::mean)
                    .reversed()
                    .thenComparing(SegmentClv::segment))
            .toList();
    Map<String, Double> parameters = new LinkedHashMap<>();
    String unit = null;
    if (lake.exists(Tables.MODEL_RUNS)) {
      List<Row> runs =
          lake.read(Tables.MODEL_RUNS, "")
              .where(
                  col("version")
                      .equalTo(version)
                      .and(col("model").isin(CustomerClv.BGNBD_MODEL, CustomerClv.SPEND_MODEL)))
              .orderBy("model")
              .select("model", "parameters")
              .collectAsList();
      for (Row run : runs) {
        Map<String, String> values = run.getJavaMap(1);
        List<String> names =
            CustomerClv.BGNBD_MODEL.equals(run.getString(0))
                ? List.of("r", "alpha", "a", "b")
                : List.of("p", "q", "gamma");
        names.forEach(
            n -> {
              if (values.get(n) != null) {
                parameters.put(n, Double.valueOf(values.get(n)));
              }
            });
        unit = values.getOrDefault("time_unit", unit);
      }
    }
    String holdoutUntil = null;
    List<ValidationPoint> byRepeats = new ArrayList<>();
    List<ValidationPoint> tracking = new ArrayList<>();
    if (lake.exists(Tables.CLV_VALIDATION)) {
      List<Row> validation =
          lake.read(Tables.CLV_VALIDATION, "")
              .where(col(PARTITION).equalTo(lit(Date.valueOf(asOf))))
              .select(
                  "holdout_until",
                  "kind",
                  "calibration_repeats",
                  "period_end",
                  "customers",
                  "actual",
                  "expected")
              .orderBy("kind", "period_end", "calibration_repeats")
              .collectAsList();
      for (Row v : validation) {
        holdoutUntil = v.getDate(0).toString();
        if ("tracking".equals(v.getString(1))) {
          tracking.add(
              new ValidationPoint(
                  v.getDate(3).toString(), v.getLong(4), v.getDouble(5), v.getDouble(6)));
        } else {
          byRepeats.add(
              new ValidationPoint(v.getString(2), v.getLong(4), v.getDouble(5), v.getDouble(6)));
        }
      }
      byRepeats.sort(Comparator.comparingInt(p -> Integer.parseInt(p.label().replace("+", ""))));
    }
    int horizon = context.config().raw().getInt("segpipe.clv.horizon-days");
    return new LifetimeValue(
        version,
        unit,
        horizon,
        parameters,
        customers,
        stats.getDouble(1),
        stats.getDouble(1) / customers,
        stats.getDouble(2),
        stats.getDouble(3),
        tiers,
        bySegment,
        width,
        bins,
        holdoutUntil,
        byRepeats,
        tracking);
  }

  /**
   * The campaign section, or null when the lake has no campaign_results. The table is itself an
   * aggregate (one row per campaign and metric), so it is collected whole; the campaigns table adds
   * each campaign's planned end (for a running one) and control share, where it exists.
   */
  private CampaignSection campaigns(LocalDate asOf) {
    if (!lake.exists(Tables.CAMPAIGN_RESULTS)) {
      return null;
    }
    List<Row> results = lake.read(Tables.CAMPAIGN_RESULTS, "").collectAsList();
    Map<String, Row> definitions = new TreeMap<>();
    if (lake.exists(Tables.CAMPAIGNS)) {
      lake.read(Tables.CAMPAIGNS, "")
          .select("campaign_id", "end_date", "control_share")
          .collectAsList()
          .forEach(r -> definitions.put(r.getString(0), r));
    }
    return campaignSection(results, definitions, asOf);
  }

  /**
   * The campaigns of {@code results} (campaign_results rows) evaluated on or before {@code asOf},
   * in the order of their windows; a campaign evaluated later is counted, not shown:
   * campaign_results keeps only a campaign's latest evaluation, so what it looked like as of the
   * date is gone. {@code definitions} are campaigns rows (campaign_id, end_date, control_share) by
   * id.
   */
  static CampaignSection campaignSection(
      List<Row> results, Map<String, Row> definitions, LocalDate asOf) {
    Map<String, List<Row>> byCampaign = new TreeMap<>();
    results.forEach(
        r -> byCampaign.computeIfAbsent(r.getAs("campaign_id"), k -> new ArrayList<>()).add(r));
    List<CampaignEvaluation> shown = new ArrayList<>();
    int later = 0;
    for (Map.Entry<String, List<Row>> e : byCampaign.entrySet()) {
      List<Row> rows = e.getValue();
      LocalDate evaluated =
          rows.stream()
              .map(r -> r.<Date>getAs("evaluated_as_of").toLocalDate())
              .max(LocalDate::compareTo)
              .orElseThrow();
      if (evaluated.isAfter(asOf)) {
        later++;
        continue;
      }
      List<Row> ordered = new ArrayList<>(rows);
      ordered.sort(
          Comparator.comparing((Row r) -> !r.<Boolean>getAs("target_metric"))
              .thenComparingInt(r -> metricOrder(r.getAs("metric")))
              .thenComparing(r -> r.<String>getAs("metric")));
      Row first = ordered.get(0);
      List<CampaignMetric> metrics =
          ordered.stream()
              .map(
                  r ->
                      new CampaignMetric(
                          r.getAs("metric"),
                          r.<Boolean>getAs("target_metric"),
                          optional(r, "treatment_value"),
                          optional(r, "control_value"),
                          optional(r, "uplift"),
                          optional(r, "uplift_low"),
                          optional(r, "uplift_high"),
                          optional(r, "p_value"),
                          optional(r, "relative_uplift"),
                          optional(r, "relative_uplift_low"),
                          optional(r, "relative_uplift_high"),
                          optional(r, "minimum_detectable_effect")))
              .toList();
      Row definition = definitions.get(e.getKey());
      String target = first.<Boolean>getAs("target_metric") ? first.getAs("metric") : null;
      shown.add(
          new CampaignEvaluation(
              e.getKey(),
              first.getAs("name"),
              target,
              evaluated.toString(),
              first.<Date>getAs("window_start").toString(),
              first.<Date>getAs("window_end").toString(),
              first.<Boolean>getAs("running"),
              definition == null || definition.isNullAt(1)
                  ? null
                  : definition.getDate(1).toString(),
              definition == null || definition.isNullAt(2) ? null : definition.getDouble(2),
              first.<Long>getAs("treatment_customers"),
              first.<Long>getAs("control_customers"),
              first.<Long>getAs("treatment_buyers"),
              first.<Long>getAs("control_buyers"),
              first.<Double>getAs("confidence"),
              first.<Double>getAs("power"),
              optional(first, "incremental_revenue"),
              optional(first, "incremental_revenue_low"),
              optional(first, "incremental_revenue_high"),
              first.<Double>getAs("sample_ratio_p_value"),
              first.<Boolean>getAs("sample_ratio_ok"),
              metrics));
    }
    shown.sort(
        Comparator.comparing(CampaignEvaluation::windowStart)
            .thenComparing(CampaignEvaluation::campaignId));
    return new CampaignSection(shown, later);
  }

  private static int metricOrder(String metric) {
    int i = Campaigns.METRICS.indexOf(metric);
    return i < 0 ? Campaigns.METRICS.size() : i;
  }

  /**
   * A nullable double column; NaN and infinities read as null, the way campaign_results writes
   * them.
   */
  private static Double optional(Row r, String column) {
    int i = r.fieldIndex(column);
    if (r.isNullAt(i)) {
      return null;
    }
    double value = ((Number) r.get(i)).doubleValue();
    return Double.isFinite(value) ? value : null;
  }

  private static String nonNull(String version) {
    return version == null ? "" : version;
  }

  private static Map<String, Double> metrics(List<Row> runs, String model, String version) {
    return runs.stream()
        .filter(r -> model.equals(r.getString(0)) && r.getString(1).equals(version))
        .findFirst()
        .map(r -> new TreeMap<>(r.<String, Double>getJavaMap(3)))
        .map(m -> (Map<String, Double>) m)
        .orElse(Map.of());
  }

  private DataQuality dataQuality(LocalDate asOf) {
    Dataset<Row> ingest =
        lake.exists(Tables.RUN_METRICS)
            ? lake.read(Tables.RUN_METRICS, "").where(col("job").equalTo("ingest"))
            : null;
    long runs = 0;
    long read = 0;
    long written = 0;
    long quarantined = 0;
    long duplicates = 0;
    List<IngestRun> latest = List.of();
    if (ingest != null) {
      Row totals =
          ingest
              .agg(
                  functions.count(lit(1)),
                  functions.sum("rows_in"),
                  functions.sum(
                      functions
                          .when(col("status").equalTo("succeeded"), col("rows_out"))
                          .otherwise(0)),
                  functions.sum("rows_rejected"),
                  functions.sum("rows_duplicate"))
              .first();
      runs = totals.getLong(0);
      read = runs == 0 ? 0 : totals.getLong(1);
      written = runs == 0 ? 0 : totals.getLong(2);
      quarantined = runs == 0 ? 0 : totals.getLong(3);
      duplicates = runs == 0 ? 0 : totals.getLong(4);
      latest =
          ingest
              .orderBy(desc("started_at"), col("run_id"))
              .limit(settings.ingestRuns())
              .select(
                  "run_id",
                  "started_at",
                  "status",
                  "rows_in",
                  "rows_out",
                  "rows_rejected",
                  "rows_duplicate")
              .collectAsList()
              .stream()
              .map(
                  r ->
                      new IngestRun(
                          r.getString(0),
                          r.getTimestamp(1).toInstant().toString(),
                          r.getString(2),
                          r.getLong(3),
                          r.getLong(4),
                          r.getLong(5),
                          r.getLong(6)))
              .toList();
    }
    long quarantineRows = 0;
    List<ReasonCount> reasons = List.of();
    if (lake.exists(Tables.EVENTS_QUARANTINE)) {
      Dataset<Row> quarantine = lake.read(Tables.EVENTS_QUARANTINE, "");
      quarantineRows = quarantine.count();
      reasons =
          SqlResource.load("sql/report/quarantine_reasons.sql")
              .withView("quarantine", quarantine)
              .run(spark)
              .limit(settings.topQuarantineReasons())
              .collectAsList()
              .stream()
              .map(r -> new ReasonCount(r.getString(0), r.getLong(1)))
              .toList();
    }
    return new DataQuality(
        runs,
        read,
        written,
        quarantined,
        duplicates,
        quarantineRows,
        reasons,
        latest,
        identity(asOf));
  }

  /** The stitching figures of the latest resolution on or before {@code asOf}; null when off. */
  private ReportData.Identity identity(LocalDate asOf) {
    if (!IdentitySettings.enabled(context.config())) {
      return null;
    }
    Optional<LocalDate> resolved = Profiles.latestOnOrBefore(lake, asOf);
    if (resolved.isEmpty()) {
      return null;
    }
    Dataset<Row> map = Profiles.mapOn(lake, resolved.get());
    Row totals =
        map.agg(
                functions.countDistinct(
                    when(col("id_type").equalTo(Profiles.CUSTOMER_ID), col("identifier"))),
                functions.countDistinct(col("customer_key")))
            .first();
    long stitched =
        map.where(col("id_type").equalTo(Profiles.CUSTOMER_ID))
            .groupBy("customer_key")
            .count()
            .where(col("count").gt(1))
            .count();
    Map<String, Long> byType = new LinkedHashMap<>();
    map.groupBy("id_type")
        .count()
        .orderBy("id_type")
        .collectAsList()
        .forEach(r -> byType.put(r.getString(0), r.getLong(1)));
    Map<String, Long> quarantined = new LinkedHashMap<>();
    if (lake.exists(Tables.IDENTITY_QUARANTINE)) {
      lake.read(Tables.IDENTITY_QUARANTINE, "")
          .where(col(Tables.AS_OF).equalTo(lit(Date.valueOf(resolved.get()))))
          .groupBy(IdentityResolution.rule(col("reason")).as("rule"))
          .count()
          .orderBy("rule")
          .collectAsList()
          .forEach(r -> quarantined.put(r.getString(0), r.getLong(1)));
    }
    return new ReportData.Identity(
        resolved.get().toString(),
        totals.getLong(0),
        totals.getLong(1),
        stitched,
        byType,
        quarantined);
  }

  private static double number(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? Double.NaN : ((Number) r.get(i)).doubleValue();
  }

  private static Map<String, Double> shares(Row r, String column) {
    int i = r.fieldIndex(column);
    if (r.isNullAt(i)) {
      return Map.of();
    }
    Map<String, Double> sorted = new LinkedHashMap<>();
    r.<String, Double>getJavaMap(i).entrySet().stream()
        .sorted(
            Map.Entry.<String, Double>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }
}

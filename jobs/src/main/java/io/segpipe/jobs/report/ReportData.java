package io.segpipe.jobs.report;

import java.util.List;
import java.util.Map;

/**
 * Every figure the report shows, aggregated in Spark and collected small: written beside the page
 * as report-data.json, and what the page is drawn from. Money is in {@link #currency}; shares are
 * 0-1.
 *
 * @param previousAsOfDate the latest customer_segments snapshot before this one; null for the first
 * @param clv the lifetime value section; null when the clv job has not scored the date
 * @param campaigns the campaign section; null when the lake has no campaign_results table
 * @param trends segment_trends of the date, of the segmentations segpipe.report.trend-segmentations
 *     names; empty when the lake has none
 * @param affinities each segment's strongest rules from segment_affinities of the date; empty when
 *     the lake has none for it
 */
public record ReportData(
    String asOfDate,
    String previousAsOfDate,
    String generatedAt,
    String currency,
    String lakeRoot,
    Headline headline,
    List<SegmentSize> rfmSegments,
    List<GridCell> rfmGrid,
    List<StageCount> lifecycle,
    List<TransitionMatrix> transitions,
    Population population,
    List<ClusterPortrait> clusters,
    List<ClusterRuleText> rules,
    ChurnRisk churn,
    ModelQuality models,
    LifetimeValue clv,
    CampaignSection campaigns,
    DataQuality dataQuality,
    List<TrendPoint> trends,
    List<AffinityRule> affinities) {

  /**
   * One segment_affinities row: in the segment's baskets (orders in the features window), those
   * with every antecedent item hold the consequent {@code lift} times as often as baskets overall;
   * {@code confidence} of them do; {@code support} of all baskets hold both.
   */
  public record AffinityRule(
      String segmentation,
      String segment,
      String itemLevel,
      int rank,
      List<String> antecedent,
      String consequent,
      long baskets,
      double support,
      double confidence,
      double lift) {}

  /**
   * One segment_trends row: a segment at one snapshot (periodType "snapshot", periodStart its as-of
   * date) or in one month (periodType "month", periodStart the month's first day) — customers,
   * share, revenue (net, in the currency), revenue share, active customers, orders and mean CLV,
   * null where the table has none.
   */
  public record TrendPoint(
      String segmentation,
      String segment,
      String periodType,
      String periodStart,
      long customers,
      double share,
      Long activeCustomers,
      Long orders,
      Double revenue,
      Double revenueShare,
      Double clvMean) {}

  /** The headline of one snapshot. */
  public record Snapshot(
      String asOfDate,
      long customers,
      long activeCustomers,
      long purchasers,
      double revenue,
      long optedIn) {}

  /** This snapshot and, where there is one, the previous. */
  public record Headline(Snapshot current, Snapshot previous) {}

  /**
   * One RFM segment from segment_profiles: its code (what rfm_segment holds), and its label,
   * description and action in the report's locale (null description for a code the segment map no
   * longer has).
   */
  public record SegmentSize(
      String segment,
      String name,
      long customers,
      double share,
      double revenueShare,
      double monetaryMean,
      double recencyMedian,
      double frequencyMean,
      String description,
      String action) {}

  /** Customers with R score r and F score f, and their mean monetary. */
  public record GridCell(int r, int f, long customers, double monetaryMean) {}

  /** Customers in one lifecycle stage, this snapshot and the previous (null without one). */
  public record StageCount(String stage, long customers, double share, Long previousCustomers) {}

  /**
   * One segment_transitions row: segment codes, (new) and (gone) marking customers who came and
   * went.
   */
  public record Transition(String from, String to, long customers, double shareOfFrom) {}

  /**
   * The transitions of one segmentation since the previous snapshot, rows and columns in display
   * order.
   */
  public record TransitionMatrix(
      String segmentation,
      String previousAsOfDate,
      List<String> fromSegments,
      List<String> toSegments,
      List<Transition> cells) {}

  /**
   * Means over the customers with a purchase in the window, the yardstick of the cluster portraits.
   */
  public record Population(
      long customers, Map<String, Double> means, Map<String, Double> channelMix) {}

  /** One cluster from segment_profiles. */
  public record ClusterPortrait(
      String segment,
      long customers,
      double share,
      double revenueShare,
      Map<String, Double> means,
      Map<String, Double> channelMix,
      List<String> topCategories,
      Map<String, Map<String, Double>> demographics,
      double churnProbabilityMean) {}

  /** One decision-tree rule from segment_rules. */
  public record ClusterRuleText(
      int ruleId, int clusterId, String clusterLabel, String ruleText, long customers) {}

  /**
   * One bar of the churn probability histogram: customers with from <= p < to (the last bar
   * includes 1).
   */
  public record ChurnBin(double from, double to, long customers, String risk) {}

  /** Churn probabilities of the scored customers, and the customers per risk band. */
  public record ChurnRisk(
      List<ChurnBin> bins, Map<String, Long> bands, long scored, double meanProbability) {}

  /** Silhouette of one k tried. */
  public record KScore(int k, double silhouette) {}

  /** The models the segments were made with, and their metrics from model_runs. */
  public record ModelQuality(
      String clustersVersion,
      String churnVersion,
      Integer chosenK,
      Double silhouette,
      List<KScore> kSearch,
      Double rulesFidelity,
      Double churnAuc,
      Double churnPrecision,
      Double churnRecall,
      Double churnRate,
      Long churnTestRows,
      ChurnComparison churnModels) {}

  /**
   * The churn candidates of the model that scored the snapshot, measured on the same test
   * customers: which one was chosen, each one's figures and cumulative gains, the chosen one's
   * reliability after calibration, and the ensembles' feature importances. Null for a model trained
   * before candidates.
   */
  public record ChurnComparison(
      String chosen,
      List<ChurnCandidate> candidates,
      List<ReliabilityBin> reliability,
      double ece,
      double uncalibratedEce,
      Map<String, Map<String, Double>> importances) {}

  /**
   * One churn candidate's figures on the test customers (validation AUC: on the customers that
   * chose).
   */
  public record ChurnCandidate(
      String name,
      double validationAuc,
      double auc,
      double logLoss,
      double brier,
      double liftTopDecile,
      double[] gains) {}

  /**
   * One reliability bin: the mean calibrated probability and the observed churn rate of a tenth of
   * the customers.
   */
  public record ReliabilityBin(int bin, long customers, double predicted, double observed) {}

  /** One ingest run from run_metrics. */
  public record IngestRun(
      String runId,
      String startedAt,
      String status,
      long rowsIn,
      long rowsOut,
      long rowsRejected,
      long rowsDuplicate) {}

  /**
   * A quarantine reason (values quoted in it masked, so alike reasons count together) and its rows.
   */
  public record ReasonCount(String reason, long rows) {}

  /**
   * What ingest read, wrote and rejected over all its recorded runs, and why rows were rejected.
   */
  public record DataQuality(
      long ingestRunCount,
      long eventsRead,
      long eventsWritten,
      long quarantined,
      long duplicates,
      long quarantineRows,
      List<ReasonCount> topReasons,
      List<IngestRun> latestRuns,
      Identity identity) {}

  /**
   * Identity stitching as resolved on {@code resolvedOn} (the latest resolution on or before the
   * report's date; null when stitching is off): source customer ids before, profiles after, how
   * many profiles join several customer ids, identifiers per type, and the identifiers quarantined
   * per rule (blocked, max-links, max-per-profile).
   */
  public record Identity(
      String resolvedOn,
      long customerIds,
      long profiles,
      long stitchedProfiles,
      Map<String, Long> identifiersByType,
      Map<String, Long> quarantinedByRule) {}

  /**
   * Customer lifetime value as of the date, from customer_clv, segment_profiles and clv_validation.
   */
  public record LifetimeValue(
      String modelVersion,
      String timeUnit,
      int horizonDays,
      Map<String, Double> parameters,
      long customers,
      double total,
      double mean,
      double meanPAlive,
      double expectedPurchases,
      Map<String, Long> tiers,
      List<SegmentClv> bySegment,
      double binWidth,
      List<ClvBin> bins,
      String holdoutUntil,
      List<ValidationPoint> byRepeatCount,
      List<ValidationPoint> tracking) {}

  /** Mean and total CLV of one RFM segment (segment_profiles). */
  public record SegmentClv(String segment, long customers, double mean, double total) {}

  /**
   * Customers of one CLV tier with a clv in [from, to) (the last bin has no upper end: to is null).
   */
  public record ClvBin(double from, Double to, String tier, long customers) {}

  /**
   * One row of clv_validation: a repeat-count bucket or a tracking week, actual against expected.
   */
  public record ValidationPoint(String label, long customers, double actual, double expected) {}

  /**
   * The campaigns of campaign_results evaluated on or before the report's date, and how many were
   * left out because their (latest, the only one kept) evaluation is later than the report's date.
   */
  public record CampaignSection(List<CampaignEvaluation> evaluated, int evaluatedAfterAsOf) {}

  /**
   * One campaign's measurement. {@code windowEnd} is the last day measured; for a running campaign
   * (an early look) that is its evaluation date, and {@code plannedEnd} the window's end from the
   * campaigns table (null when that table is missing). Incremental revenue is in the report's
   * currency; null where it could not be estimated. {@code metrics} holds the target metric first.
   */
  public record CampaignEvaluation(
      String campaignId,
      String name,
      String targetMetric,
      String evaluatedAsOf,
      String windowStart,
      String windowEnd,
      boolean running,
      String plannedEnd,
      Double controlShare,
      long treatedCustomers,
      long controlCustomers,
      long treatedBuyers,
      long controlBuyers,
      double confidence,
      double power,
      Double incrementalRevenue,
      Double incrementalRevenueLow,
      Double incrementalRevenueHigh,
      double sampleRatioPValue,
      boolean sampleRatioOk,
      List<CampaignMetric> metrics) {}

  /**
   * One campaign_results row: the metric per group and the uplift of treatment over control
   * (absolute with its interval and p-value, relative with its interval, and the minimum detectable
   * effect). Null where campaign_results has none (average_order_value has no interval or p-value
   * by design).
   */
  public record CampaignMetric(
      String metric,
      boolean target,
      Double treatedValue,
      Double controlValue,
      Double uplift,
      Double upliftLow,
      Double upliftHigh,
      Double pValue,
      Double relativeUplift,
      Double relativeUpliftLow,
      Double relativeUpliftHigh,
      Double minimumDetectableEffect) {}
}

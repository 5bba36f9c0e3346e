package io.segpipe.common.tables;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Every table segpipe writes, declared once (docs/contracts.md says what the values mean). Jobs
 * read and write tables through these declarations; other classes that describe a table (its codes,
 * how it is computed) refer to the columns here rather than repeat them.
 */
public final class Tables {
  private Tables() {}

  /** Money as the events contract carries it. */
  public static final DecimalType MONEY = DataTypes.createDecimalType(18, 2);

  /** Sums of money over many events (customer_daily, profiles, trends). */
  public static final DecimalType MONEY_SUM = DataTypes.createDecimalType(28, 2);

  private static final DataType STRING = DataTypes.StringType;
  private static final DataType INT = DataTypes.IntegerType;
  private static final DataType LONG = DataTypes.LongType;
  private static final DataType DOUBLE = DataTypes.DoubleType;
  private static final DataType DATE = DataTypes.DateType;
  private static final DataType TIMESTAMP = DataTypes.TimestampType;
  private static final DataType BOOLEAN = DataTypes.BooleanType;
  private static final DataType SHARES = DataTypes.createMapType(STRING, DOUBLE);
  private static final DataType STRINGS = DataTypes.createArrayType(STRING);
  private static final DataType IDENTIFIERS = DataTypes.createMapType(STRING, STRING);

  /** The partition column of every snapshot table. */
  public static final String AS_OF = "as_of_date";

  public static final TableContract EVENTS =
      new TableContract(
          "events",
          new StructType()
              .add("event_id", STRING, false)
              .add("event_ts", TIMESTAMP, false)
              .add("customer_id", STRING, true)
              .add("channel", STRING, false)
              .add("event_type", STRING, false)
              .add("order_id", STRING, true)
              .add("product_id", STRING, true)
              .add("category", STRING, true)
              .add("quantity", INT, true)
              .add("amount", MONEY, true)
              .add("currency", STRING, true)
              .add("store_id", STRING, true)
              .add("rating", INT, true)
              .add("event_date", DATE, false)
              // added with price sensitivity: what was taken off the line's price (amount is what
              // was paid); null where the source does not say and in events written before it
              .add("discount_amount", MONEY, true)
              // added with identity stitching: identifier type -> stored identifier (a keyed hash
              // for personal types), from the mapping's identifiers section; null without one
              .add("identifiers", IDENTIFIERS, true),
          "event_date",
          List.of("event_id"),
          "validated, de-duplicated omnichannel events, one row per event",
          List.of("discount_amount", "identifiers"));

  public static final TableContract EVENTS_QUARANTINE =
      new TableContract(
          "events_quarantine",
          new StructType()
              .add("run_id", STRING, false)
              .add("ingested_at", TIMESTAMP, false)
              .add("source", STRING, false)
              .add("mapping", STRING, false)
              .add("source_file", STRING, true)
              .add("event_id", STRING, true)
              .add("customer_id", STRING, true)
              .add("raw_row", STRING, true)
              .add("reasons", STRINGS, false),
          null,
          List.of(),
          "source rows ingest rejected, with the raw row and the reasons; appended per run");

  public static final TableContract CUSTOMERS =
      new TableContract(
          "customers",
          new StructType()
              .add("customer_id", STRING, false)
              .add("signup_date", DATE, true)
              .add("birth_year", INT, true)
              .add("gender", STRING, true)
              .add("region", STRING, true)
              .add("city", STRING, true)
              .add("income_band", STRING, true)
              .add("member_tier", STRING, true)
              .add("acquisition_channel", STRING, true)
              .add("marketing_opt_in", BOOLEAN, true)
              // added with identity stitching: the record's identifiers, as on events
              .add("identifiers", IDENTIFIERS, true),
          null,
          List.of("customer_id"),
          "the customer dimension as last loaded: demographics and marketing consent",
          List.of("identifiers"));

  public static final TableContract CUSTOMER_DAILY =
      new TableContract(
          "customer_daily",
          new StructType()
              .add("customer_id", STRING, false)
              .add("event_date", DATE, false)
              .add("channel", STRING, false)
              .add("events", LONG, false)
              .add("purchased_amount", MONEY_SUM, true)
              .add("returned_amount", MONEY_SUM, true)
              .add("order_keys", DataTypes.createArrayType(STRING, false), false)
              .add("category_spend", DataTypes.createMapType(STRING, MONEY_SUM), false)
              .add("visited", BOOLEAN, true)
              .add("purchased", BOOLEAN, true)
              .add("rating_sum", LONG, true)
              .add("ratings", LONG, false)
              .add("event_month", DATE, false)
              // added with the buying-style features: a table written before them is rebuilt
              .add("views", LONG, true)
              .add("cart_adds", LONG, true)
              .add("feedbacks", LONG, true)
              .add("coupon_order_keys", DataTypes.createArrayType(STRING, false), true)
              // added with the daypart features: a table written before them is rebuilt
              .add("order_starts", DataTypes.createMapType(STRING, TIMESTAMP, false), true)
              // added with discount_spend_share: a table written before them is rebuilt
              .add("discounted_amount", MONEY_SUM, true)
              .add("discount_known_amount", MONEY_SUM, true),
          "event_month",
          List.of("customer_id", "event_date", "channel"),
          "a known customer's events of one UTC day and channel, in mergeable form",
          List.of(
              "views",
              "cart_adds",
              "feedbacks",
              "coupon_order_keys",
              "order_starts",
              "discounted_amount",
              "discount_known_amount"));

  public static final TableContract CUSTOMER_FEATURES =
      new TableContract(
          "customer_features",
          new StructType()
              .add("customer_id", STRING, false)
              .add("recency_days", INT, true)
              .add("frequency", LONG, false)
              .add("monetary", MONEY, true)
              .add("avg_order_value", MONEY, true)
              .add("first_purchase_date", DATE, true)
              .add("last_purchase_date", DATE, true)
              .add("tenure_days", INT, true)
              .add("mean_days_between_orders", DOUBLE, true)
              .add("median_days_between_orders", DOUBLE, true)
              .add("days_before_last_purchase", INT, true)
              .add("purchased_amount", MONEY, true)
              .add("returned_amount", MONEY, true)
              .add("return_rate", DOUBLE, true)
              .add("orders_" + TableContract.CHANNEL, LONG, true)
              .add("spend_" + TableContract.CHANNEL, MONEY, true)
              .add("channel_breadth", INT, true)
              .add("category_breadth", INT, true)
              .add("avg_rating", DOUBLE, true)
              .add("visits_without_purchase", LONG, true)
              .add("events_in_window", LONG, true)
              .add("r_score", INT, true)
              .add("f_score", INT, true)
              .add("m_score", INT, true)
              .add("rfm_cell", STRING, true)
              .add("rfm_segment", STRING, true)
              .add("lifecycle_stage", STRING, true)
              .add("value_tier", STRING, true)
              .add(AS_OF, DATE, false)
              // added with the buying-style features: null in snapshots written before them
              .add("views", LONG, true)
              .add("cart_adds", LONG, true)
              .add("view_to_purchase", DOUBLE, true)
              .add("cart_to_purchase", DOUBLE, true)
              .add("coupon_order_share", DOUBLE, true)
              .add("social_events", LONG, true)
              .add("feedbacks", LONG, true)
              // added with the daypart features
              .add("evening_order_share", DOUBLE, true)
              .add("weekend_order_share", DOUBLE, true)
              .add("preferred_daypart", STRING, true)
              // added with price sensitivity
              .add("discount_spend_share", DOUBLE, true),
          AS_OF,
          List.of("customer_id"),
          "one customer's features, scores and stages as of a snapshot date",
          List.of(
              "views",
              "cart_adds",
              "view_to_purchase",
              "cart_to_purchase",
              "coupon_order_share",
              "social_events",
              "feedbacks",
              "evening_order_share",
              "weekend_order_share",
              "preferred_daypart",
              "discount_spend_share"));

  public static final TableContract RFM_BOUNDARIES =
      new TableContract(
          "rfm_boundaries",
          new StructType()
              .add("measure", STRING, false)
              .add("boundaries", DataTypes.createArrayType(DOUBLE), true)
              .add("distinct_boundaries", INT, false)
              .add("possible_scores", DataTypes.createArrayType(INT), true)
              .add("purchasers", LONG, false)
              .add("mean", DOUBLE, true)
              .add("median", DOUBLE, true)
              .add("cn8_threshold", DOUBLE, true)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("measure"),
          "where the R, F and M scores were cut in a snapshot, with each measure's mean and median");

  public static final TableContract MODEL_RUNS =
      new TableContract(
          "model_runs",
          new StructType()
              .add("model", STRING, false)
              .add("version", STRING, false)
              .add(AS_OF, DATE, false)
              .add("run_id", STRING, false)
              .add("trained_at", TIMESTAMP, false)
              .add("path", STRING, false)
              .add("features", STRINGS, false)
              .add("parameters", DataTypes.createMapType(STRING, STRING), false)
              .add("metrics", DataTypes.createMapType(STRING, DOUBLE), false)
              .add("training_rows", LONG, false)
              .add("data_from", DATE, true)
              .add("data_to", DATE, true),
          null,
          List.of("model", "version"),
          "one trained or fitted model version: parameters, metrics, training data range");

  public static final TableContract CUSTOMER_CLV =
      new TableContract(
          "customer_clv",
          new StructType()
              .add("customer_id", STRING, false)
              .add("x", INT, false)
              .add("t_x", DOUBLE, false)
              .add("t_cal", DOUBLE, false)
              .add("mean_repeat_value", DOUBLE, true)
              .add("p_alive", DOUBLE, false)
              .add("expected_purchases", DOUBLE, false)
              .add("expected_order_value", DOUBLE, false)
              .add("clv", DOUBLE, false)
              .add("clv_tier", STRING, false)
              // the version of the clv-bgnbd and clv-gamma-gamma models scored with (fitted
              // together)
              .add("clv_model_version", STRING, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("customer_id"),
          "a customer's lifetime value as of a snapshot (times in the fit's unit, money in the"
              + " reporting currency)");

  public static final TableContract CLV_VALIDATION =
      new TableContract(
          "clv_validation",
          new StructType()
              .add("holdout_until", DATE, false)
              // "by_repeat_count": customers with calibration repeat count `calibration_repeats`
              // (0..6, "7+"); "tracking": cumulative repeat transactions of all calibration
              // customers up to `period_end`.
              .add("kind", STRING, false)
              .add("calibration_repeats", STRING, true)
              .add("period_end", DATE, true)
              .add("customers", LONG, false)
              .add("actual", DOUBLE, false)
              .add("expected", DOUBLE, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("kind", "calibration_repeats", "period_end"),
          "the CLV fit's calibration/holdout check: actual against expected repeat purchases");

  public static final TableContract CUSTOMER_SEGMENTS =
      new TableContract(
          "customer_segments",
          new StructType()
              .add("customer_id", STRING, false)
              .add("recency_days", INT, true)
              .add("frequency", LONG, false)
              .add("monetary", MONEY, true)
              .add("avg_order_value", MONEY, true)
              .add("r_score", INT, true)
              .add("f_score", INT, true)
              .add("m_score", INT, true)
              .add("rfm_cell", STRING, true)
              .add("rfm_segment", STRING, true)
              .add("lifecycle_stage", STRING, true)
              .add("value_tier", STRING, true)
              .add("cluster_id", INT, true)
              .add("cluster_label", STRING, true)
              .add("churn_probability", DOUBLE, true)
              .add("churn_risk", STRING, true)
              .add("p_alive", DOUBLE, true)
              .add("expected_purchases", DOUBLE, true)
              .add("clv", DOUBLE, true)
              .add("clv_tier", STRING, true)
              .add("marketing_opt_in", BOOLEAN, true)
              .add("clusters_model_version", STRING, true)
              .add("churn_model_version", STRING, true)
              .add("rfm_segment_name", STRING, true)
              .add("lifecycle_stage_name", STRING, true)
              .add("value_tier_name", STRING, true)
              .add("churn_risk_name", STRING, true)
              .add("clv_tier_name", STRING, true)
              .add("cluster_name", STRING, true)
              .add(AS_OF, DATE, false)
              // added with the needs-based segments: null in snapshots written before them
              .add("needs_segment", STRING, true)
              .add("needs_segment_name", STRING, true),
          AS_OF,
          List.of("customer_id"),
          "each customer's segments as of a snapshot: codes, their labels, scores, model versions",
          List.of("needs_segment", "needs_segment_name"));

  /** The customer_segments columns an audience can be chosen by. */
  public static final List<String> SEGMENTATIONS =
      List.of(
          "rfm_segment",
          "lifecycle_stage",
          "value_tier",
          "churn_risk",
          "cluster_label",
          "clv_tier",
          "needs_segment");

  public static final TableContract SEGMENT_PROFILES =
      new TableContract(
          "segment_profiles",
          new StructType()
              .add("segmentation", STRING, false)
              .add("segment", STRING, true)
              .add("customers", LONG, false)
              .add("share", DOUBLE, false)
              .add("recency_mean", DOUBLE, true)
              .add("recency_median", DOUBLE, true)
              .add("frequency_mean", DOUBLE, true)
              .add("frequency_median", DOUBLE, true)
              .add("monetary_mean", DOUBLE, true)
              .add("monetary_median", DOUBLE, true)
              .add("revenue_share", DOUBLE, true)
              .add("avg_order_value", DOUBLE, true)
              .add("channel_mix", SHARES, true)
              .add("top_categories", STRINGS, true)
              .add("age_bands", SHARES, true)
              .add("gender", SHARES, true)
              .add("region", SHARES, true)
              .add("member_tier", SHARES, true)
              .add("avg_rating", DOUBLE, true)
              .add("churn_probability_mean", DOUBLE, true)
              .add("clv_mean", DOUBLE, true)
              .add("clv_total", DOUBLE, true)
              .add(AS_OF, DATE, false)
              // added with segment_trends: null in profiles written before
              .add("revenue", MONEY_SUM, true)
              .add("orders", LONG, true)
              .add("buyers", LONG, true)
              // added with the buying-style portraits: null in profiles written before
              .add("income_band", SHARES, true)
              .add("city", SHARES, true)
              .add("coupon_order_share_mean", DOUBLE, true)
              .add("view_to_purchase_mean", DOUBLE, true)
              .add("social_events_mean", DOUBLE, true)
              // added with the daypart features
              .add("evening_order_share_mean", DOUBLE, true)
              .add("weekend_order_share_mean", DOUBLE, true)
              // added with discount_amount
              .add("discount_spend_share_mean", DOUBLE, true),
          AS_OF,
          List.of("segmentation", "segment"),
          "the portrait of one segment of one segmentation as of a snapshot",
          List.of(
              "revenue",
              "orders",
              "buyers",
              "income_band",
              "city",
              "coupon_order_share_mean",
              "view_to_purchase_mean",
              "social_events_mean",
              "evening_order_share_mean",
              "weekend_order_share_mean",
              "discount_spend_share_mean"));

  public static final TableContract SEGMENT_RULES =
      new TableContract(
          "segment_rules",
          new StructType()
              .add("model_version", STRING, false)
              .add("rule_id", INT, false)
              .add("cluster_id", INT, false)
              .add("cluster_label", STRING, false)
              .add("cluster_name", STRING, false)
              .add("rule_text", STRING, false)
              .add("sql_predicate", STRING, false)
              .add("customers", LONG, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("model_version", "rule_id"),
          "one decision-tree rule of the cluster-rules model, in words and as a SQL predicate");

  public static final TableContract SEGMENT_TRANSITIONS =
      new TableContract(
          "segment_transitions",
          new StructType()
              .add("segmentation", STRING, false)
              .add("from_segment", STRING, true)
              .add("to_segment", STRING, true)
              .add("customers", LONG, false)
              .add("share_of_from", DOUBLE, true)
              .add("previous_as_of_date", DATE, true)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("segmentation", "from_segment", "to_segment"),
          "customers who moved from one segment to another since the previous snapshot");

  public static final TableContract SEGMENT_TRENDS =
      new TableContract(
          "segment_trends",
          new StructType()
              .add("segmentation", STRING, false)
              .add("segment", STRING, true)
              // "snapshot" (from an earlier snapshot's profiles) or "month" (today's members)
              .add("period_type", STRING, false)
              .add("period_start", DATE, false)
              .add("period_end", DATE, false)
              .add("customers", LONG, true)
              .add("share", DOUBLE, true)
              .add("active_customers", LONG, true)
              .add("orders", LONG, true)
              .add("revenue", MONEY_SUM, true)
              .add("revenue_share", DOUBLE, true)
              .add("clv_mean", DOUBLE, true)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("segmentation", "segment", "period_type", "period_start"),
          "a segment's history as it stood on the snapshot date, per snapshot and per month");

  public static final TableContract SEGMENT_AFFINITIES =
      new TableContract(
          "segment_affinities",
          new StructType()
              .add("segmentation", STRING, false)
              .add("segment", STRING, false)
              // "category" or "product": what the baskets' items are
              .add("item_level", STRING, false)
              .add("rule_rank", INT, false)
              .add("antecedent", DataTypes.createArrayType(STRING, false), false)
              .add("consequent", STRING, false)
              .add("baskets", LONG, false)
              .add("rule_baskets", LONG, false)
              .add("support", DOUBLE, false)
              .add("confidence", DOUBLE, false)
              .add("lift", DOUBLE, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("segmentation", "segment", "rule_rank"),
          "an association rule among one segment's baskets in the features window (FPGrowth), strongest first");

  public static final TableContract CUSTOMER_NEXT_BEST =
      new TableContract(
          "customer_next_best",
          new StructType()
              .add("customer_id", STRING, false)
              .add("segmentation", STRING, false)
              .add("segment", STRING, false)
              .add("item_level", STRING, false)
              .add("next_best_item", STRING, false)
              .add("rule_rank", INT, false)
              .add("lift", DOUBLE, false)
              .add("confidence", DOUBLE, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("customer_id"),
          "a customer's next-best item: the consequent of its segment's strongest rule whose antecedent it"
              + " bought in the window and whose consequent it did not");

  /** segment_trends' period_type: a row from an earlier snapshot's segment_profiles. */
  public static final String TREND_SNAPSHOT = "snapshot";

  /** segment_trends' period_type: a calendar month of what today's members did. */
  public static final String TREND_MONTH = "month";

  public static final TableContract CAMPAIGNS =
      new TableContract(
          "campaigns",
          new StructType()
              .add("campaign_id", STRING, false)
              .add("name", STRING, false)
              .add("snapshot_date", DATE, false)
              // "rfm_segment = at_risk" or the SQL predicate over customer_segments
              .add("audience", STRING, false)
              .add("start_date", DATE, false)
              // the last day of the measurement window, included
              .add("end_date", DATE, false)
              .add("window_days", INT, false)
              .add("control_share", DOUBLE, false)
              .add("metric", STRING, false)
              .add("split_rule", STRING, false)
              // SHA-256 of the definition's fields: a changed definition under the same id is
              // refused
              .add("definition_sha256", STRING, false)
              .add("eligible", LONG, false)
              .add("treatment_customers", LONG, false)
              .add("control_customers", LONG, false)
              .add("assigned_at", TIMESTAMP, false)
              .add("last_exported_at", TIMESTAMP, false),
          null,
          List.of("campaign_id"),
          "a campaign the export job has split into treated and control customers");

  public static final TableContract CAMPAIGN_ASSIGNMENTS =
      new TableContract(
          "campaign_assignments",
          new StructType()
              .add("campaign_id", STRING, false)
              .add("customer_id", STRING, false)
              // treatment or control
              .add("test_group", STRING, false)
              .add("assigned_at", TIMESTAMP, false),
          null,
          List.of("campaign_id", "customer_id"),
          "an eligible customer's group in a campaign, fixed when first exported");

  public static final TableContract CAMPAIGN_RESULTS =
      new TableContract(
          "campaign_results",
          new StructType()
              .add("campaign_id", STRING, false)
              .add("name", STRING, false)
              .add("metric", STRING, false)
              // the metric the campaign aims at
              .add("target_metric", BOOLEAN, false)
              .add("evaluated_as_of", DATE, false)
              .add("window_start", DATE, false)
              // the last day measured: the window's end, or the as-of date for a running campaign
              .add("window_end", DATE, false)
              .add("running", BOOLEAN, false)
              .add("treatment_customers", LONG, false)
              .add("control_customers", LONG, false)
              .add("treatment_buyers", LONG, false)
              .add("control_buyers", LONG, false)
              // the metric per group: a share for conversion, a mean per customer, or revenue per
              // order
              .add("treatment_value", DOUBLE, true)
              .add("control_value", DOUBLE, true)
              // treatment - control, with its interval at `confidence` and two-sided p-value
              .add("uplift", DOUBLE, true)
              .add("uplift_low", DOUBLE, true)
              .add("uplift_high", DOUBLE, true)
              .add("p_value", DOUBLE, true)
              // treatment / control - 1, with its interval
              .add("relative_uplift", DOUBLE, true)
              .add("relative_uplift_low", DOUBLE, true)
              .add("relative_uplift_high", DOUBLE, true)
              // the smallest uplift detectable at `power`, two-sided, from the control group's
              // spread
              // and the sizes
              .add("minimum_detectable_effect", DOUBLE, true)
              // (revenue per treated customer - per control customer) x treated customers, the same
              // on
              // every row
              .add("incremental_revenue", DOUBLE, true)
              .add("incremental_revenue_low", DOUBLE, true)
              .add("incremental_revenue_high", DOUBLE, true)
              // chi-square test of the split against the control share; below the threshold the
              // split
              // is suspect
              .add("sample_ratio_p_value", DOUBLE, false)
              .add("sample_ratio_ok", BOOLEAN, false)
              .add("confidence", DOUBLE, false)
              .add("power", DOUBLE, false)
              .add("evaluated_at", TIMESTAMP, false),
          null,
          List.of("campaign_id", "metric"),
          "one metric of a campaign measured against its control group; replaced when re-evaluated");

  public static final TableContract ERASURES =
      new TableContract(
          "erasures",
          new StructType()
              .add("id_hmac", STRING, false)
              .add("erased_at", TIMESTAMP, false)
              .add("run_id", STRING, false)
              .add("rows_removed", DataTypes.createMapType(STRING, LONG), false),
          null,
          List.of("id_hmac", "run_id"),
          "a customer erased by forget: a keyed hash of the id (never the id), when, what was removed");

  public static final TableContract IDENTITY_MAP =
      new TableContract(
          "identity_map",
          new StructType()
              .add("id_type", STRING, false)
              .add("identifier", STRING, false)
              .add("customer_key", STRING, false)
              .add("first_seen", TIMESTAMP, false)
              .add("last_seen", TIMESTAMP, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("id_type", "identifier"),
          "each identifier linked into a profile, with the profile's key, as resolved on the date");

  public static final TableContract IDENTITY_QUARANTINE =
      new TableContract(
          "identity_quarantine",
          new StructType()
              .add("id_type", STRING, false)
              .add("identifier", STRING, false)
              .add("reason", STRING, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("id_type", "identifier"),
          "identifiers not used for linking (blocked, shared by many, over a per-profile cap), why");

  public static final TableContract IDENTITY_CHANGES =
      new TableContract(
          "identity_changes",
          new StructType()
              .add("id_type", STRING, false)
              .add("identifier", STRING, false)
              .add("previous_as_of", DATE, false)
              .add("old_key", STRING, false)
              .add("new_key", STRING, true)
              .add("reason", STRING, false)
              .add(AS_OF, DATE, false),
          AS_OF,
          List.of("id_type", "identifier"),
          "identifiers whose profile key differs from the previous resolution's: old, new and why");

  public static final TableContract RUN_METRICS =
      new TableContract(
          "run_metrics",
          new StructType()
              .add("run_id", STRING, false)
              .add("job", STRING, false)
              .add(AS_OF, DATE, true)
              .add("status", STRING, false)
              .add("started_at", TIMESTAMP, false)
              .add("finished_at", TIMESTAMP, false)
              .add("duration_ms", LONG, false)
              .add("rows_in", LONG, false)
              .add("rows_out", LONG, false)
              .add("rows_rejected", LONG, false)
              .add("rows_duplicate", LONG, false)
              .add("message", STRING, true)
              .add("details", DataTypes.createMapType(STRING, STRING), true),
          null,
          List.of("run_id", "job"),
          "one job run: rows in and out, duration, outcome in words; secrets masked");

  /** Every table, in the order of docs/contracts.md. */
  public static final List<TableContract> ALL =
      List.of(
          EVENTS,
          EVENTS_QUARANTINE,
          CUSTOMERS,
          CUSTOMER_DAILY,
          CUSTOMER_FEATURES,
          RFM_BOUNDARIES,
          MODEL_RUNS,
          CUSTOMER_CLV,
          CLV_VALIDATION,
          CUSTOMER_SEGMENTS,
          SEGMENT_PROFILES,
          SEGMENT_RULES,
          SEGMENT_TRANSITIONS,
          SEGMENT_TRENDS,
          SEGMENT_AFFINITIES,
          CUSTOMER_NEXT_BEST,
          CAMPAIGNS,
          CAMPAIGN_ASSIGNMENTS,
          CAMPAIGN_RESULTS,
          ERASURES,
          IDENTITY_MAP,
          IDENTITY_QUARANTINE,
          IDENTITY_CHANGES,
          RUN_METRICS);

  private static final Map<String, TableContract> BY_NAME = new LinkedHashMap<>();

  static {
    ALL.forEach(t -> BY_NAME.put(t.name(), t));
  }

  /** The contract of a table segpipe writes, by name. */
  public static Optional<TableContract> named(String table) {
    return Optional.ofNullable(BY_NAME.get(table));
  }
}

-- One row per customer of the snapshot: the customer_segments columns (cluster and churn only for
-- customers with a purchase in the window; prospects get nulls), plus what the profiles summarise
-- (per-channel orders, average rating, demographics). Views:
--   ${scored_snapshot}  customer_features of the as-of date with model_cluster_id, its label code
--                       model_cluster_label, model_churn_probability, and the lifetime value columns of
--                       customer_clv of the as-of date (null where the clv job has not scored it, and for
--                       customers without a purchase up to the date)
--   ${customer_dims}    the customers dimension (empty when there is none)
-- marketing_opt_in is false unless the customers table says true: no consent is assumed.
SELECT
  s.customer_id,
  s.recency_days,
  s.frequency,
  s.monetary,
  s.avg_order_value,
  s.r_score,
  s.f_score,
  s.m_score,
  s.rfm_cell,
  s.rfm_segment,
  s.lifecycle_stage,
  s.value_tier,
  CASE WHEN s.frequency > 0 THEN s.model_cluster_id END AS cluster_id,
  CASE WHEN s.frequency > 0 THEN s.model_cluster_label END AS cluster_label,
  CASE WHEN s.frequency > 0 THEN s.model_churn_probability END AS churn_probability,
  CASE
    WHEN s.frequency = 0 THEN NULL
    WHEN s.model_churn_probability < :medium_from THEN 'low'
    WHEN s.model_churn_probability < :high_from THEN 'medium'
    ELSE 'high'
  END AS churn_risk,
  s.p_alive,
  s.expected_purchases,
  s.clv,
  s.clv_tier,
  coalesce(d.marketing_opt_in, false) AS marketing_opt_in,
  :clusters_version AS clusters_model_version,
  :churn_version AS churn_model_version,
  :as_of AS as_of_date,
  -- segpipe.segment.needs over the snapshot's features (null where it is disabled)
  ${needs_segment} AS needs_segment,
  -- for the profiles only
  ${channel_orders},
  s.avg_rating,
  s.coupon_order_share,
  s.view_to_purchase,
  s.social_events,
  s.evening_order_share,
  s.weekend_order_share,
  s.discount_spend_share,
  ${age_band} AS age_band,
  coalesce(d.gender, 'unknown') AS gender,
  coalesce(d.region, 'unknown') AS region,
  coalesce(d.city, 'unknown') AS city,
  coalesce(d.income_band, 'unknown') AS income_band,
  coalesce(d.member_tier, 'unknown') AS member_tier
FROM ${scored_snapshot} s
LEFT JOIN ${customer_dims} d ON d.customer_id = s.customer_id

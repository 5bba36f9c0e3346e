-- The yardstick of the cluster portraits: means over the customers of ${segments} (customer_segments
-- rows) with a purchase in the window (the customers the clusters are made of). The churn probabilities (doubles) are added up as decimals, so
-- the mean does not depend on the order Spark adds rows in; so are the coupon shares and conversions of
-- ${features} (the customer_features snapshot of the date), where a customer has them.
SELECT
  count(*) AS customers,
  CAST(avg(s.recency_days) AS DOUBLE) AS recency_mean,
  CAST(avg(s.frequency) AS DOUBLE) AS frequency_mean,
  CAST(avg(s.monetary) AS DOUBLE) AS monetary_mean,
  CAST(avg(s.avg_order_value) AS DOUBLE) AS avg_order_value,
  CAST(avg(CAST(s.churn_probability AS DECIMAL(38, 18))) AS DOUBLE) AS churn_probability_mean,
  CAST(avg(CAST(f.coupon_order_share AS DECIMAL(38, 18))) AS DOUBLE) AS coupon_order_share_mean,
  CAST(avg(CAST(f.view_to_purchase AS DECIMAL(38, 18))) AS DOUBLE) AS view_to_purchase_mean,
  CAST(avg(f.social_events) AS DOUBLE) AS social_events_mean,
  CAST(avg(CAST(f.evening_order_share AS DECIMAL(38, 18))) AS DOUBLE) AS evening_order_share_mean,
  CAST(avg(CAST(f.weekend_order_share AS DECIMAL(38, 18))) AS DOUBLE) AS weekend_order_share_mean,
  CAST(avg(CAST(f.discount_spend_share AS DECIMAL(38, 18))) AS DOUBLE) AS discount_spend_share_mean
FROM ${segments} s
LEFT JOIN ${features} f ON f.customer_id = s.customer_id
WHERE s.as_of_date = :as_of AND s.frequency > 0

-- The yardstick of the cluster portraits: means over the customers of ${segments} (customer_segments
-- rows) with a purchase in the window (the customers the clusters are made of). The means of doubles
-- (the exact_means fragment: churn probability, and the coupon shares, conversions and other shares of
-- ${features}, the customer_features snapshot of the date, where a customer has them) are exact sums of
-- the values rounded to 1e-9 (common's ExactMeans), as in segment_profiles, so they do not depend on the
-- order Spark adds rows in.
SELECT
  count(*) AS customers,
  CAST(avg(s.recency_days) AS DOUBLE) AS recency_mean,
  CAST(avg(s.frequency) AS DOUBLE) AS frequency_mean,
  CAST(avg(s.monetary) AS DOUBLE) AS monetary_mean,
  CAST(avg(s.avg_order_value) AS DOUBLE) AS avg_order_value,
  CAST(avg(f.social_events) AS DOUBLE) AS social_events_mean,
  ${exact_means}
FROM ${segments} s
LEFT JOIN ${features} f ON f.customer_id = s.customer_id
WHERE s.as_of_date = :as_of AND s.frequency > 0

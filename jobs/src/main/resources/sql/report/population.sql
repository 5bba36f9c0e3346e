-- The yardstick of the cluster portraits: means over the customers of ${segments} (customer_segments
-- rows) with a purchase in the window (the customers the clusters are made of). The churn probabilities (doubles) are added up as decimals, so
-- the mean does not depend on the order Spark adds rows in.
SELECT
  count(*) AS customers,
  CAST(avg(recency_days) AS DOUBLE) AS recency_mean,
  CAST(avg(frequency) AS DOUBLE) AS frequency_mean,
  CAST(avg(monetary) AS DOUBLE) AS monetary_mean,
  CAST(avg(avg_order_value) AS DOUBLE) AS avg_order_value,
  CAST(avg(CAST(churn_probability AS DECIMAL(38, 18))) AS DOUBLE) AS churn_probability_mean
FROM ${segments}
WHERE as_of_date = :as_of AND frequency > 0

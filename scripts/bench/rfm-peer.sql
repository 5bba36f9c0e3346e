-- Recency, frequency and monetary per customer over the window, the benchmark's like-for-like query,
-- run as it is by DuckDB (scripts/bench/DuckDbPeer.java) and Spark SQL (scripts/bench/SparkScan.java).
-- Placeholders: ${events} (a table or a list of Parquet files), ${window_start}, ${as_of}, ${day_after}
-- (dates) and ${recency} (the engine's days-between expression for max(o.order_date) to ${as_of}).
WITH in_window AS (
  SELECT customer_id, event_type, order_id, amount, event_ts FROM ${events}
  WHERE customer_id IS NOT NULL
    AND event_date >= DATE '${window_start}' AND event_date <= DATE '${as_of}'
    AND event_ts < TIMESTAMP '${day_after} 00:00:00'
),
orders AS (
  SELECT customer_id, order_id, min(CAST(event_ts AS DATE)) AS order_date
  FROM in_window WHERE event_type = 'purchase' GROUP BY customer_id, order_id
),
money AS (
  SELECT customer_id,
    sum(CASE WHEN event_type = 'purchase' THEN amount WHEN event_type = 'return' THEN -amount ELSE 0 END)
      AS monetary
  FROM in_window GROUP BY customer_id
)
SELECT m.customer_id, count(o.order_id) AS frequency, CAST(m.monetary AS DECIMAL(18, 2)) AS monetary,
  ${recency} AS recency_days
FROM money m LEFT JOIN orders o ON o.customer_id = m.customer_id
GROUP BY m.customer_id, m.monetary

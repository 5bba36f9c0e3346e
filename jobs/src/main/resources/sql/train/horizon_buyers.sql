-- The customers who bought in the churn horizon: after the end of the cut-off day (as_of - horizon)
-- up to the end of the as-of day. A customer active before the cut-off who is not here churned.
-- The event_date range prunes partitions; the event_ts range is the exact rule (session time is UTC).
SELECT DISTINCT customer_id AS buyer_id
FROM ${events}
WHERE event_type = 'purchase'
  AND customer_id IS NOT NULL
  AND event_date > :cut_off AND event_date <= :as_of
  AND event_ts >= CAST(date_add(:cut_off, 1) AS TIMESTAMP)
  AND event_ts < CAST(date_add(:as_of, 1) AS TIMESTAMP)

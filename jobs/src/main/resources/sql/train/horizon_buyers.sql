-- The customers who bought in the churn horizon: after the end of the cut-off day (as_of - horizon)
-- up to the end of the as-of day. A customer active before the cut-off who is not here churned.
-- Input: ${daily}, rows of customer_daily (event_date is the UTC date of the events it holds).
SELECT DISTINCT customer_id AS buyer_id
FROM ${daily}
WHERE purchased
  AND event_date > :cut_off AND event_date <= :as_of

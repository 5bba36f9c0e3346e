-- Per calibration repeat count (0, 1, ... :top_bucket - 1, and :top_bucket for that many or more): the
-- calibration customers (view ${summary}) and their mean number of repeat transactions after :as_of
-- (view ${repeat_days}).
WITH holdout AS (
  SELECT customer_id, count(*) AS repeats
  FROM ${repeat_days}
  WHERE day > :as_of
  GROUP BY customer_id
)
SELECT
  least(s.x, :top_bucket) AS bucket,
  count(*) AS customers,
  CAST(sum(coalesce(h.repeats, 0)) AS DOUBLE) / count(*) AS actual
FROM ${summary} s
LEFT JOIN holdout h ON h.customer_id = s.customer_id
GROUP BY least(s.x, :top_bucket)

-- customer_summary.sql at several as-of dates in one query (view ${cut_offs}: as_of, history_start, one row
-- per date), from one read of ${daily} (rows of customer_daily): the columns of customer_summary.sql,
-- computed the same way, after cut_off, the as-of date of each row. A customer has a row at a date when
-- they made a purchase from its history_start to the end of it.
WITH days AS (
  SELECT
    customer_id,
    event_date AS day,
    sum(purchased_amount) - sum(returned_amount) AS value
  FROM ${daily}
  GROUP BY customer_id, event_date
  HAVING max(purchased)
)
SELECT
  c.as_of AS cut_off,
  d.customer_id,
  CAST(count(*) - 1 AS INT) AS x,
  datediff(max(d.day), min(d.day)) AS t_x_days,
  datediff(c.as_of, min(d.day)) AS t_cal_days,
  min(d.day) AS first_purchase_date,
  CASE WHEN count(*) > 1 THEN CAST(sum(d.value) - min_by(d.value, d.day) AS DOUBLE) / (count(*) - 1) END
    AS mean_repeat_value
FROM days d
JOIN ${cut_offs} c ON d.day BETWEEN c.history_start AND c.as_of
GROUP BY c.as_of, d.customer_id

-- Reference (the query clv used before customer_daily): the BTYD summary of every customer with a purchase from :history_start to the end of :as_of (view
-- ${events}: the events table). A transaction is a purchase day: the customer's purchases on one day
-- are one transaction, worth that day's purchase amounts minus the returns recorded on the same day. A
-- return on a day without a purchase makes no transaction and changes no other day's value.
--   x                  repeat transactions: purchase days - 1
--   t_x_days           days from the first to the last purchase day
--   t_cal_days         days from the first purchase day to the as-of date
--   mean_repeat_value  mean value of the repeat transactions (every purchase day but the first); null when x = 0
-- Sums are exact decimals, divided as doubles once at the end, so no figure depends on the order
-- Spark adds rows in.
WITH days AS (
  SELECT
    customer_id,
    event_date AS day,
    sum(CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END)
      - sum(CASE WHEN event_type = 'return' THEN amount ELSE 0 END) AS value,
    max(event_type = 'purchase') AS purchased
  FROM ${events}
  WHERE event_date BETWEEN :history_start AND :as_of
    AND event_ts < CAST(date_add(:as_of, 1) AS TIMESTAMP)
    AND customer_id IS NOT NULL
    AND event_type IN ('purchase', 'return')
  GROUP BY customer_id, event_date
)
SELECT
  customer_id,
  CAST(count(*) - 1 AS INT) AS x,
  datediff(max(day), min(day)) AS t_x_days,
  datediff(:as_of, min(day)) AS t_cal_days,
  min(day) AS first_purchase_date,
  CASE WHEN count(*) > 1 THEN CAST(sum(value) - min_by(value, day) AS DOUBLE) / (count(*) - 1) END
    AS mean_repeat_value
FROM days
WHERE purchased
GROUP BY customer_id

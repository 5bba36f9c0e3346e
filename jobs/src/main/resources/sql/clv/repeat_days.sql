-- The repeat purchase days of the calibration customers (view ${summary}): every day with a purchase
-- after the customer's first purchase day, from :history_start up to the end of :holdout_until (view
-- ${events}: the events table). Up to the as-of date these are the x of the summary; after it, the
-- holdout period's repeat transactions.
SELECT DISTINCT e.customer_id, e.event_date AS day
FROM ${events} e
JOIN ${summary} s ON s.customer_id = e.customer_id
WHERE e.event_date BETWEEN :history_start AND :holdout_until
  AND e.event_ts < CAST(date_add(:holdout_until, 1) AS TIMESTAMP)
  AND e.event_type = 'purchase'
  AND e.event_date > s.first_purchase_date

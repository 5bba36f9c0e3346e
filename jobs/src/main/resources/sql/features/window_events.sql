-- The events that count for one snapshot: those of known customers (anonymous events are kept in
-- events but not scored) in the observation window, strictly before the end of the as-of date.
-- The event_date range prunes partitions; the event_ts range is the exact rule (session time is UTC).
-- A purchase line without order_id is an order of its own (order_key = event_id).
SELECT
  customer_id,
  event_date,
  event_ts,
  channel,
  event_type,
  CASE WHEN event_type = 'purchase' THEN coalesce(order_id, event_id) END AS order_key,
  CASE WHEN event_type = 'coupon_redeem' THEN order_id END AS coupon_order_id,
  category,
  amount,
  rating,
  discount_amount
FROM ${events}
WHERE event_date BETWEEN :window_start AND :as_of
  AND event_ts >= CAST(:window_start AS TIMESTAMP)
  AND event_ts < CAST(date_add(:as_of, 1) AS TIMESTAMP)
  AND customer_id IS NOT NULL

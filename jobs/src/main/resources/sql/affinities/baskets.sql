-- Baskets for association rules: each order of a known customer in the features window (the same
-- window and order rule as the features: a purchase line without order_id is an order of its own) as
-- the sorted set of its lines' items, the category (:level = 'category') or the product_id ('product').
-- Lines without the item are left out, and so is an order none of whose lines has one.
SELECT customer_id, order_key, array_sort(collect_set(item)) AS items
FROM (
  SELECT
    customer_id,
    coalesce(order_id, event_id) AS order_key,
    CASE WHEN :level = 'product' THEN product_id ELSE category END AS item
  FROM ${events}
  WHERE event_date BETWEEN :window_start AND :as_of
    AND event_ts >= CAST(:window_start AS TIMESTAMP)
    AND event_ts < CAST(date_add(:as_of, 1) AS TIMESTAMP)
    AND customer_id IS NOT NULL
    AND event_type = 'purchase'
) lines
WHERE item IS NOT NULL
GROUP BY customer_id, order_key

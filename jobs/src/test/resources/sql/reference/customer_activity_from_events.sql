-- THE REFERENCE, for tests only: the features as segpipe computed them straight from raw events before
-- customer_daily existed (${window_events}: jobs' sql/features/window_events.sql over events). Tests
-- check that features computed from customer_daily equal these, column for column.
-- Behaviour features per customer over the window, one row per customer who has an event in the
-- window or is in the customers dimension (${known_customers}, signed up by the as-of date).
-- Money is net: purchases - returns; a customer whose only order was fully returned
-- has monetary 0 and still frequency 1. Definitions: conf/segpipe.conf, segpipe.features.
WITH orders AS (
  -- one row per purchase order; its date and time are those of its first line
  SELECT customer_id, order_key, min(event_date) AS order_date,
    from_utc_timestamp(min(event_ts), ${time_zone}) AS local_started_at
  FROM ${window_events}
  WHERE event_type = 'purchase'
  GROUP BY customer_id, order_key
),
order_gaps AS (
  SELECT
    customer_id,
    order_date,
    ${order_daypart} AS daypart,
    ${order_on_weekend} AS on_weekend,
    max(order_date) OVER (PARTITION BY customer_id) AS last_order_date,
    datediff(order_date, lag(order_date) OVER (PARTITION BY customer_id ORDER BY order_date, order_key))
      AS days_since_previous_order
  FROM orders
),
order_stats AS (
  SELECT
    customer_id,
    count(*) AS frequency,
    min(order_date) AS first_purchase_date,
    max(order_date) AS last_purchase_date,
    avg(days_since_previous_order) AS mean_days_between_orders,
    percentile(days_since_previous_order, 0.5) AS median_days_between_orders,
    datediff(max(order_date), max(CASE WHEN order_date < last_order_date THEN order_date END))
      AS days_before_last_purchase,
    avg(CASE WHEN daypart = 'evening' THEN 1.0D ELSE 0.0D END) AS evening_order_share,
    avg(CASE WHEN on_weekend THEN 1.0D ELSE 0.0D END) AS weekend_order_share,
    ${preferred_daypart} AS preferred_daypart
  FROM order_gaps
  GROUP BY customer_id
),
coupon_orders AS (
  SELECT o.customer_id, count(*) AS coupon_orders
  FROM orders o
  JOIN (SELECT DISTINCT customer_id, coupon_order_id FROM ${window_events} WHERE coupon_order_id IS NOT NULL) c
    ON c.customer_id = o.customer_id AND c.coupon_order_id = o.order_key
  GROUP BY o.customer_id
),
event_stats AS (
  SELECT
    customer_id,
    count(*) AS events_in_window,
    count_if(event_type = 'view') AS views,
    count_if(event_type = 'add_to_cart') AS cart_adds,
    count_if(event_type = 'feedback') AS feedbacks,
    count_if(${social_channel}) AS social_events,
    sum(CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END) AS purchased_amount,
    sum(CASE WHEN event_type = 'return' THEN amount ELSE 0 END) AS returned_amount,
    ${channel_spend},
    -- sets per customer rather than DISTINCT aggregates or extra GROUP BYs: one shuffle for all of these.
    -- Orders per channel: an order with lines in two channels counts once in each.
    ${channel_order_counts},
    size(collect_set(channel)) AS channel_breadth,
    size(collect_set(CASE WHEN event_type = 'purchase' THEN category END)) AS category_breadth,
    -- days with a visit and no purchase, in any channel
    size(array_except(
      collect_set(CASE WHEN event_type = 'visit' THEN event_date END),
      collect_set(CASE WHEN event_type = 'purchase' THEN event_date END))) AS visits_without_purchase,
    avg(CASE WHEN event_type = 'feedback' THEN rating END) AS avg_rating,
    CAST(sum(CASE WHEN event_type = 'purchase' AND discount_amount > 0 THEN amount ELSE 0 END) AS DOUBLE)
      / CAST(nullif(sum(CASE WHEN event_type = 'purchase' AND discount_amount IS NOT NULL THEN amount ELSE 0 END), 0)
        AS DOUBLE) AS discount_spend_share
  FROM ${window_events}
  GROUP BY customer_id
),
customer_ids AS (
  SELECT customer_id FROM event_stats
  UNION
  SELECT customer_id FROM ${known_customers} WHERE signup_date IS NULL OR signup_date <= :as_of
)
SELECT
  c.customer_id,
  datediff(:as_of, o.last_purchase_date) AS recency_days,
  coalesce(o.frequency, 0) AS frequency,
  CAST(coalesce(e.purchased_amount, 0) - coalesce(e.returned_amount, 0) AS DECIMAL(18, 2)) AS monetary,
  CAST(round((e.purchased_amount - e.returned_amount) / o.frequency, 2) AS DECIMAL(18, 2)) AS avg_order_value,
  o.first_purchase_date,
  o.last_purchase_date,
  datediff(:as_of, o.first_purchase_date) AS tenure_days,
  o.mean_days_between_orders,
  o.median_days_between_orders,
  o.days_before_last_purchase,
  CAST(coalesce(e.purchased_amount, 0) AS DECIMAL(18, 2)) AS purchased_amount,
  CAST(coalesce(e.returned_amount, 0) AS DECIMAL(18, 2)) AS returned_amount,
  CASE WHEN e.purchased_amount > 0
    THEN CAST(e.returned_amount AS DOUBLE) / CAST(e.purchased_amount AS DOUBLE) END AS return_rate,
  ${channel_columns},
  CAST(coalesce(e.channel_breadth, 0) AS INT) AS channel_breadth,
  CAST(coalesce(e.category_breadth, 0) AS INT) AS category_breadth,
  e.avg_rating,
  CAST(coalesce(e.visits_without_purchase, 0) AS BIGINT) AS visits_without_purchase,
  coalesce(e.events_in_window, 0) AS events_in_window,
  coalesce(e.views, 0) AS views,
  coalesce(e.cart_adds, 0) AS cart_adds,
  CASE WHEN e.views > 0 THEN coalesce(o.frequency, 0) / e.views END AS view_to_purchase,
  CASE WHEN e.cart_adds > 0 THEN coalesce(o.frequency, 0) / e.cart_adds END AS cart_to_purchase,
  CASE WHEN o.frequency > 0 THEN coalesce(p.coupon_orders, 0) / o.frequency END AS coupon_order_share,
  coalesce(e.social_events, 0) AS social_events,
  coalesce(e.feedbacks, 0) AS feedbacks,
  o.evening_order_share,
  o.weekend_order_share,
  o.preferred_daypart,
  e.discount_spend_share
FROM customer_ids c
LEFT JOIN event_stats e ON e.customer_id = c.customer_id
LEFT JOIN order_stats o ON o.customer_id = c.customer_id
LEFT JOIN coupon_orders p ON p.customer_id = c.customer_id

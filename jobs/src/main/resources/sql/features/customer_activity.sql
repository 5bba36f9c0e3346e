-- Behaviour features per customer over the window, one row per customer who has an event in the
-- window (${daily}: rows of customer_daily, any dates; common's sql/daily/customer_daily.sql) or is in
-- the customers dimension (${known_customers}, signed up by the as-of date). Money is net: purchases -
-- returns; a customer whose only order was fully returned has monetary 0 and still frequency 1.
-- Definitions: conf/segpipe.conf, segpipe.features. The sums are cast to the types a sum over raw
-- events has (DECIMAL(28, 2)), so every derived figure (avg_order_value's division) is the same.
WITH window_daily AS (
  -- strictly before the end of the as-of date: event_date is the UTC date of event_ts
  SELECT * FROM ${daily} WHERE event_date BETWEEN :window_start AND :as_of
),
orders AS (
  -- one row per purchase order; its date and time are those of its first line
  SELECT customer_id, order_key, min(event_date) AS order_date, min(started_at) AS started_at
  FROM window_daily LATERAL VIEW explode(order_starts) starts AS order_key, started_at
  GROUP BY customer_id, order_key
),
order_times AS (
  -- the order's time on the clocks of segpipe.features.dayparts.time-zone (the session's is UTC)
  SELECT *, from_utc_timestamp(started_at, ${time_zone}) AS local_started_at FROM orders
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
  FROM order_times
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
    CAST(count_if(daypart = 'evening') AS DOUBLE) / CAST(count(*) AS DOUBLE) AS evening_order_share,
    CAST(count_if(on_weekend) AS DOUBLE) / CAST(count(*) AS DOUBLE) AS weekend_order_share,
    ${preferred_daypart} AS preferred_daypart
  FROM order_gaps
  GROUP BY customer_id
),
coupon_orders AS (
  -- the window's orders a coupon_redeem event in the window names
  SELECT o.customer_id, count(*) AS coupon_orders
  FROM orders o
  JOIN (
    SELECT DISTINCT customer_id, order_key
    FROM window_daily LATERAL VIEW explode(coupon_order_keys) keys AS order_key
  ) c ON c.customer_id = o.customer_id AND c.order_key = o.order_key
  GROUP BY o.customer_id
),
event_stats AS (
  SELECT
    customer_id,
    sum(events) AS events_in_window,
    sum(views) AS views,
    sum(cart_adds) AS cart_adds,
    sum(feedbacks) AS feedbacks,
    sum(CASE WHEN ${social_channel} THEN events ELSE 0 END) AS social_events,
    CAST(sum(purchased_amount) AS DECIMAL(28, 2)) AS purchased_amount,
    CAST(sum(returned_amount) AS DECIMAL(28, 2)) AS returned_amount,
    ${channel_spend},
    -- Orders per channel: an order with lines in two channels counts once in each.
    ${channel_order_counts},
    size(collect_set(channel)) AS channel_breadth,
    size(array_distinct(flatten(collect_list(map_keys(category_spend))))) AS category_breadth,
    -- days with a visit and no purchase, in any channel
    size(array_except(
      collect_set(CASE WHEN visited THEN event_date END),
      collect_set(CASE WHEN purchased THEN event_date END))) AS visits_without_purchase,
    CAST(sum(rating_sum) AS DOUBLE) / CAST(nullif(sum(ratings), 0) AS DOUBLE) AS avg_rating,
    -- of the spend on purchase lines whose discount is known, the share bought at a discount; null
    -- when no line in the window says (the source has no discounts) or they add up to 0
    CAST(sum(discounted_amount) AS DOUBLE) / CAST(nullif(sum(discount_known_amount), 0) AS DOUBLE)
      AS discount_spend_share
  FROM window_daily
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
  CAST(coalesce(e.views, 0) AS BIGINT) AS views,
  CAST(coalesce(e.cart_adds, 0) AS BIGINT) AS cart_adds,
  CAST(coalesce(o.frequency, 0) AS DOUBLE) / CAST(nullif(e.views, 0) AS DOUBLE) AS view_to_purchase,
  CAST(coalesce(o.frequency, 0) AS DOUBLE) / CAST(nullif(e.cart_adds, 0) AS DOUBLE) AS cart_to_purchase,
  CAST(coalesce(p.coupon_orders, 0) AS DOUBLE) / CAST(o.frequency AS DOUBLE) AS coupon_order_share,
  CAST(coalesce(e.social_events, 0) AS BIGINT) AS social_events,
  CAST(coalesce(e.feedbacks, 0) AS BIGINT) AS feedbacks,
  o.evening_order_share,
  o.weekend_order_share,
  o.preferred_daypart,
  e.discount_spend_share
FROM customer_ids c
LEFT JOIN event_stats e ON e.customer_id = c.customer_id
LEFT JOIN order_stats o ON o.customer_id = c.customer_id
LEFT JOIN coupon_orders p ON p.customer_id = c.customer_id

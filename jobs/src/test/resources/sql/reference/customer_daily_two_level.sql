-- customer_daily as segpipe computed it before 2026-12-06: two levels of aggregation, every column
-- gathered through customer x day x channel x category groups. Kept as a second computation that
-- CustomerDailyTest compares the table's rows with (common's sql/daily/customer_daily.sql). Input:
-- ${events}, rows of the events contract.
WITH by_category AS (
  SELECT
    customer_id,
    event_date,
    channel,
    category,
    count(*) AS events,
    sum(CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END) AS purchased_amount,
    sum(CASE WHEN event_type = 'return' THEN amount ELSE 0 END) AS returned_amount,
    collect_set(CASE WHEN event_type = 'purchase' THEN coalesce(order_id, event_id) END) AS order_keys,
    max(event_type = 'visit') AS visited,
    max(event_type = 'purchase') AS purchased,
    sum(CASE WHEN event_type = 'feedback' THEN rating END) AS rating_sum,
    count(CASE WHEN event_type = 'feedback' THEN rating END) AS ratings,
    count_if(event_type = 'view') AS views,
    count_if(event_type = 'add_to_cart') AS cart_adds,
    count_if(event_type = 'feedback') AS feedbacks,
    collect_set(CASE WHEN event_type = 'coupon_redeem' THEN order_id END) AS coupon_order_keys,
    collect_list(CASE WHEN event_type = 'purchase'
      THEN struct(coalesce(order_id, event_id) AS order_key, event_ts AS line_ts) END) AS order_lines,
    sum(CASE WHEN event_type = 'purchase' AND discount_amount > 0 THEN amount ELSE 0 END)
      AS discounted_amount,
    sum(CASE WHEN event_type = 'purchase' AND discount_amount IS NOT NULL THEN amount ELSE 0 END)
      AS discount_known_amount
  FROM ${events}
  WHERE customer_id IS NOT NULL
  GROUP BY customer_id, event_date, channel, category
),
by_channel AS (
SELECT
  customer_id,
  event_date,
  channel,
  sum(events) AS events,
  CAST(sum(purchased_amount) AS DECIMAL(28, 2)) AS purchased_amount,
  CAST(sum(returned_amount) AS DECIMAL(28, 2)) AS returned_amount,
  array_sort(array_distinct(flatten(collect_list(order_keys)))) AS order_keys,
  map_from_entries(array_sort(collect_list(CASE WHEN purchased AND category IS NOT NULL
    THEN struct(category, CAST(purchased_amount AS DECIMAL(28, 2)) AS spend) END))) AS category_spend,
  max(visited) AS visited,
  max(purchased) AS purchased,
  CAST(sum(rating_sum) AS BIGINT) AS rating_sum,
  sum(ratings) AS ratings,
  trunc(event_date, 'MM') AS event_month,
  sum(views) AS views,
  sum(cart_adds) AS cart_adds,
  sum(feedbacks) AS feedbacks,
  array_sort(array_distinct(flatten(collect_list(coupon_order_keys)))) AS coupon_order_keys,
  -- purchase lines sorted by order key, then time: each key's first entry is its earliest line
  array_sort(flatten(collect_list(order_lines))) AS order_lines,
  CAST(sum(discounted_amount) AS DECIMAL(28, 2)) AS discounted_amount,
  CAST(sum(discount_known_amount) AS DECIMAL(28, 2)) AS discount_known_amount
FROM by_category
GROUP BY customer_id, event_date, channel
)
SELECT
  customer_id, event_date, channel, events, purchased_amount, returned_amount, order_keys,
  category_spend, visited, purchased, rating_sum, ratings, event_month, views, cart_adds, feedbacks,
  coupon_order_keys,
  map_from_entries(filter(order_lines, (line, i) -> i = 0 OR order_lines[i - 1].order_key <> line.order_key))
    AS order_starts,
  discounted_amount, discount_known_amount
FROM by_channel

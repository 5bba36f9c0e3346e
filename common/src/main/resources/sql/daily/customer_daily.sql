-- customer_daily: one row per customer, day and channel with at least one event of a known customer,
-- in the mergeable form the features are computed from (jobs' sql/features/customer_activity.sql).
-- Counts and sums add up over days. An order is dated by its first line, so order counts do not add
-- up across days: the row keeps the order keys (a purchase line without order_id is an order of its
-- own, order_key = event_id) as a sorted set, whose union over a window is taken. category_spend holds
-- the purchase amount per category bought (its keys are the categories bought); visited and purchased
-- say whether the day had a visit or a purchase in this channel; ratings are kept as their sum and
-- count, so their mean over any window is exact. views, cart_adds and feedbacks count those events;
-- coupon_order_keys is the sorted set of the order_ids coupon_redeem events named that day;
-- order_starts maps each of order_keys to the UTC time of its earliest line in the row (an order's
-- time is the minimum over the rows holding it, as its date is). discounted_amount is the purchase
-- amount of the lines bought at a discount (discount_amount > 0), discount_known_amount that of the
-- lines whose discount_amount is known (not null: 0 is a line at full price); both add up over days.
-- The table is partitioned by event_month (the first day of the month). Input: ${events}, rows of the
-- events contract.
--
-- How it is computed, for speed: the counts and sums of a row in one aggregation of plain values
-- (totals), which Spark runs in generated code; the keyed entries (a category's spend, an order's
-- first line, a coupon's order) in a second one (entries); and only those entries gathered into the
-- row's arrays and maps (lists), an aggregation whose buffers are objects. Gathering every column
-- that way cost a new object buffer per group for all of them. Every event also gives a marker entry
-- (kind r), so every row of totals has one of lists, whose arrays and maps are empty, not null, where
-- the row has no other entry.
WITH known AS (
  SELECT * FROM ${events} WHERE customer_id IS NOT NULL
),
totals AS (
  SELECT
    customer_id,
    event_date,
    channel,
    count(*) AS events,
    CAST(sum(CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END) AS DECIMAL(28, 2)) AS purchased_amount,
    CAST(sum(CASE WHEN event_type = 'return' THEN amount ELSE 0 END) AS DECIMAL(28, 2)) AS returned_amount,
    max(event_type = 'visit') AS visited,
    max(event_type = 'purchase') AS purchased,
    CAST(sum(CASE WHEN event_type = 'feedback' THEN rating END) AS BIGINT) AS rating_sum,
    count(CASE WHEN event_type = 'feedback' THEN rating END) AS ratings,
    count_if(event_type = 'view') AS views,
    count_if(event_type = 'add_to_cart') AS cart_adds,
    count_if(event_type = 'feedback') AS feedbacks,
    CAST(sum(CASE WHEN event_type = 'purchase' AND discount_amount > 0 THEN amount ELSE 0 END)
      AS DECIMAL(28, 2)) AS discounted_amount,
    CAST(sum(CASE WHEN event_type = 'purchase' AND discount_amount IS NOT NULL THEN amount ELSE 0 END)
      AS DECIMAL(28, 2)) AS discount_known_amount
  FROM known
  GROUP BY customer_id, event_date, channel
),
-- kind c: a category bought (key: the category; spend: its purchase amount); o: an order (key: the
-- order key; line_ts: its earliest line); k: an order named by a coupon_redeem event (key: order_id);
-- r: the row itself (key: empty)
entries AS (
  SELECT
    customer_id,
    event_date,
    channel,
    e.kind,
    e.key,
    CAST(sum(e.spend) AS DECIMAL(28, 2)) AS spend,
    min(e.line_ts) AS line_ts
  FROM known
  LATERAL VIEW stack(4,
    'c', CASE WHEN event_type = 'purchase' THEN category END,
      CASE WHEN event_type = 'purchase' THEN amount ELSE 0 END, CAST(NULL AS TIMESTAMP),
    'o', CASE WHEN event_type = 'purchase' THEN coalesce(order_id, event_id) END,
      CAST(NULL AS DECIMAL(18, 2)), event_ts,
    'k', CASE WHEN event_type = 'coupon_redeem' THEN order_id END,
      CAST(NULL AS DECIMAL(18, 2)), CAST(NULL AS TIMESTAMP),
    'r', '', CAST(NULL AS DECIMAL(18, 2)), CAST(NULL AS TIMESTAMP)) e AS kind, key, spend, line_ts
  WHERE e.key IS NOT NULL
  GROUP BY customer_id, event_date, channel, e.kind, e.key
),
lists AS (
  SELECT
    customer_id,
    event_date,
    channel,
    array_sort(collect_list(CASE WHEN kind = 'o' THEN key END)) AS order_keys,
    map_from_entries(array_sort(collect_list(CASE WHEN kind = 'c' THEN struct(key AS category, spend) END)))
      AS category_spend,
    array_sort(collect_list(CASE WHEN kind = 'k' THEN key END)) AS coupon_order_keys,
    map_from_entries(array_sort(collect_list(CASE WHEN kind = 'o' THEN struct(key AS order_key, line_ts) END)))
      AS order_starts
  FROM entries
  GROUP BY customer_id, event_date, channel
)
SELECT
  t.customer_id, t.event_date, t.channel, t.events, t.purchased_amount, t.returned_amount, l.order_keys,
  l.category_spend, t.visited, t.purchased, t.rating_sum, t.ratings, trunc(t.event_date, 'MM') AS event_month,
  t.views, t.cart_adds, t.feedbacks, l.coupon_order_keys, l.order_starts, t.discounted_amount,
  t.discount_known_amount
FROM totals t
JOIN lists l ON l.customer_id = t.customer_id AND l.event_date = t.event_date AND l.channel = t.channel

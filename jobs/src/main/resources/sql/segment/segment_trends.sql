-- segment_trends as of :as_of: how each segment of each segmentation changed over time. Two kinds of row:
--   period_type 'snapshot'  one per snapshot (as_of_date from :months_start to :as_of) and segment, from the
--                           segment_profiles of that snapshot (${snapshots}): size, share, buyers, orders and
--                           net revenue in the snapshot's features window, revenue share, mean CLV
--   period_type 'month'     one per calendar month from :months_start to the month of :as_of (the last one
--                           ends on :as_of) and segment of today's snapshot (${customers}: one row per
--                           customer with the segment column of each segmentation, SegmentMembers'
--                           SEGMENT_COLUMNS): what today's members did in that month, from
--                           customer_daily (${daily}) — net revenue (purchases - returns), orders dated
--                           in the month (an order is dated by its first line among the days read) and
--                           active customers (members with an order in the month); a month without
--                           any is a row of zeros, so every line of a chart has every month
-- Money is exact (decimal sums); shares are divided as doubles once at the end.
-- How, for speed: the customers' months are added up per cell, a combination of their segments in every
-- segmentation (cells, cell_months), and the cells then per segment (the segments fragment,
-- SegmentMembers.stack: one row per segmentation). Counts and decimal sums add up the same in any
-- grouping, so this gives the same figures as joining each customer once per segmentation, with a
-- third of the rows.
WITH cells AS (
  SELECT ${cell_columns}, count(*) AS customers
  FROM ${customers}
  GROUP BY ${cell_columns}
),
segments AS (
  SELECT m.segmentation, m.segment, sum(c.customers) AS customers
  FROM cells c
  LATERAL VIEW ${segments} m AS segmentation, segment
  WHERE m.segment IS NOT NULL
  GROUP BY m.segmentation, m.segment
),
segmentation_sizes AS (
  SELECT segmentation, sum(customers) AS customers FROM segments GROUP BY segmentation
),
months AS (
  SELECT explode(sequence(:months_start, trunc(:as_of, 'MM'), INTERVAL 1 MONTH)) AS month
),
days_read AS (
  SELECT customer_id, event_date, purchased_amount, returned_amount, order_keys
  FROM ${daily}
  WHERE event_date BETWEEN :months_start AND :as_of
),
customer_months AS (
  SELECT
    customer_id,
    trunc(event_date, 'MM') AS month,
    sum(coalesce(purchased_amount, 0) - coalesce(returned_amount, 0)) AS revenue
  FROM days_read
  GROUP BY customer_id, trunc(event_date, 'MM')
),
orders AS (
  SELECT customer_id, order_key, min(event_date) AS order_date
  FROM days_read LATERAL VIEW explode(order_keys) k AS order_key
  GROUP BY customer_id, order_key
),
customer_month_orders AS (
  SELECT customer_id, trunc(order_date, 'MM') AS month, count(*) AS orders
  FROM orders
  GROUP BY customer_id, trunc(order_date, 'MM')
),
cell_months AS (
  -- every order's first day has a daily row of its customer, so its month is in customer_months
  SELECT
    ${s_cell_columns},
    c.month,
    sum(c.revenue) AS revenue,
    sum(coalesce(o.orders, 0)) AS orders,
    count(o.orders) AS active_customers
  FROM ${customers} s
  JOIN customer_months c ON c.customer_id = s.customer_id
  LEFT JOIN customer_month_orders o ON o.customer_id = c.customer_id AND o.month = c.month
  GROUP BY ${s_cell_columns}, c.month
),
segment_months AS (
  SELECT
    m.segmentation,
    m.segment,
    c.month,
    sum(c.revenue) AS revenue,
    sum(c.orders) AS orders,
    sum(c.active_customers) AS active_customers
  FROM cell_months c
  LATERAL VIEW ${segments} m AS segmentation, segment
  WHERE m.segment IS NOT NULL
  GROUP BY m.segmentation, m.segment, c.month
),
month_rows AS (
  SELECT
    s.segmentation,
    s.segment,
    mo.month,
    s.customers,
    s.customers / z.customers AS share,
    coalesce(sm.active_customers, 0) AS active_customers,
    coalesce(sm.orders, 0) AS orders,
    coalesce(sm.revenue, 0) AS revenue
  FROM segments s
  JOIN segmentation_sizes z ON z.segmentation = s.segmentation
  CROSS JOIN months mo
  LEFT JOIN segment_months sm
    ON sm.segmentation = s.segmentation AND sm.segment = s.segment AND sm.month = mo.month
)
SELECT
  segmentation,
  segment,
  'month' AS period_type,
  month AS period_start,
  least(last_day(month), :as_of) AS period_end,
  CAST(customers AS BIGINT) AS customers,
  CAST(share AS DOUBLE) AS share,
  CAST(active_customers AS BIGINT) AS active_customers,
  CAST(orders AS BIGINT) AS orders,
  CAST(revenue AS DECIMAL(28, 2)) AS revenue,
  CAST(revenue AS DOUBLE) / nullif(CAST(sum(revenue) OVER (PARTITION BY segmentation, month) AS DOUBLE), 0)
    AS revenue_share,
  CAST(NULL AS DOUBLE) AS clv_mean,
  :as_of AS as_of_date
FROM month_rows
UNION ALL
SELECT
  segmentation,
  segment,
  'snapshot' AS period_type,
  as_of_date AS period_start,
  as_of_date AS period_end,
  CAST(customers AS BIGINT) AS customers,
  CAST(share AS DOUBLE) AS share,
  CAST(buyers AS BIGINT) AS active_customers,
  CAST(orders AS BIGINT) AS orders,
  CAST(revenue AS DECIMAL(28, 2)) AS revenue,
  CAST(revenue_share AS DOUBLE) AS revenue_share,
  CAST(clv_mean AS DOUBLE) AS clv_mean,
  :as_of AS as_of_date
FROM ${snapshots}
WHERE as_of_date BETWEEN :months_start AND :as_of

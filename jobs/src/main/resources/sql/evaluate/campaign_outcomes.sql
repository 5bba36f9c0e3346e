-- Per campaign and group, what its customers did in the campaign's measurement window: customers,
-- buyers (at least one purchase), and the sums and sums of squares of each customer's orders and net
-- revenue (purchases - returns), from which the evaluate job computes means, variances and intervals.
-- Every due campaign in one pass over the events of the span their windows cover; each customer's
-- window figures are computed once per distinct window and joined to the campaigns' groups. Every assigned
-- customer counts, bought or not (intention to treat). Decimal sums are exact, so the figures do not
-- depend on partitioning. Views: ${due} (campaign_id, window_start, window_end: the days measured) and
-- ${assignments} (campaign_id, customer_id, test_group), and ${events}.
WITH window_events AS (
  SELECT
    customer_id,
    event_date,
    event_type,
    CASE WHEN event_type = 'purchase' THEN coalesce(order_id, event_id) END AS order_key,
    amount
  FROM ${events}
  WHERE event_date BETWEEN :first_day AND :last_day
    AND event_type IN ('purchase', 'return')
    AND customer_id IS NOT NULL
),
windows AS (
  SELECT DISTINCT window_start, window_end FROM ${due}
),
per_customer AS (
  -- what each customer did in each distinct window: computed once however many campaigns share it
  SELECT
    w.window_start,
    w.window_end,
    e.customer_id,
    count(DISTINCT e.order_key) AS orders,
    CAST(coalesce(sum(CASE WHEN e.event_type = 'purchase' THEN e.amount END), 0)
      - coalesce(sum(CASE WHEN e.event_type = 'return' THEN e.amount END), 0) AS DECIMAL(18, 2)) AS revenue
  FROM window_events e
  JOIN windows w ON e.event_date BETWEEN w.window_start AND w.window_end
  GROUP BY w.window_start, w.window_end, e.customer_id
),
members AS (
  SELECT a.campaign_id, a.customer_id, a.test_group, d.window_start, d.window_end
  FROM ${assignments} a
  JOIN ${due} d ON a.campaign_id = d.campaign_id
),
outcomes AS (
  -- every assigned customer, with 0 orders and 0 revenue when nothing happened in the window
  SELECT
    m.campaign_id,
    m.test_group,
    coalesce(p.orders, 0) AS orders,
    coalesce(p.revenue, CAST(0 AS DECIMAL(18, 2))) AS revenue
  FROM members m
  LEFT JOIN per_customer p
    ON p.customer_id = m.customer_id AND p.window_start = m.window_start AND p.window_end = m.window_end
)
SELECT
  campaign_id,
  test_group,
  count(*) AS customers,
  count_if(orders > 0) AS buyers,
  sum(orders) AS orders,
  sum(orders * orders) AS orders_squared,
  CAST(sum(revenue) AS DECIMAL(38, 2)) AS revenue,
  CAST(sum(revenue * revenue) AS DECIMAL(38, 4)) AS revenue_squared
FROM outcomes
GROUP BY campaign_id, test_group

-- The whole of customer_features for one as-of date, from raw events, in DuckDB: the benchmark's
-- like-for-like peer of the features job (scripts/bench/DuckDbPeer.java runs it and compares every value
-- with the job's). One row per customer who has an event in the window or is in the customers dimension
-- (signed up by the as-of date), with every column of customer_features but as_of_date, in its order.
--
-- It ports segpipe's SQL, keeping Spark's semantics where DuckDB's differ:
--   behaviour  jobs' sql/features/window_events.sql and the test reference
--              sql/reference/customer_activity_from_events.sql (the features straight from raw events,
--              which the tests require equal to the job's customer_daily form), with the per-channel
--              fragments composed as RawEventsReference.java composes them;
--   scores     sql/features/rfm_boundaries.sql and rfm_scores.sql (RfmScores.java), the segment map of
--              segpipe.features.rfm.segments (RfmSegmentMap.java; scheme score-map);
--   lifecycle  sql/features/lifecycle_stages.sql;
--   tiers      sql/features/value_tier_levels.sql with common's ShareThresholds.java (the
--              thresholds), value_tiers.sql (ValueTiers.java).
-- Spark's semantics kept:
--   * percentile, for the 20/40/60/80 % boundaries: Spark's own formula, position (n - 1) * p, then
--     (higher - position) * lower value + (position - lower) * higher value in doubles, no interpolation
--     when the position is whole or both neighbours are equal (DuckDB's quantile_cont computes
--     lo + (hi - lo) * d, which can round differently in the last bit; for the median of whole-day gaps,
--     the only other percentile, both are exact, and quantile_cont is used);
--   * avg: Spark sums in a double and divides by the count; decimal to double is correctly rounded (the
--     cents as a double divided by 100, exact below 2^53 cents);
--   * avg_order_value: Spark's decimal division rounds half up (away from zero), then round(, 2) half up:
--     here exactly, in integer cents (DuckDB's decimal division gives a double);
--   * value tiers: Spark compares decimals exactly; here integer cents against the shares as fractions;
--   * datediff(end, start) = date_diff('day', start, end); concat of scores with a null is null (||).
-- Placeholders (DuckDbPeer.java fills them, after dropping the comment lines): ${events},
-- ${customers} (relations: the events' and the customers dimension's Parquet files), ${window_start},
-- ${as_of}, ${day_after} (dates), ${channel_list}, ${channel_flags}, ${channel_order_flags},
-- ${channel_order_counts}, ${channel_spend}, ${channel_columns}, ${channel_select} (one term per
-- configured channel), ${social_condition} (a condition on e.channel: one of the social channels), ${time_zone},
-- ${daypart_case} (local_time's daypart code), ${daypart_rank} (a daypart's place in the day, from 0),
-- ${weekend_days} (DuckDB's dayofweek numbers, 0 = Sunday), ${segment_map} (VALUES rows: the code, then from and to of r, f, m and fm, null
-- where the segment states no range), ${new_within_days}, ${at_risk_after_days}, ${lapsed_after_days},
-- ${churned_after_days}, ${reactivated_gap_days} (days), ${high_share_numerator},
-- ${high_mid_share_numerator} and ${share_denominator} (the value-tier shares high and high + mid as
-- fractions).
WITH window_events AS (
  -- window_events.sql: known customers, the window's dates, strictly before the end of the as-of date (UTC)
  SELECT
    customer_id,
    event_date,
    channel,
    event_type,
    CASE WHEN event_type = 'purchase' THEN coalesce(order_id, event_id) END AS order_key,
    CASE WHEN event_type = 'coupon_redeem' THEN order_id END AS coupon_order_id,
    event_ts,
    category,
    amount,
    -- the channel spend's term: purchases - returns
    CASE WHEN event_type = 'purchase' THEN amount WHEN event_type = 'return' THEN -amount ELSE 0 END AS net_amount,
    rating,
    discount_amount
  FROM ${events}
  WHERE event_date BETWEEN DATE '${window_start}' AND DATE '${as_of}'
    AND event_ts >= TIMESTAMP '${window_start} 00:00:00'
    AND event_ts < TIMESTAMP '${day_after} 00:00:00'
    AND customer_id IS NOT NULL
),
orders AS (
  -- one row per purchase order; its date is the date of its first line; whether it has a line in each
  -- channel (orders per channel: an order with lines in two channels counts once in each)
  SELECT customer_id, order_key, min(event_date) AS order_date,
    -- the time of its first line on the clocks of segpipe.features.dayparts.time-zone (event_ts is UTC)
    timezone('${time_zone}', timezone('UTC', min(event_ts))) AS local_time,
    ${channel_order_flags}
  FROM window_events
  WHERE event_type = 'purchase'
  GROUP BY customer_id, order_key
),
order_gaps AS (
  SELECT
    *,
    ${daypart_case} AS daypart,
    dayofweek(local_time) IN (${weekend_days}) AS on_weekend,
    max(order_date) OVER (PARTITION BY customer_id) AS last_order_date,
    date_diff('day', lag(order_date) OVER (PARTITION BY customer_id ORDER BY order_date, order_key), order_date)
      AS days_since_previous_order
  FROM orders
),
order_stats AS (
  SELECT
    customer_id,
    count(*) AS frequency,
    min(order_date) AS first_purchase_date,
    max(order_date) AS last_purchase_date,
    -- Spark's avg of an int: the sum as a double over the count
    CAST(sum(days_since_previous_order) AS DOUBLE)
      / CAST(nullif(count(days_since_previous_order), 0) AS DOUBLE) AS mean_days_between_orders,
    -- percentile(days_since_previous_order, 0.5): for whole days both engines' interpolations are exact
    -- (the mean of the two middle gaps, or the middle one); null without a gap
    quantile_cont(CAST(days_since_previous_order AS DOUBLE), 0.5) AS median_days_between_orders,
    date_diff('day', max(CASE WHEN order_date < last_order_date THEN order_date END), max(order_date))
      AS days_before_last_purchase,
    count(*) FILTER (WHERE daypart = 'evening')::DOUBLE / count(*)::DOUBLE AS evening_order_share,
    count(*) FILTER (WHERE on_weekend)::DOUBLE / count(*)::DOUBLE AS weekend_order_share,
    ${channel_order_counts}
  FROM order_gaps
  GROUP BY customer_id
),
preferred_dayparts AS (
  -- the daypart with the most orders, the earliest in the day on a tie
  SELECT customer_id, arg_max(daypart, orders * 100 - rank) AS preferred_daypart
  FROM (
    SELECT customer_id, daypart, ${daypart_rank} AS rank, count(*) AS orders
    FROM order_gaps GROUP BY customer_id, daypart
  )
  GROUP BY customer_id
),
visit_days AS (
  -- days with a visit and no purchase, in any channel
  SELECT customer_id, count(*) AS visits_without_purchase
  FROM (
    SELECT customer_id, event_date
    FROM window_events
    WHERE event_type IN ('visit', 'purchase')
    GROUP BY customer_id, event_date
    HAVING bool_or(event_type = 'visit') AND NOT bool_or(event_type = 'purchase')
  )
  GROUP BY customer_id
),
other_channels AS (
  -- channels outside the configured list (ingest quarantines them, so normally none), for channel_breadth
  SELECT customer_id, count(DISTINCT channel) AS other_channels
  FROM window_events
  WHERE channel NOT IN (${channel_list})
  GROUP BY customer_id
),
category_counts AS (
  SELECT customer_id, count(*) AS category_breadth
  FROM (
    SELECT customer_id, category
    FROM window_events
    WHERE event_type = 'purchase' AND category IS NOT NULL
    GROUP BY customer_id, category
  )
  GROUP BY customer_id
),
event_stats AS (
  -- Sets (Spark's collect_set) are counted as groups of their own (category_counts, visit_days, orders)
  -- or flags rather than as DISTINCT aggregates here, which would take DuckDB's slower path for all of them
  SELECT
    e.customer_id,
    count(*) AS events_in_window,
    sum(CASE WHEN e.event_type = 'purchase' THEN e.amount ELSE 0 END) AS purchased_amount,
    sum(CASE WHEN e.event_type = 'return' THEN e.amount ELSE 0 END) AS returned_amount,
    ${channel_spend},
    ${channel_flags} AS configured_channels,
    count(*) FILTER (WHERE e.event_type = 'view') AS views,
    count(*) FILTER (WHERE e.event_type = 'add_to_cart') AS cart_adds,
    count(*) FILTER (WHERE e.event_type = 'feedback') AS feedbacks,
    count(*) FILTER (WHERE ${social_condition}) AS social_events,
    -- Spark's avg of an int: the sum as a double over the count
    CAST(sum(CASE WHEN e.event_type = 'feedback' THEN e.rating END) AS DOUBLE)
      / CAST(nullif(count(CASE WHEN e.event_type = 'feedback' THEN e.rating END), 0) AS DOUBLE) AS avg_rating,
    -- purchase amounts of the lines bought at a discount and of those whose discount is known
    sum(CASE WHEN e.event_type = 'purchase' AND e.discount_amount > 0 THEN e.amount ELSE 0 END) AS discounted_amount,
    sum(CASE WHEN e.event_type = 'purchase' AND e.discount_amount IS NOT NULL THEN e.amount ELSE 0 END)
      AS discount_known_amount
  FROM window_events e
  GROUP BY e.customer_id
),
coupon_orders AS (
  -- the window's orders a coupon_redeem event in the window names
  SELECT o.customer_id, count(*) AS coupon_orders
  FROM orders o
  JOIN (SELECT DISTINCT customer_id, coupon_order_id FROM window_events WHERE coupon_order_id IS NOT NULL) c
    ON c.customer_id = o.customer_id AND c.coupon_order_id = o.order_key
  GROUP BY o.customer_id
),
event_cents AS (
  SELECT *, CAST((purchased_amount - returned_amount) * 100 AS HUGEINT) AS net_cents FROM event_stats
),
customer_ids AS (
  SELECT customer_id FROM event_stats
  UNION
  SELECT customer_id FROM ${customers} WHERE signup_date IS NULL OR signup_date <= DATE '${as_of}'
),
activity AS (
  SELECT
    c.customer_id,
    date_diff('day', o.last_purchase_date, DATE '${as_of}') AS recency_days,
    coalesce(o.frequency, 0) AS frequency,
    CAST(coalesce(e.purchased_amount, 0) - coalesce(e.returned_amount, 0) AS DECIMAL(18, 2)) AS monetary,
    -- round((purchased - returned) / frequency, 2), half away from zero, in integer cents
    CAST(CAST(sign(e.net_cents) * ((2 * abs(e.net_cents) + o.frequency) // (2 * o.frequency)) AS DECIMAL(38, 0))
      * 0.01 AS DECIMAL(18, 2)) AS avg_order_value,
    o.first_purchase_date,
    o.last_purchase_date,
    date_diff('day', o.first_purchase_date, DATE '${as_of}') AS tenure_days,
    o.mean_days_between_orders,
    o.median_days_between_orders,
    o.days_before_last_purchase,
    CAST(coalesce(e.purchased_amount, 0) AS DECIMAL(18, 2)) AS purchased_amount,
    CAST(coalesce(e.returned_amount, 0) AS DECIMAL(18, 2)) AS returned_amount,
    CASE WHEN e.purchased_amount > 0
      THEN (CAST(CAST(e.returned_amount * 100 AS HUGEINT) AS DOUBLE) / CAST(100 AS DOUBLE))
        / (CAST(CAST(e.purchased_amount * 100 AS HUGEINT) AS DOUBLE) / CAST(100 AS DOUBLE)) END AS return_rate,
    ${channel_columns},
    CAST(coalesce(e.configured_channels, 0) + coalesce(x.other_channels, 0) AS INT) AS channel_breadth,
    CAST(coalesce(g.category_breadth, 0) AS INT) AS category_breadth,
    e.avg_rating,
    CAST(coalesce(v.visits_without_purchase, 0) AS BIGINT) AS visits_without_purchase,
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
    pd.preferred_daypart,
    -- Spark's CAST(sum AS DOUBLE) / CAST(nullif(sum, 0) AS DOUBLE), each decimal to double as return_rate's
    CASE WHEN e.discount_known_amount <> 0
      THEN (CAST(CAST(e.discounted_amount * 100 AS HUGEINT) AS DOUBLE) / CAST(100 AS DOUBLE))
        / (CAST(CAST(e.discount_known_amount * 100 AS HUGEINT) AS DOUBLE) / CAST(100 AS DOUBLE)) END
      AS discount_spend_share,
    -- monetary as Spark's CAST(monetary AS DOUBLE), for the M boundaries and score
    CAST(CAST(CAST(coalesce(e.purchased_amount, 0) - coalesce(e.returned_amount, 0) AS DECIMAL(18, 2)) * 100
      AS HUGEINT) AS DOUBLE) / CAST(100 AS DOUBLE) AS monetary_double
  FROM customer_ids c
  LEFT JOIN event_cents e ON e.customer_id = c.customer_id
  LEFT JOIN order_stats o ON o.customer_id = c.customer_id
  LEFT JOIN visit_days v ON v.customer_id = c.customer_id
  LEFT JOIN category_counts g ON g.customer_id = c.customer_id
  LEFT JOIN other_channels x ON x.customer_id = c.customer_id
  LEFT JOIN coupon_orders p ON p.customer_id = c.customer_id
  LEFT JOIN preferred_dayparts pd ON pd.customer_id = c.customer_id
),
purchaser_lists AS (
  -- rfm_boundaries.sql: over the customers who purchased in the window (no rows: null lists)
  SELECT
    list(CAST(recency_days AS DOUBLE) ORDER BY recency_days) AS recency_values,
    list(CAST(frequency AS DOUBLE) ORDER BY frequency) AS frequency_values,
    list(monetary_double ORDER BY monetary_double) AS monetary_values
  FROM activity
  WHERE frequency > 0
),
measure_values AS (
  SELECT 'r' AS measure, recency_values AS sorted FROM purchaser_lists
  UNION ALL SELECT 'f', frequency_values FROM purchaser_lists
  UNION ALL SELECT 'm', monetary_values FROM purchaser_lists
),
percentile_positions AS (
  SELECT m.measure, p.k, m.sorted, CAST(len(m.sorted) - 1 AS DOUBLE) * p.percentage AS position
  FROM measure_values m
  CROSS JOIN (VALUES (1, CAST(0.2 AS DOUBLE)), (2, CAST(0.4 AS DOUBLE)), (3, CAST(0.6 AS DOUBLE)),
    (4, CAST(0.8 AS DOUBLE))) p(k, percentage)
),
percentiles AS (
  -- Spark's percentile: its formula (see the head of this file), in doubles
  SELECT
    measure,
    k,
    CASE
      WHEN coalesce(len(sorted), 0) = 0 THEN NULL
      WHEN floor(position) = ceil(position)
        OR sorted[CAST(floor(position) AS BIGINT) + 1] = sorted[CAST(ceil(position) AS BIGINT) + 1]
        THEN sorted[CAST(floor(position) AS BIGINT) + 1]
      ELSE (ceil(position) - position) * sorted[CAST(floor(position) AS BIGINT) + 1]
        + (position - floor(position)) * sorted[CAST(ceil(position) AS BIGINT) + 1]
    END AS boundary
  FROM percentile_positions
),
boundaries AS (
  SELECT
    max(CASE WHEN measure = 'r' AND k = 1 THEN boundary END) AS r1,
    max(CASE WHEN measure = 'r' AND k = 2 THEN boundary END) AS r2,
    max(CASE WHEN measure = 'r' AND k = 3 THEN boundary END) AS r3,
    max(CASE WHEN measure = 'r' AND k = 4 THEN boundary END) AS r4,
    max(CASE WHEN measure = 'f' AND k = 1 THEN boundary END) AS f1,
    max(CASE WHEN measure = 'f' AND k = 2 THEN boundary END) AS f2,
    max(CASE WHEN measure = 'f' AND k = 3 THEN boundary END) AS f3,
    max(CASE WHEN measure = 'f' AND k = 4 THEN boundary END) AS f4,
    max(CASE WHEN measure = 'm' AND k = 1 THEN boundary END) AS m1,
    max(CASE WHEN measure = 'm' AND k = 2 THEN boundary END) AS m2,
    max(CASE WHEN measure = 'm' AND k = 3 THEN boundary END) AS m3,
    max(CASE WHEN measure = 'm' AND k = 4 THEN boundary END) AS m4
  FROM percentiles
),
levels AS (
  -- the value-tier thresholds: levels (distinct positive monetary of purchasers) ranked highest first, in
  -- integer cents; a level is high while the levels strictly above it hold less than the high share of the
  -- total, mid while they hold less than high + mid share
  SELECT monetary, sum(CAST(monetary * 100 AS HUGEINT)) AS level_cents
  FROM activity
  WHERE frequency > 0 AND monetary > 0
  GROUP BY monetary
),
ranked_levels AS (
  SELECT
    monetary,
    coalesce(sum(level_cents) OVER (ORDER BY monetary DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
      AS cents_above,
    sum(level_cents) OVER () AS total_cents
  FROM levels
),
tier_thresholds AS (
  SELECT
    CAST(min(CASE WHEN cents_above * ${share_denominator} < ${high_share_numerator} * total_cents THEN monetary END)
      AS DECIMAL(18, 2)) AS high_tier_from,
    CAST(min(CASE WHEN cents_above * ${share_denominator} < ${high_mid_share_numerator} * total_cents
      THEN monetary END) AS DECIMAL(18, 2)) AS mid_tier_from
  FROM ranked_levels
),
scores AS (
  -- rfm_scores.sql: above k of the four boundaries scores k + 1 (recency: 5 - k); purchasers only
  SELECT
    a.*,
    CASE WHEN a.frequency > 0 THEN 5 - (CAST(a.recency_days > b.r1 AS INT) + CAST(a.recency_days > b.r2 AS INT)
      + CAST(a.recency_days > b.r3 AS INT) + CAST(a.recency_days > b.r4 AS INT)) END AS r_score,
    CASE WHEN a.frequency > 0 THEN 1 + (CAST(a.frequency > b.f1 AS INT) + CAST(a.frequency > b.f2 AS INT)
      + CAST(a.frequency > b.f3 AS INT) + CAST(a.frequency > b.f4 AS INT)) END AS f_score,
    CASE WHEN a.frequency > 0 THEN 1 + (CAST(a.monetary_double > b.m1 AS INT) + CAST(a.monetary_double > b.m2 AS INT)
      + CAST(a.monetary_double > b.m3 AS INT) + CAST(a.monetary_double > b.m4 AS INT)) END AS m_score
  FROM activity a
  CROSS JOIN boundaries b
),
score_values AS (
  SELECT CAST(range AS INT) AS score FROM range(1, 6)
),
cell_segments AS (
  -- RfmSegmentMap: each of the 125 cells in the segment whose ranges (inclusive) hold R, F, M and FM
  SELECT CAST(r.score AS VARCHAR) || CAST(f.score AS VARCHAR) || CAST(m.score AS VARCHAR) AS rfm_cell,
    s.code AS rfm_segment
  FROM score_values r
  CROSS JOIN score_values f
  CROSS JOIN score_values m
  JOIN (VALUES ${segment_map}) s(code, r_from, r_to, f_from, f_to, m_from, m_to, fm_from, fm_to)
    ON (s.r_from IS NULL OR (r.score >= s.r_from AND r.score <= s.r_to))
    AND (s.f_from IS NULL OR (f.score >= s.f_from AND f.score <= s.f_to))
    AND (s.m_from IS NULL OR (m.score >= s.m_from AND m.score <= s.m_to))
    AND (s.fm_from IS NULL OR (CAST(f.score + m.score AS DOUBLE) / 2 >= s.fm_from
      AND CAST(f.score + m.score AS DOUBLE) / 2 <= s.fm_to))
)
SELECT
  s.customer_id, s.recency_days, s.frequency, s.monetary, s.avg_order_value, s.first_purchase_date,
  s.last_purchase_date, s.tenure_days, s.mean_days_between_orders, s.median_days_between_orders,
  s.days_before_last_purchase, s.purchased_amount, s.returned_amount, s.return_rate,
  ${channel_select},
  s.channel_breadth, s.category_breadth, s.avg_rating, s.visits_without_purchase, s.events_in_window,
  s.r_score, s.f_score, s.m_score,
  CAST(s.r_score AS VARCHAR) || CAST(s.f_score AS VARCHAR) || CAST(s.m_score AS VARCHAR) AS rfm_cell,
  k.rfm_segment,
  -- lifecycle_stages.sql: the first rule that holds
  CASE
    WHEN s.frequency = 0 THEN 'prospect'
    WHEN s.recency_days < ${at_risk_after_days}
         AND s.days_before_last_purchase >= ${reactivated_gap_days} THEN 'reactivated'
    WHEN s.tenure_days < ${new_within_days} THEN 'new'
    WHEN s.recency_days < ${at_risk_after_days} THEN 'active'
    WHEN s.recency_days < ${lapsed_after_days} THEN 'at_risk'
    WHEN s.recency_days < ${churned_after_days} THEN 'lapsed'
    ELSE 'churned'
  END AS lifecycle_stage,
  -- value_tiers.sql
  CASE
    WHEN s.frequency = 0 THEN NULL
    WHEN s.monetary >= t.high_tier_from THEN 'high'
    WHEN s.monetary >= t.mid_tier_from THEN 'mid'
    ELSE 'low'
  END AS value_tier,
  -- added later to customer_features, after as_of_date
  s.views, s.cart_adds, s.view_to_purchase, s.cart_to_purchase, s.coupon_order_share, s.social_events,
  s.feedbacks, s.evening_order_share, s.weekend_order_share, s.preferred_daypart, s.discount_spend_share
FROM scores s
CROSS JOIN tier_thresholds t
LEFT JOIN cell_segments k
  ON k.rfm_cell = CAST(s.r_score AS VARCHAR) || CAST(s.f_score AS VARCHAR) || CAST(s.m_score AS VARCHAR)

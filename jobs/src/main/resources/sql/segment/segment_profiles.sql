-- One portrait per (segmentation, segment). Views:
--   ${segment_source}      one row per customer: the columns of segment_customers.sql, among them the
--                          segment column of each segmentation (SegmentMembers.SEGMENT_COLUMNS)
--   ${segment_members}     customers with their segmentation and segment (segment_members.sql) and the
--                          columns of segment_customers.sql
--   ${category_purchases}  customer_id, category, spend: purchase amounts per category in the window
-- revenue is the members' net spend in the window (sum of monetary), orders the sum of their frequency,
-- buyers the members with an order in the window. Shares are of the members of the segmentation. Sums
-- are exact, so no figure depends on the order Spark happens to add rows in: integers and decimals as
-- they are; the doubles (rating, the behaviour shares, churn probability and clv: the exact_means
-- fragment, common's ExactMeans) rounded to 1e-9 each (clv to 1e-6) and added up as integers. Means are
-- divided as doubles at the end; clv_mean and clv_total are null where no member has a clv. Medians are
-- exact: percentile(x, 0.5), which interpolates between the two middle values of an even count, as the
-- textbook median does.
-- How, for speed: the customers are first added up per cell, a combination of their segments in every
-- segmentation (cells, cell_dimensions, cell_categories: each customer once, a few thousand cells), and
-- the cells then per segment (the segments fragment, SegmentMembers.stack: one row per segmentation). Counts, the
-- decimal sums and the exact means' integer units add up the same in any grouping, so this gives the
-- same bits as adding up the members (each customer once per segmentation) directly, with a third of
-- the rows and in Spark's generated code. Only the medians read the members: percentile's buffer holds
-- objects, so it has an aggregation of its own, of three columns.
WITH cells AS (
  SELECT
    ${cell_columns},
    count(*) AS customers,
    sum(recency_days) AS recency_sum,
    count(recency_days) AS recency_count,
    sum(frequency) AS frequency_sum,
    count(frequency) AS frequency_count,
    sum(monetary) AS monetary,
    count(monetary) AS monetary_count,
    count_if(frequency > 0) AS buyers,
    ${channel_order_sums},
    sum(social_events) AS social_events,
    count(social_events) AS social_events_count,
    ${exact_unit_sums}
  FROM ${segment_source}
  GROUP BY ${cell_columns}
),
measures AS (
  SELECT
    m.segmentation,
    m.segment,
    sum(c.customers) AS customers,
    CAST(sum(c.recency_sum) AS DOUBLE) / nullif(sum(c.recency_count), 0) AS recency_mean,
    CAST(sum(c.frequency_sum) AS DOUBLE) / nullif(sum(c.frequency_count), 0) AS frequency_mean,
    CAST(sum(c.monetary) AS DOUBLE) / sum(c.monetary_count) AS monetary_mean,
    sum(c.monetary) AS monetary,
    sum(c.frequency_sum) AS orders,
    sum(c.buyers) AS buyers,
    CAST(sum(c.monetary) AS DOUBLE) / nullif(sum(c.frequency_sum), 0) AS avg_order_value,
    ${channel_order_sums},
    CAST(sum(c.social_events) AS DOUBLE) / sum(c.social_events_count) AS social_events_mean,
    ${exact_means}
  FROM cells c
  LATERAL VIEW ${segments} m AS segmentation, segment
  WHERE m.segment IS NOT NULL
  GROUP BY m.segmentation, m.segment
),
totals AS (
  SELECT segmentation, sum(customers) AS customers, sum(monetary) AS monetary
  FROM measures
  GROUP BY segmentation
),
medians AS (
  SELECT
    segmentation,
    segment,
    percentile(recency_days, 0.5) AS recency_median,
    percentile(frequency, 0.5) AS frequency_median,
    percentile(CAST(monetary AS DOUBLE), 0.5) AS monetary_median
  FROM ${segment_members}
  GROUP BY segmentation, segment
),
cell_dimensions AS (
  SELECT ${cell_columns}, d.dimension, d.value, count(*) AS customers
  FROM ${segment_source}
  LATERAL VIEW stack(6,
    'age_band', age_band,
    'gender', gender,
    'region', region,
    'city', city,
    'income_band', income_band,
    'member_tier', member_tier) d AS dimension, value
  GROUP BY ${cell_columns}, d.dimension, d.value
),
dimension_counts AS (
  SELECT m.segmentation, m.segment, c.dimension, c.value, sum(c.customers) AS customers
  FROM cell_dimensions c
  LATERAL VIEW ${segments} m AS segmentation, segment
  WHERE m.segment IS NOT NULL
  GROUP BY m.segmentation, m.segment, c.dimension, c.value
),
dimension_shares AS (
  SELECT
    segmentation,
    segment,
    dimension,
    struct(value AS key, customers / sum(customers) OVER (PARTITION BY segmentation, segment, dimension) AS share)
      AS entry
  FROM dimension_counts
),
demographics AS (
  SELECT
    segmentation,
    segment,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'age_band' THEN entry END))) AS age_bands,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'gender' THEN entry END))) AS gender,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'region' THEN entry END))) AS region,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'member_tier' THEN entry END))) AS member_tier,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'income_band' THEN entry END))) AS income_band,
    map_from_entries(array_sort(collect_list(CASE WHEN dimension = 'city' THEN entry END))) AS city
  FROM dimension_shares
  GROUP BY segmentation, segment
),
cell_categories AS (
  SELECT ${s_cell_columns}, p.category, sum(p.spend) AS spend
  FROM ${segment_source} s
  JOIN ${category_purchases} p ON p.customer_id = s.customer_id
  GROUP BY ${s_cell_columns}, p.category
),
category_spend AS (
  SELECT m.segmentation, m.segment, c.category, sum(c.spend) AS spend
  FROM cell_categories c
  LATERAL VIEW ${segments} m AS segmentation, segment
  WHERE m.segment IS NOT NULL
  GROUP BY m.segmentation, m.segment, c.category
),
category_ranks AS (
  SELECT
    segmentation,
    segment,
    category,
    row_number() OVER (PARTITION BY segmentation, segment ORDER BY spend DESC, category) AS rank
  FROM category_spend
),
top_categories AS (
  SELECT
    segmentation,
    segment,
    transform(array_sort(collect_list(struct(rank, category))), c -> c.category) AS top_categories
  FROM category_ranks
  WHERE rank <= :top_categories
  GROUP BY segmentation, segment
)
SELECT
  m.segmentation,
  m.segment,
  m.customers,
  m.customers / t.customers AS share,
  m.recency_mean,
  md.recency_median,
  m.frequency_mean,
  md.frequency_median,
  m.monetary_mean,
  md.monetary_median,
  CAST(m.monetary AS DOUBLE) / nullif(CAST(t.monetary AS DOUBLE), 0) AS revenue_share,
  m.avg_order_value,
  CASE WHEN ${channel_order_total} > 0
    THEN map(${channel_mix_entries})
    ELSE CAST(map() AS MAP<STRING, DOUBLE>)
  END AS channel_mix,
  coalesce(c.top_categories, CAST(array() AS ARRAY<STRING>)) AS top_categories,
  CASE WHEN :has_customers THEN d.age_bands ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS age_bands,
  CASE WHEN :has_customers THEN d.gender ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS gender,
  CASE WHEN :has_customers THEN d.region ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS region,
  CASE WHEN :has_customers THEN d.member_tier ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS member_tier,
  m.avg_rating,
  m.churn_probability_mean,
  m.clv_mean,
  m.clv_total,
  CAST(m.monetary AS DECIMAL(28, 2)) AS revenue,
  CAST(m.orders AS BIGINT) AS orders,
  CAST(m.buyers AS BIGINT) AS buyers,
  CASE WHEN :has_customers THEN d.income_band ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS income_band,
  CASE WHEN :has_customers THEN d.city ELSE CAST(map() AS MAP<STRING, DOUBLE>) END AS city,
  m.coupon_order_share_mean,
  m.view_to_purchase_mean,
  m.social_events_mean,
  m.evening_order_share_mean,
  m.weekend_order_share_mean,
  m.discount_spend_share_mean,
  :as_of AS as_of_date
FROM measures m
JOIN totals t ON t.segmentation = m.segmentation
JOIN medians md ON md.segmentation = m.segmentation AND md.segment = m.segment
JOIN demographics d ON d.segmentation = m.segmentation AND d.segment = m.segment
LEFT JOIN top_categories c ON c.segmentation = m.segmentation AND c.segment = m.segment

-- Where the value tiers start, by cumulative share of net spend (view ${value_tier_input}). Customers
-- are ranked by monetary, highest first; a customer is high when the customers with a strictly
-- higher monetary hold less than :high_share of the total, mid when they hold less than
-- :high_share + :mid_share. Ranking distinct monetary levels rather than customers keeps equal spends
-- in one tier and the single-partition window small. One row: the lowest monetary of each tier.
WITH levels AS (
  SELECT monetary, sum(monetary) AS level_spend
  FROM ${value_tier_input}
  WHERE frequency > 0 AND monetary > 0
  GROUP BY monetary
),
ranked AS (
  SELECT
    monetary,
    coalesce(sum(level_spend) OVER (ORDER BY monetary DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
      AS spend_above,
    sum(level_spend) OVER () AS total_spend
  FROM levels
)
SELECT
  CAST(min(CASE WHEN spend_above < :high_share * total_spend THEN monetary END) AS DECIMAL(18, 2))
    AS high_tier_from,
  CAST(min(CASE WHEN spend_above < (:high_share + :mid_share) * total_spend THEN monetary END) AS DECIMAL(18, 2))
    AS mid_tier_from
FROM ranked

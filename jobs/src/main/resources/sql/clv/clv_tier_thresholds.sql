-- Where the CLV tiers start, by cumulative share of total CLV (view ${clv_rows}), as value tiers do
-- with net spend: customers ranked by clv, highest first; high while the customers with a strictly
-- higher clv hold less than :high_share of the total, mid while they hold less than :high_share +
-- :mid_share, on clv rounded to 6 decimals (DECIMAL(30, 6)). Sums are exact decimals, so ties and the order of rows change nothing. One row.
WITH levels AS (
  SELECT CAST(clv AS DECIMAL(30, 6)) AS clv, sum(CAST(clv AS DECIMAL(30, 6))) AS level_clv
  FROM ${clv_rows}
  WHERE clv > 0
  GROUP BY CAST(clv AS DECIMAL(30, 6))
),
ranked AS (
  SELECT
    clv,
    coalesce(sum(level_clv) OVER (ORDER BY clv DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
      AS clv_above,
    sum(level_clv) OVER () AS total_clv
  FROM levels
)
SELECT
  min(CASE WHEN clv_above < :high_share * total_clv THEN clv END) AS high_tier_from,
  min(CASE WHEN clv_above < (:high_share + :mid_share) * total_clv THEN clv END) AS mid_tier_from
FROM ranked

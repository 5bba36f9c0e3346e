-- The levels the CLV tiers are cut from (common's sql/tiers/share_thresholds.sql: tiers by cumulative
-- share of total CLV, as value tiers are with net spend): each distinct positive clv of ${clv_rows},
-- rounded to 6 decimals (DECIMAL(30, 6)), with the CLV of the customers at it. Sums are exact decimals,
-- so ties and the order of rows change nothing.
SELECT CAST(clv AS DECIMAL(30, 6)) AS level, sum(CAST(clv AS DECIMAL(30, 6))) AS level_sum
FROM ${clv_rows}
WHERE clv > 0
GROUP BY CAST(clv AS DECIMAL(30, 6))

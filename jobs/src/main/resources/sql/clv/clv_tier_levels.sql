-- The levels the CLV tiers are cut from (common's ShareThresholds: tiers by cumulative
-- share of total CLV, as value tiers are with net spend): each distinct positive clv of ${clv_rows},
-- rounded to 6 decimals (clv_level: CAST(clv AS DECIMAL(30, 6)), computed once per customer by
-- ClvScoring.values), with the CLV of the customers at it. Sums are exact decimals, so ties and the
-- order of rows change nothing.
SELECT clv_level AS level, sum(clv_level) AS level_sum
FROM ${clv_rows}
WHERE clv > 0
GROUP BY clv_level

-- The levels the value tiers are cut from (common's ShareThresholds: tiers by cumulative
-- share of net spend): each distinct positive monetary of a purchaser in ${value_tier_input}, with the
-- net spend of the customers at it. Ranking distinct levels rather than customers keeps equal spends in
-- one tier.
SELECT monetary AS level, sum(monetary) AS level_sum
FROM ${value_tier_input}
WHERE frequency > 0 AND monetary > 0
GROUP BY monetary

-- value_tier for the rows of view ${value_tier_rows}, from the thresholds of this snapshot
-- (:high_tier_from, :mid_tier_from, in the type of monetary, ${money}; bound as values rather than joined
-- as a one-row table, which kept the features write's generated loop smaller); no tier for customers
-- without a purchase in the window, low for a net spend of 0 or less.
SELECT
  i.*,
  CASE
    WHEN i.frequency = 0 THEN NULL
    WHEN i.monetary >= CAST(:high_tier_from AS ${money}) THEN 'high'
    WHEN i.monetary >= CAST(:mid_tier_from AS ${money}) THEN 'mid'
    ELSE 'low'
  END AS value_tier
FROM ${value_tier_rows} i

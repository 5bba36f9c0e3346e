-- value_tier for the rows of view ${value_tier_rows}, from the thresholds of this snapshot (view
-- ${value_tier_thresholds}, one row); no tier for customers without a purchase in the window, low for a
-- net spend of 0 or less.
SELECT
  i.*,
  CASE
    WHEN i.frequency = 0 THEN NULL
    WHEN i.monetary >= t.high_tier_from THEN 'high'
    WHEN i.monetary >= t.mid_tier_from THEN 'mid'
    ELSE 'low'
  END AS value_tier
FROM ${value_tier_rows} i
CROSS JOIN ${value_tier_thresholds} t

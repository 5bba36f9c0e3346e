-- The single query of windows and joins that computed the tier thresholds before common's ShareThresholds
-- (kept for ValueTiersTest, which requires ShareThresholds to give what it gave).
--
-- Where tiers start by cumulative share of a total (value tiers by net spend, CLV tiers by CLV), over
-- ${levels}: level, a distinct positive value, and level_sum, the sum of the values at that level.
-- Levels are ranked highest first; a level is in the high tier while the levels strictly above it hold
-- less than :high_share of the total, in the mid tier while they hold less than :high_share +
-- :mid_share. One row: the lowest level of each tier (null when there is none).
--
-- No running sum needs every level in one partition (no window without PARTITION BY, whose single task
-- would hold all distinct levels: up to one per customer). The sum above a level is that of the
-- magnitudes above it (levels whose integer part has more digits: a few dozen, added by a self-join),
-- plus that of the higher buckets of its magnitude (a bucket: the levels sharing their first four
-- digits, at most 10,000 per magnitude; a window per magnitude), plus that of the higher levels of its
-- bucket (a window per bucket: e.g. at most ten cent levels in a bucket of 100.00..999.99). Every sum
-- is an exact decimal, so the result does not depend on partitioning or row order.
WITH keyed AS (
  SELECT
    level,
    level_sum,
    CASE WHEN instr(text, '.') > 0 THEN instr(text, '.') - 1 ELSE length(text) END AS magnitude,
    CAST(rpad(substr(replace(text, '.', ''), 1, 4), 4, '0') AS INT) AS bucket
  FROM (SELECT level, level_sum, CAST(level AS STRING) AS text FROM ${levels} WHERE level > 0) AS positive
),
buckets AS (
  SELECT magnitude, bucket, sum(level_sum) AS bucket_sum
  FROM keyed
  GROUP BY magnitude, bucket
),
magnitudes AS (
  SELECT magnitude, sum(bucket_sum) AS magnitude_sum
  FROM buckets
  GROUP BY magnitude
),
magnitudes_above AS (
  SELECT m.magnitude, coalesce(sum(higher.magnitude_sum), 0) AS sum_above
  FROM magnitudes m LEFT JOIN magnitudes higher ON higher.magnitude > m.magnitude
  GROUP BY m.magnitude
),
buckets_above AS (
  SELECT
    b.magnitude,
    b.bucket,
    a.sum_above + coalesce(sum(b.bucket_sum) OVER (PARTITION BY b.magnitude ORDER BY b.bucket DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS sum_above
  FROM buckets b
  JOIN magnitudes_above a ON a.magnitude = b.magnitude
),
total AS (
  SELECT sum(magnitude_sum) AS total FROM magnitudes
),
ranked AS (
  SELECT
    k.level,
    u.sum_above + coalesce(sum(k.level_sum) OVER (PARTITION BY k.magnitude, k.bucket ORDER BY k.level DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS sum_above,
    t.total
  FROM keyed k
  JOIN buckets_above u ON u.magnitude = k.magnitude AND u.bucket = k.bucket
  CROSS JOIN total t
)
SELECT
  min(CASE WHEN sum_above < :high_share * total THEN level END) AS high_tier_from,
  min(CASE WHEN sum_above < (:high_share + :mid_share) * total THEN level END) AS mid_tier_from
FROM ranked

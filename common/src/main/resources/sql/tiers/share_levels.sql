-- The levels tiers by cumulative share are cut from (ShareThresholds: value tiers by net spend, CLV tiers
-- by CLV), keyed for summing: ${levels} (level, a distinct value; level_sum, the sum of the values at
-- that level), positive levels only, each with its magnitude (the digits of its integer part) and its
-- bucket (its first four digits, with trailing zeros to four). Levels of a higher magnitude are higher;
-- within a magnitude, levels of a higher bucket are higher; so every bucket is a range of levels, and
-- a magnitude holds at most 10,000 buckets however many levels there are.
SELECT
  level,
  level_sum,
  CASE WHEN instr(text, '.') > 0 THEN instr(text, '.') - 1 ELSE length(text) END AS magnitude,
  CAST(rpad(substr(replace(text, '.', ''), 1, 4), 4, '0') AS INT) AS bucket
FROM (SELECT level, level_sum, CAST(level AS STRING) AS text FROM ${levels} WHERE level > 0) AS positive

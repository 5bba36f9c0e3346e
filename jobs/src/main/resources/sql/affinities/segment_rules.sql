-- Association rules per segment from the frequent itemsets of one FPGrowth fit over every segment's
-- baskets, each item tagged with its basket's segment (so no itemset spans two segments, and each
-- itemset's count is its count among that segment's baskets). ${itemsets}: segment, items (sorted,
-- untagged), freq. ${segments}: segment, baskets (the segment's basket count), min_count (the baskets
-- a rule's items must be held by there: min-support of the segment's baskets, at least
-- min-rule-baskets). A rule takes one item of a frequent itemset of two or more as its consequent and
-- the rest as its antecedent, as MLlib's association rules do:
--   support    = baskets holding antecedent and consequent / segment baskets
--   confidence = baskets holding antecedent and consequent / baskets holding the antecedent
--   lift       = confidence / (baskets holding the consequent / segment baskets)
-- A rule whose antecedent has two items or more must also beat, by :min_improvement in confidence,
-- every rule of the segment to the same consequent from fewer of its items (Bayardo, Agrawal and
-- Gunopulos 2000, "minimum improvement"): "beauty, home -> garden" says nothing that "home -> garden"
-- does not, unless adding beauty makes garden clearly likelier.
-- Rules reaching :min_confidence, :min_lift and the improvement, ranked within the segment, the first
-- :rules kept.
WITH sets AS (
  SELECT i.segment, i.items, i.freq
  FROM ${itemsets} i JOIN ${segments} s ON s.segment = i.segment
  WHERE i.freq >= s.min_count
),
candidates AS (
  SELECT segment, array_remove(items, consequent) AS antecedent, consequent, freq AS rule_baskets
  FROM sets LATERAL VIEW explode(items) c AS consequent
  WHERE size(items) >= 2
),
measured AS (
  SELECT
    c.segment,
    c.antecedent,
    c.consequent,
    s.baskets,
    c.rule_baskets,
    c.rule_baskets / s.baskets AS support,
    c.rule_baskets / a.freq AS confidence,
    (c.rule_baskets / a.freq) / (one.freq / s.baskets) AS lift
  FROM candidates c
  JOIN sets a ON a.segment = c.segment AND a.items = c.antecedent
  JOIN sets one ON one.segment = c.segment AND one.items = array(c.consequent)
  JOIN ${segments} s ON s.segment = c.segment
),
improved AS (
  SELECT r.*
  FROM measured r
  LEFT JOIN measured s
    ON s.segment = r.segment
    AND s.consequent = r.consequent
    AND size(s.antecedent) < size(r.antecedent)
    AND forall(s.antecedent, x -> array_contains(r.antecedent, x))
  GROUP BY r.segment, r.antecedent, r.consequent, r.baskets, r.rule_baskets, r.support, r.confidence, r.lift
  HAVING count(s.confidence) = 0 OR r.confidence - max(s.confidence) >= :min_improvement
),
ranked AS (
  SELECT *, row_number() OVER (
    PARTITION BY segment
    ORDER BY lift DESC, confidence DESC, support DESC, size(antecedent), antecedent, consequent) AS rule_rank
  FROM improved
  WHERE confidence >= :min_confidence AND lift >= :min_lift
)
SELECT segment, rule_rank, antecedent, consequent, baskets, rule_baskets, support, confidence, lift
FROM ranked
WHERE rule_rank <= :rules

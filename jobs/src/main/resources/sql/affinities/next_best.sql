-- Each customer's next-best item: among the rules of its segment (${rules}: segment, rule_rank,
-- antecedent, consequent, lift, confidence), the strongest (lowest rule_rank) whose antecedent the
-- customer bought in the window (every item of it) and whose consequent it did not. ${members}: the
-- customers' segments (customer_id, segment); ${bought}: each customer's items (customer_id, items).
-- A customer no rule applies to has no row.
SELECT customer_id, segment, next_best_item, rule_rank, lift, confidence
FROM (
  SELECT
    m.customer_id,
    m.segment,
    r.consequent AS next_best_item,
    r.rule_rank,
    r.lift,
    r.confidence,
    row_number() OVER (PARTITION BY m.customer_id ORDER BY r.rule_rank) AS pick
  FROM ${members} m
  JOIN ${bought} b ON b.customer_id = m.customer_id
  JOIN ${rules} r ON r.segment = m.segment
  WHERE forall(r.antecedent, x -> array_contains(b.items, x))
    AND NOT array_contains(b.items, r.consequent)
) ranked
WHERE pick = 1

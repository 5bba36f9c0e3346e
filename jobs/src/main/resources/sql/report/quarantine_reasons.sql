-- Rows of events_quarantine (${quarantine}) per reason. The value a reason quotes is masked
-- ('x' -> '…', "amount -3.00 is" -> "amount … is"), so the same rule broken with different values
-- counts as one reason. A row with two reasons counts under both.
SELECT reason, count(*) AS rows
FROM (
  SELECT regexp_replace(
           regexp_replace(
             regexp_replace(r, '\'[^\']*\'', '\'…\''),
             '^(amount|rating) -?[0-9.]+ ', '$1 … '),
           '^event_ts [0-9: .-]+ is not before the cut-off .*$', 'event_ts … is not before the cut-off') AS reason
  FROM ${quarantine}
  LATERAL VIEW explode(reasons) exploded AS r
)
GROUP BY reason
ORDER BY rows DESC, reason

-- lifecycle_stage: the first rule that holds (see segpipe.features.lifecycle in conf/segpipe.conf).
-- ${customers}: per-customer features with frequency, recency_days, tenure_days and
-- days_before_last_purchase (days from the purchase date before the last one to the last one; null
-- for a single purchase date).
SELECT *,
  CASE
    WHEN frequency = 0 THEN 'prospect'
    WHEN recency_days < :at_risk_after_days
         AND days_before_last_purchase >= :reactivated_gap_days THEN 'reactivated'
    WHEN tenure_days < :new_within_days THEN 'new'
    WHEN recency_days < :at_risk_after_days THEN 'active'
    WHEN recency_days < :lapsed_after_days THEN 'at_risk'
    WHEN recency_days < :churned_after_days THEN 'lapsed'
    ELSE 'churned'
  END AS lifecycle_stage
FROM ${customers}

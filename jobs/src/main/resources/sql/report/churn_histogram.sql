-- Scored customers of ${segments} (customer_segments rows) per churn probability bar (equal widths
-- over 0-1, the last bar includes 1) and risk band, so each bar is split by the band its customers are
-- in.
SELECT
  CAST(least(floor(churn_probability * :bins), :bins - 1) AS INT) AS bin,
  churn_risk,
  count(*) AS customers
FROM ${segments}
WHERE as_of_date = :as_of AND churn_probability IS NOT NULL
GROUP BY 1, 2

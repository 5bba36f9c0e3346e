-- The R x F grid: customers per (R score, F score) cell of ${segments} (customer_segments rows) and
-- their mean net spend; prospects have no scores and are left out.
SELECT
  CAST(r_score AS INT) AS r,
  CAST(f_score AS INT) AS f,
  count(*) AS customers,
  CAST(avg(monetary) AS DOUBLE) AS monetary_mean
FROM ${segments}
WHERE as_of_date = :as_of AND r_score IS NOT NULL AND f_score IS NOT NULL
GROUP BY r_score, f_score

-- The R, F and M score boundaries of one snapshot: exact 20/40/60/80 % percentiles (interpolated
-- between neighbouring values, the same on any partitioning) over the customers who purchased in the
-- window (${features}), and each measure's mean and exact median over them (the thresholds of the
-- cn-8 scheme). One aggregate, computed once; the scores apply it row by row. The median is the fifth
-- percentage of the same percentile, so it costs no second buffer of values. The means are exact up to
-- the last rounding: integer sums divided once, and monetary's decimal sum divided as a decimal.
WITH purchasers AS (
  SELECT
    percentile(recency_days, array(0.2, 0.4, 0.6, 0.8, 0.5)) AS recency_quantiles,
    percentile(frequency, array(0.2, 0.4, 0.6, 0.8, 0.5)) AS frequency_quantiles,
    percentile(CAST(monetary AS DOUBLE), array(0.2, 0.4, 0.6, 0.8, 0.5)) AS monetary_quantiles,
    avg(recency_days) AS recency_mean,
    avg(frequency) AS frequency_mean,
    CAST(sum(monetary) / nullif(count(*), 0) AS DOUBLE) AS monetary_mean,
    count(*) AS purchasers
  FROM ${features}
  WHERE frequency > 0
)
SELECT
  slice(recency_quantiles, 1, 4) AS recency_boundaries,
  slice(frequency_quantiles, 1, 4) AS frequency_boundaries,
  slice(monetary_quantiles, 1, 4) AS monetary_boundaries,
  recency_mean,
  frequency_mean,
  monetary_mean,
  recency_quantiles[4] AS recency_median,
  frequency_quantiles[4] AS frequency_median,
  monetary_quantiles[4] AS monetary_median,
  purchasers
FROM purchasers

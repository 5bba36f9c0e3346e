-- The R, F and M score boundaries of one snapshot: exact 20/40/60/80 % percentiles (interpolated
-- between neighbouring values, the same on any partitioning) over the customers who purchased in the
-- window (view rfm_input). One aggregate, computed once; the scores apply it row by row.
SELECT
  percentile(recency_days, array(0.2, 0.4, 0.6, 0.8)) AS recency_boundaries,
  percentile(frequency, array(0.2, 0.4, 0.6, 0.8)) AS frequency_boundaries,
  percentile(CAST(monetary AS DOUBLE), array(0.2, 0.4, 0.6, 0.8)) AS monetary_boundaries,
  count(*) AS purchasers
FROM rfm_input
WHERE frequency > 0

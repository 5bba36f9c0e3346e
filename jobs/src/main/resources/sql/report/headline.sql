-- Headline figures per snapshot (${segments}: customer_segments of the as-of date and of the
-- previous snapshot). Revenue is net spend in the features window; purchasers bought in the window.
SELECT
  as_of_date,
  count(*) AS customers,
  count_if(lifecycle_stage IN (${active_stages})) AS active_customers,
  count_if(frequency > 0) AS purchasers,
  CAST(coalesce(sum(monetary), 0) AS DOUBLE) AS revenue,
  count_if(marketing_opt_in) AS opted_in
FROM ${segments}
GROUP BY as_of_date

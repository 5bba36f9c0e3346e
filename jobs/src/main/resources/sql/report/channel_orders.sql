-- Orders per channel of all the customers who bought in the window (${features}: the
-- customer_features snapshot of the as-of date): the channel mix the clusters are compared with, summed
-- as segment_profiles sums each segment's.
SELECT ${channel_order_sums}
FROM ${features}
WHERE frequency > 0

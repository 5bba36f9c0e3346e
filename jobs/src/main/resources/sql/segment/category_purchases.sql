-- Purchase amounts per customer and category in the features window (view window_events, from
-- sql/features/window_events.sql, whose event_date range prunes the events partitions).
SELECT customer_id, category, sum(amount) AS spend
FROM window_events
WHERE event_type = 'purchase' AND category IS NOT NULL
GROUP BY customer_id, category

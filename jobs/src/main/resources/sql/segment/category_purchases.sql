-- Purchase amounts per customer and category in the features window, from the categories' purchase
-- amounts per day kept in customer_daily (${daily}; common's sql/daily/customer_daily.sql): the same sums
-- as over the window's purchase lines with a category, in the type such a sum has (DECIMAL(28, 2)).
SELECT customer_id, category, CAST(sum(spend) AS DECIMAL(28, 2)) AS spend
FROM ${daily} LATERAL VIEW explode(category_spend) spends AS category, spend
WHERE event_date BETWEEN :window_start AND :as_of
GROUP BY customer_id, category

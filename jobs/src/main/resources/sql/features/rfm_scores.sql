-- R, F and M scores 1-5, the RFM cell (e.g. "545") and its segment. A value above k of the four
-- boundaries (view rfm_boundaries, one row) scores k + 1 for F and M and 5 - k for R (recent = 5), so
-- equal values always score the same. Customers without a purchase in the window get no scores.
-- rfm_cells maps the 125 cells onto the configured segments.
WITH scored AS (
  SELECT
    i.*,
    CASE WHEN i.frequency > 0
      THEN 5 - size(filter(b.recency_boundaries, x -> i.recency_days > x)) END AS r_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(filter(b.frequency_boundaries, x -> i.frequency > x)) END AS f_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(filter(b.monetary_boundaries, x -> CAST(i.monetary AS DOUBLE) > x)) END AS m_score
  FROM rfm_input i
  CROSS JOIN rfm_boundaries b
)
SELECT s.*, concat(s.r_score, s.f_score, s.m_score) AS rfm_cell, c.rfm_segment
FROM scored s
LEFT JOIN rfm_cells c ON c.rfm_cell = concat(s.r_score, s.f_score, s.m_score)

-- R, F and M scores 1-5, the RFM cell (e.g. "545") and its segment. A value above k of the four
-- boundaries (${boundaries}, one row) scores k + 1 for F and M and 5 - k for R (recent = 5), so
-- equal values always score the same. Customers without a purchase in the window get no scores and no
-- segment. The segment: ${segment_keys} maps a key onto its code. Under :scheme score-map the key
-- is the cell; under cn-8 it is h (high) or l (low) for R, F and M, e.g. "hlh": recency_days strictly
-- below its threshold, frequency and monetary strictly above theirs (${boundaries}: the snapshot's
-- means or medians over purchasers).
WITH scored AS (
  SELECT
    i.*,
    CASE WHEN i.frequency > 0
      THEN 5 - size(filter(b.recency_boundaries, x -> i.recency_days > x)) END AS r_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(filter(b.frequency_boundaries, x -> i.frequency > x)) END AS f_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(filter(b.monetary_boundaries, x -> CAST(i.monetary AS DOUBLE) > x)) END AS m_score
  FROM ${features} i
  CROSS JOIN ${boundaries} b
)
SELECT s.*, concat(s.r_score, s.f_score, s.m_score) AS rfm_cell, k.rfm_segment
FROM scored s
CROSS JOIN ${boundaries} b
LEFT JOIN ${segment_keys} k ON k.segment_key = CASE
  WHEN s.frequency = 0 THEN NULL
  WHEN :scheme = 'cn-8' THEN concat(
    CASE WHEN s.recency_days < b.recency_threshold THEN 'h' ELSE 'l' END,
    CASE WHEN s.frequency > b.frequency_threshold THEN 'h' ELSE 'l' END,
    CASE WHEN CAST(s.monetary AS DOUBLE) > b.monetary_threshold THEN 'h' ELSE 'l' END)
  ELSE concat(s.r_score, s.f_score, s.m_score)
END

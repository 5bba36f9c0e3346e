-- R, F and M scores 1-5, the RFM cell (e.g. "545") and its segment. A value above k of the four
-- boundaries (:recency_boundaries, :frequency_boundaries, :monetary_boundaries; null without purchasers)
-- scores k + 1 for F and M and 5 - k for R (recent = 5), so equal values always score the same.
-- Customers without a purchase in the window get no scores and no segment. The segment: ${segment_keys}
-- maps a key onto its code. Under :scheme score-map the key is the cell; under cn-8 it is h (high) or l
-- (low) for R, F and M, e.g. "hlh": recency_days strictly below its threshold, frequency and monetary
-- strictly above theirs (:recency_threshold, :frequency_threshold, :monetary_threshold: the snapshot's
-- means or medians over purchasers). The boundaries are bound as values, not joined as a one-row table:
-- the cross joins made the write's generated loop too large for the JIT compiler.
WITH scored AS (
  SELECT
    i.*,
    CASE WHEN i.frequency > 0
      THEN 5 - size(filter(CAST(:recency_boundaries AS ARRAY<DOUBLE>), x -> i.recency_days > x))
    END AS r_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(filter(CAST(:frequency_boundaries AS ARRAY<DOUBLE>), x -> i.frequency > x))
    END AS f_score,
    CASE WHEN i.frequency > 0
      THEN 1 + size(
        filter(CAST(:monetary_boundaries AS ARRAY<DOUBLE>), x -> CAST(i.monetary AS DOUBLE) > x))
    END AS m_score
  FROM ${features} i
)
SELECT s.*, concat(s.r_score, s.f_score, s.m_score) AS rfm_cell, k.rfm_segment
FROM scored s
LEFT JOIN ${segment_keys} k ON k.segment_key = CASE
  WHEN s.frequency = 0 THEN NULL
  WHEN :scheme = 'cn-8' THEN concat(
    CASE WHEN s.recency_days < CAST(:recency_threshold AS DOUBLE) THEN 'h' ELSE 'l' END,
    CASE WHEN s.frequency > CAST(:frequency_threshold AS DOUBLE) THEN 'h' ELSE 'l' END,
    CASE WHEN CAST(s.monetary AS DOUBLE) > CAST(:monetary_threshold AS DOUBLE) THEN 'h' ELSE 'l' END)
  ELSE concat(s.r_score, s.f_score, s.m_score)
END

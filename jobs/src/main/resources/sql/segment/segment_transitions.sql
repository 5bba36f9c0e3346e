-- Customers moving between segments since the previous snapshot, per segmentation. Views:
--   ${previous_members}, ${current_members}  customer_id, segmentation, segment (segment_members.sql)
-- A customer in no segment of a segmentation before (not in the previous snapshot, or a prospect then)
-- comes from "(new)"; one in none now goes to "(gone)". share_of_from: of the customers in from_segment.
WITH moves AS (
  SELECT
    coalesce(p.segmentation, c.segmentation) AS segmentation,
    coalesce(p.segment, '(new)') AS from_segment,
    coalesce(c.segment, '(gone)') AS to_segment
  FROM ${previous_members} p
  FULL OUTER JOIN ${current_members} c
    ON c.customer_id = p.customer_id AND c.segmentation = p.segmentation
),
counts AS (
  SELECT segmentation, from_segment, to_segment, count(*) AS customers
  FROM moves
  GROUP BY segmentation, from_segment, to_segment
)
SELECT
  segmentation,
  from_segment,
  to_segment,
  customers,
  customers / sum(customers) OVER (PARTITION BY segmentation, from_segment) AS share_of_from,
  ${previous_as_of_date} AS previous_as_of_date,
  :as_of AS as_of_date
FROM counts

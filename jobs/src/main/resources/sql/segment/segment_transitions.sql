-- Customers moving between segments since the previous snapshot, per segmentation. Views:
--   ${previous_segments}, ${current_segments}  customer_id and the segment columns of customer_segments
-- A customer in no segment of a segmentation before (not in the previous snapshot, or a prospect then)
-- comes from "(new)"; one in none now goes to "(gone)". share_of_from: of the customers in from_segment.
-- The two snapshots are joined once per customer, and the customers are counted per combination of
-- their segments before they are taken apart by segmentation (${moves}: SegmentMembers.stack, one row
-- per segmentation with its segment before and now): a join of one row per customer and segmentation
-- on each side shuffled five times the rows.
WITH pairs AS (
  SELECT
    ${pairs},
    count(*) AS customers
  FROM ${previous_segments} p
  FULL OUTER JOIN ${current_segments} c ON c.customer_id = p.customer_id
  GROUP BY ALL
),
moves AS (
  SELECT m.segmentation, m.from_segment, m.to_segment, customers
  FROM pairs
  LATERAL VIEW ${moves} m AS segmentation, from_segment, to_segment
  WHERE m.from_segment IS NOT NULL OR m.to_segment IS NOT NULL
),
counts AS (
  SELECT
    segmentation,
    coalesce(from_segment, '(new)') AS from_segment,
    coalesce(to_segment, '(gone)') AS to_segment,
    sum(customers) AS customers
  FROM moves
  GROUP BY 1, 2, 3
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

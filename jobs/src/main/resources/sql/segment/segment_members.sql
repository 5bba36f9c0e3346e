-- Each customer once per segmentation, in the segment it puts them in (view ${segment_source}: rows
-- with the customer_segments columns). A customer without a segment in a segmentation (a prospect has
-- no RFM segment, value tier or cluster; a snapshot written before the needs-based segments has no
-- needs_segment) is not a member of it; lifecycle_stage covers everyone.
-- ${segments} (SegmentMembers.stack) is one row per segmentation with the column holding its segment;
-- the cluster's segment is its label.
SELECT m.segmentation, m.segment, s.*
FROM ${segment_source} s
LATERAL VIEW ${segments} m AS segmentation, segment
WHERE m.segment IS NOT NULL
